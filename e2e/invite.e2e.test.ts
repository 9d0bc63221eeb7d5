import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { VALID_NATIONAL_ID } from '../server/src/testing/consultFixtures.ts';
import { docsScreenshot, expectMediaFlowing, forwardPageErrors, newContext, openLoggedIn } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';

const app = useAppUnderTest();
const srv = app.server;

/** A shared, loaded test machine: UI changes are awaited generously. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(fn, { timeout: 30_000, ...options });

describe('inviting a specialist by link and PIN into a running consult', () => {
  it('the specialist joins with the PIN, sees and hears the patient, the nurse sees three tiles; the host removes them', async () => {
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');
    const doctor = await openLoggedIn(app.browser(), srv().url, 'lege.molde');
    for (const page of [nurse, doctor]) page.setDefaultTimeout(90_000);

    // The nurse requests the LVS doctor; the doctor takes it.
    await nurse.getByLabel('Navn', { exact: true }).fill('Astrid Nordmann');
    await nurse.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await nurse.getByLabel('Henvendelsesårsak').fill('Trykkende brystsmerter siste time, kaldsvett.');
    await nurse.getByLabel('Gul').check();
    await nurse.getByLabel('Forløp (sjekkliste)').selectOption('chest-pain');
    for (const no of await nurse.getByRole('radio', { name: 'Nei' }).all()) await no.check();
    await nurse.getByRole('button', { name: 'Be om LVS-lege' }).click();
    await poll(() => doctor.getByTestId('queue-entry').count()).toBe(1);
    await doctor.getByRole('button', { name: 'Ta', exact: true }).click();
    await poll(() => nurse.getByTestId('doctor-coming').textContent()).toContain('Lars Hjelset');
    await expectMediaFlowing(doctor);

    // The doctor invites the cardiologist on call: a link and a PIN, shown once.
    await doctor.getByTestId('invite-name').fill('Kardiolog vakt, Ålesund');
    await doctor.getByTestId('invite-create').click();
    const link = await doctor.getByTestId('invite-link').inputValue();
    const pin = (await doctor.getByTestId('invite-pin').textContent()) ?? '';
    expect(link).toMatch(new RegExp(`^${srv().url}/invite/[A-Za-z0-9_-]{22}$`));
    expect(pin).toMatch(/^\d{6}$/);
    await poll(() => doctor.getByTestId('invite-row').getAttribute('data-status')).toBe('open');
    await doctor.getByTestId('invite-created').scrollIntoViewIfNeeded();
    await docsScreenshot(doctor, 'doctor-invite');

    // The specialist opens the link in a browser of their own: no login, only the PIN.
    const specialist = await (await newContext(app.browser())).newPage();
    forwardPageErrors(specialist, 'specialist');
    specialist.setDefaultTimeout(90_000);
    await specialist.goto(link);
    await poll(() => specialist.getByText('Du er invitert som «Kardiolog vakt, Ålesund».').isVisible()).toBe(true);
    // A wrong PIN first: refused, with the attempts left.
    await specialist.getByTestId('guest-pin').fill(pin === '000000' ? '111111' : '000000');
    await specialist.getByTestId('guest-join').click();
    await poll(() => specialist.getByText('Feil PIN. 4 forsøk igjen.').isVisible()).toBe(true);
    await docsScreenshot(specialist, 'specialist-pin');
    await specialist.getByTestId('guest-pin').fill(pin);
    await specialist.getByTestId('guest-join').click();

    // In the call: the specialist sees and hears the patient and the doctor, beside the intake.
    await specialist.getByTestId('call-view').waitFor();
    await expectMediaFlowing(specialist);
    await poll(() => specialist.getByText('Trykkende brystsmerter siste time, kaldsvett.').isVisible()).toBe(true);
    await poll(() => specialist.getByTestId('remote-video-extra').count()).toBe(1);
    // The nurse: the doctor, the specialist, and herself.
    await poll(() => nurse.getByTestId('remote-video').count()).toBe(1);
    await poll(() => nurse.getByTestId('remote-video-extra').count()).toBe(1);
    await poll(() => nurse.getByTestId('self-view').count()).toBe(1);
    await poll(() => nurse.getByText('Kardiolog vakt, Ålesund · Invitert').isVisible()).toBe(true);
    // The nurse's tile of the specialist plays video: frames decoded, and its clock advancing.
    await poll(() => tilePlaying(nurse, 'remote-video-extra'), { timeout: 40_000 }).toBe(true);
    await poll(() => doctor.getByTestId('invite-row').getAttribute('data-status'), { timeout: 20_000 }).toBe('joined');
    await docsScreenshot(specialist, 'specialist-call');
    await nurse.getByTestId('more-participants').scrollIntoViewIfNeeded();
    await docsScreenshot(nurse, 'nurse-three-party-call');

    // The host removes the specialist: told so, gone from the others' screens, the link dead.
    await doctor.getByRole('button', { name: 'Fjern Kardiolog vakt, Ålesund fra konsultasjonen' }).click();
    await poll(() => specialist.getByTestId('guest-ended').textContent()).toBe('Du er fjernet fra konsultasjonen.');
    await poll(() => nurse.getByTestId('remote-video-extra').count()).toBe(0);
    await poll(() => doctor.getByTestId('invite-row').getAttribute('data-status')).toBe('removed');
    await docsScreenshot(specialist, 'specialist-removed');
    await specialist.goto(link);
    await poll(() => specialist.getByText('Invitasjonen er trukket tilbake.').isVisible()).toBe(true);

    // Every step is in the consult's access log.
    const consultId = (
      await srv().storage.invites.findById(
        (await doctor.getByTestId('invite-row').getAttribute('data-invite-id')) ?? '',
      )
    )?.consultId;
    expect(consultId).toBeDefined();
    const actions = (await srv().storage.accessLog.forConsult(consultId ?? '')).map(
      (e) => `${e.action}:${e.outcome}:${e.userRole}`,
    );
    for (const step of [
      'invite.create:allowed:doctor',
      'invite.redeem:denied:guest',
      'invite.redeem:allowed:guest',
      'consult.view:allowed:guest',
      'call.join:allowed:guest',
      'participant.remove:allowed:doctor',
    ]) {
      expect(actions).toContain(step);
    }
  }, 360_000);
});

/** Whether the tile's video element has decoded frames and its playback time advances over half a second. */
async function tilePlaying(page: Page, testId: string): Promise<boolean> {
  const sample = () =>
    page.evaluate((id) => {
      const video = document.querySelector<HTMLVideoElement>(`[data-testid="${id}"] video`);
      return video ? { width: video.videoWidth, time: video.currentTime } : null;
    }, testId);
  const before = await sample();
  await page.waitForTimeout(500);
  const after = await sample();
  return !!before && !!after && after.width > 0 && after.time > before.time;
}
