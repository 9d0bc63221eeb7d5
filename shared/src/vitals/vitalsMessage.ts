import { z } from 'zod';
import { VitalSample, type WaveformChunk } from './model.ts';
import { utf8Decode, utf8Encode, Utf8Error } from './utf8.ts';
import { ByteReader, encodeWaveformChunk, readWaveformChunk, VitalsDecodeError } from './waveformCodec.ts';

/**
 * One message on the vitals data channel. Numerics arrive a few times a second,
 * so they stay JSON (readable in a packet dump, validated by the model's zod
 * schema); waveforms use the binary codec.
 */
export type VitalsMessage = { type: 'numerics'; samples: VitalSample[] } | { type: 'waveform'; chunk: WaveformChunk };

/**
 * Frame layout:
 *
 *   0  8  seq, uint64 little-endian (≤ 2^53−1)
 *   8  1  type: 1 = numerics (UTF-8 JSON array of VitalSample), 2 = waveform (waveformCodec bytes)
 *   9  …  payload, to the end of the message
 *
 * `seq` counts messages per source, numerics and waveforms together, so the
 * receiver can ack, ask for a resend and see a gap even when the channel is
 * configured unordered/unreliable. 8 bytes because a 32-bit counter at 20
 * messages/s wraps in 7 years and a wrap is exactly the edge case nobody tests.
 * SCTP already frames messages, so there is no length prefix.
 */
export const VITALS_MESSAGE_TYPE = { numerics: 1, waveform: 2 } as const;
const HEADER_BYTES = 9;

const NumericsPayload = z.array(VitalSample);

export function encodeVitalsMessage(seq: number, message: VitalsMessage): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`seq must be a non-negative safe integer, got ${seq}`);
  const payload =
    message.type === 'numerics'
      ? utf8Encode(JSON.stringify(NumericsPayload.parse(message.samples)))
      : encodeWaveformChunk(message.chunk);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(seq), true);
  out[8] = VITALS_MESSAGE_TYPE[message.type];
  out.set(payload, HEADER_BYTES);
  return out;
}

export function decodeVitalsMessage(bytes: Uint8Array): { seq: number; message: VitalsMessage } {
  const r = new ByteReader(bytes);
  const seq = r.u64('seq');
  const type = r.u8('message type');
  if (type === VITALS_MESSAGE_TYPE.waveform) {
    return { seq, message: { type: 'waveform', chunk: readWaveformChunk(r) } };
  }
  if (type !== VITALS_MESSAGE_TYPE.numerics) throw new VitalsDecodeError(`unknown vitals message type ${type}`);
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(r.take(r.remaining, 'numerics')));
  } catch (err) {
    if (err instanceof Utf8Error || err instanceof SyntaxError) {
      throw new VitalsDecodeError(`numerics payload is not UTF-8 JSON: ${err.message}`);
    }
    throw err;
  }
  const parsed = NumericsPayload.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new VitalsDecodeError(`numerics payload is not a VitalSample array: ${issues}`);
  }
  return { seq, message: { type: 'numerics', samples: parsed.data } };
}
