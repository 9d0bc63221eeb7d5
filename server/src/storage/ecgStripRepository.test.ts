import crypto from 'node:crypto';
import { encodeVitalsMessage, type VitalsMessage } from '@legevakt/shared';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { base64ToInt16, int16ToBase64, type NewEcgStrip } from './ecgStripRepository.ts';
import { seedFixture, sunndalConsult } from './testing/fixtures.ts';
import {
  ENGINES,
  openTestStorage,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  type TestStorage,
} from './testing/storageHarness.ts';

describe('int16 ↔ base64', () => {
  it('is little-endian and lossless over the whole int16 range', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 256, -257]);
    expect(Buffer.from(int16ToBase64(samples), 'base64')).toEqual(
      Buffer.from([0, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0x80, 0, 1, 0xff, 0xfe]),
    );
    expect(base64ToInt16(int16ToBase64(samples))).toEqual(samples);
    expect(() => base64ToInt16(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(/odd byte count/);
  });
});

describe.each(ENGINES)('ECG strips on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  async function setup() {
    t = await openTestStorage(engine);
    const fixture = await seedFixture(t.storage);
    const consult = await t.storage.consults.create(sunndalConsult(fixture.nurseSunndal));
    const other = await t.storage.consults.create(sunndalConsult(fixture.nurseSunndal));
    return { storage: t.storage, fixture, consult, other };
  }

  const strip = (consultId: string, capturedBy: string, overrides: Partial<NewEcgStrip> = {}): NewEcgStrip => ({
    id: crypto.randomUUID(),
    consultId,
    capturedAt: 1_736_888_700_000,
    capturedBy,
    sourceId: 'src-1',
    firstSample: 3600,
    streamId: 'mitdb-100-0',
    signals: ['II', 'V5'],
    sampleRateHz: 360,
    gain: 200,
    baseline: 1024,
    startTime: 1_736_888_690_123,
    length: 3,
    samples: Int16Array.from([1, -2, 32767, -32768, 0, 1024]),
    ...overrides,
  });

  it('stores a strip and reads it back exactly, with the capturing doctor’s name', async () => {
    const { storage, fixture, consult } = await setup();
    const added = strip(consult.id, fixture.doctorMolde.id, { sampleRateHz: 360.5, gain: 0.1 });
    await storage.strips.add(added);
    const read = await storage.strips.get(added.id);
    expect(read).toEqual({
      id: added.id,
      consultId: consult.id,
      capturedAt: added.capturedAt,
      capturedBy: fixture.doctorMolde.id,
      capturedByName: fixture.doctorMolde.displayName,
      streamId: 'mitdb-100-0',
      signals: ['II', 'V5'],
      sampleRateHz: 360.5,
      gain: 0.1,
      baseline: 1024,
      startTime: added.startTime,
      length: 3,
      samplesBase64: int16ToBase64(added.samples),
    });
    expect(base64ToInt16(read!.samplesBase64)).toEqual(added.samples);
    expect(await storage.strips.provenance(added.id)).toEqual({ sourceId: 'src-1', firstSample: 3600 });
    expect(await storage.strips.get(crypto.randomUUID())).toBeNull();
    expect(await storage.strips.provenance(crypto.randomUUID())).toBeNull();
  });

  it('lists a consult’s strips in capture order and no other consult’s', async () => {
    const { storage, fixture, consult, other } = await setup();
    const late = strip(consult.id, fixture.doctorMolde.id, { capturedAt: 3000 });
    const early = strip(consult.id, fixture.doctor2Molde.id, { capturedAt: 1000 });
    const elsewhere = strip(other.id, fixture.doctorMolde.id, { capturedAt: 2000 });
    for (const s of [late, early, elsewhere]) await storage.strips.add(s);
    const listed = await storage.strips.list(consult.id);
    expect(listed.map((s) => s.id)).toEqual([early.id, late.id]);
    expect(listed[0]!.capturedByName).toBe(fixture.doctor2Molde.displayName);
    expect((await storage.strips.list(other.id)).map((s) => s.id)).toEqual([elsewhere.id]);
    expect(await storage.strips.list(crypto.randomUUID())).toEqual([]);
  });

  it('refuses a strip whose samples do not match its length, an unknown consult, and a second strip with the same id', async () => {
    const { storage, fixture, consult } = await setup();
    await expect(storage.strips.add(strip(consult.id, fixture.doctorMolde.id, { length: 4 }))).rejects.toThrow(
      /6 samples for 4 × 2 signals/,
    );
    await expect(storage.strips.add(strip(crypto.randomUUID(), fixture.doctorMolde.id))).rejects.toThrow();
    const once = strip(consult.id, fixture.doctorMolde.id);
    await storage.strips.add(once);
    await expect(storage.strips.add({ ...once, capturedAt: 5 })).rejects.toThrow();
    // Nothing of the refused attempts was stored, and the first strip is unchanged.
    expect((await storage.strips.list(consult.id)).map((s) => [s.id, s.capturedAt])).toEqual([
      [once.id, once.capturedAt],
    ]);
  });

  it('names the consult’s sources that sent waveforms, the most recently heard first', async () => {
    const { storage, consult, other } = await setup();
    const waveform: VitalsMessage = {
      type: 'waveform',
      chunk: {
        streamId: 's',
        signals: ['II'],
        sampleRateHz: 250,
        gain: 100,
        baseline: 0,
        firstSample: 0,
        startTime: 0,
        samples: Int16Array.from([1, 2]),
      },
    };
    const numerics: VitalsMessage = { type: 'numerics', samples: [] };
    const append = (consultId: string, sourceId: string, seq: number, receivedAt: number, message: VitalsMessage) =>
      storage.vitals.append({
        consultId,
        sourceId,
        seq,
        receivedAt,
        message,
        payload: encodeVitalsMessage(seq, message),
      });
    await append(consult.id, 'old', 1, 100, waveform);
    await append(consult.id, 'old', 2, 200, waveform);
    await append(consult.id, 'new', 1, 300, waveform);
    await append(consult.id, 'new', 7, 400, waveform);
    // Numerics only (a Bluetooth cuff): not a waveform source. Newer numerics do not count either.
    await append(consult.id, 'ble', 1, 900, numerics);
    await append(consult.id, 'old', 3, 950, numerics);
    await append(other.id, 'elsewhere', 1, 999, waveform);
    expect(await storage.strips.waveformSources(consult.id)).toEqual([
      { sourceId: 'new', maxSeq: 7, lastReceivedAt: 400 },
      { sourceId: 'old', maxSeq: 2, lastReceivedAt: 200 },
    ]);
    expect(await storage.strips.waveformSources(crypto.randomUUID())).toEqual([]);
  });
});
