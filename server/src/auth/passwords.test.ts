import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('encodes scrypt parameters, salt and hash, and verifies the right password only', async () => {
    const encoded = await hashPassword('riktig hest batteri stift');
    const parts = encoded.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', String(2 ** 15), '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('riktig hest batteri stift', encoded)).toBe(true);
    expect(await verifyPassword('riktig hest batteri stiFt', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
    expect(needsRehash(encoded)).toBe(false);
  });

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const a = await hashPassword('sommer2025');
    const b = await hashPassword('sommer2025');
    expect(a).not.toBe(b);
    expect(await verifyPassword('sommer2025', a)).toBe(true);
    expect(await verifyPassword('sommer2025', b)).toBe(true);
  });

  it('treats Unicode compositions of æøå alike (NFC)', async () => {
    const encoded = await hashPassword('blåbærsyltetøy');
    expect(await verifyPassword('bla\u030abærsyltetøy', encoded)).toBe(true);
  });

  it('refuses malformed or tampered hashes without throwing', async () => {
    const encoded = await hashPassword('pw');
    const [, n, r, p, salt, hash] = encoded.split('$');
    const otherHash = Buffer.alloc(32, 7).toString('base64');
    for (const bad of [
      '',
      'plain',
      `bcrypt$${n}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$3$${r}$${p}$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, // asks for too much memory
      `scrypt$${n}$${r}$${p}$$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$${otherHash}`,
    ]) {
      expect(await verifyPassword('pw', bad)).toBe(false);
    }
  });

  it('verifies hashes with other (weaker) parameters and flags them for rehash', async () => {
    const crypto = await import('node:crypto');
    const salt = crypto.randomBytes(16);
    const hash = crypto.scryptSync('gammelt', salt, 32, { N: 1024, r: 8, p: 1 });
    const encoded = `scrypt$1024$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
    expect(await verifyPassword('gammelt', encoded)).toBe(true);
    expect(needsRehash(encoded)).toBe(true);
  });
});
