import type { Consult } from '@legevakt/shared';
import { DomainError } from '../errors.ts';

/**
 * A 403 for patient data: an access-control refusal, as opposed to bad input
 * or a conflict. It carries the consult it was about (null when refused before
 * any consult was looked up) so the caller, which knows the client's address
 * and the action, writes the one 'denied' access-log entry for the request.
 */
export class AccessDeniedError extends DomainError {
  readonly consult: Pick<Consult, 'id' | 'patient'> | null;

  constructor(message: string, consult: Pick<Consult, 'id' | 'patient'> | null) {
    super('FORBIDDEN', message);
    this.name = 'AccessDeniedError';
    this.consult = consult;
  }
}
