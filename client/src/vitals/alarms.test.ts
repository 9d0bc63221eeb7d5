import { describe, expect, it } from 'vitest';
import {
  anySounding,
  breachOf,
  defaultLimits,
  initialAlarmStates,
  liveValue,
  loadLimits,
  NORMAL,
  saveLimits,
  silenceAlarm,
  SILENCE_MS,
  stepAlarm,
  stepAlarms,
  validateLimits,
  LIMITS_KEPT_MS,
  type AlarmLimits,
  type AlarmState,
  type KeyValueStore,
} from './alarms.ts';

/** localStorage's interface over a Map, for node. */
class MemoryStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

describe('the alarm state machine', () => {
  it('sounds when a value leaves its limits and clears when it comes back', () => {
    let s: AlarmState = NORMAL;
    s = stepAlarm(s, null, 0);
    expect(s).toBe(NORMAL);
    s = stepAlarm(s, 'low', 1000);
    expect(s).toEqual({ status: 'alarm', breach: 'low', since: 1000, silencedUntil: null });
    // Still low: the same state object (no re-render, the start kept).
    expect(stepAlarm(s, 'low', 3000)).toBe(s);
    s = stepAlarm(s, null, 5000);
    expect(s).toEqual(NORMAL);
  });

  it('silences for two minutes, then sounds again if the value is still outside', () => {
    let s = stepAlarm(NORMAL, 'high', 0);
    s = silenceAlarm(s, 10_000);
    expect(s).toEqual({ status: 'silenced', breach: 'high', since: 0, silencedUntil: 10_000 + SILENCE_MS });
    expect(anySounding({ ...initialAlarmStates(), heartRate: s })).toBe(false);
    expect(stepAlarm(s, 'high', 10_000 + SILENCE_MS - 1)).toBe(s);
    const again = stepAlarm(s, 'high', 10_000 + SILENCE_MS);
    expect(again).toEqual({ status: 'alarm', breach: 'high', since: 0, silencedUntil: null });
    expect(anySounding({ ...initialAlarmStates(), heartRate: again })).toBe(true);
  });

  it('forgets the silence when the value comes back: the next excursion sounds at once', () => {
    let s = silenceAlarm(stepAlarm(NORMAL, 'low', 0), 1000);
    s = stepAlarm(s, null, 2000);
    expect(s).toEqual(NORMAL);
    s = stepAlarm(s, 'low', 3000);
    expect(s.status).toBe('alarm');
    expect(s.since).toBe(3000);
  });

  it('treats a swing to the other side as a new alarm, even while silenced', () => {
    const silenced = silenceAlarm(stepAlarm(NORMAL, 'low', 0), 1000);
    expect(stepAlarm(silenced, 'high', 2000)).toEqual({
      status: 'alarm',
      breach: 'high',
      since: 2000,
      silencedUntil: null,
    });
  });

  it('does nothing to silence an alarm that is not there; silencing again restarts the two minutes', () => {
    expect(silenceAlarm(NORMAL, 5)).toBe(NORMAL);
    const once = silenceAlarm(stepAlarm(NORMAL, 'low', 0), 1000);
    expect(silenceAlarm(once, 60_000).silencedUntil).toBe(60_000 + SILENCE_MS);
  });

  it('steps every parameter from the live values; a stale value does not alarm', () => {
    const limits = defaultLimits();
    const values = { heartRate: 72, spo2: 86, respirationRate: null, temperature: 39.5, systolic: 120 };
    const first = stepAlarms(initialAlarmStates(), limits, values, 100);
    expect(first.spo2).toMatchObject({ status: 'alarm', breach: 'low' });
    expect(first.temperature).toMatchObject({ status: 'alarm', breach: 'high' });
    expect(first.heartRate).toBe(NORMAL);
    expect(stepAlarms(first, limits, values, 200)).toBe(first);
    const latest = {
      spo2: { value: 86, measuredAt: 0 },
      heartRateEcg: { value: 150, measuredAt: 59_000 },
      pulseRateOximetry: { value: 60, measuredAt: 60_000 },
    };
    const stale = (_kind: string, measuredAt: number) => 60_000 - measuredAt > 30_000;
    expect(liveValue('spo2', latest, stale)).toBeNull();
    // The pulse tile shows (and alarms on) the ECG heart rate first.
    expect(liveValue('heartRate', latest, stale)).toBe(150);
    expect(liveValue('temperature', latest, stale)).toBeNull();
  });

  it('compares against the limits strictly (a value on the limit is within)', () => {
    expect(breachOf({ low: 90, high: null }, 90)).toBeNull();
    expect(breachOf({ low: 90, high: null }, 89.9)).toBe('low');
    expect(breachOf({ low: 40, high: 130 }, 130.1)).toBe('high');
    expect(breachOf({ low: null, high: 130 }, 0)).toBeNull();
  });
});

