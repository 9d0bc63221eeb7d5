/**
 * Strict UTF-8 for the vitals wire formats. The shared package compiles against
 * ES2023 alone (no DOM, no Node types), so TextEncoder/TextDecoder are not
 * declared here even though every runtime has them; a few dozen lines are
 * cheaper than a global declaration that would leak into other packages.
 *
 * Strict on purpose: a decoder that substituted U+FFFD would turn a corrupted
 * stream id into a different, valid-looking one. Overlong forms, surrogate code
 * points, truncated sequences and lone surrogates in the input string are errors.
 */

export class Utf8Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Utf8Error';
  }
}

export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let cp = unit;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      if (low < 0xdc00 || low > 0xdfff) throw new Utf8Error(`lone high surrogate at index ${i}`);
      cp = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      throw new Utf8Error(`lone low surrogate at index ${i}`);
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Number of bytes `utf8Encode(text)` would produce, without allocating. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) n += 1;
    else if (unit < 0x800) n += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      // A valid pair is 4 bytes; utf8Encode rejects an invalid one.
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function utf8Decode(bytes: Uint8Array): string {
  const codePoints: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    let need: number;
    let cp: number;
    let min: number;
    if (b0 < 0x80) {
      codePoints.push(b0);
      i++;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      throw new Utf8Error(`invalid UTF-8 lead byte 0x${b0.toString(16)} at offset ${i}`);
    }
    if (i + need >= bytes.length) throw new Utf8Error(`truncated UTF-8 sequence at offset ${i}`);
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) throw new Utf8Error(`invalid UTF-8 continuation byte at offset ${i + k}`);
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min) throw new Utf8Error(`overlong UTF-8 sequence at offset ${i}`);
    if (cp > 0x10ffff) throw new Utf8Error(`UTF-8 code point above U+10FFFF at offset ${i}`);
    if (cp >= 0xd800 && cp <= 0xdfff) throw new Utf8Error(`UTF-8 encoded surrogate at offset ${i}`);
    codePoints.push(cp);
    i += need + 1;
  }
  // Chunked so a long payload cannot exceed the engine's argument limit.
  let text = '';
  for (let k = 0; k < codePoints.length; k += 4096) {
    text += String.fromCodePoint(...codePoints.slice(k, k + 4096));
  }
  return text;
}
