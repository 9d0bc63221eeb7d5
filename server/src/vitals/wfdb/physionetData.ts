import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is server/src/vitals/wfdb/physionetData.ts. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * The three PhysioNet records ship with the product (server/recordings/physionet,
 * ODC-By: the README there carries the attribution) for the monitor simulator,
 * demos and tests. A missing folder says where it looked.
 */
export function physionetDataDir(): string {
  const dir = path.resolve(REPO_ROOT, 'server', 'recordings', 'physionet');
  if (!existsSync(path.join(dir, 'README.md'))) {
    throw new Error(`PhysioNet recordings not found at ${dir} (README.md and the record folders)`);
  }
  return dir;
}

/** Header paths of the shipped records. */
export function physionetRecord(record: 'mitdb-100' | 'ptbdb-s0010_re' | 'challenge2015-a103l'): string {
  const name = { 'mitdb-100': '100', 'ptbdb-s0010_re': 's0010_re', 'challenge2015-a103l': 'a103l' }[record];
  return path.join(physionetDataDir(), record, `${name}.hea`);
}
