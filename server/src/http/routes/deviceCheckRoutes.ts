import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { DomainError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { KeyedRateLimiter, type MonotonicNow, type RateLimit } from '../../limits/rateLimiter.ts';
import { route, userOf } from '../respond.ts';

/**
 * The network half of the nurse's device check: round trips and throughput to
 * this server (the one her call's media goes to). No patient data passes here,
 * so nothing is access-logged; what is limited is bandwidth: a user gets a
 * byte budget (a check moves up to about 9 MB) and a request budget for the pings,
 * on top of the API's own per-user limit.
 */
export interface DeviceCheckLimits {
  /** Bytes downloaded plus uploaded per user. */
  readonly bytesPerUser: RateLimit;
  /** Requests (pings included) per user. */
  readonly requestsPerUser: RateLimit;
}

/** The most one download or upload may move: 4 MiB, enough to time a slow or a fast line. */
export const MAX_TRANSFER_BYTES = 4 * 1024 * 1024;
const DEFAULT_DOWNLOAD_BYTES = 1024 * 1024;

export const DEFAULT_DEVICE_CHECK_LIMITS: DeviceCheckLimits = {
  // A check moves at most about 9 MB on a fast line: four at once, then about one a minute.
  bytesPerUser: { burst: 40 * 1024 * 1024, perSecond: (10 * 1024 * 1024) / 60 },
  requestsPerUser: { burst: 120, perSecond: 1 },
};

export function deviceCheckRoutes(
  log: Logger,
  limits: DeviceCheckLimits = DEFAULT_DEVICE_CHECK_LIMITS,
  now?: MonotonicNow,
): Router {
  const router = Router();
  const options = now ? { now } : {};
  const bytes = new KeyedRateLimiter(limits.bytesPerUser, options);
  const requests = new KeyedRateLimiter(limits.requestsPerUser, options);

  const admit = (req: Request, sub: string, cost: number): void => {
    const taken = requests.take(sub);
    const budget = taken.ok ? bytes.take(sub, cost) : taken;
    if (!budget.ok) {
      // Give the request token back when it was the byte budget that refused.
      if (taken.ok) requests.give(sub);
      log.warn({ path: req.path, user: sub, cost, retryAfterMs: budget.retryAfterMs }, 'device check rate limited');
      throw new DomainError(
        'RATE_LIMITED',
        `too many device checks; try again in ${Math.ceil(budget.retryAfterMs / 1000)} s`,
      );
    }
  };

  router.get(
    '/ping',
    route(log, async (req, res) => {
      admit(req, userOf(res).sub, 0);
      res.setHeader('Cache-Control', 'no-store');
      return Promise.resolve({ at: Date.now() });
    }),
  );

  router.get(
    '/download',
    route(log, async (req, res) => {
      const size = transferSize(req.query['bytes']);
      admit(req, userOf(res).sub, size);
      // Random bytes: nothing on the way can compress them and make the line look faster than it is.
      const body = randomBytes(size);
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/octet-stream');
      res.send(body);
      return Promise.resolve(undefined);
    }),
  );

  router.post(
    '/upload',
    route(log, async (req, res) => {
      // Only raw bytes: a JSON or form body has already been read by the app's body parsers, and
      // waiting for its bytes here would wait for ever.
      if (!req.is('application/octet-stream')) {
        throw new DomainError('BAD_REQUEST', 'an upload is sent as application/octet-stream');
      }
      const declared = Number(req.headers['content-length']);
      if (!Number.isInteger(declared) || declared < 1) {
        throw new DomainError('BAD_REQUEST', 'an upload needs a Content-Length of at least 1 byte');
      }
      if (declared > MAX_TRANSFER_BYTES) {
        throw new DomainError('BAD_REQUEST', `an upload may be at most ${MAX_TRANSFER_BYTES} bytes`);
      }
      admit(req, userOf(res).sub, declared);
      const started = performance.now();
      const received = await drain(req, declared);
      res.setHeader('Cache-Control', 'no-store');
      return { bytes: received, ms: Math.round(performance.now() - started) };
    }),
  );

  return router;
}

function transferSize(raw: unknown): number {
  if (raw === undefined) return DEFAULT_DOWNLOAD_BYTES;
  const size = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(size) || size < 1 || size > MAX_TRANSFER_BYTES) {
    throw new DomainError('BAD_REQUEST', `bytes must be a whole number from 1 to ${MAX_TRANSFER_BYTES}`);
  }
  return size;
}

/** Reads and discards the body, counting it; more than declared is refused (the socket is not trusted). */
function drain(req: Request, declared: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    req.on('data', (chunk: Buffer) => {
      count += chunk.length;
      if (count > declared) {
        req.destroy();
        reject(new DomainError('BAD_REQUEST', 'the upload is longer than its Content-Length'));
      }
    });
    req.on('end', () => resolve(count));
    req.on('error', reject);
  });
}
