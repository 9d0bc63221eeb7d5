import type { z } from 'zod';
import {
  AddendumInput,
  ClinicalNoteInput,
  describeIssues,
  type AccessTokenClaims,
  type Addendum,
  type ClinicalNote,
  type Consult,
} from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import { conflict, DomainError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Storage } from '../storage/storage.ts';
import type { ConsultService, WriteWith } from './consultService.ts';
import { canAddAddendum, canSignNote, type AccessWitness } from './recordAccess.ts';

const noWitness: AccessWitness = () => Promise.resolve();

/**
 * The doctor's documentation after (or during) the call: the signed note with
 * the decision, which closes the consult, and addenda to a closed consult.
 *
 * Signing during the call is allowed and ends the call: the consult goes
 * active → closed in one transaction, with 'call_ended' and 'closed' on its
 * timeline. The doctor has decided, so there is nothing left for the call;
 * both clients leave it when they see the consult closed. Requiring a separate
 * hang-up first would only add a click and a window in which the nurse sees
 * "documentation" without a decision.
 *
 * The note is signed once: a second signing is a 409 that points to the
 * addendum. Neither the note nor an addendum is ever changed (the table
 * refuses it).
 *
 * Changes go out through ConsultService's 'changed' event ('closed',
 * 'addendum'), as every other consult change does, so the live layer tells
 * the requesting nurse or crew at once and the in-memory open-consult model
 * drops the closed consult.
 */
export class DocumentationService {
  readonly #storage: Storage;
  readonly #consults: ConsultService;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(storage: Storage, consults: ConsultService, clock: Clock, log: Logger) {
    this.#storage = storage;
    this.#consults = consults;
    this.#clock = clock;
    this.#log = log.child({ component: 'documentation' });
  }

  /**
   * Signs the doctor's note and closes the consult. Only the doctor who holds it, while in the call or documenting.
   * With `writeWith` (the route passes AccessLog's), the note and the 'allowed' entry commit together, so a
   * stored note always has its entry; without it, the witness is told first. A request that stores nothing
   * (bad input, a lost race) still gets its one entry from the witness.
   */
  async sign(
    user: AccessTokenClaims,
    consultId: string,
    input: unknown,
    witness: AccessWitness = noWitness,
    writeWith?: WriteWith,
  ): Promise<{ consult: Consult; note: ClinicalNote }> {
    const current = await this.#find(consultId, witness);
    if (!canSignNote(user, current)) {
      await witness(current, 'denied');
      throw this.#denied(user, current, 'sign', 'only the doctor who has the consult signs its note');
    }
    let note: z.infer<typeof ClinicalNoteInput>;
    try {
      note = parseInput(ClinicalNoteInput, input, 'invalid note');
      if (current.status === 'closed') throw conflict('the note is already signed; add an addendum instead');
      if (current.status !== 'active' && current.status !== 'documentation') {
        throw conflict(`the consult is not open for documentation (${current.status})`);
      }
    } catch (error) {
      // Nothing will be stored: the request's one entry comes from the witness.
      await witness(current, 'allowed');
      throw error;
    }
    const write =
      writeWith ??
      (async (run, _consultOf) => {
        await witness(current, 'allowed');
        return run(this.#storage);
      });
    const signed = await write(
      (tx) =>
        tx.notes.signAndClose(
          {
            consultId,
            authorId: user.sub,
            signedAt: this.#clock.now(),
            findings: note.findings,
            assessment: note.assessment,
            plan: note.plan,
            decision: note.decision,
            decisionDetail: note.decisionDetail,
          },
          { allowDuringCall: true },
        ),
      (result) => result?.consult ?? null,
    );
    if (!signed) {
      // Lost a race: transferred, returned or signed meanwhile. Say which. Nothing was stored with an entry.
      if (writeWith) await witness(current, 'allowed');
      const now = await this.#storage.consults.get(consultId);
      throw conflict(
        now?.status === 'closed'
          ? 'the note is already signed; add an addendum instead'
          : `the consult changed meanwhile (${now?.status ?? 'gone'})`,
      );
    }
    this.#log.info(
      {
        consultId,
        doctorId: user.sub,
        noteId: signed.note.id,
        decision: signed.note.decision,
        duringCall: current.status === 'active',
      },
      'note signed, consult closed',
    );
    this.#consults.emit('changed', signed.consult, 'closed');
    return signed;
  }

  /** Adds an addendum to a closed consult: the responsible doctor or any doctor of its district. */
  async addAddendum(
    user: AccessTokenClaims,
    consultId: string,
    input: unknown,
    witness: AccessWitness = noWitness,
  ): Promise<{ consult: Consult; addendum: Addendum }> {
    const current = await this.#find(consultId, witness);
    if (!canAddAddendum(user, current)) {
      await witness(current, 'denied');
      throw this.#denied(
        user,
        current,
        'addendum',
        "only the responsible doctor or a doctor of the consult's district adds an addendum",
      );
    }
    await witness(current, 'allowed');
    const { text } = parseInput(AddendumInput, input, 'invalid addendum');
    if (current.status !== 'closed') {
      throw conflict(`an addendum is added to a closed consult; this one is ${current.status} (sign the note first)`);
    }
    const added = await this.#storage.notes.addAddendum({
      consultId,
      authorId: user.sub,
      signedAt: this.#clock.now(),
      text,
    });
    if (!added) throw conflict('the consult changed meanwhile');
    this.#log.info({ consultId, doctorId: user.sub, addendumId: added.addendum.id }, 'addendum added');
    this.#consults.emit('changed', added.consult, 'addendum');
    return added;
  }

  async #find(consultId: string, witness: AccessWitness): Promise<Consult> {
    const consult = await this.#storage.consults.get(consultId);
    if (!consult) {
      await witness(null, 'denied');
      throw notFound(`consult ${consultId}`);
    }
    return consult;
  }

  #denied(user: AccessTokenClaims, consult: Consult, action: string, reason: string): DomainError {
    this.#log.warn(
      { userId: user.sub, role: user.role, workplace: user.workplace, consultId: consult.id, action, reason },
      'access denied',
    );
    return new DomainError('FORBIDDEN', reason);
  }
}

/** The body against its schema; a bad one is a 400 naming each problem (the route's access entry is already written). */
function parseInput<T extends z.ZodType>(schema: T, input: unknown, message: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', message, describeIssues(parsed.error));
  return parsed.data;
}
