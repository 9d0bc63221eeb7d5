import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../server/src/storage/seed.ts';
import { axeViolations, expectNoSeriousA11yViolations } from './a11y.ts';
import { docsScreenshot, forwardPageErrors, newContext, openLoggedIn } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';

const app = useAppUnderTest();
const srv = app.server;

async function loginIn(context: BrowserContext, username: string): Promise<Page> {
  const page = await context.newPage();
  forwardPageErrors(page, username);
  await page.goto(srv().url);
  await page.getByLabel('Brukernavn').fill(username);
  await page.getByLabel('Passord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.getByTestId('connection').filter({ hasText: 'Tilkoblet' }).waitFor();
  return page;
}

const levelOf = (page: Page, check: string) => page.getByTestId(`device-check-${check}`).getAttribute('data-level');

describe('the device check before the first call of a shift', () => {
  it('is offered to the nurse, passes Chromium’s fake camera and microphone and the local network, and is not offered again this shift', async () => {
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');
    const offer = nurse.getByRole('region', { name: 'Utstyrssjekk' });
    await expect.poll(() => offer.getByText('Ny vakt: sjekk utstyret før første samtale.').isVisible()).toBe(true);
    await offer.getByRole('button', { name: 'Sjekk utstyret' }).click();

    const check = nurse.getByTestId('device-check');
    await check.getByRole('button', { name: 'Start sjekken' }).click();
    for (const name of ['camera', 'microphone', 'network']) {
      await expect.poll(() => levelOf(nurse, name), { timeout: 30_000 }).not.toBe('pending');
    }
    expect(await levelOf(nurse, 'camera')).toBe('ok');
    expect(await check.getByTestId('device-check-camera').textContent()).toMatch(/Kameraet virker \(\d+ × \d+\)/);
    expect(await levelOf(nurse, 'microphone')).toBe('ok');
    expect(await levelOf(nurse, 'network')).toBe('ok');
    // Norwegian numbers: "… ms svartid, 123,4 Mbit/s opp …".
    expect(await check.getByTestId('device-check-network').textContent()).toMatch(
      /Nettet holder: \d+ ms svartid, [\d\s ,]+ Mbit\/s opp og [\d\s ,]+ Mbit\/s ned\./,
    );

    // The speaker: the nurse plays the tone and says she heard it.
    expect(await check.getByRole('button', { name: 'Jeg hørte lyden' }).isDisabled()).toBe(true);
    await check.getByRole('button', { name: 'Spill av testlyd' }).click();
    await check.getByRole('button', { name: 'Jeg hørte lyden' }).click();
    await expect.poll(() => levelOf(nurse, 'speaker')).toBe('ok');
    await expect.poll(() => check.getByTestId('device-check-summary').textContent()).toBe('Alt er klart for samtale.');
    await expectNoSeriousA11yViolations(nurse, 'device-check');
    await docsScreenshot(nurse, 'device-check');

    // The camera is released when the check is closed, so the call can have it.
    await check.getByRole('button', { name: 'Lukk utstyrssjekken' }).click();
    await expect.poll(() => check.count()).toBe(0);

    // Done for this shift: after a reload only the button is there, and it opens the check again.
    await nurse.reload();
    await nurse.getByTestId('connection').filter({ hasText: 'Tilkoblet' }).waitFor();
    await nurse.getByRole('button', { name: 'Sjekk utstyret' }).waitFor();
    expect(await nurse.getByText('Ny vakt: sjekk utstyret før første samtale.').count()).toBe(0);
    await nurse.getByRole('button', { name: 'Sjekk utstyret' }).click();
    await nurse.getByTestId('device-check').waitFor();
    await nurse.close();
  });

  it('says in plain words how to allow a refused camera, and that a silent microphone gives no sound', async () => {
    const context = await newContext(app.browser());
    // The browser's answers we cannot get from a fake device: the camera refused by the user, and a
    // microphone that works but hears nothing (a muted headset) — a real silent track from an AudioContext.
    await context.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
        if (constraints?.video) throw new DOMException('Permission denied', 'NotAllowedError');
        if (constraints?.audio) {
          const audio = new AudioContext();
          const destination = audio.createMediaStreamDestination();
          return destination.stream;
        }
        return original(constraints);
      };
    });
    const nurse = await loginIn(context, 'ambulanse.molde');
    await nurse.getByRole('region', { name: 'Utstyrssjekk' }).getByRole('button', { name: 'Sjekk utstyret' }).click();
    const check = nurse.getByTestId('device-check');
    await check.getByRole('button', { name: 'Start sjekken' }).click();
    await expect.poll(() => levelOf(nurse, 'camera'), { timeout: 30_000 }).toBe('fail');
    expect(await check.getByTestId('device-check-camera').textContent()).toContain(
      'Nettleseren har ikke lov til å bruke kameraet. Klikk på hengelåsen',
    );
    await expect.poll(() => levelOf(nurse, 'microphone'), { timeout: 30_000 }).toBe('fail');
    expect(await check.getByTestId('device-check-microphone').textContent()).toContain(
      'Mikrofonen gir ingen lyd: sjekk at den ikke er dempet',
    );
    await check.getByRole('button', { name: 'Spill av testlyd' }).click();
    await check.getByRole('button', { name: 'Jeg hørte ingenting' }).click();
    await expect.poll(() => levelOf(nurse, 'network'), { timeout: 30_000 }).toBe('ok');
    await expect
      .poll(() => check.getByTestId('device-check-summary').textContent())
      .toBe('Noe må rettes før samtalen: se under.');
    expect(await check.getByTestId('device-check-speaker').textContent()).toContain('skru opp volumet');
    await context.close();
  });

  it('the axe helper does fail on a violation (a planted nameless button)', async () => {
    const page = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');
    await page.evaluate(() => document.querySelector('main')?.append(document.createElement('button')));
    const violations = await axeViolations(page);
    expect(violations.map((v) => [v.id, v.impact])).toContainEqual(['button-name', 'critical']);
    await expect(expectNoSeriousA11yViolations(page, 'planted-violation')).rejects.toThrow(/button-name/);
    await page.close();
  });
});
