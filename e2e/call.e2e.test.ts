import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { forwardPageErrors, inboundTotals, launchBrowser, newContext, screenshot } from './browser.ts';

let server: TestServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startTestServer({ clientDistDir: path.resolve(import.meta.dirname, '..', 'client', 'dist') });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const srv = (): TestServer => server!;

async function login(page: Page, name: string): Promise<void> {
  await page.getByLabel('Navn').fill(name);
  await page.getByRole('button', { name: 'Logg inn' }).click();
}

/** Media flows when, over two seconds, more video frames were decoded and more audio packets arrived. */
async function expectMediaFlowing(page: Page): Promise<void> {
  await expect
    .poll(async () => (await inboundTotals(page)).videoFramesDecoded, { timeout: 20_000 })
    .toBeGreaterThan(10);
  const before = await inboundTotals(page);
  await page.waitForTimeout(2000);
  const after = await inboundTotals(page);
  expect(after.videoFramesDecoded).toBeGreaterThan(before.videoFramesDecoded + 10);
  expect(after.audioPacketsReceived).toBeGreaterThan(before.audioPacketsReceived + 20);
}

describe('a video consult between two browsers', () => {
  it('connects nurse and doctor both ways, and hang-up leaves nothing on the server', async () => {
    const nurse = await (await newContext(browser!)).newPage();
    const doctor = await (await newContext(browser!)).newPage();
    forwardPageErrors(nurse, 'nurse');
    forwardPageErrors(doctor, 'doctor');

    await nurse.goto(`${srv().url}/nurse`);
    await login(nurse, 'Kari Nilsen');
    const start = nurse.getByRole('button', { name: 'Start videokonsultasjon' });
    await expect.poll(() => start.isEnabled(), { timeout: 15_000 }).toBe(true);
    await start.click();
    const code = await nurse.getByTestId('consult-code').textContent();
    expect(code).toMatch(/^[A-Z2-9]{6}$/);

    await doctor.goto(`${srv().url}/doctor`);
    await login(doctor, 'Dr. Ola Berg');
    await doctor.getByLabel('Konsultasjonskode').fill(code!);
    await doctor.getByRole('button', { name: 'Bli med' }).click();

    await expectMediaFlowing(doctor);
    await expectMediaFlowing(nurse);
    await expect.poll(() => doctor.getByText('Kari Nilsen · Sykepleier').isVisible()).toBe(true);
    await expect.poll(() => nurse.getByText('Dr. Ola Berg · Lege').isVisible()).toBe(true);
    await screenshot(doctor, 'call-doctor');
    await screenshot(nurse, 'call-nurse');

    // Mute is seen on the other side.
    await nurse.getByRole('button', { name: 'Slå av mikrofon' }).click();
    await expect.poll(() => doctor.getByText('Kari Nilsen · Sykepleier · Mikrofon av').isVisible()).toBe(true);

    await doctor.getByRole('button', { name: 'Legg på' }).click();
    await expect.poll(() => doctor.getByText('Samtalen er avsluttet.').isVisible()).toBe(true);
    await nurse.getByRole('button', { name: 'Legg på' }).click();

    await expect
      .poll(
        async () =>
          (await srv().pool.census()).map(({ routers, transports, producers, consumers }) => ({
            routers,
            transports,
            producers,
            consumers,
          })),
        {
          timeout: 10_000,
        },
      )
      .toEqual([{ routers: 0, transports: 0, producers: 0, consumers: 0 }]);
    expect(srv().rooms.size).toBe(0);
  });
});
