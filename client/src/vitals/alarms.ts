import type { NumericKind } from '@legevakt/shared';
import { DEFAULT_LIMITS } from './vitalsLimits.ts';

/**
 * Alarm limits the doctor can set per consult, and the alarm state machine.
 *
 * One alarm per tile: the pulse tile watches whichever pulse source it shows
 * (ECG, then plain pulse, then the oximeter's), the BP tile the systolic.
 */
export type AlarmParameter = 'heartRate' | 'spo2' | 'respirationRate' | 'temperature' | 'systolic';

export interface Limits {
  /** null: no lower limit. */
  readonly low: number | null;
  readonly high: number | null;
}
export type AlarmLimits = Readonly<Record<AlarmParameter, Limits>>;

interface ParameterSpec {
  /** The numeric kinds the tile shows, in order of preference. */
  readonly kinds: readonly NumericKind[];
  /** What a limit may be set to: outside this a monitor could not measure, or the limit could never fire. */
  readonly min: number;
  readonly max: number;
  readonly decimals: number;
  readonly unit: string;
}

export const ALARM_PARAMETERS: Readonly<Record<AlarmParameter, ParameterSpec>> = {
  heartRate: {
    kinds: ['heartRateEcg', 'pulseRate', 'pulseRateOximetry'],
    min: 20,
    max: 250,
    decimals: 0,
    unit: '/min',
  },
  spo2: { kinds: ['spo2'], min: 50, max: 100, decimals: 0, unit: '%' },
  respirationRate: { kinds: ['respirationRate'], min: 3, max: 60, decimals: 0, unit: '/min' },
  temperature: { kinds: ['temperature'], min: 30, max: 43, decimals: 1, unit: '°C' },
  systolic: { kinds: ['systolic'], min: 50, max: 280, decimals: 0, unit: 'mmHg' },
};
export const ALARM_PARAMETER_LIST = Object.keys(ALARM_PARAMETERS) as AlarmParameter[];

/** The adult defaults of vitalsLimits.ts, per tile. */
export function defaultLimits(): AlarmLimits {
  const of = (kind: NumericKind): Limits => ({
    low: DEFAULT_LIMITS[kind]?.low ?? null,
    high: DEFAULT_LIMITS[kind]?.high ?? null,
  });
  return {
    heartRate: of('heartRateEcg'),
    spo2: of('spo2'),
    respirationRate: of('respirationRate'),
    temperature: of('temperature'),
    systolic: of('systolic'),
  };
}

export type LimitProblem =
  | 'not-a-number'
  | 'too-many-decimals'
  | 'out-of-range'
  | 'low-not-below-high'
  /** Both limits off: the tile would never alarm. */
  | 'no-limit';

export type LimitsInput =
  | { ok: true; limits: Limits }
  | { ok: false; low: LimitProblem | null; high: LimitProblem | null; both: LimitProblem | null };

/** Reads "38,5" and "38.5" alike; an empty field is "no limit". */
function parseLimit(text: string, spec: ParameterSpec): number | null | LimitProblem {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return 'not-a-number';
  const decimals = trimmed.split('.')[1]?.length ?? 0;
  if (decimals > spec.decimals) return 'too-many-decimals';
  const value = Number(trimmed);
  if (value < spec.min || value > spec.max) return 'out-of-range';
  return value;
}

/** Validates the dialog's two fields for a parameter. */
export function validateLimits(parameter: AlarmParameter, lowText: string, highText: string): LimitsInput {
  const spec = ALARM_PARAMETERS[parameter];
  const low = parseLimit(lowText, spec);
  const high = parseLimit(highText, spec);
  const lowProblem = typeof low === 'string' ? low : null;
  const highProblem = typeof high === 'string' ? high : null;
  if (lowProblem || highProblem) return { ok: false, low: lowProblem, high: highProblem, both: null };
  const l = low as number | null;
  const h = high as number | null;
  if (l === null && h === null) return { ok: false, low: null, high: null, both: 'no-limit' };
  if (l !== null && h !== null && l >= h) return { ok: false, low: null, high: null, both: 'low-not-below-high' };
  return { ok: true, limits: { low: l, high: h } };
}

/** Which side a value breaches, or null within limits. */
export function breachOf(limits: Limits, value: number): 'low' | 'high' | null {
  if (limits.low !== null && value < limits.low) return 'low';
  if (limits.high !== null && value > limits.high) return 'high';
  return null;
}

/** The minimal Storage the limits need (localStorage in the browser). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

const LIMITS_PREFIX = 'legevakt.vitals.limits.';
/** A consult's limits are kept this long after they were last changed, then pruned. */
export const LIMITS_KEPT_MS = 7 * 24 * 3600_000;

function validStored(parameter: AlarmParameter, value: unknown): Limits | null {
  if (typeof value !== 'object' || value === null) return null;
  const { low, high } = value as { low?: unknown; high?: unknown };
  const asText = (v: unknown): string | null => (v === null ? '' : typeof v === 'number' ? String(v) : null);
  const lowText = asText(low);
  const highText = asText(high);
  if (lowText === null || highText === null) return null;
  const checked = validateLimits(parameter, lowText, highText);
  return checked.ok ? checked.limits : null;
}

