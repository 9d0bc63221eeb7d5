/**
 * How a sender (the ambulance on a mobile network, or anyone) adapts its
 * outgoing video to the link: a ladder of bitrate caps and resolutions, audio
 * only (with the vitals) below a floor, and back with a hold time that doubles
 * after each failed try. Pure: a state and a stats sample in, the next state
 * and what to do out; no timers, so a sequence of samples is its whole test.
 *
 * Why caps on one encoding and not simulcast: each consult has one viewer (the
 * doctor) behind the SFU, so extra simulcast layers would only spend the
 * ambulance's scarce uplink on pictures nobody receives. The sender's own
 * bandwidth estimate (`availableOutgoingBitrate`) and the far end's loss
 * reports say what its uplink carries; the caps follow them.
 */

export interface VideoLevel {
  /** bits/s for the one video encoding. */
  readonly maxBitrate: number;
  readonly scaleResolutionDownBy: number;
  readonly maxFramerate: number;
}

/** Best first. */
export const VIDEO_LEVELS: readonly VideoLevel[] = [
  { maxBitrate: 900_000, scaleResolutionDownBy: 1, maxFramerate: 30 },
  { maxBitrate: 450_000, scaleResolutionDownBy: 1, maxFramerate: 25 },
  { maxBitrate: 250_000, scaleResolutionDownBy: 2, maxFramerate: 20 },
  { maxBitrate: 130_000, scaleResolutionDownBy: 2, maxFramerate: 15 },
];

export interface AdaptationConfig {
  readonly levels: readonly VideoLevel[];
  /** Below this estimate (kbit/s) the link cannot carry useful video next to audio and vitals. */
  readonly floorKbps: number;
  /** Loss (%) at which video is given up whatever the estimate says. */
  readonly unusableLossPercent: number;
  /** Loss (%) that makes a sample bad (step down). */
  readonly badLossPercent: number;
  /** Loss (%) under which a sample is good (may step up). */
  readonly goodLossPercent: number;
  /** Consecutive bad (or unusable) samples before acting: one sample is not a trend. */
  readonly samplesToAct: number;
  /** Good samples must last this long before one step up. */
  readonly stepUpHoldMs: number;
  /** First wait in audio-only before trying video again; doubles after each failed try, up to the max. */
  readonly audioOnlyHoldMs: number;
  readonly audioOnlyHoldMaxMs: number;
  /** A try at video is judged by loss only for this long (the estimate needs time to climb back). */
  readonly probeMs: number;
  /** After video starts (or restarts) the estimate ramps up from a low start: ignored this long. */
  readonly rampMs: number;
}

export const DEFAULT_ADAPTATION: AdaptationConfig = {
  levels: VIDEO_LEVELS,
  floorKbps: 100,
  unusableLossPercent: 25,
  badLossPercent: 10,
  goodLossPercent: 2,
  samplesToAct: 2,
  stepUpHoldMs: 10_000,
  audioOnlyHoldMs: 10_000,
  audioOnlyHoldMaxMs: 40_000,
  probeMs: 8_000,
  rampMs: 12_000,
};

export type LinkMode = 'video' | 'audio-only';

export interface AdaptationState {
  readonly mode: LinkMode;
  /** Index into the levels (0 = best). In audio-only: the level video comes back at. */
  readonly level: number;
  readonly changedAt: number;
  readonly badSamples: number;
  readonly unusableSamples: number;
  readonly goodSince: number | null;
  /** The current wait in audio-only before the next try. */
  readonly holdMs: number;
  /** While trying video after audio-only: until when only loss counts. */
  readonly probeUntil: number | null;
  /** While the estimate ramps up after video started: until when it is not held against the link. */
  readonly rampUntil: number;
}

export interface AdaptationSample {
  readonly at: number;
  /** Loss the far end reports on what this side sends (all its streams). */
  readonly lossPercent: number;
  readonly rttMs: number | null;
  /** The sender's bandwidth estimate; null before there is one. */
  readonly availableOutgoingKbps: number | null;
}

export type AdaptationAction =
  | { readonly kind: 'level'; readonly level: number }
  | { readonly kind: 'audio-only' }
  | { readonly kind: 'video'; readonly level: number };

export function initialAdaptation(at: number, config: AdaptationConfig = DEFAULT_ADAPTATION): AdaptationState {
  return {
    mode: 'video',
    level: 0,
    changedAt: at,
    badSamples: 0,
    unusableSamples: 0,
    goodSince: null,
    holdMs: config.audioOnlyHoldMs,
    probeUntil: null,
    rampUntil: at + config.rampMs,
  };
}

