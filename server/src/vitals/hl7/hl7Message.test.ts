import { describe, expect, it } from 'vitest';
import {
  decodeHl7Bytes,
  escapeHl7,
  getRepetitions,
  getValue,
  parseHl7,
  parseHl7Timestamp,
  readMshHeader,
  type Hl7Message,
} from './hl7Message.ts';
import { CUSTOM_SEPARATORS, GE_LOINC_KPA, PHILIPS_NUMERICS, seg } from './testFixtures.ts';

function parsed(text: string): Hl7Message {
  const r = parseHl7(text);
  if (!r.ok) throw new Error(`expected a parse: ${r.error.text}`);
  return r.message;
}

describe('parseHl7', () => {
  it('splits a PCD-01 message into segments, fields, repetitions and components', () => {
    const msg = parsed(PHILIPS_NUMERICS);
    expect(msg.segments.map((s) => s.name)).toEqual([
      'MSH',
      'PID',
      'PV1',
      'OBR',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
    ]);
    const msh = msg.segments[0];
    expect(getValue(msh, 1)).toBe('|');
    expect(getValue(msh, 2)).toBe('^~\\&');
    expect(getValue(msh, 3, 2)).toBe('0001C0FFEE000001');
    expect(getValue(msh, 9, 1)).toBe('ORU');
    expect(getValue(msh, 9, 2)).toBe('R01');
    expect(getValue(msh, 10)).toBe('20240315143015000001');
    expect(getValue(msh, 12)).toBe('2.6');
    const pid = msg.segments[1];
    expect(getRepetitions(pid, 3)).toEqual([
      ['12345678901', '', '', 'NOFNR', 'NNNOR'],
      ['H123456', '', '', 'LEGEVAKT', 'MR'],
    ]);
    const obx = msg.segments[7];
    expect(getValue(obx, 3, 2)).toBe('MDC_PRESS_BLD_NONINV_SYS');
    expect(getValue(obx, 5)).toBe('128');
    expect(obx?.position).toBe(8);
  });

  it('uses the delimiters declared in MSH-1/MSH-2 and decodes escapes with them', () => {
    const msg = parsed(CUSTOM_SEPARATORS);
    const msh = msg.segments[0];
    expect(msg.encoding).toEqual({ field: '#', component: '$', repetition: '%', escape: '!', subcomponent: '@' });
    expect(getValue(msh, 9, 2)).toBe('R01');
    expect(getRepetitions(msg.segments[1], 3).map((r) => r[0])).toEqual(['555', '777']);
    const note = msg.segments[3];
    expect(getValue(note, 3, 2)).toBe('Note#with$escapes');
    expect(getValue(note, 5)).toBe('a#b$c');
  });

  it('decodes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ and keeps subcomponents apart', () => {
    const msg = parsed(
      seg('MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.6', 'OBX|1|ST|X^Y^L||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f~p&q^r'),
    );
    const obx = msg.segments[1];
    expect(getValue(obx, 5)).toBe('a|b^c&d~e\\f');
    expect(getValue(obx, 5, 1, 1, 1)).toBe('p');
    expect(getValue(obx, 5, 1, 2, 1)).toBe('q');
    expect(getValue(obx, 5, 2, 1, 1)).toBe('r');
  });

  it('accepts a v2.7 truncation character and LF or CRLF segment ends', () => {
    const msg = parsed('MSH|^~\\&#|A|B|||20240101||ORU^R01|1|P|2.7\nPID|||42\r\nOBX|1|NM|x||5#6\n\n');
    expect(msg.encoding.truncation).toBe('#');
    expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'OBX']);
    expect(getValue(msg.segments[2], 5)).toBe('5#6');
  });

  it.each([
    ['no MSH', 'PID|||1\r', 100],
    ['empty', '', 100],
    ['MSH only', 'MSH', 102],
    ['alphanumeric field separator', 'MSHA^~\\&A1\r', 102],
    ['too few encoding characters', 'MSH|^~|A|B\r', 102],
    ['repeated encoding character', 'MSH|^^\\&|A|B\r', 102],
    ['encoding character equal to field separator', 'MSH|^~\\||A|B\r', 102],
    ['letter as encoding character', 'MSH|^~\\X|A|B\r', 102],
    ['space as encoding character', 'MSH|^~ &|A|B\r', 102],
  ])('rejects a bad header (%s) with AR', (_name, text, code) => {
    const r = parseHl7(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.ack).toBe('AR');
    }
  });

  it.each([
    ['lower-case segment id', 'obx|1|NM|x||1'],
    ['short segment id', 'OB|1'],
    ['segment id followed by the wrong separator', 'OBX^1^NM'],
    ['a second MSH', 'MSH|^~\\&|A|B|||20240101||ORU^R01|2|P|2.6'],
    ['a batch header', 'BHS|^~\\&|A'],
  ])('rejects a malformed body (%s) with AE and its position', (_name, line) => {
    const r = parseHl7(seg('MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.6', 'PID|||1', line));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 100, ack: 'AE', location: { sequence: 3 } });
    }
  });
});

