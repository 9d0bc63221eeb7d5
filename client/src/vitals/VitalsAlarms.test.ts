import type { NumericKind, VitalSample } from '@legevakt/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SILENCE_MS, type KeyValueStore } from './alarms.ts';
import { VitalsAlarms, type SnapshotSource } from './VitalsAlarms.ts';
import type { VitalsSnapshot } from './VitalsStore.ts';

/** A vitals store reduced to what the alarms read: the latest numerics. */
class Numerics implements SnapshotSource {
  readonly #listeners = new Set<() => void>();
  #snapshot: VitalsSnapshot = {
    latest: {},
    history: {},
    traces: new Map(),
    streams: new Map(),
    heldBack: 0,
    version: 0,
  };
  subscribe(onChange: () => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }
  getSnapshot(): VitalsSnapshot {
    return this.#snapshot;
  }
  measure(kind: NumericKind, value: number, at: number): void {
    const sample: VitalSample & { receivedAt: number } = {
      kind,
      value,
      unit: '',
      measuredAt: at,
      device: 'test',
      source: 'simulator',
      quality: [],
      receivedAt: at,
    };
    this.#snapshot = {
      ...this.#snapshot,
      latest: { ...this.#snapshot.latest, [kind]: sample },
      version: this.#snapshot.version + 1,
    };
    for (const listener of this.#listeners) listener();
  }
}

function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe('VitalsAlarms', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  function setup(storage = memoryStore()) {
    const numerics = new Numerics();
    const tone = {
      playing: false,
      start: vi.fn(() => void (tone.playing = true)),
      stop: vi.fn(() => void (tone.playing = false)),
    };
    const alarms = new VitalsAlarms(numerics, 'consult-1', storage, tone, () => Date.now());
    alarms.start();
    return { numerics, tone, alarms, storage };
  }

  it('sounds while SpO₂ is below its limit, silences for two minutes, and clears when it recovers', () => {
    const { numerics, tone, alarms } = setup();
    numerics.measure('spo2', 96, Date.now());
    expect(tone.playing).toBe(false);
    numerics.measure('spo2', 85, Date.now());
    expect(alarms.getSnapshot().states.spo2.status).toBe('alarm');
    expect(tone.playing).toBe(true);

    alarms.silence('spo2');
    expect(alarms.getSnapshot().states.spo2.status).toBe('silenced');
    expect(tone.playing).toBe(false);
    // Still low, values keep coming: silent for two minutes, then sounding again.
    for (let s = 0; s < 120; s += 2) {
      vi.advanceTimersByTime(2000);
      numerics.measure('spo2', 85, Date.now());
    }
    expect(alarms.getSnapshot().states.spo2.status).toBe('alarm');
    expect(tone.playing).toBe(true);

    numerics.measure('spo2', 93, Date.now());
    expect(alarms.getSnapshot().states.spo2.status).toBe('normal');
    expect(tone.playing).toBe(false);
  });

  it('stops alarming when the value goes stale (30 s without a new pulse)', () => {
    const { numerics, tone, alarms } = setup();
    numerics.measure('heartRateEcg', 150, Date.now());
    expect(tone.playing).toBe(true);
    vi.advanceTimersByTime(31_000);
    expect(alarms.getSnapshot().states.heartRate.status).toBe('normal');
    expect(tone.playing).toBe(false);
  });

  it('applies and keeps the doctor’s limits for the consult', () => {
    const storage = memoryStore();
    const { numerics, alarms } = setup(storage);
    numerics.measure('spo2', 88, Date.now());
    expect(alarms.getSnapshot().states.spo2.status).toBe('alarm');
    // A COPD patient: 88 % is the target; the alarm clears at once under the new limit.
    alarms.setLimits('spo2', { low: 85, high: null });
    expect(alarms.getSnapshot().states.spo2.status).toBe('normal');
    alarms.dispose();
    const again = new VitalsAlarms(new Numerics(), 'consult-1', storage, { start() {}, stop() {} });
    expect(again.getSnapshot().limits.spo2).toEqual({ low: 85, high: null });
    again.resetLimits('spo2');
    expect(again.getSnapshot().limits.spo2).toEqual({ low: 90, high: null });
    expect(SILENCE_MS).toBe(120_000);
  });
});
