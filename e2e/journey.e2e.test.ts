import { describe, expect, it } from 'vitest';
import { VALID_NATIONAL_ID } from '../server/src/testing/consultFixtures.ts';
import { expectMediaFlowing, openLoggedIn, outboundBytes, screenshot, srtpCiphers } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';

const app = useAppUnderTest();
const srv = app.server;

describe('the whole journey: intake, queue, claim, video consult, hang-up', () => {
  it('connects the nurse with the doctor who takes the request, and leaves the consult open for documentation', async () => {
    const doctor = await openLoggedIn(app.browser(), srv().url, 'lege.molde');
    const colleague = await openLoggedIn(app.browser(), srv().url, 'lege2.molde');
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');

    // Intake.
    await nurse.getByLabel('Navn', { exact: true }).fill('Astrid Nordmann');
    await nurse.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill('13097248032');
    await expect
      .poll(() => nurse.getByText('Ugyldig fødselsnummer: kontrollsifrene stemmer ikke.').isVisible())
      .toBe(true);
    await nurse.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await expect.poll(() => nurse.getByText('Gyldig nummer').isVisible()).toBe(true);
    await nurse.getByLabel('Henvendelsesårsak').fill('Svie ved vannlating i to dager, ingen feber.');
    await nurse.getByLabel('Grønn').check();
    await nurse.getByLabel('Forløp (sjekkliste)').selectOption('uti-women');
    for (const no of await nurse.getByRole('radio', { name: 'Nei' }).all()) await no.check();
    await nurse.getByLabel('Temperatur (°C)').fill('37,4');
    await screenshot(nurse, 'nurse-intake');
    await nurse.getByRole('button', { name: 'Be om LVS-lege' }).click();
    await expect.poll(() => nurse.getByTestId('queue-position').textContent()).toBe('1');
    // While it waits, the nurse's browser is ready in the room (connected, camera produced) but sends nothing.
    await nurse.locator('[data-testid="call-standby"][data-phase="in-call"]').waitFor();
    await expect.poll(() => nurse.evaluate(() => performance.getEntriesByName('consult:produced').length)).toBe(1);
    const standbyBytes = await outboundBytes(nurse);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await outboundBytes(nurse)).toBe(standbyBytes);
    await screenshot(nurse, 'nurse-waiting');

    // Both doctors see it arrive, with the alert.
    for (const page of [doctor, colleague]) {
      await expect.poll(() => page.getByTestId('queue-entry').count()).toBe(1);
      await expect.poll(() => page.getByText('Ny forespørsel i køen').isVisible()).toBe(true);
    }
    await expect
      .poll(() => doctor.getByTestId('queue-entry').first().textContent())
      .toContain('Astrid Nordmann, 54 år, kvinne');

    // The doctor takes it; the call connects both ways; the colleague sees it leave the queue.
    await doctor.getByRole('button', { name: 'Ta', exact: true }).click();
    await expect.poll(() => colleague.getByTestId('queue-entry').count()).toBe(0);
    await expect.poll(() => nurse.getByTestId('doctor-coming').textContent()).toContain('Lars Hjelset');
    await expectMediaFlowing(doctor);
    await expectMediaFlowing(nurse);
    expect(await outboundBytes(nurse)).toBeGreaterThan(standbyBytes);
    // DTLS-SRTP with the AEAD suite browsers prefer, through the worker's libsrtp.
    expect(await srtpCiphers(doctor)).toEqual(['SRTP_AEAD_AES_256_GCM']);
    await expect.poll(() => doctor.getByText('Ingrid Aasen · Sykepleier').isVisible()).toBe(true);
    await screenshot(doctor, 'doctor-workstation');
    await screenshot(nurse, 'nurse-call');

    // Hang-up ends the call; the consult stays open for documentation.
    await doctor.getByRole('button', { name: 'Legg på' }).click();
    await expect.poll(() => doctor.getByTestId('documentation-consult').count()).toBe(1);
    await expect.poll(() => nurse.getByTestId('request-documentation').isVisible()).toBe(true);
    await expect
      .poll(
        async () =>
          (await srv().pool.census()).map(({ routers, transports, producers, consumers }) => ({
            routers,
            transports,
            producers,
            consumers,
          })),
        { timeout: 10_000 },
      )
      .toEqual([{ routers: 0, transports: 0, producers: 0, consumers: 0 }]);
  });
});
