import type { RateLimit } from './rateLimiter.ts';

/**
 * Rate limits of every entry point. The defaults are far above what a real
 * shift does (a browser makes a few API requests a minute and a few dozen
 * signaling requests when it joins a call) and exist to stop brute force and
 * runaway or hostile clients. Each is set with an environment variable as
 * `N/S`: at most N at once, refilled at N per S seconds.
 */
export interface RateLimits {
  /** Requests that need no login (/api/auth/*: login, refresh, logout; /api/health) per client address. */
  readonly anonymousPerAddress: RateLimit;
  /** Failed logins per username (a successful login does not count): password guessing. */
  readonly loginFailuresPerUsername: RateLimit;
  /**
   * Authenticated API requests per user. 300/s sustained is a fifth of what the
   * server answers on two cores, so one runaway client cannot starve the rest,
   * and it leaves the queue benchmark (500 req/s from two doctors) unthrottled.
   */
  readonly apiPerUser: RateLimit;
  /** Signaling frames per socket; a frame over it is answered RATE_LIMITED and not handled. */
  readonly signalingPerSocket: RateLimit;
  /** Frames refused as RATE_LIMITED a socket may accumulate (recovering at the given rate) before it is closed with 1008. */
  readonly signalingRefusedBeforeClose: RateLimit;
  /** New MLLP connections per peer address (the monitor bridge's HL7 listener). */
  readonly mllpConnectionsPerAddress: RateLimit;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  anonymousPerAddress: { burst: 100, perSecond: 100 / 60 },
  loginFailuresPerUsername: { burst: 10, perSecond: 10 / 900 },
  apiPerUser: { burst: 600, perSecond: 300 },
  signalingPerSocket: { burst: 200, perSecond: 50 },
  signalingRefusedBeforeClose: { burst: 100, perSecond: 1 },
  mllpConnectionsPerAddress: { burst: 30, perSecond: 30 / 60 },
};

const ENV: Record<keyof RateLimits, string> = {
  anonymousPerAddress: 'LEGEVAKT_RATE_ANONYMOUS_PER_ADDRESS',
  loginFailuresPerUsername: 'LEGEVAKT_RATE_LOGIN_FAILURES_PER_USERNAME',
  apiPerUser: 'LEGEVAKT_RATE_API_PER_USER',
  signalingPerSocket: 'LEGEVAKT_RATE_SIGNALING_PER_SOCKET',
  signalingRefusedBeforeClose: 'LEGEVAKT_RATE_SIGNALING_REFUSED_BEFORE_CLOSE',
  mllpConnectionsPerAddress: 'LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS',
};

/** `N/S` → at most N at once, N per S seconds. */
export function parseRateLimit(raw: string, name: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
  const burst = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (!match || !(burst >= 1) || !(seconds > 0)) {
    throw new Error(`${name} must be "N/S" (at most N per S seconds, N >= 1, S > 0), got "${raw}"`);
  }
  return { burst, perSecond: burst / seconds };
}

export function loadRateLimits(env: NodeJS.ProcessEnv): RateLimits {
  const limits: Record<string, RateLimit> = {};
  for (const key of Object.keys(DEFAULT_RATE_LIMITS) as (keyof RateLimits)[]) {
    const raw = env[ENV[key]];
    limits[key] = raw === undefined || raw === '' ? DEFAULT_RATE_LIMITS[key] : parseRateLimit(raw, ENV[key]);
  }
  return limits as unknown as RateLimits;
}

/** Every limit far out of reach: for tests and benchmarks that are not about limits. */
export const UNLIMITED: RateLimit = { burst: 1e9, perSecond: 1e9 };
