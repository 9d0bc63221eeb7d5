import type { MessageKey } from '../i18n/nb.ts';

/**
 * What the device check measured, and what it means in plain words. Pure: the
 * browser probes (probes.ts) produce the measurements, this turns them into
 * findings a nurse can act on, and the thresholds live here, in one place.
 */

/** Why the browser gave no camera or microphone (from getUserMedia's DOMException name). */
export type MediaFailure = 'denied' | 'notFound' | 'inUse' | 'insecure' | 'failed';

export type CameraMeasurement =
  | {
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      /** Frames the camera delivered while we watched (about one second). */
      readonly framesDelivered: number;
      /** Mean absolute difference between two samples 0.5 s apart, 0–255: 0 is a frozen picture. */
      readonly pictureChange: number;
      /** Mean brightness of the picture, 0–255. */
      readonly meanLuma: number;
    }
  | { readonly ok: false; readonly failure: MediaFailure };

export type MicrophoneMeasurement =
  | {
      readonly ok: true;
      /** The loudest RMS level over the listening window, 0–1 (full scale). */
      readonly peakRms: number;
    }
  | { readonly ok: false; readonly failure: MediaFailure };

export type SpeakerAnswer = 'heard' | 'notHeard';

export type NetworkMeasurement =
  | {
      readonly ok: true;
      /** Round-trip times of the small requests, in ms. */
      readonly rttMs: readonly number[];
      readonly downloadBitsPerSecond: number;
      readonly uploadBitsPerSecond: number;
    }
  | { readonly ok: false };

export type CheckName = 'camera' | 'microphone' | 'speaker' | 'network';
export type Level = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly check: CheckName;
  readonly level: Level;
  /** A sentence that says what is wrong and how to fix it (or that all is well). */
  readonly message: MessageKey;
  /** Numbers the sentence quotes, by placeholder name ({rtt}, {up}, …). */
  readonly values?: Readonly<Record<string, number>>;
}

export const THRESHOLDS = {
  /** Video at the quality a doctor can examine by needs this much upstream (720p at about 1 Mbit/s and more). */
  minUploadBps: 1_000_000,
  goodUploadBps: 2_000_000,
  minDownloadBps: 1_000_000,
  goodDownloadBps: 2_000_000,
  /** Above this the conversation starts to feel delayed. */
  warnRttMs: 300,
  /** Above this talking over each other is unavoidable. */
  failRttMs: 1000,
  /** Below this the camera delivers less detail than a wound or rash needs. */
  minVideoHeight: 480,
  /** Mean brightness below this is a covered lens or a dark room. */
  darkLuma: 12,
  /** A picture changing less than this between samples is frozen (sensor noise alone exceeds it). */
  frozenChange: 0.05,
  /** RMS below this over two seconds: no sound at all reaches the browser. */
  silentRms: 0.003,
} as const;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const FAILURE_MESSAGE: Record<'camera' | 'microphone', Record<MediaFailure, MessageKey>> = {
  camera: {
    denied: 'deviceCheck.camera.denied',
    notFound: 'deviceCheck.camera.notFound',
    inUse: 'deviceCheck.camera.inUse',
    insecure: 'deviceCheck.insecure',
    failed: 'deviceCheck.camera.failed',
  },
  microphone: {
    denied: 'deviceCheck.microphone.denied',
    notFound: 'deviceCheck.microphone.notFound',
    inUse: 'deviceCheck.microphone.inUse',
    insecure: 'deviceCheck.insecure',
    failed: 'deviceCheck.microphone.failed',
  },
};

export function cameraVerdict(m: CameraMeasurement): Finding {
  if (!m.ok) return { check: 'camera', level: 'fail', message: FAILURE_MESSAGE.camera[m.failure] };
  const values = { width: m.width, height: m.height };
  if (m.framesDelivered < 2 || m.pictureChange < THRESHOLDS.frozenChange) {
    return { check: 'camera', level: 'fail', message: 'deviceCheck.camera.frozen', values };
  }
  if (m.meanLuma < THRESHOLDS.darkLuma) {
    return { check: 'camera', level: 'fail', message: 'deviceCheck.camera.black', values };
  }
  if (m.height < THRESHOLDS.minVideoHeight) {
    return { check: 'camera', level: 'warn', message: 'deviceCheck.camera.lowResolution', values };
  }
  return { check: 'camera', level: 'ok', message: 'deviceCheck.camera.ok', values };
}