/**
 * The consult's limits from storage: each parameter as stored if it is still
 * valid, else its default (a corrupt or hand-edited entry never disables an
 * alarm).
 */
export function loadLimits(store: KeyValueStore, consultId: string): AlarmLimits {
  const defaults = defaultLimits();
  let stored: unknown;
  try {
    stored = JSON.parse(store.getItem(LIMITS_PREFIX + consultId) ?? 'null');
  } catch {
    stored = null;
  }
  const limits = (stored as { limits?: Record<string, unknown> } | null)?.limits ?? {};
  const out = { ...defaults };
  for (const parameter of ALARM_PARAMETER_LIST) {
    out[parameter] = validStored(parameter, limits[parameter]) ?? defaults[parameter];
  }
  return out;
}

/** Stores the consult's limits, and prunes other consults' limits older than LIMITS_KEPT_MS. */
export function saveLimits(store: KeyValueStore, consultId: string, limits: AlarmLimits, now: number): void {
  store.setItem(LIMITS_PREFIX + consultId, JSON.stringify({ savedAt: now, limits }));
  const old: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (!key?.startsWith(LIMITS_PREFIX)) continue;
    try {
      const savedAt = (JSON.parse(store.getItem(key) ?? '{}') as { savedAt?: unknown }).savedAt;
      if (typeof savedAt !== 'number' || now - savedAt > LIMITS_KEPT_MS) old.push(key);
    } catch {
      old.push(key);
    }
  }
  for (const key of old) store.removeItem(key);
}

/** How long "silence" mutes an alarm. */
export const SILENCE_MS = 2 * 60_000;

/**
 * One alarm:
 * - `normal`: the value is within limits (or there is no live value);
 * - `alarm`: outside limits and sounding;
 * - `silenced`: outside limits, acknowledged: shown, not sounding, until
 *   `silencedUntil`, then sounding again if still outside.
 * A value back within limits returns to `normal` and forgets the silence, so
 * the next excursion sounds at once. A value that is stale (not renewed in
 * time) does not alarm: it is not a live value, and the tile says so.
 */
export interface AlarmState {
  readonly status: 'normal' | 'alarm' | 'silenced';
  readonly breach: 'low' | 'high' | null;
  /** When the current excursion began. */
  readonly since: number | null;
  readonly silencedUntil: number | null;
}

export const NORMAL: AlarmState = { status: 'normal', breach: null, since: null, silencedUntil: null };

/** The next state, given the newest live value's breach (null = within limits or no live value). */
export function stepAlarm(previous: AlarmState, breach: 'low' | 'high' | null, now: number): AlarmState {
  if (breach === null) return previous.status === 'normal' ? previous : NORMAL;
  // The other side (too low after too high) is a new excursion: it sounds, whatever was silenced.
  if (previous.breach !== breach) return { status: 'alarm', breach, since: now, silencedUntil: null };
  if (previous.status === 'silenced' && previous.silencedUntil !== null && now < previous.silencedUntil)
    return previous;
  if (previous.status === 'alarm') return previous;
  // The silence ran out and the value is still outside: it sounds again, the excursion's start kept.
  return { status: 'alarm', breach, since: previous.since ?? now, silencedUntil: null };
}

/** Silence/acknowledge: mutes a sounding (or already silenced) alarm for SILENCE_MS from now. */
export function silenceAlarm(previous: AlarmState, now: number): AlarmState {
  if (previous.status === 'normal') return previous;
  return { ...previous, status: 'silenced', silencedUntil: now + SILENCE_MS };
}

/** The value a parameter's alarm is judged on: its tile's newest sample, if live. */
export function liveValue(
  parameter: AlarmParameter,
  latest: Partial<Record<NumericKind, { value: number; measuredAt: number }>>,
  isStale: (kind: NumericKind, measuredAt: number) => boolean,
): number | null {
  for (const kind of ALARM_PARAMETERS[parameter].kinds) {
    const sample = latest[kind];
    if (sample) return isStale(kind, sample.measuredAt) ? null : sample.value;
  }
  return null;
}

export type AlarmStates = Readonly<Record<AlarmParameter, AlarmState>>;

export function initialAlarmStates(): AlarmStates {
  return {
    heartRate: NORMAL,
    spo2: NORMAL,
    respirationRate: NORMAL,
    temperature: NORMAL,
    systolic: NORMAL,
  };
}

/** Steps every parameter's alarm; returns the previous object when nothing changed (cheap React updates). */
export function stepAlarms(
  previous: AlarmStates,
  limits: AlarmLimits,
  values: Readonly<Record<AlarmParameter, number | null>>,
  now: number,
): AlarmStates {
  let changed = false;
  const next = { ...previous };
  for (const parameter of ALARM_PARAMETER_LIST) {
    const value = values[parameter];
    const state = stepAlarm(previous[parameter], value === null ? null : breachOf(limits[parameter], value), now);
    if (state !== previous[parameter]) {
      next[parameter] = state;
      changed = true;
    }
  }
  return changed ? next : previous;
}

/** Whether any alarm is sounding: the tone plays while true. */
export function anySounding(states: AlarmStates): boolean {
  return ALARM_PARAMETER_LIST.some((p) => states[p].status === 'alarm');
}
