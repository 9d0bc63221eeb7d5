import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Consult } from '@legevakt/shared';
import { openDatabase, type DatabaseHandle } from './database.ts';
import type { NewClinicalNote } from './notesRepository.ts';
import type { Storage } from './storage.ts';
import { seedFixture, sunndalConsult, type DemoFixture } from './testing/fixtures.ts';
import {
  ENGINES,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  openTestStorage,
  silentLog,
  type TestStorage,
} from './testing/storageHarness.ts';

describe.each(ENGINES)('consult notes on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  let raw: DatabaseHandle | null = null;
  afterEach(async () => {
    await raw?.close();
    raw = null;
    await t?.dispose();
    t = null;
  });

  /** A second connection to the same database, bypassing the repositories (as a careless script would). */
  async function rawDb(): Promise<DatabaseHandle['db']> {
    raw ??= await openDatabase({ url: t!.location.url, sqliteFile: t!.location.sqliteFile, log: silentLog });
    return raw.db;
  }

  async function setup(poolSize?: number): Promise<{ storage: Storage; f: DemoFixture }> {
    t = await openTestStorage(engine, poolSize === undefined ? {} : { poolSize });
    return { storage: t.storage, f: await seedFixture(t.storage) };
  }

  /** A consult taken by lege.molde, its call still running. */
  async function active(storage: Storage, f: DemoFixture): Promise<Consult> {
    const c = await storage.consults.create(sunndalConsult(f.nurseSunndal));
    const claimed = await storage.consults.claim(c.id, { doctorId: f.doctorMolde.id, siteId: 'molde-lvs', at: 2000 });
    if (!claimed) throw new Error('claim failed');
    return claimed;
  }

  async function inDocumentation(storage: Storage, f: DemoFixture): Promise<Consult> {
    const c = await active(storage, f);
    const ended = await storage.consults.endCall(c.id, 3000, f.doctorMolde.id);
    if (!ended) throw new Error('end of call failed');
    return ended;
  }

  const note = (consultId: string, authorId: string, overrides: Partial<NewClinicalNote> = {}): NewClinicalNote => ({
    consultId,
    authorId,
    signedAt: 4000,
    findings: 'Våken, orientert. Temp 38,9. Ingen nakkestivhet.',
    assessment: 'Sannsynlig urinveisinfeksjon hos eldre, ikke sepsis nå.',
    plan: 'Pivmecillinam 400 mg x 3 i 5 dager. Ny vurdering ved forverring.',
    decision: 'treat-at-satellite',
    decisionDetail: 'Ring legevakt ved fall i BT under 90 eller økende forvirring.',
    ...overrides,
  });

  const kinds = async (storage: Storage, id: string): Promise<string[]> =>
    (await storage.consultEvents.list(id)).map((e) => e.kind);

  it('signs the note and closes the consult in one step, with its closed event', async () => {
    const { storage, f } = await setup();
    const c = await inDocumentation(storage, f);
    const signed = await storage.notes.signAndClose(note(c.id, f.doctorMolde.id), { allowDuringCall: false });
    expect(signed).not.toBeNull();
    expect(signed!.consult).toMatchObject({ id: c.id, status: 'closed', version: c.version + 1, callEndedAt: 3000 });
    expect(signed!.note).toEqual({
      kind: 'note',
      id: expect.any(String) as string,
      consultId: c.id,
      authorId: f.doctorMolde.id,
      authorName: f.doctorMolde.displayName,
      signedAt: 4000,
      findings: 'Våken, orientert. Temp 38,9. Ingen nakkestivhet.',
      assessment: 'Sannsynlig urinveisinfeksjon hos eldre, ikke sepsis nå.',
      plan: 'Pivmecillinam 400 mg x 3 i 5 dager. Ny vurdering ved forverring.',
      decision: 'treat-at-satellite',
      decisionDetail: 'Ring legevakt ved fall i BT under 90 eller økende forvirring.',
    });
    expect(await storage.consults.get(c.id)).toEqual(signed!.consult);
    expect(await storage.notes.list(c.id)).toEqual([signed!.note]);
    expect(await storage.notes.note(c.id)).toEqual(signed!.note);
    const events = await storage.consultEvents.list(c.id);
    expect(events.map((e) => e.kind)).toEqual(['requested', 'claimed', 'call_ended', 'closed']);
    expect(events.at(-1)).toMatchObject({ at: 4000, actorUserId: f.doctorMolde.id });
  });

  it('signs during the call only when allowed: ends the call and closes, both on the timeline', async () => {
    const { storage, f } = await setup();
    const c = await active(storage, f);
    expect(await storage.notes.signAndClose(note(c.id, f.doctorMolde.id), { allowDuringCall: false })).toBeNull();
    expect(await storage.consults.get(c.id)).toEqual(c);
    expect(await storage.notes.list(c.id)).toEqual([]);

    const signed = await storage.notes.signAndClose(note(c.id, f.doctorMolde.id, { signedAt: 5000 }), {
      allowDuringCall: true,
    });
    expect(signed!.consult).toMatchObject({ status: 'closed', callEndedAt: 5000, version: c.version + 2 });
    expect(await kinds(storage, c.id)).toEqual(['requested', 'claimed', 'call_ended', 'closed']);
  });

  it('refuses, writing nothing, a note by a doctor who does not hold the consult, or on a waiting one', async () => {
    const { storage, f } = await setup();
    const c = await inDocumentation(storage, f);
    for (const doctor of [f.doctor2Molde, f.doctorForde]) {
      expect(await storage.notes.signAndClose(note(c.id, doctor.id), { allowDuringCall: true })).toBeNull();
    }
    const waiting = await storage.consults.create(sunndalConsult(f.nurseSunndal));
    expect(await storage.notes.signAndClose(note(waiting.id, f.doctorMolde.id), { allowDuringCall: true })).toBeNull();
    expect(await storage.consults.get(c.id)).toEqual(c);
    expect(await storage.notes.list(c.id)).toEqual([]);
    expect(await storage.notes.list(waiting.id)).toEqual([]);
    expect(await kinds(storage, c.id)).toEqual(['requested', 'claimed', 'call_ended']);
  });

  it('keeps one note per consult: a second signing finds it closed, and the index refuses a second row', async () => {
    const { storage, f } = await setup();
    const c = await inDocumentation(storage, f);
    const first = await storage.notes.signAndClose(note(c.id, f.doctorMolde.id), { allowDuringCall: true });
    expect(
      await storage.notes.signAndClose(note(c.id, f.doctorMolde.id, { plan: 'Annen plan' }), {
        allowDuringCall: true,
      }),
    ).toBeNull();
    // Even bypassing the consult's state, the database holds one note per consult.
    const db = await rawDb();
    await expect(
      db
        .insertInto('consult_notes')
        .values({
          id: '00000000-0000-4000-8000-00000000000a',
          consult_id: c.id,
          kind: 'note',
          author_id: f.doctorMolde.id,
          signed_at: 1,
          findings: '',
          assessment: 'a',
          plan: 'p',
          decision: 'other',
          decision_detail: '',
          text: null,
        })
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
    // And a row mixing a note's and an addendum's fields is refused by the check constraint.
    await expect(
      sql`insert into consult_notes (id, consult_id, kind, author_id, signed_at, text, plan)
          values ('00000000-0000-4000-8000-00000000000b', ${c.id}, 'addendum', ${f.doctorMolde.id}, 1, 't', 'p')`.execute(
        db,
      ),
    ).rejects.toThrow(/check/i);
    expect(await storage.notes.list(c.id)).toEqual([first!.note]);
  });

  it('rolls the close back when the note cannot be stored', async () => {
    const { storage, f } = await setup();
    const a = await inDocumentation(storage, f);
    const b = await inDocumentation(storage, f);
    const signedA = await storage.notes.signAndClose(note(a.id, f.doctorMolde.id), { allowDuringCall: false });
    // The same note id again: the insert fails after b's close succeeded, so the close must not stay.
    await expect(
      storage.notes.signAndClose(note(b.id, f.doctorMolde.id, { id: signedA!.note.id }), { allowDuringCall: false }),
    ).rejects.toThrow();
    expect(await storage.consults.get(b.id)).toEqual(b);
    expect(await kinds(storage, b.id)).toEqual(['requested', 'claimed', 'call_ended']);
    expect(await storage.notes.list(b.id)).toEqual([]);
  });

  it('adds addenda to a closed consult only, in order, with events and version bumps, the note untouched', async () => {
    const { storage, f } = await setup();
    const c = await inDocumentation(storage, f);
    expect(
      await storage.notes.addAddendum({
        consultId: c.id,
        authorId: f.doctorMolde.id,
        signedAt: 3500,
        text: 'For tidlig',
      }),
    ).toBeNull();
    expect(await storage.notes.list(c.id)).toEqual([]);
    expect(await kinds(storage, c.id)).toEqual(['requested', 'claimed', 'call_ended']);

    const signed = await storage.notes.signAndClose(note(c.id, f.doctorMolde.id), { allowDuringCall: false });
    const first = await storage.notes.addAddendum({
      consultId: c.id,
      authorId: f.doctor2Molde.id,
      signedAt: 6000,
      text: 'Pasienten ringte tilbake: bedre.',
    });
    // Same instant as the first: still listed after it (storage order).
    const second = await storage.notes.addAddendum({
      consultId: c.id,
      authorId: f.doctorMolde.id,
      signedAt: 6000,
      text: 'Urindyrkning: E. coli, følsom for mecillinam.',
    });
    expect(first!.addendum).toEqual({
      kind: 'addendum',
      id: expect.any(String) as string,
      consultId: c.id,
      authorId: f.doctor2Molde.id,
      authorName: f.doctor2Molde.displayName,
      signedAt: 6000,
      text: 'Pasienten ringte tilbake: bedre.',
    });
    expect(first!.consult).toMatchObject({ status: 'closed', version: signed!.consult.version + 1 });
    expect(second!.consult.version).toBe(signed!.consult.version + 2);
    expect(await storage.notes.list(c.id)).toEqual([signed!.note, first!.addendum, second!.addendum]);
    expect(await storage.notes.note(c.id)).toEqual(signed!.note);
    const events = await storage.consultEvents.list(c.id);
    expect(events.filter((e) => e.kind === 'addendum').map((e) => e.data)).toEqual([
      { addendumId: first!.addendum.id },
      { addendumId: second!.addendum.id },
    ]);
  });

  it('is append-only: the database refuses to change or delete a signed note', async () => {
    const { storage, f } = await setup();
    const c = await inDocumentation(storage, f);
    const signed = await storage.notes.signAndClose(note(c.id, f.doctorMolde.id), { allowDuringCall: false });
    const db = await rawDb();
    await expect(
      db.updateTable('consult_notes').set({ plan: 'Endret i ettertid' }).where('id', '=', signed!.note.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('consult_notes').where('id', '=', signed!.note.id).execute()).rejects.toThrow(
      /append-only/,
    );
    expect(await storage.notes.list(c.id)).toEqual([signed!.note]);
  });

  it('closes with exactly one note when the doctor signs twice at the same moment', async () => {
    const { storage, f } = await setup(5);
    const c = await inDocumentation(storage, f);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        storage.notes.signAndClose(note(c.id, f.doctorMolde.id, { plan: `Plan ${i}` }), { allowDuringCall: true }),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(await storage.notes.list(c.id)).toEqual([winners[0]!.note]);
    expect(await storage.consultEvents.countByKind(c.id, 'closed')).toBe(1);
  });
});