export function microphoneVerdict(m: MicrophoneMeasurement): Finding {
  if (!m.ok) return { check: 'microphone', level: 'fail', message: FAILURE_MESSAGE.microphone[m.failure] };
  if (m.peakRms < THRESHOLDS.silentRms) {
    return { check: 'microphone', level: 'fail', message: 'deviceCheck.microphone.silent' };
  }
  return { check: 'microphone', level: 'ok', message: 'deviceCheck.microphone.ok' };
}

export function speakerVerdict(answer: SpeakerAnswer): Finding {
  return answer === 'heard'
    ? { check: 'speaker', level: 'ok', message: 'deviceCheck.speaker.ok' }
    : { check: 'speaker', level: 'fail', message: 'deviceCheck.speaker.notHeard' };
}

/** The network's findings: the worst of round trip, upload and download, each named when it is the problem. */
export function networkVerdicts(m: NetworkMeasurement): Finding[] {
  if (!m.ok) return [{ check: 'network', level: 'fail', message: 'deviceCheck.network.unreachable' }];
  const rtt = Math.round(median(m.rttMs));
  const up = round1(m.uploadBitsPerSecond / 1e6);
  const down = round1(m.downloadBitsPerSecond / 1e6);
  const values = { rtt, up, down };
  const findings: Finding[] = [];
  if (m.uploadBitsPerSecond < THRESHOLDS.minUploadBps) {
    findings.push({ check: 'network', level: 'fail', message: 'deviceCheck.network.uploadTooSlow', values });
  } else if (m.uploadBitsPerSecond < THRESHOLDS.goodUploadBps) {
    findings.push({ check: 'network', level: 'warn', message: 'deviceCheck.network.uploadSlow', values });
  }
  if (m.downloadBitsPerSecond < THRESHOLDS.minDownloadBps) {
    findings.push({ check: 'network', level: 'fail', message: 'deviceCheck.network.downloadTooSlow', values });
  } else if (m.downloadBitsPerSecond < THRESHOLDS.goodDownloadBps) {
    findings.push({ check: 'network', level: 'warn', message: 'deviceCheck.network.downloadSlow', values });
  }
  if (!(rtt <= THRESHOLDS.failRttMs)) {
    findings.push({ check: 'network', level: 'fail', message: 'deviceCheck.network.rttBad', values });
  } else if (rtt > THRESHOLDS.warnRttMs) {
    findings.push({ check: 'network', level: 'warn', message: 'deviceCheck.network.rttHigh', values });
  }
  if (findings.length === 0)
    findings.push({ check: 'network', level: 'ok', message: 'deviceCheck.network.ok', values });
  return findings;
}

const RANK: Record<Level, number> = { ok: 0, warn: 1, fail: 2 };

/** The worst level among the findings: what the whole check says. */
export function overallLevel(findings: readonly Finding[]): Level {
  return findings.reduce<Level>((worst, f) => (RANK[f.level] > RANK[worst] ? f.level : worst), 'ok');
}

/** getUserMedia's error → why, so the message can say how to fix it. */
export function mediaFailureOf(error: unknown): MediaFailure {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'notFound';
  if (name === 'NotReadableError' || name === 'AbortError') return 'inUse';
  if (name === 'TypeError') return 'insecure';
  return 'failed';
}

/** Fills "{rtt} ms" style placeholders with numbers formatted by `format`. */
export function fillPlaceholders(
  template: string,
  values: Readonly<Record<string, number>> | undefined,
  format: (value: number, name: string) => string,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values?.[name];
    return value === undefined ? whole : format(value, name);
  });
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
