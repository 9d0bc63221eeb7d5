import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeConfigError, parseBridgeArgs } from './config.ts';
import { startMonitorBridge, type MonitorBridge } from './monitorBridge.ts';
import { capturingLogger, removeTempDirs, tempDir } from './testing/bridgeFixtures.ts';

/*
 * LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS reaches the bridge's MLLP listener:
 * parsed from the environment like the server's other limits, and enforced by
 * the listener the bridge actually starts.
 */

const CONSULT = '6f1c1a52-5f0e-4a57-9d7a-3f0b3d1f2a11';
const bridges: MonitorBridge[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const bridge of bridges.splice(0)) await bridge.close();
  removeTempDirs();
});

async function bridgeWith(
  env: NodeJS.ProcessEnv,
): Promise<{ bridge: MonitorBridge; lines: Record<string, unknown>[] }> {
  const parsed = parseBridgeArgs(
    // No server listens on port 1: the relay keeps retrying in the background, the listener is what is tested.
    ['--server', 'https://127.0.0.1:1', '--consult', CONSULT, '--username', 'sykepleier.sunndal', '--mllp-port', '0'],
    { LEGEVAKT_BRIDGE_PASSWORD: 'x', LEGEVAKT_BRIDGE_OUTBOX_DIR: tempDir('bridge-limit-'), ...env },
  );
  if (parsed.kind !== 'run') throw new Error('expected a run');
  const { log, lines } = capturingLogger();
  const bridge = await startMonitorBridge({
    ...parsed.options,
    log,
    relay: { backoffBaseMs: 1000, backoffCapMs: 5000 },
  });
  bridges.push(bridge);
  return { bridge, lines };
}

/** Opens a connection and reports whether the listener closed it within 400 ms. */
async function refused(port: number): Promise<boolean> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 400);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('the MLLP connection limit per address', () => {
  it('is read from LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS and enforced by the bridge it starts', async () => {
    const { bridge, lines } = await bridgeWith({ LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS: '2/60' });
    expect(await refused(bridge.mllpPort)).toBe(false);
    expect(await refused(bridge.mllpPort)).toBe(false);
    expect(await refused(bridge.mllpPort)).toBe(true);
    expect(lines.some((line) => line['msg'] === 'hl7 mllp connection refused: too many from this address')).toBe(true);
  });

  it('defaults to 30 a minute: three connections from one address are taken', async () => {
    const { bridge } = await bridgeWith({});
    for (let i = 0; i < 3; i++) expect(await refused(bridge.mllpPort)).toBe(false);
  });

  it('refuses a malformed value, naming the variable', () => {
    expect(() =>
      parseBridgeArgs(['--server', 'https://x.example', '--consult', CONSULT, '--username', 'n'], {
        LEGEVAKT_BRIDGE_PASSWORD: 'x',
        LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS: 'lots',
      }),
    ).toThrow(
      new BridgeConfigError(
        'LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS must be "N/S" (at most N per S seconds, N >= 1, S > 0), got "lots"',
      ),
    );
  });
});
