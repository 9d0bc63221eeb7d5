import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../server/src/testing/testServer.ts';
import { launchBrowser } from './browser.ts';

export interface AppUnderTest {
  readonly server: () => TestServer;
  readonly browser: () => Browser;
}

/**
 * Registers the suite's lifecycle: a real server serving the built client, and
 * one headless Chromium, both closed after the suite.
 */
export function useAppUnderTest(): AppUnderTest {
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
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (use inside a test)`);
    return value;
  };
  return { server: () => need(server, 'the server'), browser: () => need(browser, 'the browser') };
}
