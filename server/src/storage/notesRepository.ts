import crypto from 'node:crypto';
import { Addendum, ClinicalNote, type Consult, type Decision, type NoteEntry } from '@legevakt/shared';
import type { Selectable } from 'kysely';
import { ConsultRepository } from './consultRepository.ts';
import { inTransaction, type Executor } from './executor.ts';
import type { ConsultNotesTable } from './schema.ts';

/** The signed note as the service hands it over (already validated and trimmed). */
export interface NewClinicalNote {
  /** Generated (a UUID) when absent. */
  readonly id?: string;
  readonly consultId: string;
  readonly authorId: string;
  readonly signedAt: number;
  readonly findings: string;
  readonly assessment: string;
  readonly plan: string;
  readonly decision: Decision;
  readonly decisionDetail: string;
}

export interface NewAddendum {
  readonly id?: string;
  readonly consultId: string;
  readonly authorId: string;
  readonly signedAt: number;
  readonly text: string;
}

type NoteRow = Omit<Selectable<ConsultNotesTable>, 'seq'> & { author_name: string };

/**
 * The consult's documentation: the doctor's signed note and later addenda.
 * Append-only (the table's triggers refuse UPDATE and DELETE). Each write
 * changes the consult in the same transaction with the consult repository's
 * conditional transitions, so a note exists exactly when its consult was
 * closed by it, and an addendum exactly when it was added to a closed consult.
 */
export class NotesRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  /**
   * Stores the note and closes the consult (documentation → closed, or
   * active → closed, which also ends the call) in one transaction. Null, with
   * nothing written, unless the consult is in one of those states and held by
   * the author.
   */
  async signAndClose(
    input: NewClinicalNote,
    options: { allowDuringCall: boolean },
  ): Promise<{ consult: Consult; note: ClinicalNote } | null> {
    const id = input.id ?? crypto.randomUUID();
    return inTransaction(this.#db, async (trx) => {
      const consults = new ConsultRepository(trx);
      const closeArgs = { doctorId: input.authorId, at: input.signedAt };
      const closed =
        (await consults.close(input.consultId, closeArgs)) ??
        (options.allowDuringCall ? await consults.endCallAndClose(input.consultId, closeArgs) : null);
      if (!closed) return null;
      await trx
        .insertInto('consult_notes')
        .values({
          id,
          consult_id: input.consultId,
          kind: 'note',
          author_id: input.authorId,
          signed_at: input.signedAt,
          findings: input.findings,
          assessment: input.assessment,
          plan: input.plan,
          decision: input.decision,
          decision_detail: input.decisionDetail,
          text: null,
        })
        .execute();
      const note = await new NotesRepository(trx).#get(id);
      if (note?.kind !== 'note')
        throw new Error(`consult_notes ${id}: the note just written reads back as ${note?.kind}`);
      return { consult: closed, note };
    });
  }

  /**
   * Stores an addendum to a closed consult, with its 'addendum' timeline event
   * and the consult's version bump, in one transaction. Null, with nothing
   * written, unless the consult is closed.
   */
  async addAddendum(input: NewAddendum): Promise<{ consult: Consult; addendum: Addendum } | null> {
    const id = input.id ?? crypto.randomUUID();
    return inTransaction(this.#db, async (trx) => {
      const consult = await new ConsultRepository(trx).noteAddendum(input.consultId, {
        authorId: input.authorId,
        addendumId: id,
        at: input.signedAt,
      });
      if (!consult) return null;
      await trx
        .insertInto('consult_notes')
        .values({
          id,
          consult_id: input.consultId,
          kind: 'addendum',
          author_id: input.authorId,
          signed_at: input.signedAt,
          findings: null,
          assessment: null,
          plan: null,
          decision: null,
          decision_detail: null,
          text: input.text,
        })
        .execute();
      const addendum = await new NotesRepository(trx).#get(id);
      if (addendum?.kind !== 'addendum') {
        throw new Error(`consult_notes ${id}: the addendum just written reads back as ${addendum?.kind}`);
      }
      return { consult, addendum };
    });
  }

  /** The consult's documentation: the signed note first (if any), then the addenda in signing order. */
  async list(consultId: string): Promise<NoteEntry[]> {
    const rows = await this.#select()
      .where('n.consult_id', '=', consultId)
      // 'note' > 'addendum': the note first, then the addenda in the order they were stored.
      .orderBy('n.kind', 'desc')
      .orderBy('n.seq')
      .execute();
    return rows.map(toEntry);
  }

  /** The consult's signed note, or null while it is undocumented. */
  async note(consultId: string): Promise<ClinicalNote | null> {
    const row = await this.#select()
      .where('n.consult_id', '=', consultId)
      .where('n.kind', '=', 'note')
      .executeTakeFirst();
    if (!row) return null;
    const entry = toEntry(row);
    return entry.kind === 'note' ? entry : null;
  }

  async #get(id: string): Promise<NoteEntry | null> {
    const row = await this.#select().where('n.id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  #select() {
    return this.#db
      .selectFrom('consult_notes as n')
      .innerJoin('users as u', 'u.id', 'n.author_id')
      .selectAll('n')
      .select('u.display_name as author_name');
  }
}

/** A row back to the shared type, validated: a row that does not validate is reported, not passed on. */
function toEntry(r: NoteRow): NoteEntry {
  const where = `consult_notes ${r.id}`;
  const common = {
    id: r.id,
    consultId: r.consult_id,
    authorId: r.author_id,
    authorName: r.author_name,
    signedAt: r.signed_at,
  };
  const parsed =
    r.kind === 'note'
      ? ClinicalNote.safeParse({
          kind: 'note',
          ...common,
          findings: r.findings,
          assessment: r.assessment,
          plan: r.plan,
          decision: r.decision,
          decisionDetail: r.decision_detail,
        })
      : Addendum.safeParse({ kind: 'addendum', ...common, text: r.text });
  if (!parsed.success) throw new Error(`${where} does not validate: ${parsed.error.message}`, { cause: parsed.error });
  return parsed.data;
}
