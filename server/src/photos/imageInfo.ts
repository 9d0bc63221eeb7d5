/**
 * What an uploaded still image is, read from its own bytes: the type from the
 * magic number and the pixel dimensions from the JPEG frame header (SOFn) or
 * the PNG IHDR chunk. No image library: we only need to know that the bytes
 * are the whole of one image of a type a browser shows, and how large it is,
 * so that a truncated upload or something else with an image name is refused
 * before it is stored on a patient's record.
 */

export type ImageMimeType = 'image/jpeg' | 'image/png';

export interface ImageInfo {
  readonly mimeType: ImageMimeType;
  readonly width: number;
  readonly height: number;
}

/** Why the bytes are not an image we store; the message names what is wrong. */
export class ImageFormatError extends Error {
  override readonly name = 'ImageFormatError';
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Larger than any camera we expect (a 50 MP sensor is ~8700 px wide); beyond it the header is garbage. */
export const MAX_IMAGE_SIDE = 16_384;

/** Reads type and dimensions, or throws ImageFormatError. */
export function imageInfo(bytes: Uint8Array): ImageInfo {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return jpegInfo(buf);
  if (buf.length >= PNG_SIGNATURE.length && buf.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    return pngInfo(buf);
  }
  throw new ImageFormatError('not a JPEG or PNG image (unknown magic bytes)');
}

function checkSides(width: number, height: number, what: string): void {
  if (width < 1 || height < 1) throw new ImageFormatError(`${what}: zero width or height (${width}×${height})`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new ImageFormatError(`${what}: ${width}×${height} is larger than ${MAX_IMAGE_SIDE} px a side`);
  }
}

/**
 * SOF markers that carry the frame's dimensions: C0–CF except C4 (DHT), C8
 * (reserved, JPG) and CC (DAC). C0 is baseline, C2 progressive.
 */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Walks the marker segments from SOI to the first SOFn (APPn with EXIF,
 * quantisation and Huffman tables come before it), then checks that the
 * image data after the frame header reaches an EOI marker at the end: a
 * truncated upload ends in the middle of the entropy-coded data.
 */
function jpegInfo(buf: Buffer): ImageInfo {
  let offset = 2;
  let frame: { width: number; height: number } | null = null;
  while (frame === null) {
    if (offset + 4 > buf.length) throw new ImageFormatError('JPEG: ends before its frame header (truncated)');
    if (buf[offset] !== 0xff) {
      throw new ImageFormatError(`JPEG: expected a marker at byte ${offset}, found 0x${buf[offset]!.toString(16)}`);
    }
    const marker = buf[offset + 1]!;
    if (marker === 0xff) {
      // Fill byte before a marker (allowed by T.81 B.1.1.2).
      offset += 1;
      continue;
    }
    if (
      marker === 0xd8 ||
      marker === 0xd9 ||
      marker === 0xda ||
      (marker >= 0xd0 && marker <= 0xd7) ||
      marker === 0x01
    ) {
      throw new ImageFormatError(`JPEG: marker 0xff${marker.toString(16)} before the frame header`);
    }
    const length = buf.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > buf.length) {
      throw new ImageFormatError(`JPEG: segment 0xff${marker.toString(16)} at byte ${offset} runs past the end`);
    }
    if (isStartOfFrame(marker)) {
      // Lf(2) P(1) Y(2) X(2) Nf(1): height before width.
      if (length < 8) throw new ImageFormatError('JPEG: frame header too short');
      const height = buf.readUInt16BE(offset + 5);
      const width = buf.readUInt16BE(offset + 7);
      if (height === 0) {
        // Y = 0 means "defined later by a DNL marker": legal but no browser camera writes it; refuse rather than guess.
        throw new ImageFormatError('JPEG: height given by a DNL marker is not supported');
      }
      checkSides(width, height, 'JPEG');
      frame = { width, height };
    }
    offset += 2 + length;
  }
  // The scans follow; the file must finish with EOI (some encoders pad with zero bytes after it).
  let end = buf.length;
  while (end > offset && buf[end - 1] === 0x00) end -= 1;
  if (end - offset < 2 || buf[end - 2] !== 0xff || buf[end - 1] !== 0xd9) {
    throw new ImageFormatError('JPEG: no end-of-image marker (truncated)');
  }
  if (buf.indexOf(Buffer.from([0xff, 0xda]), offset) < 0) throw new ImageFormatError('JPEG: no image data (no scan)');
  return { mimeType: 'image/jpeg', width: frame.width, height: frame.height };
}

/**
 * PNG: the signature, then IHDR first (length 13), with a correct CRC; then
 * every chunk's length must fit, ending with IEND: a truncated upload fails
 * the walk.
 */
function pngInfo(buf: Buffer): ImageInfo {
  let offset = PNG_SIGNATURE.length;
  let info: ImageInfo | null = null;
  let sawData = false;
  for (;;) {
    if (offset + 12 > buf.length) throw new ImageFormatError('PNG: ends before IEND (truncated)');
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    if (length > 0x7fffffff || offset + 12 + length > buf.length) {
      throw new ImageFormatError(`PNG: chunk ${JSON.stringify(type)} at byte ${offset} runs past the end`);
    }
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (info === null) {
      if (type !== 'IHDR' || length !== 13) throw new ImageFormatError('PNG: the first chunk is not a valid IHDR');
      const crc = buf.readUInt32BE(offset + 8 + length);
      if (crc32(buf.subarray(offset + 4, offset + 8 + length)) !== crc) {
        throw new ImageFormatError('PNG: IHDR checksum mismatch (corrupted)');
      }
      const width = data.readUInt32BE(0);
      const height = data.readUInt32BE(4);
      checkSides(width, height, 'PNG');
      info = { mimeType: 'image/png', width, height };
    } else if (type === 'IDAT') {
      sawData = true;
    } else if (type === 'IEND') {
      if (!sawData) throw new ImageFormatError('PNG: no image data (no IDAT)');
      return info;
    }
    offset += 12 + length;
  }
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, the one PNG uses). */
function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
