import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ServerConfig } from '../server/src/config.ts';
import { claimConsult, login, requestConsult } from '../server/src/testing/consultFixtures.ts';
import { assertNetnsAvailable, createTestHost, type TestHost } from '../server/src/testing/netns.ts';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { startCoturn, type CoturnProcess } from '../server/src/turn/coturn.ts';
import { CHROMIUM, expectMediaFlowing, inboundTotals, launchBrowser, openLoggedIn, screenshot } from './browser.ts';

const CERTS = path.resolve(import.meta.dirname, '..', 'certs');
/**
 * Each test sets up a whole call with the nurse's UDP dropped: ICE waits out its UDP checks
 * and a loaded 2-core machine (other suites' browsers and workers) stretches that well past
 * the usual minute.
 */
const CALL_TEST_TIMEOUT_MS = 240_000;

/**
 * Networks that block UDP: the nurse's browser on a host of its own (a network
 * namespace) whose every UDP packet is dropped by nftables, the doctor's on
 * this one. (1) Without TURN the call connects over ICE-TCP to the
 * WebRtcServer's TCP port. (2) With coturn (started here, credentials from our
 * server) and the nurse's browser forced to relay-only, it connects through
 * the relay, reached over TCP. In both, video flows both ways.
 */

interface SelectedPair {
  local: { candidateType: string; protocol: string; relayProtocol: string | null; address: string | null };
  remote: { candidateType: string; protocol: string; address: string | null; port: number | null };
}

/** The selected ICE candidate pair of each connected peer connection of the page (from getStats). */
function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    const pairs: SelectedPair[] = [];
    for (const pc of connections) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report['type'] !== 'transport' || typeof report['selectedCandidatePairId'] !== 'string') return;
        const pair = stats.get(report['selectedCandidatePairId']) as Record<string, unknown>;
        const local = stats.get(String(pair['localCandidateId'])) as Record<string, unknown>;
        const remote = stats.get(String(pair['remoteCandidateId'])) as Record<string, unknown>;
        pairs.push({
          local: {
            candidateType: String(local['candidateType']),
            protocol: String(local['protocol']),
            relayProtocol: typeof local['relayProtocol'] === 'string' ? local['relayProtocol'] : null,
            address: typeof local['address'] === 'string' ? local['address'] : null,
          },
          remote: {
            candidateType: String(remote['candidateType']),
            protocol: String(remote['protocol']),
            address: typeof remote['address'] === 'string' ? remote['address'] : null,
            port: typeof remote['port'] === 'number' ? remote['port'] : null,
          },
        });
      });
    }
    return pairs;
  });
}

/** The nurse's host drops every UDP packet in and out (nftables in its namespace; DNS is not needed: IPs only). */
function blockUdp(host: TestHost): void {
  const ruleset = `table inet legevakt_no_udp {
  chain output { type filter hook output priority 0; policy accept; meta l4proto udp counter drop; }
  chain input { type filter hook input priority 0; policy accept; meta l4proto udp counter drop; }
}
`;
  const result = spawnSync('ip', ['netns', 'exec', host.namespace, 'nft', '-f', '-'], {
    input: ruleset,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`nft in ${host.namespace}: ${result.stderr || result.error?.message} (is nftables installed?)`);
  }
}

/** UDP packets the nftables rules dropped on the nurse's host so far (proof the block was hit). */
function droppedUdpPackets(host: TestHost): number {
  const result = spawnSync(
    'ip',
    ['netns', 'exec', host.namespace, 'nft', 'list', 'chain', 'inet', 'legevakt_no_udp', 'output'],
    {
      encoding: 'utf8',
    },
  );
  return Number(/counter packets (\d+)/.exec(result.stdout)?.[1] ?? NaN);
}

/**
 * Whether UDP datagrams sent from the nurse's host reach a socket on this side
 * within `waitMs` (three are sent; one arriving is enough: the probe itself is UDP).
 */
async function udpGetsThrough(host: TestHost, waitMs: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host.hostIp, resolve));
  const port = socket.address().port;
  const arrived = new Promise<true>((resolve) => socket.once('message', () => resolve(true)));
  const send = `for i in 1 2 3; do echo probe > /dev/udp/${host.hostIp}/${port}; sleep 0.1; done`;
  spawnSync('ip', ['netns', 'exec', host.namespace, 'bash', '-c', send]);
  // The wait starts once the sender is done (spawnSync blocks), so a slow machine does not time it out early.
  const result = await Promise.race([
    arrived,
    new Promise<false>((resolve) => setTimeout(() => resolve(false), waitMs)),
  ]);
  socket.close();
  return result;
}

