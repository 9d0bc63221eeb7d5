import { describe, expect, it } from 'vitest';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';
import { consultWithSimulator, fnv, int16Samples, receivedStreams } from './vitalsProbe.ts';

const app = useAppUnderTest();
const srv = app.server;

describe('live vitals: simulator → SFU data channel → doctor', () => {
  it('delivers exactly the recording’s samples to the doctor, and stores them on the consult', async () => {
    const { consultId, nurse, doctor } = await consultWithSimulator(
      srv().url,
      { nurse: app.browser(), doctor: app.browser() },
      'mitdb-100',
    );

    const streamsOf = () => receivedStreams(doctor);
    await expect
      .poll(async () => (await streamsOf())['mitdb-100-0']?.samples ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(360 * 4);
    await expect.poll(() => doctor.getByText('Puls', { exact: true }).first().isVisible()).toBe(true);
    await expect.poll(() => doctor.getByTestId('news2').isVisible()).toBe(true);
    await screenshot(doctor, 'doctor-vitals');

    const received = (await streamsOf())['mitdb-100-0']!;
    const recording = (await loadRecording('mitdb-100'))!;
    const stream = recording.streams[0]!;
    const source = int16Samples(stream.samples);
    expect(stream.signals).toEqual(['II', 'V5']);
    expect(received.hash).toBe(fnv(source, received.samples * stream.signals.length));

    // The server stored what the doctor saw (and acknowledged it to the source).
    await srv().vitals.settled();
    const stored = await srv().storage.vitals.messageCount(consultId);
    expect(stored).toBeGreaterThan(30);
    const samples = await srv().vitals.samples(consultId);
    expect(samples.map((s) => s.kind)).toContain('spo2');
    await expect.poll(async () => nurse.getByTestId('monitor-status').textContent()).toMatch(/ubekreftet: [0-2]$/);
  });
});
