import { TypedEmitter } from '../session/TypedEmitter.ts';
import {
  ALARM_PARAMETER_LIST,
  anySounding,
  defaultLimits,
  initialAlarmStates,
  liveValue,
  loadLimits,
  saveLimits,
  silenceAlarm,
  stepAlarms,
  type AlarmLimits,
  type AlarmParameter,
  type AlarmStates,
  type KeyValueStore,
  type Limits,
} from './alarms.ts';
import { isStale } from './vitalsLimits.ts';
import type { VitalsSnapshot } from './VitalsStore.ts';

export interface AlarmsSnapshot {
  readonly limits: AlarmLimits;
  readonly states: AlarmStates;
}

/** What the alarms watch: the vitals store (or anything with its snapshot). */
export interface SnapshotSource {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): VitalsSnapshot;
}

/** The tone, started while any alarm sounds. */
export interface Tone {
  start(): void;
  stop(): void;
}

/** Re-evaluates at least this often, so a silence runs out and a value goes stale without new data. */
const TICK_MS = 1000;

/**
 * The consult's vital-sign alarms, outside React: steps the alarm state
 * machine (alarms.ts) on every vitals change and every second, keeps the
 * doctor's limits for the consult in localStorage, and plays the tone while
 * any alarm sounds.
 */
export class VitalsAlarms extends TypedEmitter<{ changed: [AlarmsSnapshot] }> {
  readonly #source: SnapshotSource;
  readonly #consultId: string;
  readonly #storage: KeyValueStore;
  readonly #tone: Tone;
  readonly #now: () => number;
  #snapshot: AlarmsSnapshot;
  #unsubscribe: (() => void) | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    source: SnapshotSource,
    consultId: string,
    storage: KeyValueStore,
    tone: Tone,
    now: () => number = Date.now,
  ) {
    super();
    this.#source = source;
    this.#consultId = consultId;
    this.#storage = storage;
    this.#tone = tone;
    this.#now = now;
    this.#snapshot = { limits: loadLimits(storage, consultId), states: initialAlarmStates() };
  }

  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): AlarmsSnapshot => this.#snapshot;

  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#source.subscribe(() => this.evaluate());
    this.#timer = setInterval(() => this.evaluate(), TICK_MS);
    this.evaluate();
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#tone.stop();
  }

  /** Steps every alarm on the newest live values. */
  evaluate(): void {
    const now = this.#now();
    const { latest } = this.#source.getSnapshot();
    const stale = (kind: Parameters<typeof isStale>[0], measuredAt: number) => isStale(kind, measuredAt, now);
    const values = Object.fromEntries(ALARM_PARAMETER_LIST.map((p) => [p, liveValue(p, latest, stale)])) as Record<
      AlarmParameter,
      number | null
    >;
    this.#set({ ...this.#snapshot, states: stepAlarms(this.#snapshot.states, this.#snapshot.limits, values, now) });
  }

  /** Acknowledge: the parameter's alarm is muted for two minutes (it stays shown). */
  silence(parameter: AlarmParameter): void {
    const states = this.#snapshot.states;
    this.#set({ ...this.#snapshot, states: { ...states, [parameter]: silenceAlarm(states[parameter], this.#now()) } });
  }

  setLimits(parameter: AlarmParameter, limits: Limits): void {
    const all = { ...this.#snapshot.limits, [parameter]: limits };
    saveLimits(this.#storage, this.#consultId, all, this.#now());
    this.#snapshot = { ...this.#snapshot, limits: all };
    this.evaluate();
    this.emit('changed', this.#snapshot);
  }

  resetLimits(parameter: AlarmParameter): void {
    this.setLimits(parameter, defaultLimits()[parameter]);
  }

  #set(next: AlarmsSnapshot): void {
    if (next.states === this.#snapshot.states && next.limits === this.#snapshot.limits) return;
    this.#snapshot = next;
    if (anySounding(next.states)) this.#tone.start();
    else this.#tone.stop();
    this.emit('changed', next);
  }
}
