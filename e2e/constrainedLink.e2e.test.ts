import dgram from 'node:dgram';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/src/config.ts';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { UdpRelay } from '../server/src/testing/udpRelay.ts';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { inboundTotals, launchBrowser, screenshot } from './browser.ts';
import { consultWithSimulator, fnv, int16Samples, receivedStreams } from './vitalsProbe.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The nurse page's ICE host ports in use (its nominated pairs' local sockets): how the relay knows her packets. */
function localPorts(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    const ports: number[] = [];
    for (const pc of connections) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report['type'] !== 'candidate-pair' || report['nominated'] !== true) return;
        // Seen through the relay, the server reports the relay's upstream socket as a peer-reflexive
        // candidate; the browser's own socket is its related port.
        const local = stats.get(String(report['localCandidateId'])) as
          { port?: number; relatedPort?: number; candidateType?: string } | undefined;
        const port = local?.candidateType === 'prflx' ? local.relatedPort : local?.port;
        if (typeof port === 'number') ports.push(port);
      });
    }
    return ports;
  });
}

/** A UDP port free on both 127.0.0.1 (the relay) and 127.0.0.2 (the media worker behind it). */
async function relayAndWorkerPort(): Promise<{ relay: UdpRelay; port: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const relay = await UdpRelay.start({ listen: { host: '127.0.0.1' } });
    const probe = dgram.createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.bind(relay.port, '127.0.0.2', () => resolve(true));
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (free) return { relay, port: relay.port };
    await relay.close();
  }
  throw new Error('no UDP port free on both 127.0.0.1 and 127.0.0.2');
}

/** Bytes/s the relay carried for the constrained (nurse's) link, upload side, over `ms`. */
async function uploadRate(relay: UdpRelay, ms: number): Promise<number> {
  const before = relay.counters().up.bytes;
  await sleep(ms);
  return ((relay.counters().up.bytes - before) * 1000) / ms;
}

/**
 * The nurse's (as the ambulance's) media goes through a user-space UDP relay
 * (server/src/testing/udpRelay.ts): the media worker listens on 127.0.0.2 and
 * announces 127.0.0.1, where the relay listens on the same port, so every
 * packet of both browsers passes it (their TCP candidates lead nowhere). Only
 * the nurse's link gets the conditions. Chromium's DevTools throttling does not
 * touch WebRTC and this kernel has no netem, hence the relay.
 */
