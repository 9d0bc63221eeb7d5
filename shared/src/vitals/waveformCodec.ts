import { WaveformSignal, type WaveformChunk } from './model.ts';
import { utf8Decode, utf8Encode, Utf8Error } from './utf8.ts';

/**
 * Binary encoding of a {@link WaveformChunk} for the WebRTC data channel.
 *
 * JSON numbers cost 4–7 bytes per ECG sample; int16 costs 2. Consecutive ECG
 * samples differ by little (tens of ADC units between QRS complexes at 500 Hz),
 * so each signal is sent as first differences in a variable-length integer: most
 * samples take one byte, QRS slopes two. Lossless for every int16 input.
 *
 * Layout, version 1 (multi-byte fields little-endian):
 *
 *   offset  size  field
 *   0       1     magic 0x57 ('W')
 *   1       1     version 1
 *   2       1     stream id length L (UTF-8 bytes, 0–255)
 *   3       L     stream id, UTF-8
 *   +0      1     signal count N (1–13)
 *   +1      N     signal codes: index into WaveformSignal.options (I=0 … V6=11, Pleth=12)
 *   +0      8     sample rate, float64 Hz
 *   +8      8     gain, float64 units per mV
 *   +16     4     baseline, int32
 *   +20     8     firstSample, uint64 (≤ 2^53−1; a 1000 Hz stream passes 2^32 after 50 days)
 *   +28     8     startTime, float64 epoch ms
 *   +36     4     frame count F (samples per signal), uint32
 *   +40     …     N blocks, signal-major: for each signal its F residuals, each a
 *                 zigzag LEB128 varint (see below)
 *
 * Gain and sample rate are float64, not float32: the chunk then decodes to
 * exactly what was encoded (a 0.1 gain survives), for 16 bytes per chunk —
 * 160 B/s at 10 chunks/s, about 2 % of a 12-lead stream.
 *
 * Residuals: the first sample of a signal is predicted by the baseline (clamped
 * to int16), every later one by its predecessor; the residual is zigzag-mapped
 * (0,−1,1,−2,… → 0,1,2,3,…) and written as unsigned LEB128 (7 bits per byte,
 * high bit = more bytes follow). |residual| ≤ 63 → 1 byte, ≤ 8191 → 2 bytes,
 * otherwise 3 (the largest int16 jump, 65535, zigzags to 131070 < 2^21).
 * First differences beat second differences on the 12 PTB leads at 500 Hz
 * (1.10 vs 1.13 residual bytes per sample: sharp QRS slopes defeat a linear
 * predictor) and tie at 1000 Hz and on MIT-BIH at 360 Hz; second differences
 * only win on the smooth pleth (1.31 vs 1.42 on challenge2015 a103l), which is
 * one signal of thirteen. Measured with waveformBandwidth.ts.
 *
 * Signal-major rather than interleaved, so each signal's residuals sit together
 * and a decoder can stop after the signals it draws.
 *
 * Decoding is strict: non-canonical varints (overlong, e.g. 0x80 0x00), unknown
 * or repeated signal codes, reconstructed values outside int16, and trailing
 * bytes are all {@link VitalsDecodeError}s. So a successful decode re-encodes to
 * the identical bytes, and garbage cannot masquerade as a chunk.
 */

export const WAVEFORM_MAGIC = 0x57;
export const WAVEFORM_CODEC_VERSION = 1;
export const MAX_STREAM_ID_BYTES = 255;

const SIGNAL_CODES: readonly WaveformSignal[] = WaveformSignal.options;
const FIXED_FIELDS_BYTES = 8 + 8 + 4 + 8 + 8 + 4;

/** Thrown for any byte sequence that is not a valid encoded vitals message or chunk. */
export class VitalsDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VitalsDecodeError';
  }
}

