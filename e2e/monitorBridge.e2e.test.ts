import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startMonitorBridge } from '../server/src/bridge/monitorBridge.ts';
import {
  capturingLogger,
  DEV_CERT,
  removeTempDirs,
  sentSamples,
  tempDir,
  twelveLeadStream,
} from '../server/src/bridge/testing/bridgeFixtures.ts';
import { MllpSender } from '../server/src/bridge/testing/mllpSender.ts';
import { buildOruMessages } from '../server/src/bridge/testing/oruRecording.ts';
import { DEMO_PASSWORD } from '../server/src/storage/seed.ts';
import { claimConsult, login, requestConsult } from '../server/src/testing/consultFixtures.ts';
import { openLoggedIn, screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';
import { fnv } from './vitalsProbe.ts';

const app = useAppUnderTest();
const srv = app.server;

describe('monitor bridge → SFU → doctor’s browser', () => {
  it('delivers exactly the 12-lead ECG and the numerics of the ORU messages to the doctor’s vitals panel', async () => {
    const nurse = await login(srv().url, 'sykepleier.sunndal');
    const consult = await requestConsult(srv().url, nurse.accessToken);
    const doctor = await openLoggedIn(app.browser(), srv().url, 'lege.molde');
    await claimConsult(srv().url, (await login(srv().url, 'lege.molde')).accessToken, consult.id);
    await expect.poll(() => doctor.getByTestId('vitals-panel').count(), { timeout: 20_000 }).toBe(1);

    const { log } = capturingLogger('info');
    const bridge = await startMonitorBridge({
      server: new URL(`https://127.0.0.1:${srv().port}`),
      consultId: consult.id,
      credentials: { kind: 'password', username: 'sykepleier.sunndal', password: DEMO_PASSWORD },
      tls: { ca: fs.readFileSync(DEV_CERT, 'utf8'), rejectUnauthorized: true },
      mllp: { host: '127.0.0.1', port: 0 },
      outboxDir: tempDir('e2e-bridge-'),
      log,
    });
    const sender = new MllpSender('127.0.0.1', bridge.mllpPort);
    try {
      const messages = buildOruMessages({
        stream: await twelveLeadStream(),
        startTime: Date.now() - 6_000,
        chunkMs: 100,
        count: 60,
        numericsEvery: 10,
      });
      for (const message of messages) expect((await sender.send(message.text)).code).toBe('AA');

      const streamId = `0001C0FFEE0000AA/ecg:${messages[0]!.signals.join(',')}`;
      const received = async (): Promise<{ samples: number; hash: number } | undefined> =>
        (
          JSON.parse((await doctor.getByTestId('vitals-panel').getAttribute('data-streams')) ?? '{}') as Record<
            string,
            { samples: number; hash: number }
          >
        )[streamId];
      const frames = messages.reduce((n, m) => n + m.frames, 0);
      await expect.poll(async () => (await received())?.samples ?? 0, { timeout: 20_000 }).toBe(frames);
      expect((await received())?.hash).toBe(fnv(sentSamples(messages)));
      await expect.poll(() => doctor.getByTestId('news2').isVisible()).toBe(true);
      await doctor.getByTestId('vitals-panel').scrollIntoViewIfNeeded();
      await screenshot(doctor, 'doctor-vitals-monitor-bridge');
      await expect.poll(() => bridge.outbox.pendingCount, { timeout: 10_000 }).toBe(0);
    } finally {
      sender.close();
      await bridge.close();
      removeTempDirs();
    }
  });
});
