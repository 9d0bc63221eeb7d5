import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type {
  AccessTokenClaims,
  Consult,
  CreatedInvite,
  GuestAccess,
  InvitableColleague,
  InviteLinkInfo,
  InviteStatus,
  InviteView,
  NotificationData,
} from '@legevakt/shared';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { PresenceRegistry } from '../queue/presence.ts';
import type { User } from '../storage/userRepository.ts';
import { AccessDeniedError } from '../audit/accessDenied.ts';
import type { AccessRecorder } from '../audit/accessEvents.ts';
import type { SessionService } from '../auth/sessionService.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Clock } from '../clock.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';
import type { StoredInvite } from '../storage/inviteRepository.ts';
import type { Storage } from '../storage/storage.ts';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export interface InviteOptions {
  /** How long a link waits for its PIN (default 15 min). */
  inviteTtlMs: number;
  /** Wrong PINs before the invite dies (default 5). */
  maxPinAttempts: number;
  /** How long a redeemed guest may stay at most (default 2 h); it ends earlier when the consult leaves 'active'. */
  guestSessionTtlMs: number;
}

export const DEFAULT_INVITE_OPTIONS: InviteOptions = {
  inviteTtlMs: 15 * 60_000,
  maxPinAttempts: 5,
  guestSessionTtlMs: 2 * 3_600_000,
};

/**
 * LEGEVAKT_INVITE_TTL_MINUTES (how long a link waits for its PIN, 1–240) and
 * LEGEVAKT_INVITE_MAX_PIN_ATTEMPTS (1–20). A value that is set but invalid is
 * refused at start rather than silently defaulted.
 */
export function inviteOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<InviteOptions> {
  const options: Partial<InviteOptions> = {};
  const read = (name: string, min: number, max: number): number | null => {
    const raw = env[name];
    if (raw === undefined || raw === '') return null;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  };
  const ttl = read('LEGEVAKT_INVITE_TTL_MINUTES', 1, 240);
  if (ttl !== null) options.inviteTtlMs = ttl * 60_000;
  const attempts = read('LEGEVAKT_INVITE_MAX_PIN_ATTEMPTS', 1, 20);
  if (attempts !== null) options.maxPinAttempts = attempts;
  return options;
}

/**
 * What inviting a district doctor needs: who is online, the organisation (which
 * doctors belong to the consult's district), and a way to tell the invited
 * doctor (a 'callInvitation' on his live sockets; returns how many got it).
 */
export interface ColleagueInviteDeps {
  presence: Pick<PresenceRegistry, 'isOnline'>;
  org: OrganisationDirectory;
  notify: (userId: string, data: NotificationData<'callInvitation'>) => number;
}

/** The guest's user id in tokens, rooms and the access log: never a stored account. */
export const guestUserId = (inviteId: string): string => `guest:${inviteId}`;

/**
 * Invites a third party (a specialist on call) into a running consult's call by
 * a one-time link and a PIN:
 *
 * - Only the consult's doctor (who took it) invites, only while the call runs.
 * - The link carries 128 random bits; the 6-digit PIN is read out by phone, so
 *   neither a forwarded link nor an overheard PIN alone lets anyone in. Only
 *   SHA-256 of the token and scrypt of token+PIN (random salt) are stored: the
 *   PIN cannot be brute-forced from a database copy without the link.
 * - The invite expires (15 min), dies after 5 wrong PINs, and is single-use:
 *   the first right PIN consumes it in one conditional UPDATE.
 * - Redeeming gives an access token with role 'guest' scoped to the consult
 *   (workplace {kind:'guest', consultId}): canViewConsult lets it see that
 *   consult's intake, canJoinCall that call, nothing else (the HTTP API fences
 *   guests to /api/guest/*; canReadRecord refuses them the record).
 * - The host removes the guest: the invite is revoked, the guest's peer is told
 *   'removed' and leaves the room, and its session (its token's `sid`) is
 *   refused from then on, which also closes its sockets.
 *
 * Every step is an access-log entry: invite.create, invite.redeem (denied for a
 * wrong PIN or a dead invite, allowed when the token is issued), call.join (by
 * the room handler), participant.remove.
 */
export class InviteService {
  readonly #storage: Storage;
  readonly #tokens: TokenService;
  readonly #sessions: SessionService;
  readonly #rooms: Pick<RoomRegistry, 'get'>;
  readonly #access: AccessRecorder;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #options: InviteOptions;
  readonly #colleagues: ColleagueInviteDeps | null;

