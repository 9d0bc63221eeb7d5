import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, AuthSession } from './AuthSession.ts';
import { isRateLimited, rateLimitedMessage } from './rateLimit.ts';
import { SignalingError } from './SignalingClient.ts';

/** What the server's rate limiter answers (server/src/limits/httpRateLimit.ts). */
function tooManyRequests(): Response {
  return new Response(
    JSON.stringify({
      error: { code: 'RATE_LIMITED', message: 'too many requests; try again later', retryAfterMs: 4000 },
    }),
    { status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '4' } },
  );
}

function withLocale(locale: string | null): void {
  vi.stubGlobal('localStorage', { getItem: (key: string) => (key === 'legevakt.locale' ? locale : null) });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a refusal for too many requests', () => {
  it('reaches the user as one plain Norwegian sentence from the HTTP API (429)', async () => {
    withLocale(null);
    vi.stubGlobal('fetch', () => Promise.resolve(tooManyRequests()));
    const error = await AuthSession.login('sykepleier.sunndal', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'For mange forespørsler – vent litt og prøv igjen.',
    });
    expect(isRateLimited(error)).toBe(true);
  });

  it('in English when the user chose English', async () => {
    withLocale('en');
    vi.stubGlobal('fetch', () => Promise.resolve(tooManyRequests()));
    const error = await AuthSession.login('sykepleier.sunndal', 'x').catch((e: unknown) => e);
    expect((error as Error).message).toBe('Too many requests – wait a moment and try again.');
  });

  it('from the signaling socket (RATE_LIMITED) reads the same; other errors keep their own message', () => {
    withLocale('nb');
    const limited = new SignalingError('join', { code: 'RATE_LIMITED', message: 'too many signaling requests' });
    expect(limited.message).toBe(`${rateLimitedMessage()} (join)`);
    expect(isRateLimited(limited)).toBe(true);
    const forbidden = new SignalingError('join', { code: 'FORBIDDEN', message: 'not yours' });
    expect(forbidden.message).toBe('join: not yours');
    expect(isRateLimited(forbidden)).toBe(false);
    expect(isRateLimited(new ApiError(401, 'UNAUTHENTICATED', 'x'))).toBe(false);
  });

  it('without storage (blocked by privacy settings) falls back to bokmål', () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new Error('SecurityError');
      },
    });
    expect(rateLimitedMessage()).toBe('For mange forespørsler – vent litt og prøv igjen.');
  });
});
