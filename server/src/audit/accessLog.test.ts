import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTokenClaims, Consult } from '@legevakt/shared';
import type { Clock } from '../clock.ts';
import { DomainError } from '../errors.ts';
import type { AccessLogEntry } from '../storage/accessLogRepository.ts';
import { seedFixture, sunndalConsult } from '../storage/testing/fixtures.ts';
import {
  ENGINES,
  openTestStorage,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  silentLog,
  type TestStorage,
} from '../storage/testing/storageHarness.ts';
import { AccessDeniedError } from './accessDenied.ts';
import type { AccessEvent } from './accessEvents.ts';
import { AccessLog, entryHash, GENESIS_HASH, patientOf } from './accessLog.ts';
import { forged, insertSql, q, rawSql } from './testing/tamper.ts';
import { verifyAccessLog } from './verifyAccessLog.ts';

const doctor: AccessTokenClaims = {
  sub: 'user-lege-molde',
  role: 'doctor',
  name: 'Lege Molde',
  workplace: { kind: 'lvs', lvsSiteId: 'molde-lvs', districtId: 'romsdal' },
  sid: 'sid-1',
};
const consult: Pick<Consult, 'id' | 'patient'> = {
  id: '6f0c9b51-4c8e-4a35-9d0e-5f7b8a2f8c11',
  patient: { kind: 'known', name: 'Åse Ørnes', nationalId: '13097248022' },
};

function event(overrides: Partial<AccessEvent> = {}): AccessEvent {
  return { user: doctor, action: 'consult.view', consult, outcome: 'allowed', address: '10.0.0.7', ...overrides };
}

let now = 1_750_000_000_000;
const clock: Clock = {
  now: () => now++,
  setTimeout: () => ({ id: null }),
  clearTimeout: () => undefined,
};

