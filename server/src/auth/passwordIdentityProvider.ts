import type { PasswordLoginRequest } from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import type { IdentityProvider, VerifiedIdentity } from './identityProvider.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

/** Username and password against the local accounts (scrypt hashes). */
export class PasswordIdentityProvider implements IdentityProvider<PasswordLoginRequest> {
  readonly id = 'password';
  readonly #storage: Storage;
  /** Checked when the username is unknown, so timing does not reveal which usernames exist. */
  readonly #decoy: Promise<string>;

  constructor(storage: Storage) {
    this.#storage = storage;
    this.#decoy = hashPassword('decoy password that matches nothing');
  }

  async verify({ username, password }: PasswordLoginRequest): Promise<VerifiedIdentity> {
    const user = await this.#storage.users.findByUsername(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.#decoy));
    if (!user || !ok || user.disabledAt !== null) {
      throw new DomainError('UNAUTHENTICATED', 'wrong username or password');
    }
    return { userId: user.id, method: 'password', assurance: 'low' };
  }
}
