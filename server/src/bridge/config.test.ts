import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BridgeConfigError, parseBridgeArgs } from './config.ts';
import { DEV_CERT, tempDir } from './testing/bridgeFixtures.ts';

const CONSULT = '6f1c1a52-5f0e-4a57-9d7a-3f0b3d1f2a11';
const base = ['--server', 'https://legevakt.example.no', '--consult', CONSULT];

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseBridgeArgs(argv, env);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  return parsed;
}

describe('monitor bridge command line', () => {
  it('takes flags, falls back to environment variables, and has safe defaults', () => {
    const parsed = run([...base, '--username', 'sykepleier.sunndal'], { LEGEVAKT_BRIDGE_PASSWORD: 'hemmelig' });
    expect(parsed.options).toMatchObject({
      consultId: CONSULT,
      credentials: { kind: 'password', username: 'sykepleier.sunndal', password: 'hemmelig' },
      tls: { rejectUnauthorized: true },
      mllp: { host: '127.0.0.1', port: 2575, maxFrameBytes: 128 * 1024, processingIds: ['P'] },
      outboxDir: 'data/monitor-bridge',
    });
    expect(parsed.options.server.origin).toBe('https://legevakt.example.no');

    const fromEnv = run([], {
      LEGEVAKT_BRIDGE_SERVER: 'https://10.0.0.1:8443',
      LEGEVAKT_BRIDGE_CONSULT: CONSULT,
      LEGEVAKT_BRIDGE_USERNAME: 'ambulanse.molde',
      LEGEVAKT_BRIDGE_PASSWORD: 'x',
      LEGEVAKT_BRIDGE_MLLP_HOST: '0.0.0.0',
      LEGEVAKT_BRIDGE_MLLP_PORT: '6661',
    });
    expect(fromEnv.options.mllp).toMatchObject({ host: '0.0.0.0', port: 6661 });
    expect(parseBridgeArgs(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('reads the password, refresh token and CA from files; --insecure turns checks off', () => {
    const dir = tempDir('bridge-config-');
    fs.writeFileSync(path.join(dir, 'pw'), 'legevakt-demo\nignored second line\n');
    fs.writeFileSync(path.join(dir, 'token'), 'r'.repeat(40));
    const withFile = run([
      ...base,
      '--username',
      'n',
      '--password-file',
      path.join(dir, 'pw'),
      '--ca',
      DEV_CERT,
      '--servername',
      'localhost',
    ]);
    expect(withFile.options.credentials).toEqual({ kind: 'password', username: 'n', password: 'legevakt-demo' });
    expect(withFile.options.tls.ca).toContain('BEGIN CERTIFICATE');
    expect(withFile.options.tls.servername).toBe('localhost');
    const withToken = run([...base, '--refresh-token-file', path.join(dir, 'token'), '--insecure']);
    expect(withToken.options.credentials).toEqual({ kind: 'refresh-token-file', file: path.join(dir, 'token') });
    expect(withToken.options.tls.rejectUnauthorized).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  const withPassword = { LEGEVAKT_BRIDGE_PASSWORD: 'x' };
  it.each([
    [[], withPassword, /--server is required/],
    [['--server', 'http://plain.example.no', '--consult', CONSULT, '--username', 'n'], withPassword, /https/],
    [['--server', 'nonsense', '--consult', CONSULT], withPassword, /not a URL/],
    [['--server', 'https://x.no', '--consult', '42', '--username', 'n'], withPassword, /not a consult id/],
    [[...base], withPassword, /--username .* or --refresh-token-file/],
    [[...base, '--username', 'n'], {}, /a password is required/],
    [[...base, '--refresh-token-file', '/nonexistent/token'], withPassword, /does not exist/],
    [[...base, '--username', 'n', '--mllp-port', '70000'], withPassword, /--mllp-port must be an integer/],
    [[...base, '--username', 'n', '--processing-ids', 'prod'], withPassword, /one-letter/],
    [[...base, '--username', 'n', '--ca', '/nonexistent.pem'], withPassword, /--ca/],
    [[...base, '--frobnicate'], withPassword, /Unknown option/],
  ])('refuses %j with a clear message', (argv, env, message) => {
    const attempt = (): unknown => parseBridgeArgs(argv, env);
    expect(attempt).toThrow(BridgeConfigError);
    expect(attempt).toThrow(message);
  });
});