/** Zigzag maps signed integers to unsigned so small magnitudes of either sign stay small. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function clampInt16(n: number): number {
  return Math.max(-32768, Math.min(32767, n));
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
}

/** Growable byte buffer; the common chunk (12 leads × 50 frames) fits the first allocation. */
class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial: number) {
    this.buf = new Uint8Array(Math.max(16, initial));
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }

  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  varint(v: number): void {
    // v < 2^21 for every residual we write, so bitwise ops are safe.
    this.reserve(4);
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.length++] = v;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Bounds-checked reader: every overrun is a VitalsDecodeError naming the field. */
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) {
      throw new VitalsDecodeError(
        `truncated: ${what} needs ${n} bytes at offset ${this.offset}, ${this.remaining} left`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** uint64 that must fit a JS safe integer. */
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.offset, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new VitalsDecodeError(`${what} ${v} at offset ${this.offset} exceeds 2^53-1`);
    }
    this.offset += 8;
    return Number(v);
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** Canonical unsigned LEB128 of at most `maxBytes` bytes. */
  varint(what: string, maxBytes: number): number {
    const start = this.offset;
    let value = 0;
    let scale = 1;
    for (let k = 0; k < maxBytes; k++) {
      if (this.offset >= this.bytes.length) {
        throw new VitalsDecodeError(`truncated: ${what} varint at offset ${start}`);
      }
      const b = this.bytes[this.offset++]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && k > 0) throw new VitalsDecodeError(`non-canonical ${what} varint at offset ${start}`);
        return value;
      }
      scale *= 128;
    }
    throw new VitalsDecodeError(`${what} varint at offset ${start} is longer than ${maxBytes} bytes`);
  }
}

/** Largest residual: zigzag(±65535) needs 3 varint bytes; 3 bytes carry up to 2^21−1. */
const MAX_RESIDUAL_BYTES = 3;

function validateChunk(chunk: WaveformChunk): void {
  const n = chunk.signals.length;
  if (n < 1 || n > SIGNAL_CODES.length)
    throw new RangeError(`a chunk needs 1–${SIGNAL_CODES.length} signals, got ${n}`);
  if (new Set(chunk.signals).size !== n) throw new RangeError(`repeated signal in ${chunk.signals.join(',')}`);
  for (const s of chunk.signals) {
    if (!SIGNAL_CODES.includes(s)) throw new RangeError(`unknown waveform signal ${s}`);
  }
  if (!(Number.isFinite(chunk.sampleRateHz) && chunk.sampleRateHz > 0)) {
    throw new RangeError(`sampleRateHz must be positive and finite, got ${chunk.sampleRateHz}`);
  }
  if (!(Number.isFinite(chunk.gain) && chunk.gain > 0))
    throw new RangeError(`gain must be positive, got ${chunk.gain}`);
  if (!isInt32(chunk.baseline)) throw new RangeError(`baseline must be an int32, got ${chunk.baseline}`);
  if (!Number.isSafeInteger(chunk.firstSample) || chunk.firstSample < 0) {
    throw new RangeError(`firstSample must be a non-negative safe integer, got ${chunk.firstSample}`);
  }
  if (!Number.isFinite(chunk.startTime)) throw new RangeError(`startTime must be finite, got ${chunk.startTime}`);
  if (chunk.samples.length % n !== 0) {
    throw new RangeError(`${chunk.samples.length} samples do not divide into ${n} signals`);
  }
}

export function encodeWaveformChunk(chunk: WaveformChunk): Uint8Array {
  validateChunk(chunk);
  const streamId = utf8Encode(chunk.streamId);
  if (streamId.length > MAX_STREAM_ID_BYTES) {
    throw new RangeError(`streamId is ${streamId.length} UTF-8 bytes, at most ${MAX_STREAM_ID_BYTES}`);
  }
  const n = chunk.signals.length;
  const frames = chunk.samples.length / n;
  const w = new ByteWriter(4 + streamId.length + n + FIXED_FIELDS_BYTES + Math.ceil(chunk.samples.length * 1.5));
  w.u8(WAVEFORM_MAGIC);
  w.u8(WAVEFORM_CODEC_VERSION);
  w.u8(streamId.length);
  w.bytes(streamId);
  w.u8(n);
  for (const s of chunk.signals) w.u8(SIGNAL_CODES.indexOf(s));
  w.f64(chunk.sampleRateHz);
  w.f64(chunk.gain);
  w.i32(chunk.baseline);
  w.u64(chunk.firstSample);
  w.f64(chunk.startTime);
  w.u32(frames);
  const initialPrediction = clampInt16(chunk.baseline);
  for (let s = 0; s < n; s++) {
    let prev = initialPrediction;
    for (let f = 0; f < frames; f++) {
      const v = chunk.samples[f * n + s]!;
      w.varint(zigzag(v - prev));
      prev = v;
    }
  }
  return w.finish();
}

