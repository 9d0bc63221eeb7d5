import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createStorage } from './storage.ts';
import { seedFixture } from './testing/fixtures.ts';
import { createTestDatabase, silentLog } from './testing/storageHarness.ts';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing', 'durabilityChild.ts');

/** Runs the child until it has printed `minIds` ids plus a random extra moment, then SIGKILLs it. */
function runAndKill(file: string, userId: string, minIds: number, extraMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', childScript, file, userId], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killScheduled = false;
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child printed too few ids in time; stderr: ${err}`));
    }, 30_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err += chunk));
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const count = out.split('\n').length - 2; // minus "ready" and the unfinished last line
      if (!killScheduled && count >= minIds) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(giveUp);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited by itself (code ${String(code)}); stderr: ${err}`));
        return;
      }
      // Only complete lines count: a torn last line was never fully printed.
      const lines = out.split('\n').slice(0, -1);
      expect(lines[0]).toBe('ready');
      resolve(lines.slice(1));
    });
  });
}

describe('SQLite durability', () => {
  it('keeps every consult whose create() returned, when the process is SIGKILLed at a random moment', async () => {
    const location = await createTestDatabase('sqlite');
    try {
      const setup = await createStorage({ sqliteFile: location.sqliteFile, log: silentLog });
      const { nurseSunndal } = await seedFixture(setup);
      await setup.close();

      const printed: string[] = [];
      for (let iteration = 0; iteration < 4; iteration++) {
        const ids = await runAndKill(location.sqliteFile, nurseSunndal.id, 5, Math.floor(Math.random() * 400));
        expect(ids.length).toBeGreaterThanOrEqual(5);
        printed.push(...ids);

        const reopened = await createStorage({ sqliteFile: location.sqliteFile, log: silentLog });
        try {
          for (const id of printed) {
            const consult = await reopened.consults.get(id);
            expect(consult?.id, `consult ${id} printed before the kill`).toBe(id);
          }
          // Each consult committed together with its 'requested' event, or not at all.
          const waiting = await reopened.consults.listByStatus(['waiting']);
          expect(waiting.length).toBeGreaterThanOrEqual(printed.length);
          for (const consult of waiting) {
            expect(await reopened.consultEvents.countByKind(consult.id, 'requested')).toBe(1);
          }
        } finally {
          await reopened.close();
        }
      }
    } finally {
      await location.dispose();
    }
  }, 120_000);
});
