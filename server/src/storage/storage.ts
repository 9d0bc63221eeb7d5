import { AccessLogRepository } from './accessLogRepository.ts';
import { ConsultEventRepository } from './consultEventRepository.ts';
import { ConsultRepository } from './consultRepository.ts';
import { EcgStripRepository } from './ecgStripRepository.ts';
import { openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from './database.ts';
import type { Executor } from './executor.ts';
import { InviteRepository } from './inviteRepository.ts';
import { NotesRepository } from './notesRepository.ts';
import { OrganisationRepository } from './organisationRepository.ts';
import { PhotoRepository } from './photoRepository.ts';
import { RefreshTokenRepository } from './refreshTokenRepository.ts';
import type { Engine } from './schema.ts';
import { UserRepository } from './userRepository.ts';
import { VitalsRepository } from './vitalsRepository.ts';

/** The repositories, all on one executor (the database or one transaction). */
export interface Repositories {
  readonly organisation: OrganisationRepository;
  readonly users: UserRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly consults: ConsultRepository;
  readonly consultEvents: ConsultEventRepository;
  readonly vitals: VitalsRepository;
  readonly notes: NotesRepository;
  readonly strips: EcgStripRepository;
  readonly photos: PhotoRepository;
  readonly accessLog: AccessLogRepository;
  readonly invites: InviteRepository;
}

export interface Storage extends Repositories {
  readonly engine: Engine;
  /**
   * Runs fn in one transaction: everything done through the repositories it is
   * given commits together, or, if fn throws, not at all. On SQLite the
   * transaction holds the only connection: inside fn, use only `tx`, never
   * this Storage (that would wait for the transaction and never finish).
   */
  readonly transaction: <T>(fn: (tx: Repositories) => Promise<T>) => Promise<T>;
  readonly close: () => Promise<void>;
}

function repositories(db: Executor): Repositories {
  return {
    organisation: new OrganisationRepository(db),
    users: new UserRepository(db),
    refreshTokens: new RefreshTokenRepository(db),
    consults: new ConsultRepository(db),
    consultEvents: new ConsultEventRepository(db),
    vitals: new VitalsRepository(db),
    notes: new NotesRepository(db),
    strips: new EcgStripRepository(db),
    photos: new PhotoRepository(db),
    accessLog: new AccessLogRepository(db),
    invites: new InviteRepository(db),
  };
}

/** Storage over an open database. */
export function storageOn(handle: DatabaseHandle): Storage {
  return {
    ...repositories(handle.db),
    engine: handle.engine,
    transaction: (fn) => handle.db.transaction().execute((trx) => fn(repositories(trx))),
    close: () => handle.close(),
  };
}

/** Opens (and migrates) the database of the options, PostgreSQL if a URL is given, else SQLite. */
export async function createStorage(options: OpenDatabaseOptions): Promise<Storage> {
  return storageOn(await openDatabase(options));
}
