import { createHmac } from 'node:crypto';
import type { AccessTokenClaims, IceServer } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import { DomainError } from '../errors.ts';

/** TURN settings (LEGEVAKT_TURN_*); see config.ts and the README's "TURN and networks that block UDP". */
export interface TurnConfig {
  /** turn:/turns:/stun: URLs handed to browsers, e.g. `turns:turn.example.no:443?transport=tcp`. Empty: no TURN. */
  readonly urls: readonly string[];
  /** coturn's `static-auth-secret`; null when no TURN is configured. */
  readonly secret: string | null;
  /** How long a credential is valid. */
  readonly ttlSeconds: number;
}

export interface IceServersGrant {
  readonly iceServers: IceServer[];
  /** When the credential stops working (ISO 8601); null when there is nothing to expire. */
  readonly expiresAt: string | null;
}

/**
 * The TURN REST credential (draft-uberti-behave-turn-rest-00, coturn's
 * `use-auth-secret`): the username carries its own expiry, and the password is
 * the HMAC-SHA1 of the username under the secret shared with coturn, base64.
 * coturn checks both without asking us, so nothing is stored and a credential
 * cannot be stretched past its expiry.
 */
export function turnRestCredential(
  secret: string,
  userId: string,
  expiresAtUnixSeconds: number,
): { username: string; credential: string } {
  const username = `${expiresAtUnixSeconds}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** Roles that take part in a video call; an administrator has no media and gets no relay. */
const CALL_ROLES: ReadonlySet<AccessTokenClaims['role']> = new Set([
  'nurse',
  'ambulance',
  'doctor',
  'guest',
  'station_doctor',
]);

/**
 * Issues the ICE servers for one call: STUN/TURN URLs with a fresh,
 * time-limited credential. The client asks for them per call (not per login),
 * so a credential in a long shift never outlives its TTL by much.
 */
export class TurnCredentials {
  readonly #config: TurnConfig;
  readonly #clock: Clock;

  constructor(config: TurnConfig, clock: Clock) {
    this.#config = config;
    this.#clock = clock;
  }

  /** Whether any relay is configured (logged at start; without it only direct UDP and ICE-TCP remain). */
  get configured(): boolean {
    return this.#config.urls.length > 0;
  }

  iceServersFor(user: Pick<AccessTokenClaims, 'sub' | 'role'>): IceServersGrant {
    if (!CALL_ROLES.has(user.role)) {
      throw new DomainError('FORBIDDEN', `a ${user.role} account takes no part in calls and gets no TURN credentials`);
    }
    const urls = this.#config.urls;
    if (urls.length === 0) return { iceServers: [], expiresAt: null };
    const turnUrls = urls.filter((url) => /^turns?:/.test(url));
    const stunUrls = urls.filter((url) => url.startsWith('stun:'));
    const iceServers: IceServer[] = [];
    if (stunUrls.length > 0) iceServers.push({ urls: stunUrls });
    if (turnUrls.length === 0) return { iceServers, expiresAt: null };
    const secret = this.#config.secret;
    // config.ts refuses TURN URLs without a secret; this guards against a hand-built config.
    if (secret === null) throw new DomainError('INTERNAL', 'TURN URLs are configured without LEGEVAKT_TURN_SECRET');
    const expiresAt = Math.floor(this.#clock.now() / 1000) + this.#config.ttlSeconds;
    iceServers.push({ urls: turnUrls, ...turnRestCredential(secret, user.sub, expiresAt) });
    return { iceServers, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }
}