/** Video (re)starts after a pause the policy did not order (standby, camera off, a re-join): the estimate ramps again. */
export function restartRamp(
  state: AdaptationState,
  at: number,
  config: AdaptationConfig = DEFAULT_ADAPTATION,
): AdaptationState {
  return { ...state, rampUntil: at + config.rampMs, badSamples: 0, unusableSamples: 0, goodSince: null };
}

/** The best level whose cap fits in the estimate (with headroom for audio, vitals and overhead). */
function levelFor(availableKbps: number, config: AdaptationConfig): number {
  const index = config.levels.findIndex((level) => level.maxBitrate / 1000 <= availableKbps * 0.85);
  return index === -1 ? config.levels.length - 1 : index;
}

export function adapt(
  state: AdaptationState,
  sample: AdaptationSample,
  config: AdaptationConfig = DEFAULT_ADAPTATION,
): { state: AdaptationState; action: AdaptationAction | null } {
  const { at, lossPercent } = sample;
  const last = config.levels.length - 1;

  if (state.mode === 'audio-only') {
    // Only audio (and vitals) flow: the estimate says little, loss and round trip say whether the link has recovered.
    const calm = lossPercent < config.badLossPercent && (sample.rttMs ?? 0) < 1000;
    const goodSince = calm ? (state.goodSince ?? at) : null;
    if (
      calm &&
      at - state.changedAt >= state.holdMs &&
      goodSince !== null &&
      at - goodSince >= config.audioOnlyHoldMs / 2
    ) {
      const level = last;
      return {
        state: {
          ...state,
          mode: 'video',
          level,
          changedAt: at,
          badSamples: 0,
          unusableSamples: 0,
          goodSince: null,
          probeUntil: at + config.probeMs,
        },
        action: { kind: 'video', level },
      };
    }
    return { state: { ...state, goodSince }, action: null };
  }

  const probing = state.probeUntil !== null && at < state.probeUntil;
  const available = probing || at < state.rampUntil ? null : sample.availableOutgoingKbps;
  const unusable =
    lossPercent >= config.unusableLossPercent ||
    (available !== null && available < config.floorKbps) ||
    (probing && lossPercent >= config.badLossPercent);
  const unusableSamples = unusable ? state.unusableSamples + 1 : 0;
  if (unusableSamples >= config.samplesToAct) {
    // A try that failed waits twice as long before the next; a drop after a stable spell starts again from the base.
    const holdMs =
      state.probeUntil !== null ? Math.min(config.audioOnlyHoldMaxMs, state.holdMs * 2) : config.audioOnlyHoldMs;
    return {
      state: {
        ...state,
        mode: 'audio-only',
        changedAt: at,
        badSamples: 0,
        unusableSamples: 0,
        goodSince: null,
        holdMs,
        probeUntil: null,
      },
      action: { kind: 'audio-only' },
    };
  }
  // A try that lasted its probe time succeeded: the next drop starts from the base hold again.
  const settled = state.probeUntil !== null && !probing ? { probeUntil: null, holdMs: config.audioOnlyHoldMs } : {};

  const cap = config.levels[state.level]!.maxBitrate / 1000;
  const bad =
    !unusable &&
    (lossPercent >= config.badLossPercent ||
      (available !== null && available < cap * 0.7) ||
      (sample.rttMs ?? 0) >= 1000);
  const badSamples = bad ? state.badSamples + 1 : 0;
  if (bad && badSamples >= config.samplesToAct) {
    // Straight to the level the estimate fits, at least one step down.
    const fits = available !== null ? levelFor(available, config) : state.level + 1;
    const level = Math.min(last, Math.max(state.level + 1, fits));
    if (level !== state.level) {
      return {
        state: { ...state, ...settled, level, changedAt: at, badSamples: 0, unusableSamples, goodSince: null },
        action: { kind: 'level', level },
      };
    }
    return { state: { ...state, ...settled, badSamples, unusableSamples, goodSince: null }, action: null };
  }

  const up = config.levels[state.level - 1];
  const good =
    !unusable &&
    !bad &&
    lossPercent < config.goodLossPercent &&
    (sample.rttMs ?? 0) < 500 &&
    // The estimate rarely climbs far above what is sent (the sender is application-limited), so
    // "not below the current cap" is enough: the step up itself is the probe, and it steps back on loss.
    (available === null || available >= cap * 0.9);
  const goodSince = good ? (state.goodSince ?? at) : null;
  if (
    up !== undefined &&
    goodSince !== null &&
    at - goodSince >= config.stepUpHoldMs &&
    at - state.changedAt >= config.stepUpHoldMs
  ) {
    const level = state.level - 1;
    return {
      state: { ...state, ...settled, level, changedAt: at, badSamples: 0, unusableSamples, goodSince: null },
      action: { kind: 'level', level },
    };
  }
  return { state: { ...state, ...settled, badSamples, unusableSamples, goodSince }, action: null };
}
