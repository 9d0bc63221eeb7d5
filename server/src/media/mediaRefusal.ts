import path from 'node:path';
import * as mediasoup from 'mediasoup';
import { DomainError } from '../errors.ts';

const MEDIASOUP_LIB = `${path.sep}mediasoup${path.sep}node${path.sep}lib${path.sep}`;

/**
 * The media server refusing what a client asked for (a second connect of a
 * transport, an SSRC or SCTP stream id already in use, an unsupported codec,
 * parameters its own validation rejects) is the client's mistake: a
 * BAD_REQUEST naming the reason, not an INTERNAL error. Found by fuzzing the
 * signaling socket. Recognised by where the error was made, inside mediasoup's
 * library (its validation, or its channel turning the worker's refusal into an
 * error); a closed worker is not the client's doing and stays internal, and so
 * does anything raised by our own code.
 */
export function mediaRefusal(error: unknown): DomainError | null {
  if (!(error instanceof Error) || error instanceof mediasoup.errors.WorkerClosedError) return null;
  const origin = error.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  if (!origin?.includes(MEDIASOUP_LIB)) return null;
  return new DomainError('BAD_REQUEST', `the media server refused the request: ${error.message}`);
}
