import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/src/config.ts';
import { login } from '../server/src/testing/consultFixtures.ts';
import { httpsJson } from '../server/src/testing/httpsJson.ts';
import { createTestHost, assertNetnsAvailable, type TestHost } from '../server/src/testing/netns.ts';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { inboundTotals, launchBrowser, launchBrowserInNamespace, screenshot } from './browser.ts';
import { consultWithSimulator, fnv, int16Samples, receivedStreams, type SimulatedConsult } from './vitalsProbe.ts';

/** MIT-BIH record 100 streams 360 samples a second. */
const RATE = 360;

/**
 * The nurse's browser on a host of its own (a network namespace joined by a
 * veth pair), the doctor's on this one; the simulator streams MIT-BIH record
 * 100 from the nurse's browser. Mid-consult the nurse's link goes down (5 s,
 * 10 s: within what TCP and ICE ride out or the heartbeats notice; 30 s: past
 * ICE consent and both sides' socket heartbeats, so the real resume runs), or
 * the nurse's host changes its address (its connections from the old one go
 * dead). Each time, with no click anywhere: the doctor is shown that the nurse
 * is reconnecting, then the video flows again, the doctor's client holds
 * every sample of the recording in order, and the record every message.
 */
describe("the nurse's network drops mid-consult: the call resumes by itself", () => {
  let host: TestHost | undefined;
  let server: TestServer | undefined;
  let nurseBrowser: Browser | undefined;
  let doctorBrowser: Browser | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-netcut-'));
  const open: Page[] = [];
  let previousConsult: string | null = null;
  const timings: string[] = [];

  beforeAll(async () => {
    assertNetnsAvailable("the nurse's network cuts");
    const testHost = createTestHost('lvnurse', 100);
    host = testHost;
    // A copy of the built client: another build of client/dist while this suite runs must not break its pages.
    const dist = path.join(dir, 'dist');
    fs.cpSync(path.resolve(import.meta.dirname, '..', 'client', 'dist'), dist, { recursive: true });
    // The server listens on every address and announces the link's address, which both browsers reach.
    server = await startTestServer({
      host: '0.0.0.0',
      clientDistDir: dist,
      media: {
        ...loadConfig({}).media,
        numWorkers: 1,
        workerLogLevel: 'error',
        listenIp: '0.0.0.0',
        announcedAddress: testHost.hostIp,
        webRtcServerBasePort: 0,
      },
    });
    nurseBrowser = await launchBrowserInNamespace(testHost.namespace, dir);
    doctorBrowser = await launchBrowser();
  });
  afterAll(async () => {
    console.log(`time to resume (link back → the doctor's video of the nurse):\n  ${timings.join('\n  ')}`);
    await nurseBrowser?.close();
    await doctorBrowser?.close();
    await server?.close();
    host?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A consult with the simulator streaming; the previous scenario's pages are closed (one call at a time). */
  async function startConsult(): Promise<SimulatedConsult & { samplesAtDoctor: () => Promise<number> }> {
    if (!host || !server || !nurseBrowser || !doctorBrowser) throw new Error('not started');
    for (const page of open.splice(0)) await page.context().close();
    const url = `https://${host.hostIp}:${server.port}`;
    if (previousConsult) {
      // The doctor's workstation opens his active consult: the previous scenario's call is ended first.
      // Best effort: a scenario that failed early may have left it unclaimed (then the nurse cancels it).
      const token = (await login(url, 'lege.molde')).accessToken;
      const ended = await httpsJson(`${url}/api/consults/${previousConsult}/end-call`, { token, method: 'POST' });
      if (ended.status !== 200) {
        const nurseToken = (await login(url, 'sykepleier.sunndal')).accessToken;
        await httpsJson(`${url}/api/consults/${previousConsult}/cancel`, { token: nurseToken, method: 'POST' });
      }
    }
    const consult = await consultWithSimulator(url, { nurse: nurseBrowser, doctor: doctorBrowser }, 'mitdb-100');
    previousConsult = consult.consultId;
    open.push(consult.nurse, consult.doctor);
    await watchForReconnecting(consult.doctor);
    const samplesAtDoctor = async (): Promise<number> =>
      (await receivedStreams(consult.doctor))['mitdb-100-0']?.samples ?? 0;
    await expect.poll(samplesAtDoctor, { timeout: 20_000 }).toBeGreaterThan(RATE * 3);
    return { ...consult, samplesAtDoctor };
  }

  /** Resolves once the doctor's video of the nurse advances, with the ms since `since`. */
  async function videoAdvancing(doctor: Page, since: number): Promise<number> {
    await expect
      .poll(
        async () => {
          const before = (await inboundTotals(doctor)).videoFramesDecoded;
          await new Promise((resolve) => setTimeout(resolve, 300));
          return (await inboundTotals(doctor)).videoFramesDecoded - before;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThan(2);
    return Math.round(performance.now() - since);
  }

  /** Resolves once the doctor decodes a frame past `frames` (the video is back), with the ms since `since`. */
  async function newFrame(doctor: Page, frames: number, since: number): Promise<number> {
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 60_000, interval: 100 })
      .not.toBe(frames);
    return Math.round(performance.now() - since);
  }

  /** Every sample at the doctor, in order; every message in the record, 1..n; the banner gone. */
  async function assertNothingLost({ consultId, nurse, doctor }: SimulatedConsult, catchUpFrom: number) {
    if (!server) throw new Error('not started');
    await expect
      .poll(async () => (await receivedStreams(doctor))['mitdb-100-0']?.samples ?? 0, { timeout: 60_000 })
      .toBeGreaterThan(catchUpFrom);
    const received = (await receivedStreams(doctor))['mitdb-100-0']!;
    const stream = (await loadRecording('mitdb-100'))!.streams[0]!;
    expect(received.hash).toBe(fnv(int16Samples(stream.samples), received.samples * stream.signals.length));

    await expect
      .poll(async () => nurse.getByTestId('monitor-status').textContent(), { timeout: 30_000 })
      .toMatch(/ubekreftet: [0-2]$/);
    await server.vitals.settled();
    const [sourceId, ...others] = await server.storage.vitals.sourceIds(consultId);
    expect(others).toEqual([]);
    const seqs = await server.storage.vitals.seqsAfter(consultId, sourceId!, 0);
    expect(seqs.length).toBeGreaterThan(20);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Back to normal on both sides, without a click: no banner left, and the nurse sees the doctor again.
    await expect.poll(() => doctor.getByTestId('peer-reconnecting').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => nurse.getByTestId('call-reconnecting').count(), { timeout: 15_000 }).toBe(0);
    await videoAdvancing(nurse, performance.now());
  }

  for (const cutMs of [5_000, 10_000, 30_000]) {
    it(
      `a ${cutMs / 1000} s cut of the nurse's link`,
      async () => {
        if (!host) throw new Error('not started');
        const consult = await startConsult();
        const { doctor, samplesAtDoctor } = consult;
        host.cut();
        await new Promise((resolve) => setTimeout(resolve, cutMs));
        const atCutEnd = await samplesAtDoctor();
        // The cut was real: the nurse's messages of the cut are unacknowledged (the doctor's count may still
        // grow a little meanwhile: what it had received but not yet shown on a loaded machine).
        expect(await unacknowledged(consult.nurse)).toBeGreaterThan(2);
        expect(await sawReconnecting(doctor)).toBe(true);
        const framesAtCutEnd = (await inboundTotals(doctor)).videoFramesDecoded;
        const restoredAt = performance.now();
        const restoredEpoch = Date.now();
        host.restore();

        const firstFrameMs = await newFrame(doctor, framesAtCutEnd, restoredAt);
        const resumedMs = await videoAdvancing(doctor, restoredAt);
        timings.push(
          `${cutMs / 1000} s cut: first frame ${firstFrameMs} ms, steady video ${resumedMs} ms ` +
            (await howResumed(consult, restoredEpoch)),
        );
        await screenshot(doctor, `doctor-after-${cutMs / 1000}s-network-cut`);
        // Caught up: the stream has grown past what it missed.
        await assertNothingLost(consult, atCutEnd + (RATE * cutMs) / 1000 + RATE);
      },
      120_000 + cutMs * 2,
    );
  }

  it("a new address for the nurse's host (Wi-Fi → mobile)", async () => {
    if (!host) throw new Error('not started');
    const consult = await startConsult();
    const { doctor, samplesAtDoctor } = consult;
    const before = await samplesAtDoctor();
    const framesBefore = (await inboundTotals(doctor)).videoFramesDecoded;
    const changedAt = performance.now();
    const changedEpoch = Date.now();
    const address = host.changeAddress();
    // The old address's paths are dead: the video stops, then comes back from the new address.
    await expect
      .poll(
        async () => {
          const at = (await inboundTotals(doctor)).videoFramesDecoded;
          await new Promise((resolve) => setTimeout(resolve, 500));
          return (await inboundTotals(doctor)).videoFramesDecoded - at;
        },
        { timeout: 20_000 },
      )
      .toBeLessThanOrEqual(1);
    const resumedMs = await videoAdvancing(doctor, changedAt);
    expect((await inboundTotals(doctor)).videoFramesDecoded).toBeGreaterThan(framesBefore);
    timings.push(
      `address change to ${address}: ${resumedMs} ms (from the change) ${await howResumed(consult, changedEpoch)}`,
    );
    expect(await sawReconnecting(doctor)).toBe(true);
    await screenshot(doctor, 'doctor-after-address-change');
    await assertNothingLost(consult, before + RATE * 5);
  }, 150_000);
});

/** The nurse's vitals messages not yet acknowledged by the server (the monitor status says). */
async function unacknowledged(nurse: Page): Promise<number> {
  const status = (await nurse.getByTestId('monitor-status').textContent()) ?? '';
  return Number(/ubekreftet: (\d+)/.exec(status)?.[1] ?? 0);
}

/** Records on the page whether the "reconnecting" notice for the other side was ever shown. */
async function watchForReconnecting(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __sawReconnecting?: boolean };
    w.__sawReconnecting = false;
    setInterval(() => {
      if (document.querySelector('[data-testid="peer-reconnecting"]')) w.__sawReconnecting = true;
    }, 100);
  });
}

async function sawReconnecting(page: Page): Promise<boolean> {
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __sawReconnecting?: boolean }).__sawReconnecting), {
      timeout: 10_000,
    })
    .toBe(true);
  return true;
}

/**
 * Which way the nurse's client got back (a resume on its transports with ICE restarts, or a fresh
 * join), with each step's time relative to `since` (epoch ms: the link back, the address change).
 */
async function howResumed({ nurse }: SimulatedConsult, since: number): Promise<string> {
  const marks = await nurse.evaluate(
    (sinceEpoch) =>
      [
        'consult:reconnecting',
        'consult:resuming',
        'consult:resumed',
        'consult:resume-refused',
        'consult:recovering',
        'consult:recovered',
        'consult:ice-restarted',
      ]
        .flatMap((name) => performance.getEntriesByName(name).map((e) => ({ name, at: e.startTime })))
        .sort((a, b) => a.at - b.at)
        .map(
          ({ name, at }) => `${name.slice('consult:'.length)}@${Math.round(performance.timeOrigin + at - sinceEpoch)}`,
        )
        .join(' '),
    since,
  );
  return `(nurse, ms from then: ${marks || 'rode it out, no resume'})`;
}
