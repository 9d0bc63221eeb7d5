import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../server/src/limits/limitsConfig.ts';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { forwardPageErrors, launchBrowser, newContext } from './browser.ts';

/**
 * The server refuses with 429 (here: a second wrong password for one username,
 * with the limit set to one); the login page says so in plain Norwegian rather
 * than "wrong password" or a generic failure.
 */
describe('too many requests, as the user sees it', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startTestServer({
      clientDistDir: path.resolve(import.meta.dirname, '..', 'client', 'dist'),
      limits: { ...DEFAULT_RATE_LIMITS, loginFailuresPerUsername: { burst: 1, perSecond: 1 / 900 } },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows "For mange forespørsler – vent litt og prøv igjen" on a 429', async () => {
    const page = await (await newContext(browser!)).newPage();
    forwardPageErrors(page, 'login');
    await page.goto(server!.url);
    /** One login with a wrong password; resolves with the HTTP status. */
    const attempt = async (): Promise<number> => {
      await page.getByLabel('Brukernavn').fill('sykepleier.sunndal');
      await page.getByLabel('Passord').fill('not-the-password');
      const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await page.getByRole('button', { name: 'Logg inn' }).click();
      return (await response).status();
    };
    const alert = (): Promise<string | null> =>
      page
        .getByRole('alert')
        .textContent({ timeout: 1000 })
        .catch(() => null);
    expect(await attempt()).toBe(401);
    await expect.poll(alert).toBe('Feil brukernavn eller passord.');
    expect(await attempt()).toBe(429);
    await expect.poll(alert).toBe('For mange forespørsler – vent litt og prøv igjen.');
  });
});
