import { Writable } from 'node:stream';
import crypto from 'node:crypto';
import {
  encodeVitalsMessage,
  type VitalSample,
  type VitalsMessage,
  type WaveformChunk,
  type WaveformSignal,
} from '@legevakt/shared';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import { seedFixture, sunndalConsult } from '../storage/testing/fixtures.ts';
import {
  ENGINES,
  openTestStorage,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  type TestStorage,
} from '../storage/testing/storageHarness.ts';
import { cutStrip, peekStreamId, type CutStrip } from './stripService.ts';

/** Seeded PRNG (mulberry32): the same recording on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A recorded stream as a monitor sends it: 100 ms chunks with device times, plus the samples it holds. */
interface Recording {
  readonly streamId: string;
  readonly signals: WaveformSignal[];
  readonly rate: number;
  readonly gain: number;
  readonly baseline: number;
  readonly startTime: number;
  /** Every sample, interleaved. */
  readonly samples: Int16Array;
  readonly chunks: WaveformChunk[];
  /** Device time of sample k. */
  timeOf(k: number): number;
}

function record(options: {
  streamId?: string;
  signals?: WaveformSignal[];
  rate?: number;
  gain?: number;
  baseline?: number;
  startTime?: number;
  seconds: number;
  seed?: number;
}): Recording {
  const signals = options.signals ?? ['II', 'V5'];
  const rate = options.rate ?? 360;
  const startTime = options.startTime ?? 1_736_888_000_000;
  const n = signals.length;
  const frames = Math.round(options.seconds * rate);
  const rand = seededRandom(options.seed ?? 1);
  const samples = new Int16Array(frames * n);
  // A random walk per signal: realistic small steps, full-range values now and then.
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < n; s++) {
      const previous = f === 0 ? 0 : samples[(f - 1) * n + s]!;
      samples[f * n + s] =
        rand() < 0.01
          ? Math.floor(rand() * 65536) - 32768
          : Math.max(-32768, Math.min(32767, previous + Math.floor(rand() * 41) - 20));
    }
  }
  const timeOf = (k: number) => startTime + (k / rate) * 1000;
  const chunks: WaveformChunk[] = [];
  for (let sent = 0, tick = 1; sent < frames; tick++) {
    const due = Math.min(frames, Math.floor((tick / 10) * rate));
    chunks.push({
      streamId: options.streamId ?? 'mitdb-100-0',
      signals,
      sampleRateHz: rate,
      gain: options.gain ?? 200,
      baseline: options.baseline ?? 1024,
      firstSample: sent,
      startTime: timeOf(sent),
      samples: samples.slice(sent * n, due * n),
    });
    sent = due;
  }
  return {
    streamId: options.streamId ?? 'mitdb-100-0',
    signals,
    rate,
    gain: options.gain ?? 200,
    baseline: options.baseline ?? 1024,
    startTime,
    samples,
    chunks,
    timeOf,
  };
}

const numerics = (at: number): VitalsMessage => ({
  type: 'numerics',
  samples: [
    {
      kind: 'spo2',
      value: 97,
      unit: '%',
      measuredAt: at,
      device: 'sim',
      source: 'simulator',
      quality: [],
    } satisfies VitalSample,
  ],
});

/**
 * Stores messages as the VitalsService does (encoded bytes under their seq),
 * in one transaction. Numerics are interleaved every 20 messages, as a
 * monitor sends them; `skip` leaves chunks out (by index), `corrupt` stores
 * garbage in their place.
 */
async function store(
  storage: Storage,
  consultId: string,
  sourceId: string,
  messages: VitalsMessage[],
  options: { skip?: number[]; corrupt?: number[]; receivedAt?: number; firstSeq?: number } = {},
): Promise<void> {
  await storage.transaction(async (tx) => {
    let seq = (options.firstSeq ?? 1) - 1;
    for (const [index, message] of messages.entries()) {
      if (index % 20 === 0) {
        seq += 1;
        const extra = numerics(options.receivedAt ?? 0);
        await tx.vitals.append({
          consultId,
          sourceId,
          seq,
          receivedAt: options.receivedAt ?? 1,
          message: extra,
          payload: encodeVitalsMessage(seq, extra),
        });
      }
      seq += 1;
      if (options.skip?.includes(index)) continue;
      const payload = encodeVitalsMessage(seq, message);
      // Unterminated varints at the end: the header still names the stream, the samples do not decode.
      if (options.corrupt?.includes(index)) payload.fill(0xff, payload.length - 4);
      await tx.vitals.append({ consultId, sourceId, seq, receivedAt: options.receivedAt ?? 1, message, payload });
    }
  });
}

const waveforms = (r: Recording): VitalsMessage[] => r.chunks.map((chunk) => ({ type: 'waveform', chunk }));

