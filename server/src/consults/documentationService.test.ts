import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessTokenClaims, ClinicalNoteInput, Consult, ConsultChange } from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import { seedFixture, type DemoFixture } from '../storage/testing/fixtures.ts';
import { openTestStorage, silentLog, type TestStorage } from '../storage/testing/storageHarness.ts';
import type { UserRecord } from '../storage/userRepository.ts';
import { FakeClock } from '../testing/fakeClock.ts';
import { ConsultService, type WriteWith } from './consultService.ts';
import { DocumentationService } from './documentationService.ts';
import type { AccessWitness } from './recordAccess.ts';

const intake = {
  patient: { kind: 'known', name: 'Kari Nordmann', nationalId: '13097248022' },
  reason: 'Svie ved vannlating i to døgn.',
  triage: 'green',
  pathwayId: 'uti-women',
};

const NOTE: ClinicalNoteInput = {
  findings: 'Afebril, upåvirket. Urinstix: leukocytter 2+, nitritt positiv.',
  assessment: 'Ukomplisert nedre urinveisinfeksjon.',
  plan: 'Pivmecillinam 200 mg x 3 i 3 dager. Rikelig drikke.',
  decision: 'treat-at-satellite',
  decisionDetail: 'Ny kontakt ved feber, flankesmerter eller ingen bedring på 2 døgn.',
};

function claims(user: UserRecord): AccessTokenClaims {
  return { sub: user.id, role: user.role, name: user.displayName, workplace: user.workplace, sid: 'test' };
}

let db: TestStorage;
let f: DemoFixture;
let consults: ConsultService;
let docs: DocumentationService;
let changes: [string, ConsultChange][];
let witnessed: { consultId: string | null; outcome: string }[];
const clock = new FakeClock(1_800_000_000_000);
const witness: AccessWitness = (consult, outcome) => {
  witnessed.push({ consultId: consult?.id ?? null, outcome });
  return Promise.resolve();
};

beforeEach(async () => {
  db = await openTestStorage('sqlite');
  f = await seedFixture(db.storage);
  const org = new OrganisationDirectory({
    districts: await db.storage.organisation.listDistricts(),
    virtualLvs: await db.storage.organisation.listVirtualLvs(),
    lvsSites: await db.storage.organisation.listLvsSites(),
    satellites: await db.storage.organisation.listSatellites(),
    ambulanceUnits: await db.storage.organisation.listAmbulanceUnits(),
  });
  consults = new ConsultService(db.storage, org, clock, silentLog);
  docs = new DocumentationService(db.storage, consults, clock, silentLog);
  changes = [];
  witnessed = [];
  consults.on('changed', (consult, change) => changes.push([consult.id, change]));
});
afterEach(async () => {
  await db.dispose();
});

async function taken(): Promise<Consult> {
  const c = await consults.request(claims(f.nurseSunndal), intake);
  await clock.advance(30_000);
  return consults.claim(claims(f.doctorMolde), c.id);
}

