import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/src/config.ts';
import { createTestHost, assertNetnsAvailable, type TestHost } from '../server/src/testing/netns.ts';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { inboundTotals, launchBrowser, launchBrowserInNamespace, screenshot } from './browser.ts';
import { consultWithSimulator, fnv, int16Samples, receivedStreams } from './vitalsProbe.ts';

const CUT_MS = 10_000;

/**
 * The nurse's browser on a host of its own (a network namespace joined by a
 * veth pair), the doctor's on this one; the simulator streams MIT-BIH record
 * 100 from the nurse's browser. The nurse's link goes down for 10 s in the
 * middle: afterwards the doctor's client has every sample of the recording in
 * order (no gap left), the record holds every message, and the video flows again.
 */
describe("the nurse's network cut for 10 s mid-consult", () => {
  let host: TestHost | undefined;
  let server: TestServer | undefined;
  let nurseBrowser: Browser | undefined;
  let doctorBrowser: Browser | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-netcut-'));

  beforeAll(async () => {
    assertNetnsAvailable("the nurse's 10 s network cut");
    const testHost = createTestHost('lvnurse', 100);
    host = testHost;
    // The server listens on every address and announces the link's address, which both browsers reach.
    server = await startTestServer({
      host: '0.0.0.0',
      clientDistDir: path.resolve(import.meta.dirname, '..', 'client', 'dist'),
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
    await nurseBrowser?.close();
    await doctorBrowser?.close();
    await server?.close();
    host?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resumes by itself: no vitals sample missing at the doctor or in the record, video again', async () => {
    if (!host || !server || !nurseBrowser || !doctorBrowser) throw new Error('not started');
    const url = `https://${host.hostIp}:${server.port}`;
    const { consultId, nurse, doctor } = await consultWithSimulator(
      url,
      { nurse: nurseBrowser, doctor: doctorBrowser },
      'mitdb-100',
    );
    const samplesAtDoctor = async (): Promise<number> => (await receivedStreams(doctor))['mitdb-100-0']?.samples ?? 0;
    await expect.poll(samplesAtDoctor, { timeout: 20_000 }).toBeGreaterThan(360 * 3);

    const atCut = await samplesAtDoctor();
    host.cut();
    await new Promise((resolve) => setTimeout(resolve, CUT_MS));
    const atCutEnd = await samplesAtDoctor();
    // The cut was real: next to nothing arrived in those ten seconds (3 600 samples would have).
    expect(atCutEnd - atCut).toBeLessThan(360);
    const framesAtCutEnd = (await inboundTotals(doctor)).videoFramesDecoded;
    const restoredAt = performance.now();
    host.restore();

    // Caught up: the stream has grown past the ten seconds it missed (360 samples/s).
    await expect.poll(samplesAtDoctor, { timeout: 30_000 }).toBeGreaterThan(atCutEnd + 360 * 12);
    const caughtUpMs = Math.round(performance.now() - restoredAt);
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 30_000 })
      .toBeGreaterThan(framesAtCutEnd + 30);
    console.log(`nurse's link back → vitals caught up at the doctor: ${caughtUpMs} ms`);
    await screenshot(doctor, 'doctor-after-network-cut');

    const received = (await receivedStreams(doctor))['mitdb-100-0']!;
    const stream = (await loadRecording('mitdb-100'))!.streams[0]!;
    expect(received.hash).toBe(fnv(int16Samples(stream.samples), received.samples * stream.signals.length));

    await expect.poll(async () => nurse.getByTestId('monitor-status').textContent()).toMatch(/ubekreftet: [0-2]$/);
    await server.vitals.settled();
    const [sourceId, ...others] = await server.storage.vitals.sourceIds(consultId);
    expect(others).toEqual([]);
    const seqs = await server.storage.vitals.seqsAfter(consultId, sourceId!, 0);
    expect(seqs.length).toBeGreaterThan(20);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
