import { describe, expect, it } from 'vitest';
import { nb } from '../i18n/nb.ts';
import { deviceCheckDue, markDeviceCheckDone, shiftOf } from './shift.ts';
import {
  cameraVerdict,
  fillPlaceholders,
  mediaFailureOf,
  median,
  microphoneVerdict,
  networkVerdicts,
  overallLevel,
  speakerVerdict,
  type CameraMeasurement,
  type NetworkMeasurement,
} from './verdict.ts';

const goodCamera: CameraMeasurement = {
  ok: true,
  width: 1280,
  height: 720,
  framesDelivered: 28,
  pictureChange: 3.2,
  meanLuma: 110,
};
const goodNetwork: NetworkMeasurement = {
  ok: true,
  rttMs: [40, 38, 45, 41, 39, 400, 42, 40, 44, 43],
  downloadBitsPerSecond: 20e6,
  uploadBitsPerSecond: 8e6,
};

describe('median', () => {
  it('takes the middle of odd and even counts, ignoring one slow outlier', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([40, 38, 45, 41, 39, 400, 42, 40, 44, 43])).toBe(41.5);
    expect(median([])).toBeNaN();
  });
});

describe('camera verdict', () => {
  it('passes a live, lit 720p picture', () => {
    expect(cameraVerdict(goodCamera)).toMatchObject({ level: 'ok', message: 'deviceCheck.camera.ok' });
  });
  it('fails a frozen picture (no frames, or identical frames)', () => {
    expect(cameraVerdict({ ...goodCamera, framesDelivered: 0 }).message).toBe('deviceCheck.camera.frozen');
    expect(cameraVerdict({ ...goodCamera, pictureChange: 0 })).toMatchObject({
      level: 'fail',
      message: 'deviceCheck.camera.frozen',
    });
  });
  it('fails a black picture (a covered lens)', () => {
    expect(cameraVerdict({ ...goodCamera, meanLuma: 3 })).toMatchObject({
      level: 'fail',
      message: 'deviceCheck.camera.black',
    });
  });
  it('warns on a low resolution', () => {
    expect(cameraVerdict({ ...goodCamera, width: 320, height: 240 })).toMatchObject({
      level: 'warn',
      message: 'deviceCheck.camera.lowResolution',
      values: { width: 320, height: 240 },
    });
  });
  it('says how to allow a denied camera', () => {
    const denied = cameraVerdict({ ok: false, failure: 'denied' });
    expect(denied).toMatchObject({ level: 'fail', message: 'deviceCheck.camera.denied' });
    expect(nb[denied.message]).toMatch(/hengelås|kamera-ikonet/i);
  });
});

describe('microphone verdict', () => {
  it('fails silence with the words of the issue, passes sound', () => {
    const silent = microphoneVerdict({ ok: true, peakRms: 0.0005 });
    expect(silent.level).toBe('fail');
    expect(nb[silent.message]).toMatch(/^Mikrofonen gir ingen lyd: sjekk at den ikke er dempet/);
    expect(microphoneVerdict({ ok: true, peakRms: 0.05 }).level).toBe('ok');
  });
  it('maps getUserMedia errors to what the nurse can do', () => {
    expect(mediaFailureOf(new DOMException('x', 'NotAllowedError'))).toBe('denied');
    expect(mediaFailureOf(new DOMException('x', 'NotFoundError'))).toBe('notFound');
    expect(mediaFailureOf(new DOMException('x', 'NotReadableError'))).toBe('inUse');
    expect(mediaFailureOf(new TypeError('no mediaDevices'))).toBe('insecure');
    expect(mediaFailureOf('odd')).toBe('failed');
    expect(microphoneVerdict({ ok: false, failure: 'inUse' }).message).toBe('deviceCheck.microphone.inUse');
  });
});

describe('speaker verdict', () => {
  it('takes the nurse’s word for it', () => {
    expect(speakerVerdict('heard').level).toBe('ok');
    expect(speakerVerdict('notHeard')).toMatchObject({ level: 'fail', message: 'deviceCheck.speaker.notHeard' });
  });
});

