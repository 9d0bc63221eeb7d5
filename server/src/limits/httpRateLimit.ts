import type { Request, RequestHandler, Response } from 'express';
import type { AccessTokenClaims } from '@legevakt/shared';
import type { Logger } from '../logger.ts';
import type { RateLimits } from './limitsConfig.ts';
import { KeyedRateLimiter, type MonotonicNow } from './rateLimiter.ts';

/**
 * The HTTP side of the rate limits: per client address on what needs no login,
 * per username on failed logins, per user on the authenticated API. A refusal
 * is 429 with Retry-After and the usual JSON error body, and is logged (at most
 * once per key every ten seconds, so a flood does not flood the log too).
 */
export interface HttpRateLimiters {
  /** Mounted before everything that needs no login: /api/auth/* and /api/health. */
  readonly anonymous: RequestHandler;
  /** Mounted after requireUser: keyed by the authenticated user. */
  readonly api: RequestHandler;
}

const address = (req: Request): string => req.socket.remoteAddress ?? 'unknown';

export function httpRateLimiters(limits: RateLimits, log: Logger, now?: MonotonicNow): HttpRateLimiters {
  const options = now ? { now } : {};
  const perAddress = new KeyedRateLimiter(limits.anonymousPerAddress, options);
  const perUsername = new KeyedRateLimiter(limits.loginFailuresPerUsername, options);
  const perUser = new KeyedRateLimiter(limits.apiPerUser, options);
  const logOnce = new KeyedRateLimiter({ burst: 1, perSecond: 0.1 }, options);

  const refuse = (req: Request, res: Response, retryAfterMs: number, what: string, key: string): void => {
    if (logOnce.take(`${what}\u0000${key}`).ok) {
      log.warn({ limit: what, key, address: address(req), path: req.path, retryAfterMs }, 'rate limited');
    }
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    res.status(429).json({
      error: { code: 'RATE_LIMITED', message: 'too many requests; try again later', retryAfterMs },
    });
  };

  const anonymous: RequestHandler = (req, res, next) => {
    const from = address(req);
    const byAddress = perAddress.take(from);
    if (!byAddress.ok) {
      refuse(req, res, byAddress.retryAfterMs, 'anonymous-per-address', from);
      return;
    }
    const username = req.method === 'POST' && req.path === '/login' ? loginName(req.body) : null;
    if (username === null) {
      next();
      return;
    }
    // Taken before the password is checked, so parallel guesses cannot all slip
    // through, and a refused attempt never learns whether its password was right.
    const byUsername = perUsername.take(username);
    if (!byUsername.ok) {
      refuse(req, res, byUsername.retryAfterMs, 'login-failures-per-username', username);
      return;
    }
    // Only a wrong password counts: given back for anything else.
    res.on('finish', () => {
      if (res.statusCode !== 401) perUsername.give(username);
    });
    next();
  };

  const api: RequestHandler = (req, res, next) => {
    const user = res.locals['user'] as AccessTokenClaims | undefined;
    // requireUser has answered 401 already when there is no user; keyed by address just in case.
    const key = user ? `user:${user.sub}` : `address:${address(req)}`;
    const taken = perUser.take(key);
    if (!taken.ok) {
      refuse(req, res, taken.retryAfterMs, 'api-per-user', key);
      return;
    }
    next();
  };

  return { anonymous, api };
}

/** The login's username as the identity provider will look it up; null when the body has none. */
function loginName(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('username' in body)) return null;
  const { username } = body;
  if (typeof username !== 'string' || username.length === 0) return null;
  // Bounded, so a 32 KiB "username" does not become a 32 KiB map key.
  return username.trim().toLowerCase().slice(0, 128);
}
