import { WfdbError } from './header.ts';

/**
 * Sample decoders for the WFDB signal file formats (signal(5)) whose samples fit
 * an Int16Array. Formats 24 and 32 do not fit and the difference format 8 is
 * not used by any record we ship, so those are refused by name rather than
 * half-supported.
 *
 * A group is the signals sharing one file: each frame holds `samplesPerFrame`
 * consecutive samples of each signal in header order, and frames follow one
 * another. Format 212 packs its 12-bit samples in pairs across that whole
 * stream, not per frame, so decoding works on the flat sample stream first.
 */

interface FormatInfo {
  /** Bits per sample in the file. */
  bits: number;
  /** The format's "invalid sample" marker (WFDB_INVALID_SAMPLE after sign extension). */
  invalid: number;
  read: (bytes: Uint8Array, count: number, out: Int16Array) => void;
}

const FORMATS: ReadonlyMap<number, FormatInfo> = new Map<number, FormatInfo>([
  [
    16,
    {
      bits: 16,
      invalid: -32768,
      read(bytes, count, out) {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let k = 0; k < count; k++) out[k] = view.getInt16(2 * k, true);
      },
    },
  ],
  [
    61,
    {
      bits: 16,
      invalid: -32768,
      read(bytes, count, out) {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let k = 0; k < count; k++) out[k] = view.getInt16(2 * k, false);
      },
    },
  ],
  [
    160,
    {
      bits: 16,
      invalid: -32768,
      read(bytes, count, out) {
        // Offset binary: 0x8000 is zero.
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let k = 0; k < count; k++) out[k] = view.getUint16(2 * k, true) - 32768;
      },
    },
  ],
  [
    80,
    {
      bits: 8,
      invalid: -128,
      read(bytes, count, out) {
        for (let k = 0; k < count; k++) out[k] = bytes[k]! - 128;
      },
    },
  ],
  [
    212,
    {
      bits: 12,
      invalid: -2048,
      read(bytes, count, out) {
        // Each pair of samples occupies 3 bytes: byte 0 = low 8 bits of the
        // first, byte 1 = high 4 bits of the second (upper nibble) and of the
        // first (lower nibble), byte 2 = low 8 bits of the second. 12-bit two's
        // complement, so sign-extend via a 20-bit shift.
        for (let k = 0; k < count; k++) {
          const p = 3 * (k >> 1);
          const raw =
            (k & 1) === 0 ? bytes[p]! | ((bytes[p + 1]! & 0x0f) << 8) : bytes[p + 2]! | ((bytes[p + 1]! & 0xf0) << 4);
          out[k] = (raw << 20) >> 20;
        }
      },
    },
  ],
]);

export const SUPPORTED_WFDB_FORMATS: readonly number[] = [...FORMATS.keys()];

function formatInfo(format: number): FormatInfo {
  const info = FORMATS.get(format);
  if (info === undefined) {
    throw new WfdbError(`signal format ${format} is not supported (supported: ${SUPPORTED_WFDB_FORMATS.join(', ')})`);
  }
  return info;
}

/** Sample value the format reserves for "no data"; physical conversion maps it to NaN. */
export function invalidSampleValue(format: number): number {
  return formatInfo(format).invalid;
}

/** Bytes needed for `count` consecutive samples. */
function bytesFor(format: number, count: number): number {
  const { bits } = formatInfo(format);
  if (bits === 12) return count % 2 === 0 ? (count / 2) * 3 : ((count - 1) / 2) * 3 + 2;
  return (count * bits) / 8;
}

/** Whole frames available in `byteLength` bytes. */
export function framesInBytes(format: number, samplesPerFrame: readonly number[], byteLength: number): number {
  const perFrame = samplesPerFrame.reduce((a, b) => a + b, 0);
  const { bits } = formatInfo(format);
  return perFrame === 0 ? 0 : Math.floor((byteLength * 8) / (bits * perFrame));
}

/**
 * Decodes `frames` frames of a group from `bytes` (already past the byte offset)
 * into one Int16Array per signal of `frames × samplesPerFrame[s]` samples.
 */
export function decodeSignalGroup(
  bytes: Uint8Array,
  format: number,
  samplesPerFrame: readonly number[],
  frames: number,
  fileLabel: string,
): Int16Array[] {
  const info = formatInfo(format);
  const perFrame = samplesPerFrame.reduce((a, b) => a + b, 0);
  const total = frames * perFrame;
  const needed = bytesFor(format, total);
  if (bytes.length < needed) {
    throw new WfdbError(
      `${fileLabel}: truncated, ${frames} frames of format ${format} need ${needed} bytes after the offset, found ${bytes.length}`,
    );
  }
  const flat = new Int16Array(total);
  info.read(bytes, total, flat);
  const out = samplesPerFrame.map((spf) => new Int16Array(frames * spf));
  let k = 0;
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < samplesPerFrame.length; s++) {
      const spf = samplesPerFrame[s]!;
      const target = out[s]!;
      for (let j = 0; j < spf; j++) target[f * spf + j] = flat[k++]!;
    }
  }
  return out;
}

/** WFDB checksum: the sum of all samples, truncated to a signed 16-bit integer. */
export function wfdbChecksum(samples: Int16Array): number {
  let sum = 0;
  for (const v of samples) sum = (sum + v) & 0xffff;
  return (sum << 16) >> 16;
}