/**
 * The nurse (UDP blocked) requests a consult and her browser enters the room; the
 * doctor takes it; both receive video. `beforeRequest` runs in the nurse's page first.
 */
async function callOverBlockedUdp(
  url: string,
  browsers: { nurse: Browser; doctor: Browser },
  beforeRequest?: (nurse: Page) => Promise<void>,
): Promise<{ nurse: Page; doctor: Page }> {
  const nurse = await openLoggedIn(browsers.nurse, url, 'sykepleier.sunndal');
  if (beforeRequest) await beforeRequest(nurse);
  const doctor = await openLoggedIn(browsers.doctor, url, 'lege.molde');
  const consult = await requestConsult(url, (await login(url, 'sykepleier.sunndal')).accessToken);
  await nurse.locator('[data-testid="call-standby"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
  const doctorToken = (await login(url, 'lege.molde')).accessToken;
  const claimedAt = performance.now();
  await claimConsult(url, doctorToken, consult.id);
  await expect
    .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 60_000, interval: 100 })
    .toBeGreaterThan(0);
  console.log(`claim → first nurse video frame at the doctor: ${Math.round(performance.now() - claimedAt)} ms`);
  await expectMediaFlowing(doctor, { audio: false, firstFrameMs: 60_000 });
  await expectMediaFlowing(nurse, { audio: false, firstFrameMs: 60_000 });
  return { nurse, doctor };
}

function serverOn(host: TestHost, turn?: ServerConfig['turn']): Promise<TestServer> {
  // The server listens on every address and announces the link's address, which both browsers reach.
  return startTestServer({
    host: '0.0.0.0',
    clientDistDir: path.resolve(import.meta.dirname, '..', 'client', 'dist'),
    media: {
      ...loadConfig({}).media,
      numWorkers: 1,
      workerLogLevel: 'error',
      listenIp: '0.0.0.0',
      announcedAddress: host.hostIp,
      webRtcServerBasePort: 0,
    },
    ...(turn ? { turn } : {}),
  });
}

