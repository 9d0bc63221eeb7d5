import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../server/src/storage/seed.ts';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots');

/**
 * Debian's Chromium, headless, with a fake camera (a moving test pattern) and
 * microphone (a beep), permission prompts auto-accepted, and none of the
 * background networking this closed network would refuse.
 */
export function launchBrowser(executablePath: string = CHROMIUM): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A desktop context by default; `overrides` make it e.g. the ambulance crew's phone (viewport, geolocation). */
export async function newContext(browser: Browser, overrides: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
    permissions: ['camera', 'microphone'],
    locale: 'nb-NO',
    ...overrides,
  });
  // Keep every RTCPeerConnection the page makes, so the test can read getStats().
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const connections: RTCPeerConnection[] = [];
    (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = connections;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        connections.push(this);
      }
    };
  });
  return context;
}

/**
 * Media flows into the page: some video decoded (within `firstFrameMs`), and over
 * the next two seconds more than ten more frames (and, unless `audio` is false,
 * more than twenty more audio packets): a stream, not a frame or two that slipped through.
 */
export async function expectMediaFlowing(
  page: Page,
  { audio = true, firstFrameMs = 20_000 }: { audio?: boolean; firstFrameMs?: number } = {},
): Promise<void> {
  await expect
    .poll(async () => (await inboundTotals(page)).videoFramesDecoded, { timeout: firstFrameMs })
    .toBeGreaterThan(10);
  const before = await inboundTotals(page);
  await page.waitForTimeout(2000);
  const after = await inboundTotals(page);
  expect(after.videoFramesDecoded).toBeGreaterThan(before.videoFramesDecoded + 10);
  if (audio) expect(after.audioPacketsReceived).toBeGreaterThan(before.audioPacketsReceived + 20);
}

export interface InboundTotals {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
  videoCodec: string | null;
}

/** Sums inbound RTP over every live peer connection of the page. */
export function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    const totals = { videoFramesDecoded: 0, audioPacketsReceived: 0, videoCodec: null as string | null };
    for (const pc of connections) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report['type'] !== 'inbound-rtp') return;
        if (report['kind'] === 'video') {
          totals.videoFramesDecoded += Number(report['framesDecoded'] ?? 0);
          const codec = stats.get(String(report['codecId'])) as { mimeType?: string } | undefined;
          if (codec?.mimeType) totals.videoCodec = codec.mimeType;
        }
        if (report['kind'] === 'audio') totals.audioPacketsReceived += Number(report['packetsReceived'] ?? 0);
      });
    }
    return totals;
  });
}

/** RTP bytes this page has sent, summed over its live peer connections. */
export function outboundBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    let bytes = 0;
    for (const pc of connections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report['type'] === 'outbound-rtp') bytes += Number(report['bytesSent'] ?? 0);
      });
    }
    return bytes;
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export const DOCS_SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', 'docs', 'screenshots');

/**
 * A picture the README shows. Every run saves it with the other screenshots
 * (test-results/screenshots); with LEGEVAKT_DOCS_SCREENSHOTS=1 it also
 * replaces the README's copy in docs/screenshots, so an ordinary test run
 * leaves the tracked files alone and the README is refreshed on purpose.
 */
export async function docsScreenshot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  if (process.env['LEGEVAKT_DOCS_SCREENSHOTS'] !== '1') return;
  fs.mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
  fs.copyFileSync(file, path.join(DOCS_SCREENSHOT_DIR, `${name}.png`));
}

/** A failing browser test is diagnosed from the page's own errors: show them in the test output. */
export function forwardPageErrors(page: Page, who: string): void {
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[${who}] ${message.text()}`);
  });
  page.on('pageerror', (error) => console.error(`[${who}] uncaught: ${error.message}`));
}

/** The SRTP ciphers the page's live peer connections negotiated (from the transport stats). */
export function srtpCiphers(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    const ciphers = new Set<string>();
    for (const pc of connections) {
      if (pc.connectionState !== 'connected') continue;
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report['type'] === 'transport' && typeof report['srtpCipher'] === 'string')
          ciphers.add(report['srtpCipher']);
      });
    }
    return [...ciphers];
  });
}

/** A new browser context logged in as a demo account, its live connection up. */
/**
 * Chromium inside a network namespace (a test host of its own, see
 * server/src/testing/netns.ts): a wrapper that enters the namespace and execs
 * the browser, which keeps the pipe Playwright drives it through.
 */
export function launchBrowserInNamespace(namespace: string, dir: string): Promise<Browser> {
  const wrapper = path.join(dir, `chromium-in-${namespace}`);
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${namespace} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  return launchBrowser(wrapper);
}

export async function openLoggedIn(
  browser: Browser,
  url: string,
  username: string,
  contextOptions: BrowserContextOptions = {},
): Promise<Page> {
  const page = await (await newContext(browser, contextOptions)).newPage();
  forwardPageErrors(page, username);
  await page.goto(url);
  await page.getByLabel('Brukernavn').fill(username);
  await page.getByLabel('Passord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.getByTestId('connection').filter({ hasText: 'Tilkoblet' }).waitFor();
  return page;
}
