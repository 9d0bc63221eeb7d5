import type { Page } from 'playwright-core';

/** What the doctor's vitals panel says it has received, per stream (its `data-streams` attribute). */
export type ReceivedStreams = Record<string, { samples: number; hash: number }>;

export async function receivedStreams(doctor: Page): Promise<ReceivedStreams> {
  const raw = await doctor.getByTestId('vitals-panel').getAttribute('data-streams');
  return JSON.parse(raw ?? '{}') as ReceivedStreams;
}

/**
 * FNV-1a over the first `count` int16 samples (all by default), as the doctor's
 * VitalsStore computes it: equal hashes mean exactly these samples, in this order.
 */
export function fnv(samples: Int16Array, count = samples.length): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < count; i++) hash = Math.imul(hash ^ (samples[i]! & 0xffff), 0x01000193) >>> 0;
  return hash;
}

/** A recording stream's samples (base64 int16, as the simulator's recordings carry them). */
export function int16Samples(base64: string): Int16Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}
