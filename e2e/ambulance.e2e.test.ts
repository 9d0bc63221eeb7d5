import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { VALID_NATIONAL_ID } from '../server/src/testing/consultFixtures.ts';
import { docsScreenshot, inboundTotals, openLoggedIn, screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';
import { receivedStreams } from './vitalsProbe.ts';

const app = useAppUnderTest();

/** Årø, Molde: where the ambulance stands in this test. */
const POSITION = { latitude: 62.73723, longitude: 7.16071, accuracy: 25 };

/** The crew's phone: a mobile viewport, camera, microphone and a fixed geolocation granted. */
function openAmbulancePhone(browser: Browser, url: string): Promise<Page> {
  return openLoggedIn(browser, url, 'ambulanse.molde', {
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 1,
    permissions: ['camera', 'microphone', 'geolocation'],
    geolocation: POSITION,
  });
}

describe('the ambulance crew asks the LVS doctor for decision support from the road', () => {
  it('sends position, urgency and the 12-lead; the doctor sees them in the queue, takes it, and the call and ECG flow', async () => {
    const url = app.server().url;
    const doctor = await openLoggedIn(app.browser(), url, 'lege.molde');
    const crew = await openAmbulancePhone(app.browser(), url);
    // The link adaptation's decisions, in the test output.
    for (const [page, who] of [
      [doctor, 'lege.molde'],
      [crew, 'ambulanse.molde'],
    ] as const) {
      page.on('console', (message) => {
        if (message.text().startsWith('[link]')) console.log(`[${who} ${new Date().toISOString()}] ${message.text()}`);
      });
    }

    // The position is fetched as the form opens; the crew describes the place too.
    await expect
      .poll(() => crew.getByTestId('ambulance-fix').textContent(), { timeout: 15_000 })
      .toBe('62,7372, 7,1607 (± 25 m)');
    await crew.getByLabel('Navn', { exact: true }).fill('Per Hansen');
    await crew.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await crew.getByLabel('Henvendelsesårsak').fill('Brystsmerter i 40 min, ST-heving? Ønsker vurdering av EKG.');
    await crew.getByLabel('Sted (vei, stedsnavn, kjennemerker)').fill('Fv. 64 ved Årø, mot Molde sentrum');
    await crew.getByLabel('Akutt – svar nå').check();
    await crew.getByLabel('Legg ved 12-avleders EKG fra monitoren').check();
    await screenshot(crew, 'ambulance-intake');
    await crew.getByRole('button', { name: 'Be om LVS-lege' }).click();
    await crew.locator('[data-testid="call-standby"][data-phase="in-call"]').waitFor({ timeout: 30_000 });

    // The doctor's queue flags it as an ambulance request with where it is and how urgent.
    const entry = doctor.getByTestId('queue-entry').first();
    await expect.poll(() => entry.textContent(), { timeout: 15_000 }).toContain('Fv. 64 ved Årø, mot Molde sentrum');
    const row = (await entry.textContent()) ?? '';
    expect(row).toContain('Ambulanse');
    expect(row).toContain('Akutt – svar nå');
    expect(row).toContain('62,7372, 7,1607 (± 25 m)');
    expect(row).toContain('12-avleders EKG');

    // Stored as sent.
    const [stored] = await app.server().storage.consults.listByStatus(['waiting']);
    expect(stored?.origin).toBe('ambulance');
    expect(stored?.ambulance).toEqual({
      location: { lat: 62.7372, lon: 7.1607, accuracyM: 25, text: 'Fv. 64 ved Årø, mot Molde sentrum' },
      urgency: 'acute',
      ecg12Lead: true,
    });

    // Taken: the call connects, the 12-lead streams by itself, the summary shows the location.
    await doctor.getByRole('button', { name: 'Ta', exact: true }).click();
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 30_000 })
      .toBeGreaterThan(10);
    await expect
      .poll(async () => (await inboundTotals(crew)).videoFramesDecoded, { timeout: 30_000 })
      .toBeGreaterThan(10);
    await expect
      .poll(() => crew.getByTestId('ambulance-ecg').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('streaming');
    await expect
      .poll(
        async () => {
          const streams = await receivedStreams(doctor);
          return Object.entries(streams).filter(([key, s]) => key.startsWith('ptbdb-s0010_re') && s.samples > 0).length;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    // The consult summary beside the video says where the ambulance is.
    await expect
      .poll(async () => (await doctor.locator('[data-testid="ambulance-line"]').allTextContents()).join(' | '), {
        timeout: 15_000,
      })
      .toContain('Fv. 64 ved Årø, mot Molde sentrum · 62,7372, 7,1607 (± 25 m)');
    // Every participant has a connection-quality badge, measured from WebRTC stats.
    for (const [page, id] of [
      [crew, 'self-quality'],
      [crew, 'remote-quality'],
      [doctor, 'remote-quality'],
    ] as const) {
      await expect
        .poll(() => page.getByTestId(id).getAttribute('data-quality', { timeout: 2000 }), {
          timeout: 30_000,
          message: `${page === crew ? 'crew' : 'doctor'} ${id}`,
        })
        .toMatch(/^(good|fair|poor|lost)$/);
    }
    expect(await crew.getByTestId('remote-quality').getAttribute('aria-label')).toMatch(
      /^Lars Hjelset: (God|Middels|Svak|Ingen) forbindelse$/,
    );

    await screenshot(doctor, 'doctor-ambulance-consult');
    await crew.getByTestId('doctor-coming').scrollIntoViewIfNeeded();
    await docsScreenshot(crew, 'ambulance');
  }, 240_000);
});
