import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingServerNodeFlags, SERVER_NODE_FLAGS } from './nodeFlags.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

describe('the server’s Node flags', () => {
  it('are passed by every launch of the server: npm start, dev:server and the Docker image', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const dockerCmd = fs
      .readFileSync(path.join(ROOT, 'docker', 'Dockerfile'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('CMD'));
    for (const launch of [scripts['start'], scripts['dev:server'], dockerCmd]) {
      expect(launch).toMatch(/main\.ts/);
      for (const flag of SERVER_NODE_FLAGS) expect(launch).toContain(flag);
    }
  });

  it('are found missing unless given on the command line or in NODE_OPTIONS', () => {
    expect(missingServerNodeFlags([], '')).toEqual(SERVER_NODE_FLAGS);
    expect(missingServerNodeFlags(['--max-semi-space-size=16'], '')).toEqual(SERVER_NODE_FLAGS);
    expect(missingServerNodeFlags([...SERVER_NODE_FLAGS], '')).toEqual([]);
    expect(missingServerNodeFlags([], ` --enable-source-maps  ${SERVER_NODE_FLAGS.join(' ')} `)).toEqual([]);
  });
});
