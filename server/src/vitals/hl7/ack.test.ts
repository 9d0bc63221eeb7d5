import { describe, expect, it } from 'vitest';
import { buildAck } from './ack.ts';
import { decideFrame } from './ingest.ts';
import { CUSTOM_SEPARATORS, PHILIPS_NUMERICS, seg } from './testFixtures.ts';

const NOW = new Date(Date.UTC(2024, 2, 15, 13, 30, 16));
const env = { now: NOW, controlId: 'ACK1', application: 'LEGEVAKT-VIDEO' };

describe('buildAck', () => {
  it('answers AA, swapping sender and receiver and echoing MSH-10/11/12 and the trigger event', () => {
    expect(buildAck(PHILIPS_NUMERICS, { code: 'AA' }, env)).toBe(
      'MSH|^~\\&|LEGEVAKT-VIDEO|LEGEVAKT|PHILIPS_GW^0001C0FFEE000001^EUI-64|LEGEVAKT|20240315133016+0000||ACK^R01^ACK|ACK1|P|2.6\r' +
        'MSA|AA|20240315143015000001\r',
    );
  });

  it('answers AE with MSA-3 and an ERR segment (ERR-1 for v2.3/2.4 readers, ERR-2/3/4/8 for v2.5+)', () => {
    const ack = buildAck(
      PHILIPS_NUMERICS,
      {
        code: 'AE',
        errorCode: 100,
        text: 'Segment 3 has no valid segment id',
        location: { segment: 'OBX', sequence: 3 },
      },
      env,
    );
    expect(ack.split('\r')).toEqual([
      expect.stringMatching(/^MSH\|/),
      'MSA|AE|20240315143015000001|Segment 3 has no valid segment id',
      'ERR|OBX^3^^100&Segment sequence error&HL70357|OBX^3|100^Segment sequence error^HL70357|E||||Segment 3 has no valid segment id',
      '',
    ]);
  });

  it('escapes the reason text with the delimiters of the message', () => {
    const ack = buildAck(PHILIPS_NUMERICS, { code: 'AR', text: 'bad | field ^ and \\ here\rnext' }, env);
    expect(ack).toContain('MSA|AR|20240315143015000001|bad \\F\\ field \\S\\ and \\E\\ here next\r');
    expect(ack).toContain('|207^Application internal error^HL70357|E|');
  });

  it('answers in the sender’s own delimiters', () => {
    const ack = buildAck(CUSTOM_SEPARATORS, { code: 'AE', errorCode: 207, text: 'a#b' }, env);
    expect(ack.split('\r')).toEqual([
      'MSH#$%!@#LEGEVAKT-VIDEO##GW$0001C0FFEE000002$EUI-64#ICU#20240315133016+0000##ACK$R01$ACK#ACK1#P#2.6',
      'MSA#AE#CUSTOM01#a!F!b',
      'ERR#$$$207@Application internal error@HL70357##207$Application internal error$HL70357#E####a!F!b',
      '',
    ]);
  });

  it('answers a header with broken encoding characters with a generic AR, keeping only safe characters', () => {
    const ack = buildAck(
      'MSH|^^|GW<x>|ICU|||20240101||ORU^R01|CTRL-42|P|2.6\rOBX|1',
      {
        code: 'AR',
        errorCode: 102,
        text: 'MSH-2 repeats a delimiter',
        location: { segment: 'MSH', sequence: 1, field: 2 },
      },
      env,
    );
    expect(ack.split('\r')).toEqual([
      'MSH|^~\\&|LEGEVAKT-VIDEO||GWx|ICU|20240315133016+0000||ACK|ACK1|P|2.6',
      'MSA|AR|CTRL-42|MSH-2 repeats a delimiter',
      'ERR|MSH^1^2^102&Data type error&HL70357|MSH^1^2|102^Data type error^HL70357|E||||MSH-2 repeats a delimiter',
      '',
    ]);
  });

  it('answers input that is not HL7 at all', () => {
    for (const input of ['', 'GET / HTTP/1.1\r\n', '\u0000\u0001', undefined, new Uint8Array([0xff, 0xfe, 0x00])]) {
      const ack = buildAck(input, { code: 'AR', text: 'not HL7' }, env);
      expect(ack).toMatch(
        /^MSH\|\^~\\&\|LEGEVAKT-VIDEO\|\|\|\|20240315133016\+0000\|\|ACK\|ACK1\|P\|2\.6\rMSA\|AR\|\|not HL7\rERR\|/,
      );
    }
  });

  it('never throws on random input and always yields MSH + MSA', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'MSH|^~\\&#$%!@\r\nOBX0123456789ABCÆØÅ\u0000';
    for (let i = 0; i < 2000; i++) {
      const base = rand() < 0.5 ? PHILIPS_NUMERICS.slice(0, Math.floor(rand() * 200)) : 'MSH';
      let s = base;
      const extra = Math.floor(rand() * 40);
      for (let k = 0; k < extra; k++) s += alphabet.charAt(Math.floor(rand() * alphabet.length));
      const ack = buildAck(s, { code: rand() < 0.5 ? 'AE' : 'AA', text: s.slice(0, 30) });
      expect(ack.startsWith('MSH')).toBe(true);
      expect(ack.split('\r')[1]?.slice(4, 6)).toMatch(/^(AA|AE|AR)$/);
    }
  });
});

describe('decideFrame', () => {
  const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

  it('accepts an ORU^R01 and returns the mapped result with MSH-10', () => {
    const d = decideFrame(bytes(PHILIPS_NUMERICS), { receivedAt: 1 });
    expect(d.kind).toBe('accept');
    if (d.kind === 'accept') {
      expect(d.result).toMatchObject({
        controlId: '20240315143015000001',
        sendingApplication: 'PHILIPS_GW',
        processingId: 'P',
        receivedAt: 1,
      });
      expect(d.result.numerics).toHaveLength(8);
    }
  });

  it.each([
    ['ADT^A01', seg('MSH|^~\\&|A|B|||20240101||ADT^A01|X1|P|2.5', 'PID|||1'), 'AR', 200],
    ['ORU^R30', seg('MSH|^~\\&|A|B|||20240101||ORU^R30|X2|P|2.5'), 'AR', 201],
    ['no control id', seg('MSH|^~\\&|A|B|||20240101||ORU^R01||P|2.5'), 'AR', 101],
    ['training data', seg('MSH|^~\\&|A|B|||20240101||ORU^R01|X3|T|2.5'), 'AR', 202],
    ['HL7 v3', seg('MSH|^~\\&|A|B|||20240101||ORU^R01|X4|P|3.0'), 'AR', 203],
    ['bad MSH-2', seg('MSH|^^\\&|A|B|||20240101||ORU^R01|X5|P|2.5'), 'AR', 102],
    ['bad segment', seg('MSH|^~\\&|A|B|||20240101||ORU^R01|X6|P|2.5', '???|1'), 'AE', 100],
  ])('rejects %s', (_name, text, code, errorCode) => {
    const d = decideFrame(bytes(text));
    expect(d.kind).toBe('reject');
    if (d.kind === 'reject') expect(d.details).toMatchObject({ code, errorCode });
  });

  it('does not answer an ACK (no ACK loops)', () => {
    expect(decideFrame(bytes(seg('MSH|^~\\&|A|B|||20240101||ACK^R01^ACK|X7|P|2.6', 'MSA|AA|1'))).kind).toBe('ignore');
  });
});
