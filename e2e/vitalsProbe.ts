import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { claimConsult, login, requestConsult } from '../server/src/testing/consultFixtures.ts';
import { inboundTotals, openLoggedIn } from './browser.ts';

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

/** A consult in a running call: the nurse (Sunndal) requested it, the doctor (Molde) took it; both pages open. */
export interface SimulatedConsult {
  readonly consultId: string;
  readonly nurse: Page;
  readonly doctor: Page;
}

/**
 * Requests a consult as the nurse, opens both pages, lets the doctor take it,
 * waits until the doctor's video shows the nurse's camera, and starts the
 * simulator on the nurse's page with a recording.
 */
export async function consultWithSimulator(
  url: string,
  browsers: { nurse: Browser; doctor: Browser },
  recording: string,
): Promise<SimulatedConsult> {
  const consult = await requestConsult(url, (await login(url, 'sykepleier.sunndal')).accessToken);
  const nurse = await openLoggedIn(browsers.nurse, url, 'sykepleier.sunndal');
  const doctor = await openLoggedIn(browsers.doctor, url, 'lege.molde');
  await claimConsult(url, (await login(url, 'lege.molde')).accessToken, consult.id);
  await expect.poll(() => doctor.getByTestId('vitals-panel').count(), { timeout: 20_000 }).toBe(1);
  await expect
    .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 20_000 })
    .toBeGreaterThan(0);
  await nurse.getByLabel('Simulatoropptak (demo og opplæring)').selectOption(recording);
  await nurse.getByRole('button', { name: 'Start simulator' }).click();
  return { consultId: consult.id, nurse, doctor };
}