  constructor(
    deps: {
      storage: Storage;
      tokens: TokenService;
      sessions: SessionService;
      rooms: Pick<RoomRegistry, 'get'>;
      access: AccessRecorder;
      clock: Clock;
      log: Logger;
      /** Without it only link invites exist (colleague invites refuse with a clear error). */
      colleagues?: ColleagueInviteDeps;
    },
    options: Partial<InviteOptions> = {},
  ) {
    this.#colleagues = deps.colleagues ?? null;
    this.#storage = deps.storage;
    this.#tokens = deps.tokens;
    this.#sessions = deps.sessions;
    this.#rooms = deps.rooms;
    this.#access = deps.access;
    this.#clock = deps.clock;
    this.#log = deps.log.child({ component: 'invites' });
    this.#options = { ...DEFAULT_INVITE_OPTIONS, ...options };
    deps.sessions.useGuestSessions((sid, now) => this.guestSessionActiveUntil(sid, now));
  }

  get options(): InviteOptions {
    return this.#options;
  }

  /** The host invites a guest by link; the token and PIN are returned once and never stored. */
  async createLinkInvite(
    user: AccessTokenClaims,
    consultId: string,
    displayName: string,
    address: string | null,
  ): Promise<CreatedInvite> {
    const consult = await this.#hostConsult(user, consultId, 'invite.create', address);
    const now = this.#clock.now();
    const token = crypto.randomBytes(16).toString('base64url');
    const pin = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
    const pinSalt = crypto.randomBytes(16);
    const invite = {
      id: crypto.randomUUID(),
      consultId: consult.id,
      createdBy: user.sub,
      kind: 'link' as const,
      displayName,
      tokenHash: hashToken(token),
      pinSalt: pinSalt.toString('base64url'),
      pinHash: (await hashPin(token, pin, pinSalt)).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.#options.inviteTtlMs,
    };
    await this.#storage.invites.insert(invite);
    await this.#access.record({
      user,
      action: 'invite.create',
      consult,
      outcome: 'allowed',
      address,
      reason: `invited "${displayName}" by link`,
    });
    this.#log.info({ consultId, inviteId: invite.id, by: user.sub }, 'guest invited by link');
    const stored = await this.#storage.invites.findById(invite.id);
    if (!stored) throw new Error('invite vanished after insert');
    return { invite: this.#view(stored, now), path: `/invite/${token}`, pin };
  }

  /**
   * The doctors the host may invite into the running call: online now, of the
   * consult's district (its LVS doctors, those of a site sharing its virtual
   * LVS, and its legevakt stations' doctors), not the host, not the requester.
   */
  async invitableColleagues(
    user: AccessTokenClaims,
    consultId: string,
    address: string | null,
  ): Promise<InvitableColleague[]> {
    const consult = await this.#hostConsult(user, consultId, null, address);
    const deps = this.#colleaguesOrFail();
    const all = [
      ...(await this.#storage.users.list({ role: 'doctor' })),
      ...(await this.#storage.users.list({ role: 'station_doctor' })),
    ];
    return all
      .filter((u) => this.#invitable(u, consult, user.sub) && deps.presence.isOnline(u.id))
      .map((u) => ({
        id: u.id,
        displayName: u.displayName,
        role: u.role === 'station_doctor' ? ('station_doctor' as const) : ('doctor' as const),
        placeName: deps.org.placeName(u.workplace),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'nb'));
  }

  /**
   * The host invites a district doctor who is online into the running call: an
   * invite row of kind 'colleague' naming him (no link, no PIN: he is logged in
   * already), standing until the host removes it or it expires with the guest
   * session's time limit, and a 'callInvitation' to his live sockets. One
   * access-log entry (invite.create), allowed or denied.
   */
  async inviteColleague(
    user: AccessTokenClaims,
    consultId: string,
    colleagueId: string,
    address: string | null,
  ): Promise<InviteView> {
    const consult = await this.#hostConsult(user, consultId, 'invite.create', address);
    const deps = this.#colleaguesOrFail();
    const colleague = await this.#storage.users.findById(colleagueId);
    const refuse = async (reason: string): Promise<never> => {
      await this.#access.record({ user, action: 'invite.create', consult, outcome: 'denied', address, reason });
      this.#log.warn({ consultId, colleagueId, reason }, 'colleague invite refused');
      throw new DomainError('BAD_REQUEST', reason);
    };
    if (!colleague || !this.#invitable(colleague, consult, user.sub)) {
      return refuse('not a doctor of this consult’s district who may be invited');
    }
    if (!deps.presence.isOnline(colleague.id)) return refuse(`${colleague.displayName} is not online`);
    const now = this.#clock.now();
    if (await this.#storage.invites.standingColleagueInvite(consult.id, colleague.id, now)) {
      return refuse(`${colleague.displayName} is already invited`);
    }
    // The row's link columns are NOT NULL (0007): they hold hashes of a random token no one is ever given,
    // so a colleague invitation can never be redeemed by link; the invited doctor joins with his own login.
    const unusable = crypto.randomBytes(16).toString('base64url');
    const salt = crypto.randomBytes(16);
    const invite = {
      id: crypto.randomUUID(),
      consultId: consult.id,
      createdBy: user.sub,
      kind: 'colleague' as const,
      displayName: `${colleague.displayName}, ${deps.org.placeName(colleague.workplace)}`,
      tokenHash: hashToken(unusable),
      pinSalt: salt.toString('base64url'),
      pinHash: crypto.createHash('sha256').update(salt).digest('base64url'),
      createdAt: now,
      expiresAt: now + this.#options.guestSessionTtlMs,
      inviteeUserId: colleague.id,
    };
    await this.#storage.invites.insert(invite);
    await this.#access.record({
      user,
      action: 'invite.create',
      consult,
      outcome: 'allowed',
      address,
      reason: `invited colleague ${colleague.displayName} (${colleague.id})`,
    });
    const sockets = deps.notify(colleague.id, {
      consultId: consult.id,
      inviteId: invite.id,
      invitedByName: user.name,
      placeName: this.#placeOf(consult),
      expiresAt: invite.expiresAt,
    });
    this.#log.info({ consultId, inviteId: invite.id, colleagueId, by: user.sub, sockets }, 'colleague invited');
    const stored = await this.#storage.invites.findById(invite.id);
    if (!stored) throw new Error('invite vanished after insert');
    return this.#view(stored, now);
  }

  /** Whether this doctor stands invited into this consult's running call (canJoinCall's third argument). */
  async invitedToCall(user: AccessTokenClaims, consult: Consult): Promise<boolean> {
    if (user.role !== 'doctor' && user.role !== 'station_doctor') return false;
    if (consult.status !== 'active') return false;
    return (await this.#storage.invites.standingColleagueInvite(consult.id, user.sub, this.#clock.now())) !== null;
  }

  #invitable(candidate: User, consult: Consult, hostId: string): boolean {
    if (candidate.id === hostId || candidate.id === consult.requestedBy || candidate.disabledAt !== null) return false;
    const place = candidate.workplace;
    if (candidate.role === 'doctor' && place.kind === 'lvs') {
      return (
        place.districtId === consult.districtId ||
        (this.#colleagues?.org.overflowSiteIds(consult.districtId).includes(place.lvsSiteId) ?? false)
      );
    }
    return candidate.role === 'station_doctor' && place.kind === 'station' && place.districtId === consult.districtId;
  }

  #placeOf(consult: Consult): string {
    const org = this.#colleagues?.org;
    const id = consult.satelliteId ?? consult.ambulanceUnitId ?? consult.stationId ?? '';
    return (
      org?.satellite(id)?.name ??
      org?.ambulanceUnit(id)?.name ??
      org?.station(id)?.name ??
      org?.districtName(consult.districtId) ??
      id
    );
  }

  #colleaguesOrFail(): ColleagueInviteDeps {
    if (!this.#colleagues) throw new Error('colleague invites are not wired (InviteService without colleagues)');
    return this.#colleagues;
  }

  /** The consult's invites, for its doctor's participant list. */
  async list(user: AccessTokenClaims, consultId: string, address: string | null): Promise<InviteView[]> {
    await this.#hostConsult(user, consultId, null, address, { allowEnded: true });
    const now = this.#clock.now();
    return (await this.#storage.invites.listForConsult(consultId)).map((i) => this.#view(i, now));
  }

  /** What the link's page shows before the PIN: who is invited and whether the link still works. */
  async linkInfo(token: string): Promise<InviteLinkInfo> {
    const invite = await this.#storage.invites.findByTokenHash(hashToken(token));
    if (!invite) throw notFound('invite');
    const now = this.#clock.now();
    return {
      displayName: invite.displayName,
      status: statusOf(invite, now, this.#options.maxPinAttempts),
      expiresAt: invite.expiresAt,
      attemptsLeft: Math.max(0, this.#options.maxPinAttempts - invite.failedAttempts),
    };
  }

  /** The guest types the PIN: a right one on an open invite consumes it and yields the guest's access token. */
  async redeem(token: string, pin: string, address: string | null): Promise<GuestAccess> {
    const invite = await this.#storage.invites.findByTokenHash(hashToken(token));
    if (!invite) {
      // No consult is known, so no patient's log to write to: the service log keeps the probe.
      this.#log.warn({ address }, 'invite link unknown');
      throw notFound('invite');
    }
    const consult = await this.#storage.consults.get(invite.consultId);
    if (!consult) throw new Error(`invite ${invite.id} names a missing consult`);
    const claims = this.#guestClaims(invite, consult);
    const deny = async (reason: string, message: string): Promise<never> => {
      await this.#access.record({ user: claims, action: 'invite.redeem', consult, outcome: 'denied', address, reason });
      this.#log.warn({ inviteId: invite.id, address, reason }, 'invite redemption refused');
      throw new AccessDeniedError(message, consult);
    };
    const now = this.#clock.now();
    const status = statusOf(invite, now, this.#options.maxPinAttempts);
    if (status !== 'open') return deny(`invite ${status}`, inviteClosedMessage(status));

    const expected = Buffer.from(invite.pinHash, 'base64url');
    const actual = await hashPin(token, pin, Buffer.from(invite.pinSalt, 'base64url'));
    if (!crypto.timingSafeEqual(expected, actual)) {
      const failed = await this.#storage.invites.countFailedAttempt(invite.id);
      const left = failed === null ? 0 : Math.max(0, this.#options.maxPinAttempts - failed);
      return deny(
        `wrong PIN (${failed ?? '?'} of ${this.#options.maxPinAttempts})`,
        left > 0 ? `wrong PIN: ${left} attempt${left === 1 ? '' : 's'} left` : 'wrong PIN: the invite is now closed',
      );
    }
    if (consult.status !== 'active') {
      // Not consumed: the doctor may have put the consult back for a moment.
      return deny(`consult ${consult.status}`, 'the consultation is not running now');
    }
    const sessionId = crypto.randomUUID();
    const sessionExpiresAt = now + this.#options.guestSessionTtlMs;
    const won = await this.#storage.invites.redeem(
      invite.id,
      now,
      sessionId,
      sessionExpiresAt,
      this.#options.maxPinAttempts,
    );
    if (!won) return deny('invite used or closed meanwhile', inviteClosedMessage('joined'));
    await this.#access.record({
      user: claims,
      action: 'invite.redeem',
      consult,
      outcome: 'allowed',
      address,
      reason: null,
    });
    this.#log.info({ inviteId: invite.id, consultId: consult.id, address }, 'invite redeemed; guest session started');
    return this.#issue({ ...claims, sid: sessionId }, consult);
  }

  /** A fresh access token for a guest whose session still holds (the socket reconnecting after the first expired). */
  async renew(user: AccessTokenClaims): Promise<GuestAccess> {
    if (user.role !== 'guest' || user.workplace.kind !== 'guest') {
      throw new DomainError('FORBIDDEN', 'only a guest renews a guest token');
    }
    const until = await this.guestSessionActiveUntil(user.sid, this.#clock.now());
    if (until === null) throw new DomainError('UNAUTHENTICATED', 'guest session ended');
    const consult = await this.#storage.consults.get(user.workplace.consultId);
    if (!consult) throw notFound('consult');
    return this.#issue(user, consult);
  }

  /** The guest's own consult (its intake, for beside the video), access-logged as a consult view. */
  async guestConsult(user: AccessTokenClaims, address: string | null): Promise<Consult> {
    if (user.role !== 'guest' || user.workplace.kind !== 'guest') {
      throw new DomainError('FORBIDDEN', 'only for invited guests');
    }
    const consult = await this.#storage.consults.get(user.workplace.consultId);
    if (!consult) throw notFound('consult');
    await this.#access.record({ user, action: 'consult.view', consult, outcome: 'allowed', address, reason: null });
    return consult;
  }

  /**
   * The host removes a guest: the invite is revoked (an unused link dies too),
   * the guest's peer leaves the room told 'removed', and its session ends.
   */
  async remove(
    user: AccessTokenClaims,
    consultId: string,
    inviteId: string,
    address: string | null,
  ): Promise<InviteView> {
    const consult = await this.#hostConsult(user, consultId, 'participant.remove', address, { allowEnded: true });
    const invite = await this.#storage.invites.findById(inviteId);
    if (!invite || invite.consultId !== consult.id) throw notFound(`invite ${inviteId}`);
    const now = this.#clock.now();
    const revoked = await this.#storage.invites.revoke(invite.id, now, user.sub);
    // Told first, then the session ends: the guest's socket carries 'removed' before it closes.
    const peers = this.#rooms.get(consult.id)?.removeUser(invite.inviteeUserId ?? guestUserId(invite.id)) ?? 0;
    if (invite.guestSessionId !== null) this.#sessions.revokeGuestSession(invite.guestSessionId);
    await this.#access.record({
      user,
      action: 'participant.remove',
      consult,
      outcome: 'allowed',
      address,
      reason: `removed "${invite.displayName}"${revoked ? '' : ' (already revoked)'}`,
    });
    this.#log.info({ consultId, inviteId, peers, by: user.sub }, 'guest removed');
    const stored = await this.#storage.invites.findById(invite.id);
    return this.#view(stored ?? invite, now);
  }

  /** SessionService asks this for every guest token (cached ≤ 10 s): until when the session holds, or null. */
  async guestSessionActiveUntil(sid: string, now: number): Promise<number | null> {
    const invite = await this.#storage.invites.findBySession(sid);
    if (!invite || invite.revokedAt !== null || invite.sessionExpiresAt === null) return null;
    if (invite.sessionExpiresAt <= now) return null;
    const consult = await this.#storage.consults.get(invite.consultId);
    // The guest's part ends with the call: a signed or cancelled consult is no longer open to it.
    if (consult?.status !== 'active') return null;
    return invite.sessionExpiresAt;
  }

  /**
   * The consult, if this user is its doctor (the one who took it). The refusal
   * is the request's one access-log entry when `action` names one.
   */
  async #hostConsult(
    user: AccessTokenClaims,
    consultId: string,
    action: 'invite.create' | 'participant.remove' | null,
    address: string | null,
    { allowEnded = false }: { allowEnded?: boolean } = {},
  ): Promise<Consult> {
    const consult = await this.#storage.consults.get(consultId);
    const denied = async (found: Consult | null, reason: string): Promise<never> => {
      if (action !== null) {
        await this.#access.record({ user, action, consult: found, outcome: 'denied', address, reason });
      }
      if (!found) throw notFound(`consult ${consultId}`);
      throw new AccessDeniedError(reason, found);
    };
    if (!consult) return denied(null, 'no such consult');
    if (!(user.role === 'doctor' && user.workplace.kind === 'lvs' && consult.claimedBy === user.sub)) {
      return denied(consult, 'only the doctor who holds the consult invites or removes participants');
    }
    if (!allowEnded && consult.status !== 'active') {
      throw new DomainError('CONFLICT', `the call is not running (${consult.status})`);
    }
    return consult;
  }

  #guestClaims(invite: StoredInvite, consult: Consult): AccessTokenClaims {
    return {
      sub: guestUserId(invite.id),
      role: 'guest',
      name: invite.displayName,
      workplace: { kind: 'guest', consultId: consult.id, districtId: consult.districtId },
      sid: invite.guestSessionId ?? `invite:${invite.id}`,
    };
  }

  #issue(claims: AccessTokenClaims, consult: Consult): GuestAccess {
    const issued = this.#tokens.issue(claims, new Date(this.#clock.now()));
    return {
      accessToken: issued.accessToken,
      accessExpiresAt: issued.expiresAt.toISOString(),
      consultId: consult.id,
      user: {
        id: claims.sub,
        username: claims.sub,
        displayName: claims.name,
        role: 'guest',
        workplace: claims.workplace,
        placeName: 'Invitert til konsultasjon',
      },
    };
  }

  #view(invite: StoredInvite, now: number): InviteView {
    return {
      id: invite.id,
      consultId: invite.consultId,
      displayName: invite.displayName,
      status: statusOf(invite, now, this.#options.maxPinAttempts),
      createdAt: invite.createdAt,
      expiresAt: invite.expiresAt,
      failedAttempts: invite.failedAttempts,
      guestUserId: invite.inviteeUserId ?? guestUserId(invite.id),
      kind: invite.kind,
    };
  }
}

function statusOf(invite: StoredInvite, now: number, maxAttempts: number): InviteStatus {
  if (invite.revokedAt !== null) return 'removed';
  if (invite.redeemedAt !== null) return 'joined';
  if (invite.failedAttempts >= maxAttempts) return 'locked';
  if (invite.expiresAt <= now) return 'expired';
  return 'open';
}

function inviteClosedMessage(status: InviteStatus): string {
  switch (status) {
    case 'joined':
      return 'this invite has already been used';
    case 'expired':
      return 'this invite has expired';
    case 'locked':
      return 'too many wrong PINs: this invite is closed';
    case 'removed':
      return 'this invite was withdrawn';
    case 'open':
      return 'this invite is open';
  }
}

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

/** The PIN keyed with the link's token: six digits alone are no secret against a stolen database. */
function hashPin(token: string, pin: string, salt: Buffer): Promise<Buffer> {
  return scrypt(`${token}:${pin}`, salt, 32);
}