describe.each(ENGINES)('access log on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  async function withEntries(n: number): Promise<{ t: TestStorage; log: AccessLog; entries: AccessLogEntry[] }> {
    t = await openTestStorage(engine);
    const log = new AccessLog(t.storage, clock, silentLog);
    for (let i = 0; i < n; i++) await log.record(event({ action: i % 2 === 0 ? 'consult.view' : 'vitals.fetch' }));
    return { t, log, entries: await t.storage.accessLog.after(0, 1000) };
  }

  it('chains concurrent appends gap-free from the genesis, with every field hashed', async () => {
    t = await openTestStorage(engine);
    const log = new AccessLog(t.storage, clock, silentLog);
    const unknownConsult: Pick<Consult, 'id' | 'patient'> = {
      id: '0d6a3c57-7f55-4f0e-8f53-0a7f5e4a1b22',
      patient: { kind: 'unknown', description: 'funnet på kaia', sex: 'male', approximateAgeYears: 70 },
    };
    // 40 requests at once: the in-process queue must keep them from reading the same tail.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        log.record(
          event({
            consult: i % 5 === 0 ? unknownConsult : consult,
            outcome: i % 7 === 0 ? 'denied' : 'allowed',
            reason: i === 3 ? '  Pasienten er min, overført muntlig  ' : null,
          }),
        ),
      ),
    );
    const entries = await t.storage.accessLog.after(0, 1000);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    expect(entries[0]).toMatchObject({
      userId: doctor.sub,
      userName: 'Lege Molde',
      userRole: 'doctor',
      workplaceId: 'molde-lvs',
      patientNationalId: null,
      patientDescription: 'ukjent pasient (mann, ca. 70 år): funnet på kaia',
      consultId: unknownConsult.id,
      action: 'consult.view',
      outcome: 'denied',
      address: '10.0.0.7',
      reason: null,
    });
    expect(entries[3]).toMatchObject({
      patientNationalId: '13097248022',
      reason: 'Pasienten er min, overført muntlig',
    });
    expect(await t.storage.accessLog.forPatient('13097248022')).toHaveLength(32);

    const result = await verifyAccessLog(t.storage);
    expect(result).toEqual({ ok: true, entries: 40, head: { seq: 40, hash: entries[39]?.hash } });

    // A new AccessLog (a restart) continues the same chain.
    const again = new AccessLog(t.storage, clock, silentLog);
    await again.record(event());
    expect(await verifyAccessLog(t.storage)).toMatchObject({ ok: true, entries: 41 });
  });

  it('reports an empty log as intact', async () => {
    t = await openTestStorage(engine);
    expect(await verifyAccessLog(t.storage)).toEqual({ ok: true, entries: 0, head: null });
  });

  it('finds an edited row', async () => {
    const { t } = await withEntries(6);
    await rawSql(t.location, ["update access_log set user_name = 'Noen Andre' where seq = 4"]);
    expect(await verifyAccessLog(t.storage)).toMatchObject({
      ok: false,
      entries: 3,
      problem: { kind: 'altered', seq: 4 },
    });
  });

  it('finds an edited row whose own hash was recomputed (the next one no longer links)', async () => {
    const { t, entries } = await withEntries(6);
    const original = entries[2];
    if (!original) throw new Error('no entry 3');
    const rehashed = entryHash({ ...original, address: '192.0.2.1' });
    await rawSql(t.location, [`update access_log set address = '192.0.2.1', hash = ${q(rehashed)} where seq = 3`]);
    expect(await verifyAccessLog(t.storage)).toMatchObject({ ok: false, problem: { kind: 'inserted', seq: 4 } });
  });

  it('finds a deleted row, also when the rows after it were renumbered', async () => {
    const { t } = await withEntries(6);
    await rawSql(t.location, ['delete from access_log where seq = 3']);
    expect(await verifyAccessLog(t.storage)).toMatchObject({
      ok: false,
      entries: 2,
      problem: { kind: 'deleted', seq: 3, message: 'entry 3 is missing (deleted)' },
    });
    await rawSql(
      t.location,
      [4, 5, 6].map((seq) => `update access_log set seq = ${seq - 1} where seq = ${seq}`),
    );
    expect(await verifyAccessLog(t.storage)).toMatchObject({ ok: false, problem: { kind: 'deleted', seq: 3 } });
  });

  it('finds an inserted row: appended outside the chain, or squeezed in with the rest renumbered', async () => {
    const { t, entries } = await withEntries(5);
    // A row with a correct own hash, linked to the wrong predecessor.
    await rawSql(t.location, [insertSql(forged(6, entries[2]?.hash ?? ''))]);
    expect(await verifyAccessLog(t.storage)).toMatchObject({
      ok: false,
      entries: 5,
      problem: { kind: 'inserted', seq: 6 },
    });
    await rawSql(t.location, ['delete from access_log where seq = 6']);
    expect(await verifyAccessLog(t.storage)).toMatchObject({ ok: true, entries: 5 });

    // Make room after entry 2 and insert a perfectly linked forgery there.
    await rawSql(t.location, [
      ...[5, 4, 3].map((seq) => `update access_log set seq = ${seq + 1} where seq = ${seq}`),
      insertSql(forged(3, entries[1]?.hash ?? '')),
    ]);
    expect(await verifyAccessLog(t.storage)).toMatchObject({
      ok: false,
      entries: 3,
      problem: { kind: 'inserted', seq: 3 },
    });
  });

  it('finds rows cut off the end against a head noted earlier', async () => {
    const { t, entries } = await withEntries(5);
    const head = { seq: 5, hash: entries[4]?.hash ?? '' };
    expect(await verifyAccessLog(t.storage, { expectHead: head })).toMatchObject({ ok: true });
    await rawSql(t.location, ['delete from access_log where seq = 5']);
    // Without the noted head the shortened chain is consistent; with it, the cut shows.
    expect(await verifyAccessLog(t.storage)).toMatchObject({ ok: true, entries: 4 });
    expect(await verifyAccessLog(t.storage, { expectHead: head })).toMatchObject({
      ok: false,
      problem: { kind: 'deleted', seq: 5 },
    });
  });

  it('recordOnce writes one entry per consult, user and action, also across a restart', async () => {
    t = await openTestStorage(engine);
    const log = new AccessLog(t.storage, clock, silentLog);
    const shown = { ...event({ action: 'queue.view' }), consult };
    const written = await Promise.all([log.recordOnce(shown), log.recordOnce(shown), log.recordOnce(shown)]);
    expect(written.filter(Boolean)).toHaveLength(1);
    const colleague = { ...doctor, sub: 'user-lege2-molde', name: 'Lege2 Molde' };
    expect(await log.recordOnce({ ...shown, user: colleague })).toBe(true);
    const restarted = new AccessLog(t.storage, clock, silentLog);
    expect(await restarted.recordOnce(shown)).toBe(false);
    expect(await t.storage.accessLog.count()).toBe(2);
  });

  it('recordOnce: a patient shown again while its entry is being written waits for that entry, and looks nothing up', async () => {
    t = await openTestStorage(engine);
    const repo = t.storage.accessLog;
    let lookups = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first entry's insert is held, as a slow disk would hold it.
    const slowRepo = {
      tail: () => repo.tail(),
      exists: (...args: Parameters<typeof repo.exists>) => {
        lookups += 1;
        return repo.exists(...args);
      },
      insert: async (entry: AccessLogEntry) => {
        await held;
        return repo.insert(entry);
      },
    } as unknown as typeof repo;
    const log = new AccessLog({ ...t.storage, accessLog: slowRepo }, clock, silentLog);
    const shown = { ...event({ action: 'queue.view' }), consult };
    const states: string[] = [];
    const first = log.recordOnce(shown).then((wrote) => states.push(`first:${String(wrote)}`));
    const again = log.recordOnce(shown).then((wrote) => states.push(`again:${String(wrote)}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Neither may show the patient before the entry is stored.
    expect(states).toEqual([]);
    release();
    await Promise.all([first, again]);
    expect(states).toEqual(['first:true', 'again:false']);
    expect(lookups).toBe(1);
    expect(await repo.count()).toBe(1);
  });

  it('rejects when the entry cannot be written, and the next append continues the chain', async () => {
    const { t, log } = await withEntries(2);
    // Another writer took seq 3 behind our back: our insert must fail, not fork.
    const entries = await t.storage.accessLog.after(0, 10);
    await rawSql(t.location, [insertSql(forged(3, entries[1]?.hash ?? ''))]);
    await expect(log.record(event())).rejects.toThrow();
    await log.record(event());
    expect((await t.storage.accessLog.tail())?.seq).toBe(4);
    expect(await verifyAccessLog(t.storage)).toMatchObject({ ok: true, entries: 4 });
  });
});

describe('patientOf', () => {
  it('keeps the national id, or a stable description of an unknown patient', () => {
    expect(patientOf(consult)).toEqual({ nationalId: '13097248022', description: null });
    expect(
      patientOf({ patient: { kind: 'unknown', description: '', sex: 'female', approximateAgeYears: 30 } }),
    ).toEqual({ nationalId: null, description: 'ukjent pasient (kvinne, ca. 30 år)' });
    expect(patientOf(null)).toEqual({ nationalId: null, description: null });
  });
});

describe.each(ENGINES)('access-log entries written with their data on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  const nurseClaims: AccessTokenClaims = {
    sub: 'set below',
    role: 'nurse',
    name: 'Sykepleier Sunndal',
    workplace: { kind: 'satellite', satelliteId: 'sunndal-helsetun', districtId: 'romsdal' },
    sid: 'sid-2',
  };

  it('commits each write with its one entry, concurrent with plain appends, in a gap-free chain', async () => {
    t = await openTestStorage(engine);
    const storage = t.storage;
    const { nurseSunndal } = await seedFixture(storage);
    const nurse = { ...nurseClaims, sub: nurseSunndal.id };
    const log = new AccessLog(storage, clock, silentLog);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 3 === 0
          ? log.record(event()).then(() => null)
          : log.auditedWrite(
              { user: nurse, action: 'consult.request', address: '10.0.0.8' },
              (within) =>
                within(
                  (tx) => tx.consults.create(sunndalConsult(nurseSunndal, { reason: `samtidig ${i}` })),
                  (c) => c,
                ),
              (c) => c,
            ),
      ),
    );
    const created = results.filter((c) => c !== null);
    expect(created).toHaveLength(16);
    const entries = await storage.accessLog.after(0, 1000);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(await verifyAccessLog(storage)).toMatchObject({ ok: true, entries: 24 });
    // Exactly one entry per write, for its consult (not a second one from the audited() fallback).
    for (const c of created) {
      const mine = await storage.accessLog.forConsult(c.id);
      expect(mine.map((e) => [e.action, e.outcome, e.userId])).toEqual([['consult.request', 'allowed', nurse.sub]]);
    }
  });

  it('stores neither the change nor its entry when the write fails, and the chain goes on intact', async () => {
    t = await openTestStorage(engine);
    const storage = t.storage;
    const { nurseSunndal } = await seedFixture(storage);
    const nurse = { ...nurseClaims, sub: nurseSunndal.id };
    const log = new AccessLog(storage, clock, silentLog);
    await log.record(event());
    let createdId: string | null = null;
    const failed = log.auditedWrite(
      { user: nurse, action: 'consult.request', address: null },
      (within) =>
        within(
          async (tx) => {
            const c = await tx.consults.create(sunndalConsult(nurseSunndal));
            createdId = c.id;
            throw new Error('the disk is full');
          },
          (c) => c,
        ),
      (c) => c,
    );
    await expect(failed).rejects.toThrow('the disk is full');
    expect(createdId).not.toBeNull();
    expect(await storage.consults.get(createdId!)).toBeNull();
    // The entry that was inserted in the rolled-back transaction never existed: the next one takes seq 2.
    await log.record(event());
    expect(await verifyAccessLog(storage)).toMatchObject({ ok: true, entries: 2 });
  });

  it('writes no entry for a write that found nothing to do, and logs a refusal as denied', async () => {
    t = await openTestStorage(engine);
    const storage = t.storage;
    const { nurseSunndal } = await seedFixture(storage);
    const nurse = { ...nurseClaims, sub: nurseSunndal.id };
    const log = new AccessLog(storage, clock, silentLog);
    const lostRace = log.auditedWrite(
      { user: doctor, action: 'consult.transition', address: null },
      async (within) => {
        const claimed = await within(
          (tx) => tx.consults.claim(consult.id, { doctorId: doctor.sub, siteId: 'molde-lvs', at: 1 }),
          (c) => c,
        );
        if (!claimed) throw new DomainError('CONFLICT', 'already taken');
        return claimed;
      },
      (c) => c,
    );
    await expect(lostRace).rejects.toThrow('already taken');
    expect(await storage.accessLog.count()).toBe(0);
    const refused = log.auditedWrite(
      { user: nurse, action: 'consult.transition', address: null },
      () => Promise.reject(new AccessDeniedError('only an LVS doctor takes requests', consult)),
      (c: Consult) => c,
    );
    await expect(refused).rejects.toThrow('only an LVS doctor');
    const entries = await storage.accessLog.after(0, 10);
    expect(entries.map((e) => [e.action, e.outcome, e.consultId])).toEqual([
      ['consult.transition', 'denied', consult.id],
    ]);
  });
});