describe('network verdicts', () => {
  it('passes a good line, quoting the median round trip and the rates in Mbit/s', () => {
    expect(networkVerdicts(goodNetwork)).toEqual([
      { check: 'network', level: 'ok', message: 'deviceCheck.network.ok', values: { rtt: 42, up: 8, down: 20 } },
    ]);
  });
  it('fails video below 1 Mbit/s up, warns below 2', () => {
    const slowUp = networkVerdicts({ ...goodNetwork, ok: true, uploadBitsPerSecond: 600_000 });
    expect(slowUp.map((f) => [f.level, f.message])).toEqual([['fail', 'deviceCheck.network.uploadTooSlow']]);
    expect(slowUp[0]?.values?.['up']).toBe(0.6);
    const meh = networkVerdicts({ ...goodNetwork, ok: true, uploadBitsPerSecond: 1_500_000 });
    expect(meh.map((f) => f.level)).toEqual(['warn']);
    expect(meh[0]?.message).toBe('deviceCheck.network.uploadSlow');
  });
  it('warns at a round trip over 300 ms and fails over a second', () => {
    const slow = networkVerdicts({ ...goodNetwork, ok: true, rttMs: [320, 350, 310] });
    expect(slow.map((f) => [f.level, f.message])).toEqual([['warn', 'deviceCheck.network.rttHigh']]);
    expect(networkVerdicts({ ...goodNetwork, ok: true, rttMs: [300, 290] })[0]?.level).toBe('ok');
    expect(networkVerdicts({ ...goodNetwork, ok: true, rttMs: [1500] })[0]?.message).toBe('deviceCheck.network.rttBad');
  });
  it('names every problem of a bad line, and an unreachable server', () => {
    const bad = networkVerdicts({ ok: true, rttMs: [700], downloadBitsPerSecond: 500_000, uploadBitsPerSecond: 2e5 });
    expect(bad.map((f) => f.message)).toEqual([
      'deviceCheck.network.uploadTooSlow',
      'deviceCheck.network.downloadTooSlow',
      'deviceCheck.network.rttHigh',
    ]);
    expect(overallLevel(bad)).toBe('fail');
    expect(networkVerdicts({ ok: false })[0]?.message).toBe('deviceCheck.network.unreachable');
  });
});

describe('overall level and the sentences', () => {
  it('is the worst finding', () => {
    expect(overallLevel([])).toBe('ok');
    expect(overallLevel([speakerVerdict('heard'), cameraVerdict({ ...goodCamera, height: 240 })])).toBe('warn');
  });
  it('fills the numbers into the sentence, formatted the Norwegian way', () => {
    const [finding] = networkVerdicts({ ...goodNetwork, ok: true, uploadBitsPerSecond: 600_000 });
    const text = fillPlaceholders(nb[finding!.message], finding!.values, (v) =>
      new Intl.NumberFormat('nb-NO').format(v),
    );
    expect(text).toContain('0,6 Mbit/s');
    expect(text).not.toMatch(/\{\w+\}/);
  });
});

describe('once per shift', () => {
  // 2026-11-23 is winter time: Oslo is UTC+1.
  const at = (iso: string): number => Date.parse(iso);
  it('names day, evening and night shifts in Norwegian time; the small hours belong to the night before', () => {
    expect(shiftOf(at('2026-11-23T07:30:00Z'))).toBe('2026-11-23 day'); // 08:30
    expect(shiftOf(at('2026-11-23T14:30:00Z'))).toBe('2026-11-23 evening'); // 15:30
    expect(shiftOf(at('2026-11-23T22:30:00Z'))).toBe('2026-11-23 night'); // 23:30
    expect(shiftOf(at('2026-11-24T03:00:00Z'))).toBe('2026-11-23 night'); // 04:00 next day
    expect(shiftOf(at('2026-11-23T23:10:00Z'))).toBe('2026-11-23 night'); // 00:10 next day
  });
  it('is due until done in this shift, and again in the next', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    };
    const morning = at('2026-11-23T08:00:00Z');
    expect(deviceCheckDue(storage, 'u1', morning)).toBe(true);
    markDeviceCheckDone(storage, 'u1', morning);
    expect(deviceCheckDue(storage, 'u1', morning + 3600_000)).toBe(false);
    expect(deviceCheckDue(storage, 'u2', morning)).toBe(true);
    expect(deviceCheckDue(storage, 'u1', at('2026-11-23T15:00:00Z'))).toBe(true);
  });
});
