import { Message, type HL7Node } from 'node-hl7-client';
import { zoneOffsetMs } from '@legevakt/shared';

/**
 * A small, typed view of an HL7 v2 message. Splitting and unescaping are done by
 * `node-hl7-client`; everything it is lenient about (MSH-1/MSH-2 validity, segment
 * names, line endings, several messages in one frame) is checked here first, so the
 * rest of the HL7 code never sees a half-parsed message and never needs a try/catch.
 */

/** The delimiters a message declares in MSH-1 and MSH-2. */
export interface Hl7Encoding {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (5th character of MSH-2), if present. */
  truncation?: string;
}

export const DEFAULT_ENCODING: Readonly<Hl7Encoding> = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

/** Subcomponents (unescaped text) of one component. */
export type Hl7Component = readonly string[];
/** Components of one repetition. */
export type Hl7Repetition = readonly Hl7Component[];
/** Repetitions of one field. */
export type Hl7Field = readonly Hl7Repetition[];

export interface Hl7Segment {
  /** Three-character segment id, e.g. `OBX`. */
  readonly name: string;
  /** Indexed by HL7 field number (`fields[5]` is OBX-5); index 0 is unused. For MSH, fields[1] is MSH-1. */
  readonly fields: readonly Hl7Field[];
  /** 1-based position of the segment in the message (for ERR-2). */
  readonly position: number;
}

export interface Hl7Message {
  readonly encoding: Hl7Encoding;
  readonly segments: readonly Hl7Segment[];
  /** The charset the bytes were decoded with. */
  readonly charset: Hl7Charset;
}

/** HL7 table 0357 error codes used here. */
export type Hl7ErrorCode = 100 | 101 | 102 | 200 | 201 | 202 | 203 | 207;

export const HL7_ERROR_TEXT: Readonly<Record<Hl7ErrorCode, string>> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  207: 'Application internal error',
};

export interface Hl7ParseError {
  code: Hl7ErrorCode;
  text: string;
  /** Where the problem is (ERR-2). */
  location?: Hl7ErrorLocation;
  /** AR: the header itself is unusable; AE: the header is fine but the content is not. */
  ack: 'AE' | 'AR';
}

export interface Hl7ErrorLocation {
  segment: string;
  /** 1-based position of the segment in the message. */
  sequence?: number;
  field?: number;
}

export type Hl7ParseResult = { ok: true; message: Hl7Message } | { ok: false; error: Hl7ParseError };

export type Hl7Charset = 'utf-8' | 'latin1';

/**
 * Decodes the bytes of one frame. MSH-18 picks the charset (`8859/1` → Latin-1,
 * `UNICODE UTF-8` → UTF-8); when it is empty, valid UTF-8 is taken as UTF-8 and
 * anything else as Latin-1 (Norwegian names from older gateways arrive that way).
 */
export function decodeHl7Bytes(bytes: Uint8Array): { text: string; charset: Hl7Charset } {
  const declared = declaredCharset(bytes);
  if (declared === 'latin1') return { text: new TextDecoder('latin1').decode(bytes), charset: 'latin1' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), charset: 'utf-8' };
  } catch {
    return { text: new TextDecoder('latin1').decode(bytes), charset: 'latin1' };
  }
}

/** Encodes text for the wire in the same charset the peer used. */
export function encodeHl7Text(text: string, charset: Hl7Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  // Buffer's latin1 keeps only the low byte of each character. The 'latin1' decoder is
  // windows-1252, so a sender's byte 0x93 comes back as U+201C and would go out as 0x1C,
  // MLLP's end byte, cutting our ACK short (found by fuzzing). Outside Latin-1 becomes '?'.
  return Buffer.from(text.replace(/[\u0100-\uffff]/g, '?'), 'latin1');
}