/** The strip must hold exactly samples [first, first + length) of the recording. */
function expectSamples(strip: CutStrip, r: Recording, first: number, length: number): void {
  const n = r.signals.length;
  expect(strip.firstSample).toBe(first);
  expect(strip.length).toBe(length);
  expect(strip.signals).toEqual(r.signals);
  expect(strip.sampleRateHz).toBe(r.rate);
  expect(strip.gain).toBe(r.gain);
  expect(strip.baseline).toBe(r.baseline);
  expect(strip.startTime).toBe(Math.round(r.timeOf(first)));
  expect(Buffer.from(strip.samples.buffer)).toEqual(
    Buffer.from(r.samples.slice(first * n, (first + length) * n).buffer),
  );
}

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; reason: string | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, reason: error.issues?.[0], message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('peekStreamId', () => {
  it('reads the stream id of a waveform message and null for numerics', () => {
    const r = record({ seconds: 0.2, streamId: 'ptb-0' });
    expect(peekStreamId(encodeVitalsMessage(7, { type: 'waveform', chunk: r.chunks[0]! }))).toBe('ptb-0');
    expect(peekStreamId(encodeVitalsMessage(8, numerics(0)))).toBeNull();
  });
});

describe.each(ENGINES)('cutting strips out of the stored waveform on %s', (engine) => {
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
    const storage = t.storage;
    const reader = {
      waveformSources: (id: string) => storage.strips.waveformSources(id),
      range: (id: string, source: string, from: number, to: number, limit?: number) =>
        storage.vitals.range(id, source, from, to, limit),
    };
    return { storage, consultId: consult.id, reader };
  }

  it('cuts the last 10 s with exactly the stored samples, and an explicit window to the sample', async () => {
    const { storage, consultId, reader } = await setup();
    const r = record({ seconds: 30 });
    await store(storage, consultId, 'src-a', waveforms(r));
    const total = r.samples.length / 2;

    const newest = await cutStrip(reader, consultId, { streamId: r.streamId, seconds: 10 });
    expect(newest.sourceId).toBe('src-a');
    expectSamples(newest, r, total - 3600, 3600);

    // The window ends with sample k: endTime is just after its device time (sample times are fractional).
    for (const k of [5000, 7199, 7200, 7235, 10_799]) {
      const strip = await cutStrip(reader, consultId, {
        streamId: r.streamId,
        endTime: Math.floor(r.timeOf(k)) + 1,
        seconds: 10,
      });
      expectSamples(strip, r, k + 1 - 3600, 3600);
    }
    // Ending exactly on a sample's time leaves that sample out (the end is exclusive).
    const exact = await cutStrip(reader, consultId, { streamId: r.streamId, endTime: r.timeOf(9000), seconds: 2.5 });
    expectSamples(exact, r, 9000 - 900, 900);
  });

  it('refuses a window with a missing chunk, and cuts one that ends where the gap begins', async () => {
    const { storage, consultId, reader } = await setup();
    const r = record({ seconds: 30 });
    // Chunk 200 (samples 7200–7235, 20.0–20.1 s) was never stored.
    await store(storage, consultId, 'src-a', waveforms(r), { skip: [200] });
    const gapStart = r.chunks[200]!.firstSample;
    const gapEnd = r.chunks[201]!.firstSample;

    const over = await refusal(cutStrip(reader, consultId, { streamId: r.streamId, seconds: 10 }));
    expect(over).toMatchObject({ code: 'CONFLICT', reason: 'missing-samples' });
    expect(over.message).toContain(`${gapStart}–${gapEnd - 1}`);
    // The window's end inside the gap: also refused, not cut short.
    const inside = await refusal(
      cutStrip(reader, consultId, { streamId: r.streamId, endTime: Math.floor(r.timeOf(gapStart + 10)), seconds: 10 }),
    );
    expect(inside).toMatchObject({ code: 'CONFLICT', reason: 'missing-samples' });

    expectSamples(
      await cutStrip(reader, consultId, {
        streamId: r.streamId,
        endTime: Math.ceil(r.timeOf(gapStart - 1)),
        seconds: 10,
      }),
      r,
      gapStart - 3600,
      3600,
    );
    const after = await cutStrip(reader, consultId, { streamId: r.streamId, seconds: 5 });
    expectSamples(after, r, r.samples.length / 2 - 1800, 1800);
  });

  it('refuses a window over a stored message that no longer decodes, and logs it', async () => {
    const { storage, consultId, reader } = await setup();
    const r = record({ seconds: 20 });
    await store(storage, consultId, 'src-a', waveforms(r), { corrupt: [150] });
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _e, done) {
          for (const line of chunk.toString().split('\n'))
            if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    const refused = await refusal(cutStrip(reader, consultId, { streamId: r.streamId, seconds: 10 }, log));
    expect(refused.reason).toBe('missing-samples');
    expect(
      lines.some((l) => l['msg'] === 'stored vitals message does not decode' && l['consultId'] === consultId),
    ).toBe(true);
  });

  it('says why it cannot cut: not stored yet, before the recording, unknown stream, no ECG, no waveform at all', async () => {
    const { storage, consultId, reader } = await setup();
    expect(await refusal(cutStrip(reader, consultId, { streamId: 'x', seconds: 10 }))).toMatchObject({
      code: 'CONFLICT',
      reason: 'no-waveform',
    });
    const ecg = record({ seconds: 20 });
    const pleth = record({ seconds: 20, streamId: 'a103l-1', signals: ['Pleth'], rate: 250, baseline: 0 });
    await store(storage, consultId, 'src-a', waveforms(ecg));
    await store(storage, consultId, 'src-b', waveforms(pleth));
    const end = ecg.timeOf(ecg.samples.length / 2);

    expect(
      await refusal(
        cutStrip(reader, consultId, { streamId: ecg.streamId, endTime: Math.round(end) + 1000, seconds: 10 }),
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'not-stored-yet',
    });
    const short = await refusal(
      cutStrip(reader, consultId, { streamId: ecg.streamId, endTime: ecg.startTime + 4000, seconds: 10 }),
    );
    expect(short).toMatchObject({ code: 'CONFLICT', reason: 'not-recorded' });
    expect(short.message).toContain('only 4.0 s');
    expect(
      await refusal(
        cutStrip(reader, consultId, { streamId: ecg.streamId, endTime: ecg.startTime - 60_000, seconds: 10 }),
      ),
    ).toMatchObject({ code: 'CONFLICT', reason: 'not-recorded' });
    expect(await refusal(cutStrip(reader, consultId, { streamId: 'no-such-stream', seconds: 10 }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'unknown-stream',
    });
    expect(await refusal(cutStrip(reader, consultId, { streamId: pleth.streamId, seconds: 10 }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'not-ecg',
    });
    // The 20 s recording holds exactly one 20 s strip, and not one sample more.
    expectSamples(await cutStrip(reader, consultId, { streamId: ecg.streamId, seconds: 20 }), ecg, 0, 7200);
  });

  it('never joins two recordings of the same stream: each window comes from the source that holds it', async () => {
    const { storage, consultId, reader } = await setup();
    // The simulator played 30 s, was stopped, and started again two minutes later as a new source.
    const first = record({ seconds: 30, seed: 1 });
    const second = record({ seconds: 30, seed: 2, startTime: first.startTime + 150_000 });
    await store(storage, consultId, 'src-first', waveforms(first), { receivedAt: 1000 });
    await store(storage, consultId, 'src-second', waveforms(second), { receivedAt: 2000 });

    const newest = await cutStrip(reader, consultId, { streamId: first.streamId, seconds: 10 });
    expect(newest.sourceId).toBe('src-second');
    expectSamples(newest, second, 10_800 - 3600, 3600);
    const earlier = await cutStrip(reader, consultId, {
      streamId: first.streamId,
      endTime: Math.floor(first.timeOf(7000)) + 1,
      seconds: 10,
    });
    expect(earlier.sourceId).toBe('src-first');
    expectSamples(earlier, first, 7001 - 3600, 3600);
    // In the pause between them nothing was recorded; straddling the restart is not joined.
    expect(
      await refusal(
        cutStrip(reader, consultId, { streamId: first.streamId, endTime: first.startTime + 100_000, seconds: 10 }),
      ),
    ).toMatchObject({ reason: 'not-recorded' });
    expect(
      await refusal(
        cutStrip(reader, consultId, { streamId: first.streamId, endTime: second.startTime + 5000, seconds: 10 }),
      ),
    ).toMatchObject({ reason: 'not-recorded' });
  });

  it('finds a window deep in a long recording (several pages back), 12 leads at 500 Hz', async () => {
    const { storage, consultId, reader } = await setup();
    const leads: WaveformSignal[] = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
    const r = record({ seconds: 150, signals: leads, rate: 500, gain: 2000, baseline: 0, streamId: 'ptb-0' });
    await store(storage, consultId, 'src-ptb', waveforms(r));
    // 1500 chunks and 75 numerics after it: the window (ending at 12 s) is three pages back.
    const strip = await cutStrip(reader, consultId, { streamId: 'ptb-0', endTime: r.startTime + 12_000, seconds: 10 });
    expectSamples(strip, r, 1000, 5000);
  });

  it('refuses a window in which the stream changes its gain', async () => {
    const { storage, consultId, reader } = await setup();
    const r = record({ seconds: 20 });
    const messages = waveforms(r).map((m, i) =>
      m.type === 'waveform' && i >= 150 ? { ...m, chunk: { ...m.chunk, gain: 400 } } : m,
    );
    await store(storage, consultId, 'src-a', messages);
    expect(await refusal(cutStrip(reader, consultId, { streamId: r.streamId, seconds: 10 }))).toMatchObject({
      reason: 'stream-changed',
    });
    // After the change the stream is consistent again.
    expect((await cutStrip(reader, consultId, { streamId: r.streamId, seconds: 4 })).gain).toBe(400);
  });

  it('is unaffected by a strip request for another consult', async () => {
    const { storage, consultId, reader } = await setup();
    await store(storage, consultId, 'src-a', waveforms(record({ seconds: 12 })));
    expect(
      await refusal(cutStrip(reader, crypto.randomUUID(), { streamId: 'mitdb-100-0', seconds: 10 })),
    ).toMatchObject({
      reason: 'no-waveform',
    });
  });
});
