import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AccessTokenClaims, LoginResponse, SessionUser } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { Storage } from '../storage/storage.ts';
import type { User } from '../storage/userRepository.ts';
import type { VerifiedIdentity } from './identityProvider.ts';
import type { TokenService } from './tokens.ts';

export interface SessionServiceOptions {
  /** A night shift: the refresh token outlives the short access token, not the shift. */
  refreshTtlMs: number;
}

/**
 * Login sessions. A session is a family of refresh tokens; each refresh rotates
 * the token, and presenting an already-rotated token (a stolen copy) revokes the
 * whole family. Access tokens carry the family id (`sid`) and are refused once
 * their session is revoked or the user disabled, even before they expire.
 */
export interface SessionEvents {
  /** Sessions ended early: open sockets of these must close. */
  revoked: [scope: { sessionId: string } | { userId: string }];
}

/**
 * How long a positive "session alive" answer is reused. Revocations made by this
 * process clear it at once; the bound covers a revocation written to the
 * database by another process (an admin tool).
 */
const SESSION_CHECK_TTL_MS = 10_000;

export class SessionService extends EventEmitter<SessionEvents> {
  readonly #storage: Storage;
  /** Sessions known alive, and until when that answer holds: every API request and socket checks its session. */
  readonly #alive = new Map<string, { userId: string; until: number }>();
  readonly #tokens: TokenService;
  readonly #org: OrganisationDirectory;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #options: SessionServiceOptions;
  /** Until when an invited guest's session (its token's `sid`) holds, or null; see useGuestSessions. */
  #guestSessions: ((sid: string, now: number) => Promise<number | null>) | null = null;

  constructor(
    storage: Storage,
    tokens: TokenService,
    org: OrganisationDirectory,
    clock: Clock,
    log: Logger,
    options: SessionServiceOptions,
  ) {
    super();
    this.#storage = storage;
    this.#tokens = tokens;
    this.#org = org;
    this.#clock = clock;
    this.#log = log.child({ component: 'sessions' });
    this.#options = options;
  }

  /** Whatever provider verified the person, the session is the same. */
  async start(identity: VerifiedIdentity, address: string | undefined): Promise<LoginResponse> {
    const user = await this.#activeUser(identity.userId);
    const familyId = crypto.randomUUID();
    const response = await this.#issue(user, familyId);
    this.#log.info({ userId: user.id, method: identity.method, assurance: identity.assurance, address }, 'logged in');
    return response;
  }

  async refresh(refreshToken: string): Promise<LoginResponse> {
    const now = this.#clock.now();
    const stored = await this.#storage.refreshTokens.findByHash(hashToken(refreshToken));
    if (!stored) throw unauthenticated('unknown refresh token');
    if (stored.revokedAt !== null) throw unauthenticated('session revoked');
    if (stored.replacedBy !== null) {
      // A rotated token came back: someone holds a copy. End the whole session.
      await this.#storage.refreshTokens.revokeFamily(stored.familyId, now);
      this.#log.warn({ userId: stored.userId, familyId: stored.familyId }, 'refresh token reused; session revoked');
      this.#revoked({ sessionId: stored.familyId });
      throw unauthenticated('session revoked');
    }
    if (stored.expiresAt <= now) throw unauthenticated('refresh token expired');
    const user = await this.#activeUser(stored.userId);
    const response = await this.#issue(user, stored.familyId, stored.id);
    return response;
  }

  async logout(refreshToken: string): Promise<void> {
    const stored = await this.#storage.refreshTokens.findByHash(hashToken(refreshToken));
    if (!stored) return;
    await this.#storage.refreshTokens.revokeFamily(stored.familyId, this.#clock.now());
    this.#log.info({ userId: stored.userId }, 'logged out');
    this.#revoked({ sessionId: stored.familyId });
  }

  /** Ends every session of a user (account disabled, device lost). */
  async revokeUser(userId: string): Promise<void> {
    await this.#storage.refreshTokens.revokeAllForUser(userId, this.#clock.now());
    this.#log.warn({ userId }, 'all sessions revoked');
    this.#revoked({ userId });
  }

  /**
   * Guests (server/src/invites/) have no account and no refresh-token family:
   * their sessions live on the invite, and the invite service answers whether one holds.
   */
  useGuestSessions(activeUntil: (sid: string, now: number) => Promise<number | null>): void {
    this.#guestSessions = activeUntil;
  }

  /** A guest was removed: its access tokens are refused from now on and its sockets close. */
  revokeGuestSession(sessionId: string): void {
    this.#revoked({ sessionId });
  }

  #revoked(scope: { sessionId: string } | { userId: string }): void {
    if ('sessionId' in scope) this.#alive.delete(scope.sessionId);
    else for (const [sid, entry] of this.#alive) if (entry.userId === scope.userId) this.#alive.delete(sid);
    this.emit('revoked', scope);
  }

  /** Verifies an access token and that its session is still alive. */
  async authenticate(accessToken: string): Promise<AccessTokenClaims> {
    const claims = this.#tokens.verify(accessToken);
    const now = this.#clock.now();
    const known = this.#alive.get(claims.sid);
    if (known && known.until > now) return claims;
    const until =
      claims.role === 'guest'
        ? ((await this.#guestSessions?.(claims.sid, now)) ?? null)
        : await this.#storage.refreshTokens.familyActiveUntil(claims.sid, now);
    if (until === null) {
      this.#alive.delete(claims.sid);
      throw unauthenticated('session revoked');
    }
    this.#alive.set(claims.sid, { userId: claims.sub, until: Math.min(until, now + SESSION_CHECK_TTL_MS) });
    if (this.#alive.size > 10_000)
      for (const [sid, entry] of this.#alive) if (entry.until <= now) this.#alive.delete(sid);
    return claims;
  }

  sessionUser(user: User): SessionUser {
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      workplace: user.workplace,
      placeName: this.#org.placeName(user.workplace),
    };
  }

  async #issue(user: User, familyId: string, replacing?: string): Promise<LoginResponse> {
    const now = this.#clock.now();
    const refreshToken = crypto.randomBytes(32).toString('base64url');
    const id = crypto.randomUUID();
    const expiresAt = now + this.#options.refreshTtlMs;
    await this.#storage.transaction(async (tx) => {
      await tx.refreshTokens.insert({
        id,
        userId: user.id,
        tokenHash: hashToken(refreshToken),
        familyId,
        issuedAt: now,
        expiresAt,
      });
      if (replacing) await tx.refreshTokens.markReplaced(replacing, id);
    });
    const access = this.#tokens.issue(
      { sub: user.id, role: user.role, name: user.displayName, workplace: user.workplace, sid: familyId },
      new Date(now),
    );
    return {
      accessToken: access.accessToken,
      accessExpiresAt: access.expiresAt.toISOString(),
      refreshToken,
      refreshExpiresAt: new Date(expiresAt).toISOString(),
      user: this.sessionUser(user),
    };
  }

  async #activeUser(userId: string): Promise<User> {
    const user = await this.#storage.users.findById(userId);
    if (!user || user.disabledAt !== null) throw unauthenticated('account disabled');
    return user;
  }
}

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

function unauthenticated(message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}
