import { describe, expect, it } from 'vitest';
import { VALID_NATIONAL_ID } from '../server/src/testing/consultFixtures.ts';
import { docsScreenshot, expectMediaFlowing, inboundTotals, openLoggedIn, outboundBytes } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';

/** A shared, loaded test machine: UI changes are awaited generously. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000 });

const app = useAppUnderTest();
const srv = app.server;

describe('back-up from a legevakt station', () => {
  it('the station doctor asks, the LVS doctor sees the flag, takes it, and the call connects both ways', async () => {
    const lvs = await openLoggedIn(app.browser(), srv().url, 'lege.molde');
    const station = await openLoggedIn(app.browser(), srv().url, 'lege.legevakt.molde');

    // The station doctor's intake is the nurse's, worded for asking a colleague.
    await station.getByRole('heading', { name: 'Be LVS-legen om bakvakt' }).waitFor();
    await station.getByLabel('Navn', { exact: true }).fill('Astrid Nordmann');
    await station.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await station
      .getByLabel('Henvendelsesårsak')
      .fill('Brystsmerter siste time, EKG uten sikre funn. Ønsker vurdering.');
    await station.getByLabel('Gul').check();
    await station.getByRole('button', { name: 'Be om bakvakt fra LVS-lege' }).click();
    await poll(() => station.getByTestId('queue-position').textContent()).toBe('1');
    await station.locator('[data-testid="call-standby"][data-phase="in-call"]').waitFor();
    const standbyBytes = await outboundBytes(station);

    // The LVS doctor's queue flags it and names the station.
    await poll(() => lvs.getByTestId('queue-entry').count()).toBe(1);
    const entry = lvs.getByTestId('queue-entry').first();
    await poll(() => entry.getByTestId('backup-flag').textContent()).toBe('Legevaktlege ber om bakvakt');
    await poll(() => entry.textContent()).toContain('Molde legevakt');
    await docsScreenshot(lvs, 'backup-request');

    // Taken like any request: the call connects, video both ways.
    await lvs.getByRole('button', { name: 'Ta', exact: true }).click();
    await poll(() => station.getByTestId('doctor-coming').textContent()).toContain('Lars Hjelset');
    await expectMediaFlowing(lvs, { audio: false });
    await expectMediaFlowing(station, { audio: false });
    expect(await outboundBytes(station)).toBeGreaterThan(standbyBytes);
    await poll(() => lvs.getByText('Siri Årø · Legevaktlege').isVisible()).toBe(true);

    for (const page of [lvs, station]) await page.close();
  });
});

describe('inviting a district doctor into a running call', () => {
  // Førde's people: the Molde station doctor above still has his own back-up request open, and a
  // browser is in one call at a time.
  it('the host invites the station doctor who is online; he joins with "Bli med", video flows; the host removes him', async () => {
    const host = await openLoggedIn(app.browser(), srv().url, 'lege.forde');
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.askvoll');
    const station = await openLoggedIn(app.browser(), srv().url, 'lege.legevakt.forde');
    for (const page of [host, nurse, station]) page.setDefaultTimeout(60_000);

    await nurse.getByLabel('Navn', { exact: true }).fill('Oddvar Øien');
    await nurse.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await nurse.getByLabel('Henvendelsesårsak').fill('Feber og forvirring siste døgn.');
    await nurse.getByLabel('Gul').check();
    await nurse.getByRole('button', { name: 'Be om LVS-lege' }).click();
    await poll(() => host.getByTestId('queue-entry').count()).toBeGreaterThan(0);
    await host
      .getByTestId('queue-entry')
      .filter({ hasText: 'Askvoll omsorgssenter' })
      .getByRole('button', { name: 'Ta', exact: true })
      .click();
    await expectMediaFlowing(host, { audio: false });

    // The district's doctors who are online are offered (the list is polled every 5 s).
    const invite = host.getByRole('button', { name: 'Inviter Magnus Bruland inn i samtalen' });
    await invite.waitFor({ timeout: 20_000 });
    await invite.click();
    await poll(() => host.getByText('Invitert – kan bli med').isVisible()).toBe(true);

    // The invited doctor is told, joins, and receives the call.
    await station.getByTestId('colleague-invitation').waitFor({ timeout: 20_000 });
    await poll(() => station.getByTestId('colleague-invitation').textContent()).toContain(
      'Ola Naustdal ber deg bli med i en videokonsultasjon (Askvoll omsorgssenter)',
    );
    await station.getByTestId('colleague-join').click();
    await expectMediaFlowing(station, { audio: false });

    // Removed by the host: his call ends, and the invitation no longer lets him in.
    await host.getByRole('button', { name: /^Fjern Magnus Bruland/ }).click();
    await poll(() => host.getByTestId('invite-row').first().getAttribute('data-status')).toBe('removed');
    // His peer left the room: once the last frames in flight are in, nothing more is decoded.
    await station.waitForTimeout(1500);
    const settled = (await inboundTotals(station)).videoFramesDecoded;
    await station.waitForTimeout(2000);
    expect((await inboundTotals(station)).videoFramesDecoded - settled).toBeLessThan(5);

    for (const page of [host, nurse, station]) await page.close();
  });
});
