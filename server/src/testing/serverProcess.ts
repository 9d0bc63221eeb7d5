import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from '../runtime/nodeFlags.ts';

const MAIN = path.resolve(import.meta.dirname, '..', 'main.ts');

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly dataDir: string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash, as the kernel's OOM killer or a power cut would do it. */
  kill(): Promise<void>;
}

/**
 * The real server (server/src/main.ts, what `npm start` runs) in its own process
 * on free ports; a fresh data directory unless one is given (to restart on it).
 */
export async function startServerProcess(
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'legevakt-process-'));
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN], {
    env: {
      ...process.env,
      LEGEVAKT_DATA_DIR: dataDir,
      LEGEVAKT_PORT: '0',
      LEGEVAKT_HOST: '127.0.0.1',
      LEGEVAKT_RTC_PORT: '0',
      LEGEVAKT_MEDIA_WORKERS: '1',
      LEGEVAKT_CLIENT_DIST: '',
      LEGEVAKT_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open:\s+(https:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}:\n${output}`)));
  });
  const end = (signal: NodeJS.Signals) => async () => {
    child.kill(signal);
    await exited;
  };
  return { url, child, dataDir, stop: end('SIGTERM'), kill: end('SIGKILL') };
}
