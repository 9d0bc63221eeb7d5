import type { AuthSession } from '../session/AuthSession.ts';
import {
  mediaFailureOf,
  type CameraMeasurement,
  type MediaFailure,
  type MicrophoneMeasurement,
  type NetworkMeasurement,
} from './verdict.ts';

/**
 * The browser side of the device check: each probe measures and returns
 * numbers; what they mean is verdict.ts's business.
 */

export type Opened = { readonly track: MediaStreamTrack } | { readonly failure: MediaFailure };

/** Camera and microphone asked for separately, so a refused one does not hide what is wrong with the other. */
export async function openTrack(kind: 'video' | 'audio'): Promise<Opened> {
  try {
    if (!window.isSecureContext) return { failure: 'insecure' };
    const stream = await navigator.mediaDevices.getUserMedia(
      kind === 'video'
        ? { video: { width: { ideal: 1280 }, height: { ideal: 720 } } }
        : { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } },
    );
    const track = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    return track ? { track } : { failure: 'notFound' };
  } catch (error) {
    return { failure: mediaFailureOf(error) };
  }
}

const SAMPLE_W = 64;
const SAMPLE_H = 36;
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Plays the camera in `video` (the preview the nurse sees) and watches it for
 * about a second: frames delivered, whether the picture changes at all
 * (a frozen or stuck virtual camera does not) and how bright it is.
 */
export async function measureCamera(track: MediaStreamTrack, video: HTMLVideoElement): Promise<CameraMeasurement> {
  video.srcObject = new MediaStream([track]);
  video.muted = true;
  try {
    await video.play();
  } catch (error) {
    return { ok: false, failure: mediaFailureOf(error) };
  }
  let frames = 0;
  const counting = typeof video.requestVideoFrameCallback === 'function';
  const count = () => {
    frames += 1;
    if (!stopped) video.requestVideoFrameCallback(count);
  };
  let stopped = false;
  if (counting) video.requestVideoFrameCallback(count);

  const canvas = document.createElement('canvas');
  canvas.width = SAMPLE_W;
  canvas.height = SAMPLE_H;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const sample = (): Uint8ClampedArray | null => {
    if (!context) return null;
    context.drawImage(video, 0, 0, SAMPLE_W, SAMPLE_H);
    return context.getImageData(0, 0, SAMPLE_W, SAMPLE_H).data;
  };
  await wait(300);
  const first = sample();
  await wait(600);
  const second = sample();
  stopped = true;
  // Without requestVideoFrameCallback, a changing picture is the proof of frames.
  const framesDelivered = counting ? frames : 30;
  let change = 0;
  let luma = 0;
  if (first && second) {
    const pixels = SAMPLE_W * SAMPLE_H;
    for (let i = 0; i < first.length; i += 4) {
      const y = (a: Uint8ClampedArray) => 0.299 * a[i]! + 0.587 * a[i + 1]! + 0.114 * a[i + 2]!;
      const y2 = y(second);
      change += Math.abs(y2 - y(first));
      luma += y2;
    }
    change /= pixels;
    luma /= pixels;
  }
  return {
    ok: true,
    width: video.videoWidth,
    height: video.videoHeight,
    framesDelivered,
    pictureChange: change,
    meanLuma: luma,
  };
}

/** Listens for `ms` (about two seconds) and returns the loudest RMS level heard. */
export async function measureMicrophone(track: MediaStreamTrack, ms = 2000): Promise<MicrophoneMeasurement> {
  const context = new AudioContext();
  try {
    await context.resume();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const buffer = new Float32Array(analyser.fftSize);
    let peakRms = 0;
    const until = performance.now() + ms;
    while (performance.now() < until) {
      await wait(50);
      analyser.getFloatTimeDomainData(buffer);
      let sum = 0;
      for (const sampleValue of buffer) sum += sampleValue * sampleValue;
      peakRms = Math.max(peakRms, Math.sqrt(sum / buffer.length));
    }
    source.disconnect();
    return { ok: true, peakRms };
  } catch (error) {
    return { ok: false, failure: mediaFailureOf(error) };
  } finally {
    void context.close();
  }
}

/** A one-second 660 Hz tone at a moderate level, faded in and out so it does not click. */
export async function playTestTone(): Promise<void> {
  const context = new AudioContext();
  try {
    await context.resume();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = 660;
    const t0 = context.currentTime;
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(0.3, t0 + 0.05);
    gain.gain.setValueAtTime(0.3, t0 + 0.95);
    gain.gain.linearRampToValueAtTime(0, t0 + 1);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(t0);
    oscillator.stop(t0 + 1);
    await new Promise<void>((resolve) => {
      oscillator.onended = () => resolve();
    });
  } finally {
    void context.close();
  }
}

const PINGS = 10;
const FIRST_TRANSFER = 256 * 1024;
const MAX_TRANSFER = 4 * 1024 * 1024;
/** A transfer shorter than this is dominated by latency: measure again with more bytes. */
const MIN_TIMED_MS = 800;
const REQUEST_TIMEOUT_MS = 20_000;

type Authed = Pick<AuthSession, 'accessToken' | 'refresh'>;

async function authedFetch(auth: Authed, url: string, init: RequestInit = {}): Promise<Response> {
  const send = async () =>
    fetch(url, {
      ...init,
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        Authorization: `Bearer ${await auth.accessToken()}`,
      },
    });
  let response = await send();
  if (response.status === 401) {
    await auth.refresh();
    response = await send();
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** Bits per second of one transfer of `bytes`, timed in the browser. */
async function timeTransfer(
  auth: Authed,
  direction: 'down' | 'up',
  bytes: number,
): Promise<{ bps: number; ms: number }> {
  const started = performance.now();
  if (direction === 'down') {
    const response = await authedFetch(auth, `/api/device-check/download?bytes=${bytes}`);
    await response.arrayBuffer();
  } else {
    const response = await authedFetch(auth, '/api/device-check/upload', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: new Blob([new Uint8Array(bytes)]),
    });
    await response.json();
  }
  const ms = Math.max(1, performance.now() - started);
  return { bps: (bytes * 8 * 1000) / ms, ms };
}

/** A small transfer first; if it was over too quickly to tell, a bigger one sized to take about a second. */
async function throughput(auth: Authed, direction: 'down' | 'up'): Promise<number> {
  const first = await timeTransfer(auth, direction, FIRST_TRANSFER);
  if (first.ms >= MIN_TIMED_MS) return first.bps;
  const bytes = Math.min(MAX_TRANSFER, Math.max(FIRST_TRANSFER * 2, Math.round(first.bps / 8)));
  return (await timeTransfer(auth, direction, bytes)).bps;
}

/** Round trips (median of ten small requests, after one that opens the connection) and throughput both ways. */
export async function measureNetwork(auth: Authed): Promise<NetworkMeasurement> {
  try {
    await authedFetch(auth, '/api/device-check/ping');
    const rttMs: number[] = [];
    for (let i = 0; i < PINGS; i += 1) {
      const started = performance.now();
      await (await authedFetch(auth, '/api/device-check/ping')).json();
      rttMs.push(performance.now() - started);
    }
    const downloadBitsPerSecond = await throughput(auth, 'down');
    const uploadBitsPerSecond = await throughput(auth, 'up');
    return { ok: true, rttMs, downloadBitsPerSecond, uploadBitsPerSecond };
  } catch (error) {
    // The nurse is told the server could not be reached; the why is for whoever looks at the console.
    console.warn('device check: network measurement failed', error);
    return { ok: false };
  }
}