describe('a nurse on a network that blocks UDP', () => {
  let host: TestHost | undefined;
  let nurseBrowser: Browser | undefined;
  let doctorBrowser: Browser | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-reach-'));

  beforeAll(async () => {
    assertNetnsAvailable('the UDP-blocked nurse');
    host = createTestHost('lvreach', 150);
    expect(await udpGetsThrough(host, 5000)).toBe(true); // the probe works before the block…
    blockUdp(host);
    expect(await udpGetsThrough(host, 2000)).toBe(false); // …and is stopped by it
    // As launchBrowserInNamespace, plus --ignore-certificate-errors: the TURN-over-TLS test's coturn
    // presents the development certificate, which names neither the link's address nor a trusted
    // issuer (a deployment has a real certificate for its turns: name; the browser checks it).
    const wrapper = path.join(dir, 'chromium-nurse');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nexec ip netns exec ${host.namespace} ${CHROMIUM} --ignore-certificate-errors "$@"\n`,
      { mode: 0o755 },
    );
    nurseBrowser = await launchBrowser(wrapper);
    doctorBrowser = await launchBrowser();
  });
  afterAll(async () => {
    await nurseBrowser?.close();
    await doctorBrowser?.close();
    host?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('without TURN', () => {
    let server: TestServer | undefined;
    beforeAll(async () => {
      server = await serverOn(host!);
    });
    afterAll(async () => {
      await server?.close();
    });

    it(
      'connects over ICE-TCP to the WebRtcServer, and video flows both ways',
      async () => {
        const url = `https://${host!.hostIp}:${server!.port}`;
        const droppedBefore = droppedUdpPackets(host!);
        const { nurse, doctor } = await callOverBlockedUdp(url, { nurse: nurseBrowser!, doctor: doctorBrowser! });
        const pairs = await selectedPairs(nurse);
        expect(pairs.length).toBeGreaterThanOrEqual(2); // send and receive transports
        for (const pair of pairs) {
          expect(pair.local.protocol).toBe('tcp');
          expect(pair.remote).toMatchObject({ protocol: 'tcp', candidateType: 'host', address: host!.hostIp });
          expect(pair.local.candidateType).not.toBe('relay');
        }
        // The browser did try UDP (its checks were dropped): TCP is what got through, not what it preferred.
        expect(droppedUdpPackets(host!)).toBeGreaterThan(droppedBefore);
        console.log(`UDP blocked, no TURN: nurse's selected pairs ${JSON.stringify(pairs)}`);
        await screenshot(doctor, 'doctor-nurse-over-ice-tcp');
        await nurse.context().close();
        await doctor.context().close();
      },
      CALL_TEST_TIMEOUT_MS,
    );
  });

  describe('relay-only through coturn', () => {
    let plain: TestServer | undefined;
    let tls: TestServer | undefined;
    let coturn: CoturnProcess | undefined;
    const secret = `reach-${process.pid}-${Date.now()}`;
    beforeAll(async () => {
      // coturn on this side of the link, where the nurse reaches it over TCP or TLS; it may relay
      // only to the media server's announced address (a private 10.x address here, see coturn.ts).
      coturn = await startCoturn({
        listenIp: host!.hostIp,
        secret,
        allowedPeerIps: [host!.hostIp],
        tlsPort: 0,
        certFile: path.join(CERTS, 'dev-cert.pem'),
        keyFile: path.join(CERTS, 'dev-key.pem'),
      });
      // One server handing out TURN over UDP and TCP, one only TURN over TLS (the 443 set-up).
      plain = await serverOn(host!, {
        urls: coturn.urls.filter((u) => u.startsWith('turn:')),
        secret,
        ttlSeconds: 600,
      });
      tls = await serverOn(host!, { urls: coturn.urls.filter((u) => u.startsWith('turns:')), secret, ttlSeconds: 600 });
    });
    afterAll(async () => {
      await plain?.close();
      await tls?.close();
      await coturn?.stop();
    });

    /** A relay-only call; returns the nurse's selected pairs and her user id (coturn's log names it). */
    async function relayCall(server: TestServer, name: string): Promise<{ pairs: SelectedPair[]; nurseId: string }> {
      const url = `https://${host!.hostIp}:${server.port}`;
      const { nurse, doctor } = await callOverBlockedUdp(
        url,
        { nurse: nurseBrowser!, doctor: doctorBrowser! },
        // The switch a site's IT or support sets in the browser (iceConfig.ts).
        (page) => page.evaluate(() => localStorage.setItem('legevakt.iceTransportPolicy', 'relay')),
      );
      const pairs = await selectedPairs(nurse);
      console.log(`UDP blocked, relay-only (${name}): nurse's selected pairs ${JSON.stringify(pairs)}`);
      await screenshot(doctor, `doctor-nurse-over-${name}`);
      await nurse.context().close();
      await doctor.context().close();
      return { pairs, nurseId: (await login(url, 'sykepleier.sunndal')).user.id };
    }

    it(
      'connects through the TURN relay (TCP to coturn) with our credentials, and video flows both ways',
      async () => {
        const { pairs, nurseId } = await relayCall(plain!, 'turn-tcp');
        expect(pairs.length).toBeGreaterThanOrEqual(2); // send and receive transports
        for (const pair of pairs) {
          expect(pair.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp' });
          // The relay reaches the media server over UDP on the server's side of the network.
          expect(pair.remote).toMatchObject({ protocol: 'udp', candidateType: 'host', address: host!.hostIp });
        }
        // coturn took our REST-scheme user (expiry:userId) and allocated for it.
        expect(coturn!.log()).toMatch(
          new RegExp(`user <\\d{10}:${nurseId}>: incoming packet ALLOCATE processed, success`),
        );
      },
      CALL_TEST_TIMEOUT_MS,
    );

    it(
      'connects through TURN over TLS alone (the deployment on port 443), and video flows both ways',
      async () => {
        const { pairs, nurseId } = await relayCall(tls!, 'turn-tls');
        expect(pairs.length).toBeGreaterThanOrEqual(2);
        for (const pair of pairs) {
          expect(pair.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
          expect(pair.remote).toMatchObject({ protocol: 'udp', candidateType: 'host', address: host!.hostIp });
        }
        expect(coturn!.log()).toMatch(
          new RegExp(`username=<\\d{10}:${nurseId}>, lifetime=\\d+, cipher=[^,]+, method=TLSv1\\.[23]`),
        );
      },
      CALL_TEST_TIMEOUT_MS,
    );
  });
});