function declaredCharset(bytes: Uint8Array): Hl7Charset | undefined {
  // MSH is ASCII up to MSH-18; read the first segment only.
  let end = bytes.indexOf(0x0d);
  if (end < 0) end = bytes.length;
  end = Math.min(end, 4096);
  let header = '';
  for (let i = 0; i < end; i++) header += String.fromCharCode(bytes[i]!);
  const read = readMshHeader(header);
  const charset = (read.fields[18] ?? '').toUpperCase();
  if (charset.startsWith('8859/') || charset === 'ASCII' || charset === 'ISO IR6' || charset === 'ISO IR100') {
    return charset === 'ASCII' || charset === 'ISO IR6' ? undefined : 'latin1';
  }
  if (charset.includes('UTF-8') || charset.includes('UTF8')) return 'utf-8';
  return undefined;
}

export interface MshHeaderRead {
  /** Set when MSH-1/MSH-2 are valid. */
  encoding?: Hl7Encoding;
  /**
   * Raw (still escaped) MSH fields by field number, split on MSH-1 when MSH-1 is
   * at least plausible (even if MSH-2 is not). Empty when the text is not an MSH.
   */
  fields: readonly string[];
  error?: Hl7ParseError;
}

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;
const ALNUM = /[A-Za-z0-9]/;

/** Checks MSH-1 and MSH-2 and reads the raw MSH fields. Never throws. */
export function readMshHeader(text: string): MshHeaderRead {
  const firstSegment = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  if (!firstSegment.startsWith('MSH')) {
    return { fields: [], error: { code: 100, text: 'Message does not start with an MSH segment', ack: 'AR' } };
  }
  const fieldSep = firstSegment.charAt(3);
  if (fieldSep === '' || ALNUM.test(fieldSep) || /\s/.test(fieldSep)) {
    return {
      fields: [],
      error: {
        code: 102,
        text: 'MSH-1 (field separator) is missing or invalid',
        location: { segment: 'MSH', sequence: 1, field: 1 },
        ack: 'AR',
      },
    };
  }
  const parts = firstSegment.split(fieldSep);
  // parts[0] = 'MSH', parts[1] = MSH-2, parts[n] = MSH-(n+1)
  const fields: string[] = ['', fieldSep, ...parts.slice(1)];
  const chars = parts[1] ?? '';
  const problem = encodingProblem(fieldSep, chars);
  if (problem !== undefined) {
    return {
      fields,
      error: { code: 102, text: problem, location: { segment: 'MSH', sequence: 1, field: 2 }, ack: 'AR' },
    };
  }
  const encoding: Hl7Encoding = {
    field: fieldSep,
    component: chars.charAt(0),
    repetition: chars.charAt(1),
    escape: chars.charAt(2),
    subcomponent: chars.charAt(3),
  };
  if (chars.length === 5) encoding.truncation = chars.charAt(4);
  return { encoding, fields };
}

function encodingProblem(fieldSep: string, chars: string): string | undefined {
  if (chars.length < 4 || chars.length > 5) {
    return `MSH-2 (encoding characters) must have 4 or 5 characters, got ${chars.length}`;
  }
  const all = [fieldSep, ...chars.split('')];
  if (new Set(all).size !== all.length) return 'MSH-2 (encoding characters) repeats a delimiter';
  for (const c of chars) {
    if (ALNUM.test(c) || /\s/.test(c) || c.charCodeAt(0) < 0x20) {
      return 'MSH-2 (encoding characters) contains a letter, digit, space or control character';
    }
  }
  return undefined;
}

