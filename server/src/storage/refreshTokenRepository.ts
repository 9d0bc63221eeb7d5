import { inTransaction, type Executor } from './executor.ts';

export interface RefreshTokenRecord {
  readonly id: string;
  readonly userId: string;
  /** A hash of the token (the token itself is never stored). */
  readonly tokenHash: string;
  /** Every token rotated from the same login shares it: reuse of a rotated token revokes the family. */
  readonly familyId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly replacedBy: string | null;
}

export type NewRefreshToken = Omit<RefreshTokenRecord, 'revokedAt' | 'replacedBy'>;

/** Refresh tokens, stored by hash. The "revoke" methods return how many live tokens they revoked. */
export class RefreshTokenRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(token: NewRefreshToken): Promise<RefreshTokenRecord> {
    await this.#db
      .insertInto('refresh_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        token_hash: token.tokenHash,
        family_id: token.familyId,
        issued_at: token.issuedAt,
        expires_at: token.expiresAt,
        revoked_at: null,
        replaced_by: null,
      })
      .execute();
    return { ...token, revokedAt: null, replacedBy: null };
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async findById(id: string): Promise<RefreshTokenRecord | null> {
    const row = await this.#db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /**
   * Records the rotation id → replacedById, only if id has not been rotated or
   * revoked yet: of two concurrent refreshes with the same token exactly one
   * gets true (the other is a reuse).
   */
  async markReplaced(id: string, replacedById: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('refresh_tokens')
      .set({ replaced_by: replacedById })
      .where('id', '=', id)
      .where('replaced_by', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** True when the family (one login and its rotations) still has a live token: not revoked, rotated or expired. */
  /** Until when the session (family) stays alive if nothing revokes it: its newest live token's expiry, or null. */
  async familyActiveUntil(familyId: string, now: number): Promise<number | null> {
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .select('expires_at')
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .where('replaced_by', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('expires_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? row.expires_at : null;
  }

  async isFamilyActive(familyId: string, now: number): Promise<boolean> {
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .where('replaced_by', 'is', null)
      .where('expires_at', '>', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revoke(id: string, at: number): Promise<number> {
    const result = await this.#db
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeFamily(familyId: string, at: number): Promise<number> {
    const result = await this.#db
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeAllForUser(userId: string, at: number): Promise<number> {
    const result = await this.#db
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Deletes tokens that expired before `before`; returns how many. */
  async deleteExpired(before: number): Promise<number> {
    return inTransaction(this.#db, async (trx) => {
      // replaced_by points into the same table: first clear the links to rows about to go.
      await trx
        .updateTable('refresh_tokens')
        .set({ replaced_by: null })
        .where('replaced_by', 'in', trx.selectFrom('refresh_tokens').select('id').where('expires_at', '<', before))
        .execute();
      const result = await trx.deleteFrom('refresh_tokens').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}

function toRecord(row: {
  id: string;
  user_id: string;
  token_hash: string;
  family_id: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  replaced_by: string | null;
}): RefreshTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    familyId: row.family_id,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    replacedBy: row.replaced_by,
  };
}