describe('a constrained link: video gives way to audio and vitals, and comes back', () => {
  let server: TestServer | undefined;
  let relay: UdpRelay | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const found = await relayAndWorkerPort();
    relay = found.relay;
    server = await startTestServer({
      clientDistDir: path.resolve(import.meta.dirname, '..', 'client', 'dist'),
      media: {
        ...loadConfig({}).media,
        numWorkers: 1,
        workerLogLevel: 'error',
        listenIp: '127.0.0.2',
        announcedAddress: '127.0.0.1',
        webRtcServerBasePort: found.port,
      },
    });
    relay.setTarget('127.0.0.2', found.port);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await relay?.close();
  });

  it('degrades to audio-only under a rate cap, tells both sides, returns to video; survives loss and delay with no vitals sample missing', async () => {
    if (!server || !relay || !browser) throw new Error('not started');
    const url = server.url;
    const { consultId, nurse, doctor } = await consultWithSimulator(
      url,
      { nurse: browser, doctor: browser },
      'mitdb-100',
    );
    // The adaptation's decisions, in the test output (LinkMonitor logs each one).
    nurse.on('console', (message) => {
      if (message.text().startsWith('[link]')) console.log(`[nurse ${new Date().toISOString()}] ${message.text()}`);
    });
    const samplesAtDoctor = async (): Promise<number> => (await receivedStreams(doctor))['mitdb-100-0']?.samples ?? 0;
    await expect.poll(samplesAtDoctor, { timeout: 60_000 }).toBeGreaterThan(360 * 2);

    // Only the nurse's link is constrained: the relay tells her packets by her ICE host ports.
    const nursePorts = new Set(await localPorts(nurse));
    expect(nursePorts.size).toBeGreaterThan(0);
    expect(relay.clients().some((c) => nursePorts.has(c.port))).toBe(true);
    relay.constrain((client) => nursePorts.has(client.port));

    // The badge measures: both sides show a quality for each other.
    await expect
      .poll(() => doctor.getByTestId('remote-quality').getAttribute('data-quality'), { timeout: 15_000 })
      .toMatch(/good|fair/);
    const CAP = 8000;
    // Let the estimate ramp up from its low start before measuring the open link.
    await sleep(8000);
    const openRate = await uploadRate(relay, 3000);
    console.log(`nurse upload through the relay, open link: ${Math.round(openRate)} B/s`);
    expect(openRate).toBeGreaterThan(1.4 * CAP);

    // 1. A link that cannot carry video: 8 kB/s (64 kbit/s) each way.
    relay.setConditions({ rateBytesPerS: CAP, maxQueueMs: 300 });
    const cappedAt = performance.now();
    await doctor.getByTestId('remote-audio-only').waitFor({ timeout: 45_000 });
    await nurse.getByTestId('self-audio-only').waitFor({ timeout: 10_000 });
    const degradeMs = Math.round(performance.now() - cappedAt);
    console.log(`rate cap ${CAP} B/s → audio-only on both sides after ${degradeMs} ms`);
    expect(await doctor.getByTestId('remote-audio-only').textContent()).toBe(
      'Video slått av – for svak forbindelse. Lyd og vitale data fortsetter.',
    );
    expect(await doctor.getByTestId('remote-quality').getAttribute('data-mode')).toBe('audio-only');
    // The link really was constrained, and audio still reaches the doctor.
    const cappedRate = await uploadRate(relay, 4000);
    console.log(`nurse upload through the relay, capped: ${Math.round(cappedRate)} B/s`);
    expect(cappedRate).toBeLessThanOrEqual(CAP * 1.05);
    const audioBefore = (await inboundTotals(doctor)).audioPacketsReceived;
    await sleep(2000);
    expect((await inboundTotals(doctor)).audioPacketsReceived).toBeGreaterThan(audioBefore + 30);
    await screenshot(doctor, 'doctor-remote-audio-only');
    await screenshot(nurse, 'nurse-self-audio-only');

    // 2. The cap lifts: after the hold time video comes back, and the doctor sees frames again.
    relay.setConditions({ rateBytesPerS: null });
    const liftedAt = performance.now();
    const framesAtLift = (await inboundTotals(doctor)).videoFramesDecoded;
    await expect
      .poll(() => doctor.getByTestId('remote-audio-only').count(), { timeout: 90_000, interval: 1000 })
      .toBe(0);
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 30_000 })
      .toBeGreaterThan(framesAtLift + 60);
    // Stays on video (the try was not a flap).
    await sleep(10_000);
    expect(await doctor.getByTestId('remote-audio-only').count()).toBe(0);
    expect(await nurse.getByTestId('self-audio-only').count()).toBe(0);
    console.log(`cap lifted → video back at the doctor after ${Math.round(performance.now() - liftedAt - 10_000)} ms`);

    // 3. Loss and delay (issue 6): 10 % loss and 150 ms each way for 15 s; the consult carries on by itself.
    relay.setConditions({ lossPercent: 10, delayMs: 150 });
    const lossBefore = relay.counters();
    const framesBeforeLoss = (await inboundTotals(doctor)).videoFramesDecoded;
    await sleep(15_000);
    const lossAfter = relay.counters();
    const lost = lossAfter.up.lost - lossBefore.up.lost;
    const passed = lossAfter.up.packets - lossBefore.up.packets;
    console.log(`loss phase: ${lost} of ${lost + passed} nurse packets dropped upstream`);
    expect(lost / (lost + passed)).toBeGreaterThan(0.07);
    expect(await doctor.getByTestId('remote-quality').getAttribute('data-quality')).toMatch(/fair|poor/);
    relay.setConditions({ lossPercent: 0, delayMs: 0 });
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 30_000 })
      .toBeGreaterThan(framesBeforeLoss + 100);

    // Every vitals sample, in order, at the doctor and in the record.
    const stream = (await loadRecording('mitdb-100'))!.streams[0]!;
    await expect
      .poll(async () => nurse.getByTestId('monitor-status').textContent(), { timeout: 30_000 })
      .toMatch(/ubekreftet: [0-2]$/);
    const received = (await receivedStreams(doctor))['mitdb-100-0']!;
    expect(received.hash).toBe(fnv(int16Samples(stream.samples), received.samples * stream.signals.length));
    await server.vitals.settled();
    const [sourceId, ...others] = await server.storage.vitals.sourceIds(consultId);
    expect(others).toEqual([]);
    const seqs = await server.storage.vitals.seqsAfter(consultId, sourceId!, 0);
    expect(seqs.length).toBeGreaterThan(40);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Hold times, probes and three phases of a real call: minutes, not the default two.
  }, 360_000);
});