describe('limits the doctor sets', () => {
  it('accepts a valid pair, Norwegian decimal commas included, and an empty field as "no limit"', () => {
    expect(validateLimits('temperature', '35,5', '38.5')).toEqual({ ok: true, limits: { low: 35.5, high: 38.5 } });
    expect(validateLimits('spo2', ' 92 ', '')).toEqual({ ok: true, limits: { low: 92, high: null } });
  });

  it('names what is wrong with each field', () => {
    expect(validateLimits('heartRate', 'førti', '130')).toEqual({
      ok: false,
      low: 'not-a-number',
      high: null,
      both: null,
    });
    expect(validateLimits('heartRate', '40', '400')).toEqual({
      ok: false,
      low: null,
      high: 'out-of-range',
      both: null,
    });
    expect(validateLimits('heartRate', '40.5', '130')).toEqual({
      ok: false,
      low: 'too-many-decimals',
      high: null,
      both: null,
    });
    expect(validateLimits('temperature', '36.55', '')).toMatchObject({ low: 'too-many-decimals' });
    expect(validateLimits('spo2', '95', '95')).toEqual({
      ok: false,
      low: null,
      high: null,
      both: 'low-not-below-high',
    });
    expect(validateLimits('spo2', '', '')).toEqual({ ok: false, low: null, high: null, both: 'no-limit' });
    expect(validateLimits('systolic', '1e2', '')).toMatchObject({ low: 'not-a-number' });
  });

  it('keeps limits per consult, and falls back to the defaults for anything unreadable', () => {
    const store = new MemoryStore();
    const changed: AlarmLimits = { ...defaultLimits(), spo2: { low: 85, high: null } };
    saveLimits(store, 'consult-a', changed, 1000);
    expect(loadLimits(store, 'consult-a')).toEqual(changed);
    expect(loadLimits(store, 'consult-b')).toEqual(defaultLimits());
    store.setItem('legevakt.vitals.limits.consult-c', '{not json');
    expect(loadLimits(store, 'consult-c')).toEqual(defaultLimits());
    // A hand-edited entry that would disable the alarm is ignored for that parameter only.
    store.setItem(
      'legevakt.vitals.limits.consult-d',
      JSON.stringify({ savedAt: 1000, limits: { spo2: { low: null, high: null }, heartRate: { low: 50, high: 120 } } }),
    );
    expect(loadLimits(store, 'consult-d')).toEqual({
      ...defaultLimits(),
      heartRate: { low: 50, high: 120 },
    });
  });

  it('prunes other consults’ limits a week after they were saved', () => {
    const store = new MemoryStore();
    saveLimits(store, 'old', defaultLimits(), 0);
    saveLimits(store, 'recent', defaultLimits(), LIMITS_KEPT_MS);
    store.setItem('legevakt.locale', 'nb');
    saveLimits(store, 'now', defaultLimits(), LIMITS_KEPT_MS + 1);
    expect([...store.map.keys()].sort()).toEqual([
      'legevakt.locale',
      'legevakt.vitals.limits.now',
      'legevakt.vitals.limits.recent',
    ]);
  });
});
