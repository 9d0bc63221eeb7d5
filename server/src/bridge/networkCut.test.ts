import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '@legevakt/shared';
import { DEMO_PASSWORD } from '../storage/seed.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';
import {
  contiguousSamples,
  decodeStored,
  DEV_CERT,
  firstDifference,
  removeTempDirs,
  sentSamples,
  tempDir,
  twelveLeadStream,
} from './testing/bridgeFixtures.ts';
import { buildOruMessages } from './testing/oruRecording.ts';
import { createTestHost, assertNetnsAvailable, type TestHost } from '../testing/netns.ts';

/**
 * The 10-second network cut: the bridge (and the monitor's sender) run in their
 * own network namespace, joined to the server's by a veth pair; the link is
 * taken down for 10 s in the middle of a 12-lead recording and brought back.
 * Afterwards the consult's record must hold every sample, in order, with no gap
 * and no duplicate, and the room's consumer must have seen every message.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const NODE = process.execPath;
const CHUNK_MS = 200;
const SECONDS = 30;
const NUMERICS_EVERY = 5;
const CUT_AFTER_MS = 8_000;
const CUT_MS = 10_000;

interface Line {
  at: number;
  [key: string]: unknown;
}

/** A child process whose stdout is JSON lines, kept with their arrival time. */
function jsonLines(child: ChildProcess, into: Line[]): void {
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      into.push({ ...(JSON.parse(line) as Record<string, unknown>), at: Date.now() });
    } catch {
      into.push({ at: Date.now(), text: line });
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[${String(child.pid)}] ${chunk.toString()}`));
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('monitor bridge across a 10 s network cut (network namespace + veth)', () => {
  let server: TestServer | undefined;
  const children: ChildProcess[] = [];

  let host: TestHost | undefined;
  const testHost = (): TestHost => {
    if (!host) throw new Error('the test host was not made');
    return host;
  };

  beforeAll(() => {
    assertNetnsAvailable('the 10 s network-cut test');
    host = createTestHost('lvbridge', 0);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await server?.close();
    host?.remove();
    removeTempDirs();
  });

  it(
    'keeps every sample, in order, no gap, no duplicate; reports the catch-up time',
    { timeout: 180_000 },
    async () => {
      server = await startTestServer({ host: testHost().hostIp });
      const base = `https://${testHost().hostIp}:${server.port}`;
      const nurse = (
        await httpsJson<LoginResponse>(`${base}/api/auth/login`, {
          body: { username: 'sykepleier.sunndal', password: DEMO_PASSWORD },
        })
      ).body;
      const doctor = (
        await httpsJson<LoginResponse>(`${base}/api/auth/login`, {
          body: { username: 'lege.molde', password: DEMO_PASSWORD },
        })
      ).body;
      const intake = await httpsJson<{ id: string }>(`${base}/api/consults`, {
        token: nurse.accessToken,
        body: {
          patient: { kind: 'known', name: 'Astrid Nordmann', nationalId: '13097248022' },
          reason: 'Brystsmerter siden i morges',
          triage: 'yellow',
          pathwayId: null,
          checklist: {},
          measurements: {},
        },
      });
      expect(intake.status).toBe(201);
      const consultId = intake.body.id;
      expect(
        (await httpsJson(`${base}/api/consults/${consultId}/claim`, { token: doctor.accessToken, method: 'POST' }))
          .status,
      ).toBe(200);

      // The room's own consumer: every message as it comes through the SFU (the doctor's consumers share this path).
      const seenAt = new Map<number, number>();
      const seenOrder: number[] = [];
      server.rooms.on('roomOpened', (room) => {
        if (room.consultId !== consultId) return;
        room.on('dataMessage', ({ payload }) => {
          const seq = Number(payload.readBigUInt64LE(0));
          seenOrder.push(seq);
          if (!seenAt.has(seq)) seenAt.set(seq, Date.now());
        });
      });

      const bridgeLines: Line[] = [];
      const bridge = spawn(
        'ip',
        [
          'netns',
          'exec',
          testHost().namespace,
          NODE,
          path.join(ROOT, 'server/src/tools/monitorBridge.ts'),
          '--server',
          base,
          '--servername',
          'localhost',
          '--ca',
          DEV_CERT,
          '--consult',
          consultId,
          '--username',
          'sykepleier.sunndal',
          '--mllp-port',
          '0',
          '--outbox-dir',
          tempDir('netcut-outbox-'),
          '--log-level',
          'info',
        ],
        { env: { ...process.env, LEGEVAKT_BRIDGE_PASSWORD: DEMO_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(bridge);
      jsonLines(bridge, bridgeLines);
      await until('the bridge to be ready', () => bridgeLines.some((l) => l['msg'] === 'ready'), 30_000);
      await until(
        'the relay to open',
        () => bridgeLines.some((l) => l['msg'] === 'vitals relay open; sending what is unacknowledged'),
        30_000,
      );
      const ready = bridgeLines.find((l) => l['msg'] === 'ready')!;
      const sourceId = String(ready['sourceId']);

      const startTime = Date.now() - CHUNK_MS;
      const count = (SECONDS * 1000) / CHUNK_MS;
      const senderLines: Line[] = [];
      const sender = spawn(
        'ip',
        [
          'netns',
          'exec',
          testHost().namespace,
          NODE,
          path.join(ROOT, 'server/src/bridge/testing/mllpSender.ts'),
          '--port',
          String(ready['mllpPort']),
          '--recording',
          'ptbdb-s0010_re',
          '--seconds',
          String(SECONDS),
          '--chunk-ms',
          String(CHUNK_MS),
          '--numerics-every',
          String(NUMERICS_EVERY),
          '--start-time',
          String(startTime),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(sender);
      jsonLines(sender, senderLines);

      // The server's stored edge for the source, sampled all along.
      const edges: { at: number; edge: number }[] = [];
      const sampling = { on: true };
      const sampler = (async () => {
        while (sampling.on) {
          edges.push({ at: Date.now(), edge: await server.vitals.storedEdge(consultId, sourceId) });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();

      await until('8 s of recording', () => senderLines.length >= CUT_AFTER_MS / CHUNK_MS, 30_000);
      const cutAt = Date.now();
      testHost().cut();
      await new Promise((resolve) => setTimeout(resolve, CUT_MS));
      testHost().restore();
      const upAt = Date.now();
      const queuedAtUp = senderLines.filter((l) => l.at <= upAt).length;

      await until('the sender to finish', () => sender.exitCode !== null, 60_000);
      expect(sender.exitCode).toBe(0);
      expect(senderLines.map((l) => l['code'])).toEqual(Array<string>(count).fill('AA'));
      const expectedMessages = count + Math.ceil(count / NUMERICS_EVERY);
      await until('every message stored', () => (edges.at(-1)?.edge ?? 0) >= expectedMessages, 60_000);
      sampling.on = false;
      await sampler;
      await server.vitals.settled();

      // The record: every sample the monitor sent, in order, no gap, no duplicate.
      const stored = decodeStored(await server.vitals.range(consultId, sourceId, 1, 100_000));
      expect(stored.seqs).toEqual(Array.from({ length: expectedMessages }, (_, i) => i + 1));
      const sent = buildOruMessages({
        stream: await twelveLeadStream(),
        startTime,
        chunkMs: CHUNK_MS,
        count,
        numericsEvery: NUMERICS_EVERY,
      });
      const { samples, problems } = contiguousSamples(stored.chunks);
      expect(problems).toEqual([]);
      expect(stored.chunks[0]!.firstSample).toBe(0);
      expect(samples.length).toBe(sentSamples(sent).length);
      expect(firstDifference(samples, sentSamples(sent))).toBe(-1);
      expect(stored.numerics.map((s) => [s.kind, s.value, s.measuredAt])).toEqual(
        sent.flatMap((m) => m.numerics.map((n) => [n.kind, n.value, m.startTime])),
      );

      // The live consumer: every message, first sightings strictly in order (resends only repeat).
      const firstSightings = seenOrder.filter((seq, i) => seenOrder.indexOf(seq) === i);
      expect(firstSightings).toEqual(Array.from({ length: expectedMessages }, (_, i) => i + 1));

      // The cut really cut: nothing was stored while the link was down, and the backlog was there at link-up.
      const queuedMessages = queuedAtUp + Math.ceil(queuedAtUp / NUMERICS_EVERY);
      const edgeAtCut = edges.filter((e) => e.at <= cutAt + 50).at(-1)!.edge;
      const edgeBeforeUp = edges.filter((e) => e.at < upAt).at(-1)!.edge;
      // (At most what was already in flight to the server when the link went: a few one-ORU batches.)
      expect(edgeBeforeUp - edgeAtCut).toBeLessThanOrEqual(8);
      expect(queuedMessages - edgeBeforeUp).toBeGreaterThan((CUT_MS / CHUNK_MS) * 0.9);
      const caughtUp = edges.find((e) => e.at >= upAt && e.edge >= queuedMessages)!;
      const reopened = bridgeLines.find(
        (l) => l.at >= upAt && l['msg'] === 'vitals relay open; sending what is unacknowledged',
      );
      const duplicates = seenOrder.length - firstSightings.length;
      const report = {
        cutMs: CUT_MS,
        messagesQueuedDuringCut: queuedMessages - edgeAtCut,
        linkUpToRelayOpenMs: reopened ? reopened.at - upAt : null,
        linkUpToCaughtUpMs: caughtUp.at - upAt,
        resentDuplicatesSeenByRoom: duplicates,
        storedMessages: stored.seqs.length,
        storedSamplesPerLead: samples.length / 12,
      };
      console.log(`network cut: ${JSON.stringify(report)}`);
      expect(report.linkUpToCaughtUpMs).toBeLessThan(15_000);
    },
  );
});
