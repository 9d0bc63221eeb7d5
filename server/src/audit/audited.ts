import type { Request } from 'express';
import type { AccessTokenClaims, Consult } from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import type { AccessAction, AccessRecorder } from './accessEvents.ts';
import { AccessDeniedError } from './accessDenied.ts';

/** Header carrying a break-the-glass reason (percent-encoded UTF-8, or plain Latin-1 text). */
export const ACCESS_REASON_HEADER = 'X-Access-Reason';

/** A break-the-glass reason must say something: at least this many characters after trimming. */
export const MIN_ACCESS_REASON_LENGTH = 10;

/** The client's address as the socket sees it ('trust proxy' is off: no forwarded headers are believed). */
export function requestAddress(req: Request): string | null {
  return req.socket.remoteAddress ?? null;
}

/**
 * The typed break-the-glass reason of a request, or null. Browsers only send
 * Latin-1 in headers, so the client percent-encodes it; a value that is not
 * valid percent-encoding is taken as it came.
 */
export function accessReasonOf(req: Request): string | null {
  const raw = req.get(ACCESS_REASON_HEADER);
  if (raw === undefined) return null;
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded (a literal "%" typed by hand): keep it as sent.
  }
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

export interface AuditedAccess {
  readonly user: AccessTokenClaims;
  readonly action: AccessAction;
  readonly address: string | null;
  /** The break-the-glass reason the request carried, if any (logged on allowed and denied entries alike). */
  readonly reason?: string | null;
}

/**
 * Runs one patient-data operation and writes its one access-log entry, awaited
 * before the caller answers:
 * - it returned: 'allowed', for the consult `consultOf` picks from the result;
 * - it threw AccessDeniedError: 'denied', for the consult the refusal names,
 *   then the error goes on (a 403);
 * - it threw NOT_FOUND (no such consult): 'denied' without a consult, so
 *   probing for consult ids shows in the log too;
 * - anything else (bad input, a conflict such as a request another doctor
 *   took first) touched no patient's data and writes nothing.
 * If the entry cannot be written, this rejects: the response is a 500 and the
 * data is not sent (an access that cannot be logged is not granted).
 */
export async function audited<T>(
  access: AccessRecorder,
  what: AuditedAccess,
  run: () => Promise<T>,
  consultOf: (result: T) => Pick<Consult, 'id' | 'patient'>,
  /** The reason an allowed entry carries; default: the request's. */
  allowedReason: (result: T) => string | null = () => what.reason ?? null,
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof AccessDeniedError) {
      await access.record({ ...what, reason: what.reason ?? null, consult: error.consult, outcome: 'denied' });
    } else if (error instanceof DomainError && error.code === 'NOT_FOUND') {
      await access.record({ ...what, reason: what.reason ?? null, consult: null, outcome: 'denied' });
    }
    throw error;
  }
  await access.record({ ...what, reason: allowedReason(result), consult: consultOf(result), outcome: 'allowed' });
  return result;
}
