import type { ErrorCode } from '@legevakt/shared';

/**
 * An expected failure with a code the client can act on. Anything else thrown
 * in a handler is an internal error: logged in full, reported to the client
 * without details.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly issues: string[] | undefined;

  constructor(code: ErrorCode, message: string, issues?: string[]) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.issues = issues;
  }
}

export const notFound = (what: string): DomainError => new DomainError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string): DomainError => new DomainError('CONFLICT', message);
