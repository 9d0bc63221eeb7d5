import { describe, expect, it } from 'vitest';
import { ACTION_WORDS, accessLogCsv, csvCell, formatOsloTime } from './accessLogCsv.ts';

/** Every action the server logs (AccessAction); the CSV must have words for each. */
const ACTIONS = [
  'consult.request',
  'consult.view',
  'queue.view',
  'consult.transition',
  'record.view',
  'record.note',
  'record.addendum',
  'strip.capture',
  'photo.add',
  'photo.view',
  'vitals.stream',
  'vitals.fetch',
  'export.pdf',
  'export.fhir',
  'call.join',
  'accesslog.view',
] as const satisfies readonly import('./accessEvents.ts').AccessAction[];

describe('access log CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell('Ingrid Aasen')).toBe('Ingrid Aasen');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('si "hei"')).toBe('"si ""hei"""');
    expect(csvCell('linje1\nlinje2')).toBe('"linje1\nlinje2"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(12)).toBe('12');
    expect(csvCell(null)).toBe('');
  });

  it('writes Norwegian time with daylight saving', () => {
    expect(formatOsloTime(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe('29.03.2026 01:59:59');
    expect(formatOsloTime(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe('29.03.2026 03:00:00');
  });

  it('has words for every action', () => {
    for (const action of ACTIONS) expect(ACTION_WORDS[action], action).toBeTruthy();
  });

  it('starts with a BOM and ends every line with CRLF, also with no entries', () => {
    const csv = accessLogCsv({ nationalId: '13097248022', consultId: null, entries: [], truncated: false });
    expect(csv.startsWith('\uFEFFLøpenummer;Tidspunkt;')).toBe(true);
    expect(csv.endsWith(';Begrunnelse\r\n')).toBe(true);
  });
});
