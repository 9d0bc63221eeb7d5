import { buildAck, type AckDetails, type AckEnvelope } from './ack.ts';
import { decodeHl7Bytes, encodeHl7Text, getValue, parseHl7, readMshHeader, type Hl7Charset } from './hl7Message.ts';
import { encodeMllp } from './mllpFraming.ts';
import { mapOruR01, type OruMapOptions, type OruMapResult } from './oruMapper.ts';

/** What the listener hands to `onMessage` for every accepted ORU^R01. */
export interface Hl7IngestResult extends OruMapResult {
  /** MSH-10. */
  controlId: string;
  /** MSH-3 (first component). */
  sendingApplication: string;
  /** MSH-11 (first component), `P` unless configured otherwise. */
  processingId: string;
  receivedAt: number;
}

export interface IngestOptions extends OruMapOptions {
  /** MSH-11 values accepted; others get AR 202 so training/debug traffic stays out of patient data. Default ['P']. */
  processingIds?: readonly string[];
}

export type FrameDecision =
  | { kind: 'accept'; result: Hl7IngestResult; text: string; charset: Hl7Charset }
  | { kind: 'reject'; details: AckDetails; text: string; charset: Hl7Charset }
  /** The frame is itself an acknowledgement: answering it could start an ACK loop. */
  | { kind: 'ignore'; reason: string };

/** Decodes, validates and maps one frame payload. Never throws. */
export function decideFrame(payload: Uint8Array, options: IngestOptions = {}): FrameDecision {
  let text = '';
  let charset: Hl7Charset = 'utf-8';
  try {
    ({ text, charset } = decodeHl7Bytes(payload));
    const header = readMshHeader(text);
    const messageCode = (header.fields[9] ?? '').split(header.encoding?.component ?? '^')[0] ?? '';
    if (header.encoding !== undefined && messageCode === 'ACK') return { kind: 'ignore', reason: 'frame is an ACK' };
    const parsed = parseHl7(text, charset);
    if (!parsed.ok) {
      const { code, text: reason, location, ack } = parsed.error;
      const details: AckDetails = { code: ack, errorCode: code, text: reason };
      if (location !== undefined) details.location = location;
      return { kind: 'reject', details, text, charset };
    }
    const msg = parsed.message;
    const msh = msg.segments[0];
    const reject = (code: AckDetails['errorCode'] & number, reason: string, field: number): FrameDecision => ({
      kind: 'reject',
      details: { code: 'AR', errorCode: code, text: reason, location: { segment: 'MSH', sequence: 1, field } },
      text,
      charset,
    });
    const type = getValue(msh, 9, 1);
    const event = getValue(msh, 9, 2);
    if (type !== 'ORU') return reject(200, `Message type ${type || '(none)'} is not supported, only ORU^R01`, 9);
    if (event !== 'R01') return reject(201, `Trigger event ${event || '(none)'} is not supported, only ORU^R01`, 9);
    const controlId = getValue(msh, 10);
    if (controlId === '') return reject(101, 'MSH-10 (message control id) is missing', 10);
    const processingId = getValue(msh, 11) || 'P';
    if (!(options.processingIds ?? ['P']).includes(processingId)) {
      return reject(202, `Processing id ${processingId} is not accepted`, 11);
    }
    const version = getValue(msh, 12);
    if (!/^2\.\d/.test(version)) return reject(203, `Version ${version || '(none)'} is not HL7 v2`, 12);
    const receivedAt = options.receivedAt ?? Date.now();
    const mapped = mapOruR01(msg, { ...options, receivedAt });
    return {
      kind: 'accept',
      result: { ...mapped, controlId, sendingApplication: getValue(msh, 3), processingId, receivedAt },
      text,
      charset,
    };
  } catch (e) {
    return {
      kind: 'reject',
      details: { code: 'AE', errorCode: 207, text: `Internal error: ${e instanceof Error ? e.message : String(e)}` },
      text,
      charset,
    };
  }
}

/** The MLLP-framed ACK/NAK for a frame, in the charset the frame used. Never throws. */
export function framedAck(text: string, charset: Hl7Charset, details: AckDetails, envelope: AckEnvelope = {}): Buffer {
  return encodeMllp(encodeHl7Text(buildAck(text, details, envelope), charset));
}

/** The NAK for a frame that passed the size limit, quoting what its first bytes say. */
export function oversizeNak(head: Uint8Array, limit: number, envelope: AckEnvelope = {}): Buffer {
  const { text, charset } = decodeHl7Bytes(head);
  return framedAck(
    text,
    charset,
    { code: 'AR', errorCode: 207, text: `Message larger than ${limit} bytes was discarded` },
    envelope,
  );
}