/** Parses one message (the payload of one MLLP frame, already decoded). Never throws. */
export function parseHl7(text: string, charset: Hl7Charset = 'utf-8'): Hl7ParseResult {
  const header = readMshHeader(text);
  if (header.error !== undefined || header.encoding === undefined) {
    return { ok: false, error: header.error ?? { code: 102, text: 'Unreadable MSH', ack: 'AR' } };
  }
  const encoding = header.encoding;
  // Segments end with CR; tolerate LF and CRLF from hand-made senders, and blank lines.
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const name = line.slice(0, 3);
    if (!SEGMENT_NAME.test(name) || (line.length > 3 && line.charAt(3) !== encoding.field)) {
      return {
        ok: false,
        error: {
          code: 100,
          text: `Segment ${i + 1} has no valid segment id (${JSON.stringify(line.slice(0, 8))})`,
          location: { segment: sanitize(name), sequence: i + 1 },
          ack: 'AE',
        },
      };
    }
    if (i > 0 && (name === 'MSH' || name === 'BHS' || name === 'FHS')) {
      return {
        ok: false,
        error: {
          code: 100,
          text: 'More than one message (or a batch) in one frame',
          location: { segment: name, sequence: i + 1 },
          ack: 'AE',
        },
      };
    }
  }
  let lib: Message;
  try {
    lib = new Message({ text: lines.join('\r') });
  } catch (e) {
    return { ok: false, error: { code: 100, text: `Unparseable message: ${errorText(e)}`, ack: 'AE' } };
  }
  try {
    const segments: Hl7Segment[] = [];
    let position = 0;
    for (const segNode of lib) {
      position++;
      const fieldNodes = segNode.toArray();
      const name = (fieldNodes[0]?.toString() ?? '').slice(0, 3);
      const fields: Hl7Field[] = [[]];
      if (name === 'MSH') {
        // The library treats MSH-2 as an ordinary field; rebuild MSH-1/MSH-2 from the header.
        fields.push([[[encoding.field]]]);
        fields.push([[[lines[0]!.split(encoding.field)[1] ?? '']]]);
        for (let n = 2; n < fieldNodes.length; n++) fields.push(toField(fieldNodes[n]!));
      } else {
        for (let n = 1; n < fieldNodes.length; n++) fields.push(toField(fieldNodes[n]!));
      }
      segments.push({ name, fields, position });
    }
    return { ok: true, message: { encoding, segments, charset } };
  } catch (e) {
    return { ok: false, error: { code: 100, text: `Unparseable message: ${errorText(e)}`, ack: 'AE' } };
  }
}

function toField(node: HL7Node): Hl7Field {
  return node.toArray().map((rep) => rep.toArray().map((comp) => comp.toArray().map((sub) => sub.toString())));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, '?');
}

/**
 * One value of a segment by HL7 position: field number (1-based), component and
 * subcomponent (1-based), repetition (0-based). Empty string when absent.
 */
export function getValue(
  seg: Hl7Segment | undefined,
  field: number,
  component = 1,
  subcomponent = 1,
  repetition = 0,
): string {
  return seg?.fields[field]?.[repetition]?.[component - 1]?.[subcomponent - 1] ?? '';
}

/** All repetitions of a field as arrays of component values (first subcomponent of each). */
export function getRepetitions(seg: Hl7Segment | undefined, field: number): string[][] {
  return (seg?.fields[field] ?? []).map((rep) => rep.map((comp) => comp[0] ?? ''));
}

export function findSegment(msg: Hl7Message, name: string): Hl7Segment | undefined {
  return msg.segments.find((s) => s.name === name);
}

/**
 * Parses an HL7 DTM/TS value (`YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]`) to epoch
 * ms. Without an offset the time is wall-clock time in `timeZone` (the monitors'
 * local time; default Europe/Oslo). Returns undefined for anything malformed.
 */
export function parseHl7Timestamp(value: string, timeZone = 'Europe/Oslo'): number | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(value.trim());
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (m[8] !== undefined) {
    const sign = m[8].startsWith('-') ? -1 : 1;
    const offH = Number(m[8].slice(1, 3));
    const offM = Number(m[8].slice(3, 5));
    if (offH > 14 || offM > 59) return undefined;
    return wall - sign * (offH * 60 + offM) * 60_000;
  }
  // Find the zone offset for this wall-clock time (two passes settle DST edges).
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** Escapes text for use inside a field, with the message's delimiters. */
export function escapeHl7(text: string, enc: Hl7Encoding = DEFAULT_ENCODING): string {
  let out = '';
  for (const c of text) {
    if (c === enc.escape) out += `${enc.escape}E${enc.escape}`;
    else if (c === enc.field) out += `${enc.escape}F${enc.escape}`;
    else if (c === enc.component) out += `${enc.escape}S${enc.escape}`;
    else if (c === enc.subcomponent) out += `${enc.escape}T${enc.escape}`;
    else if (c === enc.repetition) out += `${enc.escape}R${enc.escape}`;
    else if (c === '\r' || c === '\n') out += ' ';
    else if (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) continue;
    else out += c;
  }
  return out;
}