/** Decodes a chunk from `r`'s position to the end of its bytes. */
export function readWaveformChunk(r: ByteReader): WaveformChunk {
  const magic = r.u8('magic');
  if (magic !== WAVEFORM_MAGIC) {
    throw new VitalsDecodeError(`not a waveform chunk: magic 0x${magic.toString(16)}, expected 0x57`);
  }
  const version = r.u8('version');
  if (version !== WAVEFORM_CODEC_VERSION) {
    throw new VitalsDecodeError(`unsupported waveform codec version ${version} (this decoder reads 1)`);
  }
  const idLength = r.u8('stream id length');
  let streamId: string;
  try {
    streamId = utf8Decode(r.take(idLength, 'stream id'));
  } catch (err) {
    if (err instanceof Utf8Error) throw new VitalsDecodeError(`stream id: ${err.message}`);
    throw err;
  }
  const n = r.u8('signal count');
  if (n < 1 || n > SIGNAL_CODES.length)
    throw new VitalsDecodeError(`signal count ${n} outside 1–${SIGNAL_CODES.length}`);
  const signals: WaveformSignal[] = [];
  for (const code of r.take(n, 'signal codes')) {
    const signal = SIGNAL_CODES[code];
    if (signal === undefined) throw new VitalsDecodeError(`unknown signal code ${code}`);
    if (signals.includes(signal)) throw new VitalsDecodeError(`signal ${signal} repeated`);
    signals.push(signal);
  }
  const sampleRateHz = r.f64('sample rate');
  if (!(Number.isFinite(sampleRateHz) && sampleRateHz > 0))
    throw new VitalsDecodeError(`bad sample rate ${sampleRateHz}`);
  const gain = r.f64('gain');
  if (!(Number.isFinite(gain) && gain > 0)) throw new VitalsDecodeError(`bad gain ${gain}`);
  const baseline = r.i32('baseline');
  const firstSample = r.u64('firstSample');
  const startTime = r.f64('startTime');
  if (!Number.isFinite(startTime)) throw new VitalsDecodeError(`bad startTime ${startTime}`);
  const frames = r.u32('frame count');
  // Every residual takes at least one byte: refuse to allocate for a count the
  // remaining bytes cannot possibly hold (a 4-byte field could ask for 4 G samples).
  if (frames * n > r.remaining) {
    throw new VitalsDecodeError(`truncated: ${frames} frames × ${n} signals, only ${r.remaining} bytes left`);
  }
  const samples = new Int16Array(frames * n);
  const initialPrediction = clampInt16(baseline);
  for (let s = 0; s < n; s++) {
    let prev = initialPrediction;
    for (let f = 0; f < frames; f++) {
      const v = prev + unzigzag(r.varint(`sample ${f} of ${signals[s]!}`, MAX_RESIDUAL_BYTES));
      if (v < -32768 || v > 32767) {
        throw new VitalsDecodeError(`sample ${f} of ${signals[s]!} decodes to ${v}, outside int16`);
      }
      samples[f * n + s] = v;
      prev = v;
    }
  }
  if (r.remaining !== 0) throw new VitalsDecodeError(`${r.remaining} trailing bytes after the waveform chunk`);
  return { streamId, signals, sampleRateHz, gain, baseline, firstSample, startTime, samples };
}

export function decodeWaveformChunk(bytes: Uint8Array): WaveformChunk {
  return readWaveformChunk(new ByteReader(bytes));
}