async function documenting(): Promise<Consult> {
  const c = await taken();
  await clock.advance(300_000);
  return consults.endCall(claims(f.doctorMolde), c.id);
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('signing the note', () => {
  it('closes the consult, tells the participants, and is witnessed once as allowed', async () => {
    const c = await documenting();
    await clock.advance(60_000);
    changes = [];
    const { consult, note } = await docs.sign(claims(f.doctorMolde), c.id, NOTE, witness);
    expect(consult).toMatchObject({ id: c.id, status: 'closed' });
    expect(note).toMatchObject({ ...NOTE, authorId: f.doctorMolde.id, signedAt: clock.now() });
    expect(changes).toEqual([[c.id, 'closed']]);
    expect(witnessed).toEqual([{ consultId: c.id, outcome: 'allowed' }]);
    expect((await db.storage.consultEvents.list(c.id)).map((e) => e.kind)).toEqual([
      'requested',
      'claimed',
      'call_ended',
      'closed',
    ]);
  });

  it('writes the note through the given writer, so it commits with that writer’s entry or not at all', async () => {
    const c = await documenting();
    changes = [];
    // The access log's writer: the write and its entry in one transaction. Here the entry fails.
    const failingEntry: WriteWith = (write, consultOf) =>
      db.storage.transaction(async (tx) => {
        const result = await write(tx);
        expect(consultOf(result)).toMatchObject({ id: c.id });
        throw new Error('the access-log entry could not be written');
      });
    await expect(docs.sign(claims(f.doctorMolde), c.id, NOTE, witness, failingEntry)).rejects.toThrow(/access-log/);
    expect(await db.storage.notes.list(c.id)).toEqual([]);
    expect((await db.storage.consults.get(c.id))?.status).toBe('documentation');
    expect(changes).toEqual([]);
    // The writer stood for the allowed entry: the witness was not told as well.
    expect(witnessed).toEqual([]);

    const entries: string[] = [];
    const loggingWriter: WriteWith = (write, consultOf) =>
      db.storage.transaction(async (tx) => {
        const result = await write(tx);
        entries.push(consultOf(result)?.id ?? 'none');
        return result;
      });
    const { consult } = await docs.sign(claims(f.doctorMolde), c.id, NOTE, witness, loggingWriter);
    expect(consult.status).toBe('closed');
    expect(entries).toEqual([c.id]);
    expect(witnessed).toEqual([]);
  });

  it('during the call ends the call and closes in one step', async () => {
    const c = await taken();
    await clock.advance(120_000);
    const { consult } = await docs.sign(claims(f.doctorMolde), c.id, NOTE);
    expect(consult).toMatchObject({ status: 'closed', callEndedAt: clock.now() });
    expect(changes.at(-1)).toEqual([c.id, 'closed']);
  });

  it('answers a second signing with 409 and keeps the first note', async () => {
    const c = await documenting();
    const first = await docs.sign(claims(f.doctorMolde), c.id, NOTE);
    witnessed = [];
    const error = await rejection(docs.sign(claims(f.doctorMolde), c.id, { ...NOTE, plan: 'Annen plan' }, witness));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/addendum/);
    expect(witnessed).toEqual([{ consultId: c.id, outcome: 'allowed' }]);
    expect(await db.storage.notes.list(c.id)).toEqual([first.note]);
  });

  it('refuses (403) another doctor, also one of the same district, and the nurse, witnessed as denied', async () => {
    const c = await documenting();
    for (const user of [f.doctor2Molde, f.doctorForde, f.nurseSunndal, f.ambulanceMolde]) {
      witnessed = [];
      const error = await rejection(docs.sign(claims(user), c.id, NOTE, witness));
      expect(error.code).toBe('FORBIDDEN');
      expect(witnessed).toEqual([{ consultId: c.id, outcome: 'denied' }]);
    }
    expect(await db.storage.notes.list(c.id)).toEqual([]);
    expect((await db.storage.consults.get(c.id))?.status).toBe('documentation');
    expect(changes.filter(([, change]) => change === 'closed')).toEqual([]);
  });

  it('answers 404 for an unknown consult, witnessed as a denial without a consult', async () => {
    const error = await rejection(
      docs.sign(claims(f.doctorMolde), '00000000-0000-4000-8000-000000000000', NOTE, witness),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(witnessed).toEqual([{ consultId: null, outcome: 'denied' }]);
  });

  it('refuses an invalid note with every problem named, and stores nothing', async () => {
    const c = await documenting();
    const error = await rejection(
      docs.sign(claims(f.doctorMolde), c.id, { ...NOTE, assessment: '   ', decision: 'home', extra: 1 }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.issues?.join('\n')).toMatch(/assessment/);
    expect(error.issues?.join('\n')).toMatch(/decision/);
    expect(error.issues?.join('\n')).toMatch(/extra/);
    expect(await db.storage.notes.list(c.id)).toEqual([]);
    expect((await db.storage.consults.get(c.id))?.status).toBe('documentation');
  });

  it('refuses (403) a consult nobody holds: waiting, or withdrawn', async () => {
    const waiting = await consults.request(claims(f.nurseSunndal), intake);
    const withdrawn = await consults.request(claims(f.nurseSunndal), intake);
    await consults.cancel(claims(f.nurseSunndal), withdrawn.id);
    for (const c of [waiting, withdrawn]) {
      expect((await rejection(docs.sign(claims(f.doctorMolde), c.id, NOTE))).code).toBe('FORBIDDEN');
      expect(await db.storage.notes.list(c.id)).toEqual([]);
    }
  });
});

describe('addenda', () => {
  it('keeps the original note byte for byte and lists the addenda after it', async () => {
    const c = await documenting();
    const { note } = await docs.sign(claims(f.doctorMolde), c.id, NOTE);
    const before = JSON.stringify(await db.storage.notes.note(c.id));
    await clock.advance(3_600_000);
    changes = [];
    const first = await docs.addAddendum(
      claims(f.doctorMolde),
      c.id,
      { text: 'Urindyrkning: E. coli, følsom.' },
      witness,
    );
    await clock.advance(60_000);
    // Any doctor of the district may add one.
    const second = await docs.addAddendum(claims(f.doctor2Molde), c.id, { text: 'Pasienten ringte: bedre.' });
    expect(JSON.stringify(await db.storage.notes.note(c.id))).toBe(before);
    expect(await db.storage.notes.list(c.id)).toEqual([note, first.addendum, second.addendum]);
    expect(first.addendum).toMatchObject({ authorId: f.doctorMolde.id, text: 'Urindyrkning: E. coli, følsom.' });
    expect(second.addendum.authorId).toBe(f.doctor2Molde.id);
    expect(changes).toEqual([
      [c.id, 'addendum'],
      [c.id, 'addendum'],
    ]);
    expect(witnessed).toEqual([{ consultId: c.id, outcome: 'allowed' }]);
  });

  it('refuses (403) a doctor of another district and the requesting nurse', async () => {
    const c = await documenting();
    await docs.sign(claims(f.doctorMolde), c.id, NOTE);
    for (const user of [f.doctorForde, f.nurseSunndal]) {
      witnessed = [];
      const error = await rejection(docs.addAddendum(claims(user), c.id, { text: 'Nei' }, witness));
      expect(error.code).toBe('FORBIDDEN');
      expect(witnessed).toEqual([{ consultId: c.id, outcome: 'denied' }]);
    }
    expect(await db.storage.notes.list(c.id)).toHaveLength(1);
  });

  it('refuses (409) an addendum before the note is signed, and (400) an empty one', async () => {
    const c = await documenting();
    expect((await rejection(docs.addAddendum(claims(f.doctorMolde), c.id, { text: 'For tidlig' }))).code).toBe(
      'CONFLICT',
    );
    await docs.sign(claims(f.doctorMolde), c.id, NOTE);
    expect((await rejection(docs.addAddendum(claims(f.doctorMolde), c.id, { text: '  ' }))).code).toBe('BAD_REQUEST');
    expect(await db.storage.notes.list(c.id)).toHaveLength(1);
  });
});
