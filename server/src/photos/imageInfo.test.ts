import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageInfo, ImageFormatError } from './imageInfo.ts';

/**
 * Real files: the JPEGs were written by libjpeg-turbo's cjpeg (baseline and
 * -progressive), the PNG is a Chromium headless screenshot of a 40×30 window.
 */
const fixture = (name: string): Buffer => fs.readFileSync(path.join(import.meta.dirname, 'testdata', name));

describe('imageInfo', () => {
  it('reads a baseline JPEG (SOF0) after its APP0 and tables', () => {
    const bytes = fixture('baseline-64x48.jpg');
    expect(bytes.indexOf(Buffer.from([0xff, 0xc0]))).toBeGreaterThan(0);
    expect(imageInfo(bytes)).toEqual({ mimeType: 'image/jpeg', width: 64, height: 48 });
  });

  it('reads a progressive JPEG (SOF2)', () => {
    const bytes = fixture('progressive-37x21.jpg');
    expect(bytes.indexOf(Buffer.from([0xff, 0xc2]))).toBeGreaterThan(0);
    expect(imageInfo(bytes)).toEqual({ mimeType: 'image/jpeg', width: 37, height: 21 });
  });

  it('reads a PNG’s IHDR', () => {
    expect(imageInfo(fixture('chromium-40x30.png'))).toEqual({ mimeType: 'image/png', width: 40, height: 30 });
  });

  it('accepts a view into a larger buffer (offset Uint8Array)', () => {
    const bytes = fixture('baseline-64x48.jpg');
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(imageInfo(padded.subarray(5, 5 + bytes.length))).toMatchObject({ width: 64, height: 48 });
  });

  it('skips an EXIF APP1 segment inserted before the frame header', () => {
    const bytes = fixture('baseline-64x48.jpg');
    const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0x00, 0x0a]), Buffer.from('Exif\0\0abcd'.slice(0, 8))]);
    const withExif = Buffer.concat([bytes.subarray(0, 2), exif, bytes.subarray(2)]);
    expect(imageInfo(withExif)).toEqual({ mimeType: 'image/jpeg', width: 64, height: 48 });
  });

  const refusals: [string, () => Buffer, RegExp][] = [
    ['empty', () => Buffer.alloc(0), /unknown magic/],
    ['text', () => Buffer.from('hello, this is not an image'), /unknown magic/],
    ['a GIF', () => Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), /unknown magic/],
    ['a JPEG cut after its header', () => fixture('baseline-64x48.jpg').subarray(0, 20), /truncated|past the end/],
    [
      'a JPEG cut in its image data',
      () => {
        const b = fixture('baseline-64x48.jpg');
        return b.subarray(0, b.length - 40);
      },
      /end-of-image/,
    ],
    [
      'a JPEG whose frame header says 0×48',
      () => {
        const b = Buffer.from(fixture('baseline-64x48.jpg'));
        const sof = b.indexOf(Buffer.from([0xff, 0xc0]));
        b.writeUInt16BE(0, sof + 7);
        return b;
      },
      /zero width/,
    ],
    [
      'a JPEG with garbage where a marker belongs',
      () => {
        const b = Buffer.from(fixture('baseline-64x48.jpg'));
        b[2] = 0x12;
        return b;
      },
      /unknown magic/,
    ],
    [
      'a JPEG with a segment length past the end',
      () => {
        const b = Buffer.from(fixture('baseline-64x48.jpg'));
        b.writeUInt16BE(0xfff0, 4);
        return b;
      },
      /runs past the end/,
    ],
    [
      'a PNG with a corrupted IHDR',
      () => {
        const b = Buffer.from(fixture('chromium-40x30.png'));
        b[19] = 0x99; // the width's low byte: the CRC no longer matches
        return b;
      },
      /checksum/,
    ],
    [
      'a PNG cut before IEND',
      () => {
        const b = fixture('chromium-40x30.png');
        return b.subarray(0, b.length - 12);
      },
      /truncated/,
    ],
    ['only a PNG signature', () => fixture('chromium-40x30.png').subarray(0, 8), /truncated/],
  ];
  it.each(refusals)('refuses %s', (_name, bytes, message) => {
    expect(() => imageInfo(bytes())).toThrow(ImageFormatError);
    expect(() => imageInfo(bytes())).toThrow(message);
  });
});
