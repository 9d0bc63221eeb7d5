import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig, type ServerConfig } from '../config.ts';
import type { Clock } from '../clock.ts';
import { startServer, type RunningServer } from '../server.ts';

export interface TestServer extends RunningServer {
  /** Every log line the server wrote, parsed: tests assert that bad input is logged. */
  readonly logs: Record<string, unknown>[];
  readonly config: ServerConfig;
}

/**
 * A real server (HTTPS, signaling, real mediasoup workers) on free ports, with a
 * throw-away data directory (SQLite, demo organisation and accounts). Uses the
 * development certificate made by setup.
 */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  options: { clock?: Clock; dataDir?: string } = {},
): Promise<TestServer> {
  const base = loadConfig({});
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-test-'));
  const config: ServerConfig = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    dataDir,
    databaseUrl: null,
    seedDemo: true,
    clientDistDir: null,
    auth: { ...base.auth, jwtSecret: 'test-secret-that-is-long-enough-for-hs256!!' },
    media: {
      ...base.media,
      numWorkers: 1,
      workerLogLevel: 'error',
      listenIp: '127.0.0.1',
      announcedAddress: '127.0.0.1',
      webRtcServerBasePort: 0,
    },
    logLevel: 'debug',
    ...overrides,
  };
  if (!fs.existsSync(config.tlsCertFile)) {
    throw new Error(`no TLS certificate at ${config.tlsCertFile}: run "npm run setup" first`);
  }
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const server = await startServer(
    config,
    pino({ level: config.logLevel }, sink),
    options.clock ? { clock: options.clock } : {},
  );
  return Object.assign(server, { logs, config });
}
