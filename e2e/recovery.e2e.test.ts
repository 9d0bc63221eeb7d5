import { describe, expect, it } from 'vitest';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { inboundTotals, screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';
import { consultWithSimulator, fnv, int16Samples, receivedStreams } from './vitalsProbe.ts';

const app = useAppUnderTest();
const srv = app.server;

describe('a media worker dies mid-consult', () => {
  it('both sides re-join by themselves: video flows again and no vitals sample is lost', async () => {
    const { consultId, nurse, doctor } = await consultWithSimulator(
      srv().url,
      { nurse: app.browser(), doctor: app.browser() },
      'mitdb-100',
    );
    const streamsOf = () => receivedStreams(doctor);
    await expect
      .poll(async () => (await streamsOf())['mitdb-100-0']?.samples ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(360 * 2);
    const before = (await streamsOf())['mitdb-100-0']!.samples;

    const [worker] = await srv().pool.census();
    const killedAt = performance.now();
    process.kill(worker!.pid, 'SIGKILL');

    // Both browsers notice (the room closed), join a new room on the replacement worker and carry on.
    await expect.poll(() => doctor.evaluate(() => performance.getEntriesByName('consult:recovering').length)).toBe(1);
    await expect
      .poll(() => doctor.evaluate(() => performance.getEntriesByName('consult:recovered').length), { timeout: 30_000 })
      .toBe(1);
    // Only the live (new) peer connections count: frames decoded after the re-join.
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 20_000 })
      .toBeGreaterThan(5);
    await expect
      .poll(async () => (await inboundTotals(nurse)).videoFramesDecoded, { timeout: 20_000 })
      .toBeGreaterThan(5);
    const resumedMs = Math.round(performance.now() - killedAt);
    console.log(`worker killed → video decoded again on both sides: ${resumedMs} ms`);
    expect((await srv().pool.census())[0]!.pid).not.toBe(worker!.pid);
    await screenshot(doctor, 'doctor-after-worker-restart');

    // Vitals: the stream continued past the cut with nothing missing, in order.
    await expect
      .poll(async () => (await streamsOf())['mitdb-100-0']?.samples ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(before + 360 * 2);
    const received = (await streamsOf())['mitdb-100-0']!;
    const recording = (await loadRecording('mitdb-100'))!;
    const stream = recording.streams[0]!;
    const source = int16Samples(stream.samples);
    expect(received.hash).toBe(fnv(source, received.samples * stream.signals.length));

    // And the record holds every message of the source, 1..n without a hole.
    await expect.poll(async () => nurse.getByTestId('monitor-status').textContent()).toMatch(/ubekreftet: [0-2]$/);
    await srv().vitals.settled();
    const [sourceId, ...others] = await srv().storage.vitals.sourceIds(consultId);
    expect(others).toEqual([]);
    const seqs = await srv().storage.vitals.seqsAfter(consultId, sourceId!, 0);
    expect(seqs.length).toBeGreaterThan(10);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
