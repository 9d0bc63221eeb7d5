import type { Executor } from './executor.ts';

/** An invitation as stored: hashes only, never the token or the PIN. */
export interface StoredInvite {
  readonly id: string;
  readonly consultId: string;
  readonly createdBy: string;
  /** 'link': a guest by link and PIN; 'colleague': a district doctor asked in by name (no usable link). */
  readonly kind: 'link' | 'colleague';
  readonly displayName: string;
  readonly tokenHash: string;
  readonly pinSalt: string;
  readonly pinHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly failedAttempts: number;
  readonly redeemedAt: number | null;
  readonly guestSessionId: string | null;
  readonly sessionExpiresAt: number | null;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  /** The invited doctor of a 'colleague' invitation; null for a link. */
  readonly inviteeUserId: string | null;
}

export type NewInvite = Pick<
  StoredInvite,
  | 'id'
  | 'consultId'
  | 'createdBy'
  | 'kind'
  | 'displayName'
  | 'tokenHash'
  | 'pinSalt'
  | 'pinHash'
  | 'createdAt'
  | 'expiresAt'
> & { readonly inviteeUserId?: string | null };

/**
 * Invitations (migrations/0007_invites.ts). The state changes are single
 * conditional UPDATEs, so two redemptions racing for one invite (or a wrong PIN
 * racing the right one) cannot both win: the database decides.
 */
export class InviteRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(invite: NewInvite): Promise<void> {
    await this.#db
      .insertInto('invites')
      .values({
        id: invite.id,
        consult_id: invite.consultId,
        created_by: invite.createdBy,
        kind: invite.kind,
        display_name: invite.displayName,
        token_hash: invite.tokenHash,
        pin_salt: invite.pinSalt,
        pin_hash: invite.pinHash,
        created_at: invite.createdAt,
        expires_at: invite.expiresAt,
        invitee_user_id: invite.inviteeUserId ?? null,
      })
      .execute();
  }

  async findById(id: string): Promise<StoredInvite | null> {
    const row = await this.#db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toInvite(row) : null;
  }

  async findByTokenHash(tokenHash: string): Promise<StoredInvite | null> {
    const row = await this.#db.selectFrom('invites').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toInvite(row) : null;
  }

  async findBySession(guestSessionId: string): Promise<StoredInvite | null> {
    const row = await this.#db
      .selectFrom('invites')
      .selectAll()
      .where('guest_session_id', '=', guestSessionId)
      .executeTakeFirst();
    return row ? toInvite(row) : null;
  }

  /** The colleague invitation of this doctor into this consult's call that still stands at `at`, if any. */
  async standingColleagueInvite(consultId: string, userId: string, at: number): Promise<StoredInvite | null> {
    const row = await this.#db
      .selectFrom('invites')
      .selectAll()
      .where('consult_id', '=', consultId)
      .where('kind', '=', 'colleague')
      .where('invitee_user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', at)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ? toInvite(row) : null;
  }

  async listForConsult(consultId: string): Promise<StoredInvite[]> {
    const rows = await this.#db
      .selectFrom('invites')
      .selectAll()
      .where('consult_id', '=', consultId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toInvite);
  }

  /** Counts a wrong PIN on a still-open invite; returns the new count, or null if the invite was no longer open. */
  async countFailedAttempt(id: string): Promise<number | null> {
    const result = await this.#db
      .updateTable('invites')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where('id', '=', id)
      .where('redeemed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return null;
    const row = await this.#db.selectFrom('invites').select('failed_attempts').where('id', '=', id).executeTakeFirst();
    return row ? row.failed_attempts : null;
  }

  /**
   * Marks the invite used and binds the guest session to it, only if it is
   * still open: not used, not revoked, not expired, attempts left. True when
   * this call won it.
   */
  async redeem(
    id: string,
    at: number,
    guestSessionId: string,
    sessionExpiresAt: number,
    maxAttempts: number,
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('invites')
      .set({ redeemed_at: at, guest_session_id: guestSessionId, session_expires_at: sessionExpiresAt })
      .where('id', '=', id)
      .where('redeemed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', at)
      .where('failed_attempts', '<', maxAttempts)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Revokes the invite (and with it any guest session); false when it already was. */
  async revoke(id: string, at: number, by: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('invites')
      .set({ revoked_at: at, revoked_by: by })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

type InviteRow = {
  id: string;
  consult_id: string;
  created_by: string;
  kind: 'link' | 'colleague';
  display_name: string;
  token_hash: string;
  pin_salt: string;
  pin_hash: string;
  created_at: number | string;
  expires_at: number | string;
  failed_attempts: number | string;
  redeemed_at: number | string | null;
  guest_session_id: string | null;
  session_expires_at: number | string | null;
  revoked_at: number | string | null;
  revoked_by: string | null;
  invitee_user_id: string | null;
};

/** PostgreSQL returns BIGINT as a string: numbers here are epoch milliseconds, well within 2^53. */
const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toInvite(row: InviteRow): StoredInvite {
  return {
    id: row.id,
    consultId: row.consult_id,
    createdBy: row.created_by,
    kind: row.kind,
    displayName: row.display_name,
    tokenHash: row.token_hash,
    pinSalt: row.pin_salt,
    pinHash: row.pin_hash,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    failedAttempts: num(row.failed_attempts),
    redeemedAt: numOrNull(row.redeemed_at),
    guestSessionId: row.guest_session_id,
    sessionExpiresAt: numOrNull(row.session_expires_at),
    revokedAt: numOrNull(row.revoked_at),
    revokedBy: row.revoked_by,
    inviteeUserId: row.invitee_user_id,
  };
}
