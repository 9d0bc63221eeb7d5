import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/** OWASP's scrypt baseline: N=2^15, r=8, p=1 (32 MiB and ~50-100 ms per hash). */
const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds what a stored hash may ask for, so a tampered row cannot make verify allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly that for N=2^15, r=8, and refuses it. */
function maxmem(n: number, r: number, p: number): number {
  return 128 * n * r + 128 * r * p + 16 * 1024 * 1024;
}

/** Hashes a password as `scrypt$N$r$p$saltBase64$hashBase64` with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const hash = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r: R, p: P, maxmem: maxmem(N, R, P) });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

function parsePositiveInt(text: string | undefined, max: number): number | null {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

/**
 * True when the password matches the encoded hash. A malformed hash is false,
 * not an error (the caller treats it as a wrong password). Constant-time compare.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const n = parsePositiveInt(parts[1], MAX_N);
  const r = parsePositiveInt(parts[2], MAX_R);
  const p = parsePositiveInt(parts[3], MAX_P);
  if (n === null || r === null || p === null || (n & (n - 1)) !== 0 || n < 2) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await scrypt(password.normalize('NFC'), salt, expected.length, {
    N: n,
    r,
    p,
    maxmem: maxmem(n, r, p),
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** True when the hash was made with weaker parameters than today's: rehash at the next login. */
export function needsRehash(encoded: string): boolean {
  const parts = encoded.split('$');
  return parts[0] !== 'scrypt' || Number(parts[1]) < N || Number(parts[2]) < R || Number(parts[3]) < P;
}
