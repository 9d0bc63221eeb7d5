import { describe, expect, it } from 'vitest';
import { claimConsult, login, requestConsult } from '../server/src/testing/consultFixtures.ts';
import { loadRecording } from '../server/src/vitals/simulator/recordings.ts';
import { openLoggedIn, screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';
import { fnv, int16Samples, receivedStreams } from './vitalsProbe.ts';

const app = useAppUnderTest();
const srv = app.server;

describe('live vitals: simulator → SFU data channel → doctor', () => {
  it('delivers exactly the recording’s samples to the doctor, and stores them on the consult', async () => {
    const nurseLogin = await login(srv().url, 'sykepleier.sunndal');
    const consult = await requestConsult(srv().url, nurseLogin.accessToken);
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');
    const doctor = await openLoggedIn(app.browser(), srv().url, 'lege.molde');
    await claimConsult(srv().url, (await login(srv().url, 'lege.molde')).accessToken, consult.id);
    // The doctor's page shows the consult it now has; the nurse joins by herself.
    await expect.poll(() => doctor.getByTestId('vitals-panel').count(), { timeout: 20_000 }).toBe(1);
    await expect
      .poll(() => nurse.getByRole('button', { name: 'Start simulator' }).count(), { timeout: 20_000 })
      .toBe(1);

    await nurse.getByLabel('Simulatoropptak (demo og opplæring)').selectOption('mitdb-100');
    await nurse.getByRole('button', { name: 'Start simulator' }).click();

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
    const stored = await srv().storage.vitals.messageCount(consult.id);
    expect(stored).toBeGreaterThan(30);
    const samples = await srv().vitals.samples(consult.id);
    expect(samples.map((s) => s.kind)).toContain('spo2');
    await expect.poll(async () => nurse.getByTestId('monitor-status').textContent()).toMatch(/ubekreftet: [0-2]$/);
  });
});
