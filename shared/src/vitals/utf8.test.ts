import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode, Utf8Error, utf8Length } from './utf8.ts';

describe('utf8', () => {
  it.each([
    ['', []],
    ['A', [0x41]],
    ['ø', [0xc3, 0xb8]],
    ['€', [0xe2, 0x82, 0xac]],
    ['🫀', [0xf0, 0x9f, 0xab, 0x80]],
  ])('encodes %j as the standard UTF-8 bytes', (text, bytes) => {
    expect(Array.from(utf8Encode(text))).toEqual(bytes);
    expect(utf8Decode(Uint8Array.from(bytes))).toBe(text);
    expect(utf8Length(text)).toBe(bytes.length);
  });

  it('round-trips Norwegian text and astral characters', () => {
    const text = 'Legevakt Ålesund – pasient 🫀 blodtrykk 120/80 æøå ÆØÅ';
    expect(utf8Decode(utf8Encode(text))).toBe(text);
    expect(utf8Length(text)).toBe(utf8Encode(text).length);
  });

  it('decodes a long string (beyond the fromCodePoint batch size)', () => {
    const text = 'æ'.repeat(10_000);
    expect(utf8Decode(utf8Encode(text))).toBe(text);
  });

  it.each([
    ['lone continuation byte', [0x80]],
    ['overlong NUL', [0xc0, 0x80]],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
    ['encoded surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['invalid lead F5', [0xf5, 0x80, 0x80, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
    ['bad continuation', [0xc3, 0x41]],
  ])('rejects %s', (_name, bytes) => {
    expect(() => utf8Decode(Uint8Array.from(bytes))).toThrow(Utf8Error);
  });

  it('refuses to encode lone surrogates, which UTF-8 cannot carry', () => {
    expect(() => utf8Encode('a\ud800')).toThrow(Utf8Error);
    expect(() => utf8Encode('\udc00b')).toThrow(Utf8Error);
  });
});
