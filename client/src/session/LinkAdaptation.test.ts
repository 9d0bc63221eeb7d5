import { describe, expect, it } from 'vitest';
import {
  adapt,
  DEFAULT_ADAPTATION,
  initialAdaptation,
  restartRamp,
  type AdaptationAction,
  type AdaptationSample,
  type AdaptationState,
} from './LinkAdaptation.ts';

/** Feeds samples 2 s apart from `start`; returns every action with its time and the final state. */
function run(
  state: AdaptationState,
  start: number,
  samples: Omit<AdaptationSample, 'at'>[],
): { state: AdaptationState; actions: [number, AdaptationAction][] } {
  const actions: [number, AdaptationAction][] = [];
  let current = state;
  samples.forEach((sample, i) => {
    const at = start + i * 2000;
    const next = adapt(current, { ...sample, at });
    if (next.action) actions.push([at, next.action]);
    current = next.state;
  });
  return { state: current, actions };
}

const repeat = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);
const clean = { lossPercent: 0, rttMs: 50, availableOutgoingKbps: 2000 };

describe('link adaptation', () => {
  it('keeps the best level on a clean link', () => {
    const { state, actions } = run(initialAdaptation(0), 2000, repeat(30, clean));
    expect(actions).toEqual([]);
    expect(state).toMatchObject({ mode: 'video', level: 0 });
  });

  it('does not react to one bad sample', () => {
    const { actions } = run(initialAdaptation(0), 2000, [clean, { ...clean, lossPercent: 30 }, clean, clean]);
    expect(actions).toEqual([]);
  });

  it('steps straight down to the level the estimate fits after two low samples', () => {
    const low = { ...clean, availableOutgoingKbps: 300 };
    const { state, actions } = run(initialAdaptation(-20_000), 2000, [low, low]);
    expect(actions).toEqual([[4000, { kind: 'level', level: 2 }]]); // 250 kbit/s fits in 0.85 × 300
    expect(state.level).toBe(2);
  });

  it('does not hold the low estimate of the first seconds against the link (it ramps up from a low start)', () => {
    const ramping = { ...clean, availableOutgoingKbps: 240 };
    const early = run(initialAdaptation(0), 2000, repeat(5, ramping));
    expect(early.actions).toEqual([]);
    // Past the ramp the same estimate counts.
    const later = run(early.state, 12_000, repeat(2, ramping));
    expect(later.actions).toEqual([[14_000, { kind: 'level', level: 3 }]]);
    // Video restarted (standby → live): the ramp starts over.
    const restarted = run(restartRamp(later.state, 20_000), 22_000, repeat(4, { ...clean, availableOutgoingKbps: 60 }));
    expect(restarted.actions).toEqual([]);
  });

  it('steps down one level on sustained loss without an estimate', () => {
    const lossy = { lossPercent: 12, rttMs: 80, availableOutgoingKbps: null };
    const { actions } = run(initialAdaptation(0), 2000, repeat(4, lossy));
    expect(actions).toEqual([
      [4000, { kind: 'level', level: 1 }],
      [8000, { kind: 'level', level: 2 }],
    ]);
  });

  it('goes audio-only below the floor, tries video after the hold, and doubles the hold when the try fails', () => {
    const starved = { lossPercent: 15, rttMs: 200, availableOutgoingKbps: 60 };
    const calmAudio = { lossPercent: 0, rttMs: 120, availableOutgoingKbps: 60 };
    const lossyProbe = { lossPercent: 20, rttMs: 300, availableOutgoingKbps: 60 };
    const first = run({ ...initialAdaptation(0), rampUntil: 0 }, 2000, repeat(2, starved));
    expect(first.actions).toEqual([[4000, { kind: 'audio-only' }]]);
    expect(first.state).toMatchObject({ mode: 'audio-only', holdMs: 10_000 });

    // Audio alone flows cleanly: after the 10 s hold, video is tried at the lowest level.
    const second = run(first.state, 6000, repeat(6, calmAudio));
    expect(second.actions).toEqual([[14_000, { kind: 'video', level: DEFAULT_ADAPTATION.levels.length - 1 }]]);
    expect(second.state.probeUntil).toBe(22_000);

    // The try brings loss (the link still cannot carry video): back to audio-only, next hold 20 s.
    const third = run(second.state, 18_000, repeat(2, lossyProbe));
    expect(third.actions).toEqual([[20_000, { kind: 'audio-only' }]]);
    expect(third.state.holdMs).toBe(20_000);

    // No try before the longer hold is over.
    const fourth = run(third.state, 22_000, repeat(10, calmAudio));
    expect(fourth.actions).toEqual([[40_000, { kind: 'video', level: 3 }]]);
  });

  it('ignores the low estimate while a try ramps up, keeps video when loss stays low, then climbs one level per hold', () => {
    const audioOnly: AdaptationState = {
      ...initialAdaptation(-20_000),
      mode: 'audio-only',
      level: 3,
      changedAt: 0,
    };
    const back = run(audioOnly, 2000, repeat(5, { lossPercent: 0, rttMs: 60, availableOutgoingKbps: 50 }));
    expect(back.actions).toEqual([[10_000, { kind: 'video', level: 3 }]]);
    // Estimate still low during the probe: not held against the try.
    const probe = run(back.state, 12_000, repeat(3, { lossPercent: 0.5, rttMs: 60, availableOutgoingKbps: 80 }));
    expect(probe.actions).toEqual([]);
    expect(probe.state.mode).toBe('video');
    // The estimate recovers: one step up after 10 s of good samples, then the next.
    const climb = run(probe.state, 18_000, repeat(14, clean));
    expect(climb.actions.map(([, a]) => a)).toEqual([
      { kind: 'level', level: 2 },
      { kind: 'level', level: 1 },
    ]);
    expect(climb.state.holdMs).toBe(DEFAULT_ADAPTATION.audioOnlyHoldMs);
  });

  it('gives up video at once on overwhelming loss even with a high estimate', () => {
    const { actions } = run(
      initialAdaptation(0),
      2000,
      repeat(2, { lossPercent: 40, rttMs: 100, availableOutgoingKbps: 2000 }),
    );
    expect(actions).toEqual([[4000, { kind: 'audio-only' }]]);
  });
});
