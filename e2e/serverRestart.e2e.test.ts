import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../server/src/testing/serverProcess.ts';
import { createStorage } from '../server/src/storage/storage.ts';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { inboundTotals, launchBrowser, screenshot } from './browser.ts';
import { consultWithSimulator, fnv, int16Samples, receivedStreams, type SimulatedConsult } from './vitalsProbe.ts';

const RATE = 360;

/**
 * The real server (server/src/main.ts) in a child process, killed mid-consult
 * (SIGKILL: a crash) and started again on the same port and data directory;
 * later stopped gracefully (SIGTERM: the clients are told) and started again.
 * Each time both browsers carry on by themselves: video again on both sides,
 * every vitals sample at the doctor, every message in the stored record.
 */
describe('the server restarts mid-consult: both sides carry on by themselves', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-restart-'));
  const dataDir = path.join(dir, 'data');
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let port = 0;
  const env = (): Record<string, string> => ({
    // A copy of the built client: another build of client/dist meanwhile must not break the pages.
    LEGEVAKT_CLIENT_DIST: path.join(dir, 'dist'),
    LEGEVAKT_MEDIA_LISTEN_IP: '127.0.0.1',
    LEGEVAKT_ANNOUNCED_ADDRESS: '127.0.0.1',
    LEGEVAKT_PORT: String(port),
  });

  beforeAll(async () => {
    fs.cpSync(path.resolve(import.meta.dirname, '..', 'client', 'dist'), path.join(dir, 'dist'), { recursive: true });
    fs.mkdirSync(dataDir);
    server = await startServerProcess({ dataDir, env: env() });
    port = Number(new URL(server.url).port);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL, then SIGTERM: the consult continues each time, nothing lost', async () => {
    if (!server || !browser) throw new Error('not started');
    const url = server.url;
    const consult = await consultWithSimulator(url, { nurse: browser, doctor: browser }, 'mitdb-100');
    const samples = async (): Promise<number> => (await receivedStreams(consult.doctor))['mitdb-100-0']?.samples ?? 0;
    await expect.poll(samples, { timeout: 30_000 }).toBeGreaterThan(RATE * 3);

    // A crash: no goodbye to anyone. Started again on the same port and data.
    const killedAt = performance.now();
    await server.kill();
    server = await startServerProcess({ dataDir, env: env() });
    expect(server.url).toBe(url);
    const startedMs = Math.round(performance.now() - killedAt);
    const afterKill = await bothSidesAgain(consult, killedAt);
    console.log(
      `SIGKILL → new process listening: ${startedMs} ms; → video at the doctor: ${afterKill.doctorMs} ms, ` +
        `at the nurse: ${afterKill.nurseMs} ms`,
    );
    await screenshot(consult.doctor, 'doctor-after-server-kill');
    const beforeTerm = await samples();
    await expect.poll(samples, { timeout: 30_000 }).toBeGreaterThan(beforeTerm + RATE * 3);

    // A graceful restart: the clients are told (the room closes for 'server-shutdown') and come back.
    const termAt = performance.now();
    await server.stop();
    // Both were told before the socket closed (roomClosed 'server-shutdown'), not left to find out.
    for (const page of [consult.nurse, consult.doctor]) {
      await expect
        .poll(() => page.evaluate(() => performance.getEntriesByName('consult:server-restarting').length), {
          timeout: 5_000,
        })
        .toBe(1);
    }
    server = await startServerProcess({ dataDir, env: env() });
    const afterTerm = await bothSidesAgain(consult, termAt);
    console.log(
      `SIGTERM → video at the doctor: ${afterTerm.doctorMs} ms, at the nurse: ${afterTerm.nurseMs} ms ` +
        `(the new process started ${Math.round(performance.now() - termAt)} ms ago)`,
    );
    const atEnd = await samples();
    await expect.poll(samples, { timeout: 30_000 }).toBeGreaterThan(atEnd + RATE * 2);

    // Every sample at the doctor, in order.
    const received = (await receivedStreams(consult.doctor))['mitdb-100-0']!;
    const stream = (await loadRecording('mitdb-100'))!.streams[0]!;
    expect(received.hash).toBe(fnv(int16Samples(stream.samples), received.samples * stream.signals.length));
    await expect
      .poll(async () => consult.nurse.getByTestId('monitor-status').textContent(), { timeout: 30_000 })
      .toMatch(/ubekreftet: [0-2]$/);

    // And the record: every message 1..n, across two processes and a crash. Read once the server has
    // stopped (gracefully: what it received is written).
    await server.stop();
    server = undefined;
    const storage = await createStorage({
      sqliteFile: path.join(dataDir, 'legevakt.sqlite'),
      log: pino({ level: 'silent' }),
    });
    try {
      const [sourceId, ...others] = await storage.vitals.sourceIds(consult.consultId);
      expect(others).toEqual([]);
      const seqs = await storage.vitals.seqsAfter(consult.consultId, sourceId!, 0);
      expect(seqs.length).toBeGreaterThan(30);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      await storage.close();
    }
    // Each process start takes seconds on a loaded 2-core machine; the clients' part is printed above.
  }, 300_000);
});

/** Waits until both sides decode the other's video again and the "reconnecting" notices are gone. */
async function bothSidesAgain({ nurse, doctor }: SimulatedConsult, since: number) {
  const doctorMs = await videoAdvancing(doctor, since);
  const nurseMs = await videoAdvancing(nurse, since);
  for (const [who, page] of [
    ['nurse', nurse],
    ['doctor', doctor],
  ] as const) {
    const marks = await page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('consult:'))
        .map((m) => `${m.name.slice(8)}@${Math.round(m.startTime)}`)
        .join(' '),
    );
    // The client's own steps (performance marks, ms since its page loaded): where the time went.
    console.log(`[${who}] now@${Math.round(await page.evaluate(() => performance.now()))} ${marks}`);
  }
  await expect.poll(() => doctor.getByTestId('call-reconnecting').count(), { timeout: 15_000 }).toBe(0);
  await expect.poll(() => nurse.getByTestId('call-reconnecting').count(), { timeout: 15_000 }).toBe(0);
  await expect.poll(() => doctor.getByTestId('remote-video').count(), { timeout: 15_000 }).toBe(1);
  return { doctorMs, nurseMs };
}

async function videoAdvancing(page: Page, since: number): Promise<number> {
  await expect
    .poll(
      async () => {
        const before = (await inboundTotals(page)).videoFramesDecoded;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return (await inboundTotals(page)).videoFramesDecoded - before;
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBeGreaterThan(2);
  return Math.round(performance.now() - since);
}
