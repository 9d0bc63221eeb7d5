import {
  DEFAULT_ENCODING,
  HL7_ERROR_TEXT,
  decodeHl7Bytes,
  escapeHl7,
  readMshHeader,
  type Hl7Encoding,
  type Hl7ErrorCode,
  type Hl7ErrorLocation,
} from './hl7Message.ts';

/**
 * Original-mode acknowledgements (ACK with MSA, and ERR on errors) for any input:
 * a well-formed message, one with a broken MSH, or bytes that are no HL7 at all.
 * The ACK uses the sender's delimiters when its MSH-1/MSH-2 are valid, and copies
 * the sender's routing fields (MSH-3..6 swapped), MSH-10, MSH-11 and MSH-12.
 */

export type AckCode = 'AA' | 'AE' | 'AR';

export interface AckDetails {
  code: AckCode;
  /** Human-readable reason: MSA-3 and ERR-8. */
  text?: string;
  /** HL7 table 0357 code for ERR-3; default 207 for AE/AR, none for AA. */
  errorCode?: Hl7ErrorCode;
  location?: Hl7ErrorLocation;
  /** ERR-4 (table 0516); default E for AE/AR, W for an AA with an error code. */
  severity?: 'E' | 'W' | 'I';
}

export interface AckEnvelope {
  /** MSH-3/MSH-4 of the ACK when the input named no receiver. */
  application?: string;
  facility?: string;
  now?: Date;
  /** MSH-10 of the ACK itself; default a fresh id. */
  controlId?: string;
}

const MAX_TEXT = 200;
const MAX_FIELD = 199;
let ackCounter = 0;

/** Builds an ACK/NAK (segments separated and ended by CR). Never throws. */
export function buildAck(
  input: string | Uint8Array | undefined,
  details: AckDetails,
  envelope: AckEnvelope = {},
): string {
  try {
    return buildAckUnsafe(input, details, envelope);
  } catch {
    // Last resort: nothing from the input, so nothing can break it.
    const code = details.code === 'AA' ? 'AA' : 'AR';
    return `MSH|^~\\&|||||${hl7Now(new Date())}||ACK|${nextControlId()}|P|2.6\rMSA|${code}|\r`;
  }
}

function buildAckUnsafe(input: string | Uint8Array | undefined, details: AckDetails, envelope: AckEnvelope): string {
  const text =
    input === undefined ? '' : typeof input === 'string' ? input : decodeHl7Bytes(input.subarray(0, 8192)).text;
  const header = readMshHeader(text);
  const trusted = header.encoding !== undefined;
  const enc: Hl7Encoding = header.encoding ?? DEFAULT_ENCODING;
  const f = header.fields;
  // With valid delimiters the raw fields can be copied as they are; otherwise only safe characters survive.
  const raw = (n: number): string => clean(f[n] ?? '', trusted);
  const first = (n: number): string => raw(n).split(enc.component)[0] ?? '';

  const processingId = /^[A-Z]$/.test(first(11)) ? first(11) : 'P';
  const version = /^2\.\d(\.\d)?$/.test(first(12)) ? first(12) : '2.6';
  const trigger = raw(9).split(enc.component)[1] ?? '';
  const messageType = /^[A-Z0-9]{3}$/.test(trigger) ? ['ACK', trigger, 'ACK'].join(enc.component) : 'ACK';

  const sep = enc.field;
  const msh = [
    'MSH',
    [enc.component, enc.repetition, enc.escape, enc.subcomponent, enc.truncation ?? ''].join(''),
    raw(5) || escapeHl7(envelope.application ?? '', enc),
    raw(6) || escapeHl7(envelope.facility ?? '', enc),
    raw(3),
    raw(4),
    hl7Now(envelope.now ?? new Date()),
    '',
    messageType,
    escapeHl7(envelope.controlId ?? nextControlId(), enc).slice(0, MAX_FIELD),
    processingId,
    version,
  ].join(sep);

  const reason = details.text === undefined ? '' : escapeHl7(details.text.slice(0, MAX_TEXT), enc);
  const msaFields = ['MSA', details.code, raw(10)];
  if (reason !== '') msaFields.push(reason);
  const segments = [msh, msaFields.join(sep)];

  const errorCode = details.errorCode ?? (details.code === 'AA' ? undefined : 207);
  if (errorCode !== undefined) {
    const severity = details.severity ?? (details.code === 'AA' ? 'W' : 'E');
    const c = enc.component;
    const s = enc.subcomponent;
    const codeText = HL7_ERROR_TEXT[errorCode];
    const loc = details.location;
    const locSeg = loc === undefined ? '' : loc.segment.replace(/[^A-Z0-9]/g, '');
    const locParts = loc === undefined ? [] : [locSeg, String(loc.sequence ?? ''), String(loc.field ?? '')];
    // ERR-1 (ELD, v2.3-2.4 receivers) and ERR-2/3/4/8 (v2.5+), both filled.
    const eld = [
      ...(locParts.length > 0 ? locParts : ['', '', '']),
      [String(errorCode), codeText, 'HL70357'].join(s),
    ].join(c);
    const erl = trimTrailing(locParts, c);
    const cwe = [String(errorCode), codeText, 'HL70357'].join(c);
    segments.push(['ERR', eld, erl, cwe, severity, '', '', '', reason].join(sep));
  }
  return segments.join('\r') + '\r';
}

function trimTrailing(parts: string[], sep: string): string {
  const copy = [...parts];
  while (copy.length > 0 && copy[copy.length - 1] === '') copy.pop();
  return copy.join(sep);
}

function clean(value: string, trusted: boolean): string {
  // eslint-disable-next-line no-control-regex
  const noControl = value.replace(/[\x00-\x1f\x7f]/g, '');
  if (trusted) return noControl.slice(0, MAX_FIELD);
  return noControl.replace(/[^A-Za-z0-9 ._\-:]/g, '').slice(0, MAX_FIELD);
}

function hl7Now(now: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}+0000`
  );
}

function nextControlId(): string {
  ackCounter = (ackCounter + 1) % 1_000_000;
  return `ACK${Date.now().toString(36).toUpperCase()}${ackCounter.toString(36).toUpperCase()}`;
}
