import type { AccessTokenClaims } from '@legevakt/shared';

/**
 * Who is connected right now. The queue uses it for the expected wait (how many
 * doctors are on duty) and the transfer list; the live layer reports connects
 * and disconnects. A user with two tabs counts once.
 */
export class PresenceRegistry {
  readonly #connections = new Map<string, { user: AccessTokenClaims; count: number }>();

  connected(user: AccessTokenClaims): void {
    const entry = this.#connections.get(user.sub);
    if (entry) entry.count += 1;
    else this.#connections.set(user.sub, { user, count: 1 });
  }

  disconnected(user: AccessTokenClaims): void {
    const entry = this.#connections.get(user.sub);
    if (!entry) return;
    entry.count -= 1;
    if (entry.count <= 0) this.#connections.delete(user.sub);
  }

  isOnline(userId: string): boolean {
    return this.#connections.has(userId);
  }

  onlineDoctorsAtSites(siteIds: readonly string[]): number {
    let count = 0;
    for (const { user } of this.#connections.values()) {
      if (user.role === 'doctor' && user.workplace.kind === 'lvs' && siteIds.includes(user.workplace.lvsSiteId))
        count++;
    }
    return count;
  }
}