describe('readMshHeader', () => {
  it('still splits the fields when MSH-2 is invalid, so a NAK can quote MSH-10', () => {
    const r = readMshHeader('MSH|^^|GW|ICU|||20240101||ORU^R01|CTRL42|P|2.6\rOBX|1');
    expect(r.encoding).toBeUndefined();
    expect(r.error?.code).toBe(102);
    expect(r.fields[10]).toBe('CTRL42');
  });
});

describe('decodeHl7Bytes', () => {
  it('honours MSH-18 8859/1 for Norwegian letters', () => {
    const bytes = Buffer.from(
      seg('MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.6|||||8859/1', 'PID|||1||Ødegård^Åse'),
      'latin1',
    );
    const { text, charset } = decodeHl7Bytes(bytes);
    expect(charset).toBe('latin1');
    expect(text).toContain('Ødegård^Åse');
  });

  it('takes valid UTF-8 as UTF-8 and falls back to Latin-1 otherwise when MSH-18 is empty', () => {
    const text = seg('MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.6', 'PID|||1||Ødegård^Åse');
    expect(decodeHl7Bytes(Buffer.from(text, 'utf8'))).toEqual({ text, charset: 'utf-8' });
    expect(decodeHl7Bytes(Buffer.from(text, 'latin1'))).toEqual({ text, charset: 'latin1' });
    expect(parsed(GE_LOINC_KPA).segments[1]?.fields[5]?.[0]?.[0]?.[0]).toBe('Ødegård');
  });
});

describe('parseHl7Timestamp', () => {
  it('applies an explicit offset', () => {
    expect(parseHl7Timestamp('20240315143000+0100')).toBe(Date.UTC(2024, 2, 15, 13, 30, 0));
    expect(parseHl7Timestamp('20240315143000.250-0230')).toBe(Date.UTC(2024, 2, 15, 17, 0, 0, 250));
  });

  it('reads times without offset as Europe/Oslo wall-clock time (CET and CEST)', () => {
    expect(parseHl7Timestamp('20240115120000')).toBe(Date.UTC(2024, 0, 15, 11, 0, 0));
    expect(parseHl7Timestamp('20240715120000')).toBe(Date.UTC(2024, 6, 15, 10, 0, 0));
    expect(parseHl7Timestamp('202407151200')).toBe(Date.UTC(2024, 6, 15, 10, 0, 0));
    expect(parseHl7Timestamp('20240715', 'UTC')).toBe(Date.UTC(2024, 6, 15));
  });

  it.each(['', '2024', 'x20240101', '20241301', '20240230', '20240101250000', '20240101120000+2500', '2024-01-01'])(
    'rejects %j',
    (v) => {
      if (v === '2024') {
        expect(parseHl7Timestamp(v, 'UTC')).toBe(Date.UTC(2024, 0, 1));
        return;
      }
      expect(parseHl7Timestamp(v)).toBeUndefined();
    },
  );
});

describe('escapeHl7', () => {
  it('escapes every delimiter and strips line breaks', () => {
    expect(escapeHl7('a|b^c~d\\e&f\rg')).toBe('a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f g');
  });
});
