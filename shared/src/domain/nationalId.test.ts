import { describe, expect, it } from 'vitest';
import { ageOn, formatNationalId, normaliseNationalId, validateNationalId } from './nationalId.ts';

describe('validateNationalId: published examples', () => {
  // The examples NAV uses in its open-source validators (navikt/fnrvalidator
  // and others): fictitious, but valid under the official algorithm.
  it('accepts the published fødselsnummer 130972 48022', () => {
    expect(validateNationalId('13097248022')).toEqual({
      ok: true,
      kind: 'fnr',
      synthetic: false,
      birthDate: '1972-09-13',
      sex: 'female',
    });
  });

  it('accepts the published leap-day examples (1996, and 2000 which is a leap year)', () => {
    expect(validateNationalId('29029648784')).toMatchObject({ ok: true, birthDate: '1996-02-29', sex: 'male' });
    expect(validateNationalId('29020075838')).toMatchObject({ ok: true, birthDate: '2000-02-29', sex: 'female' });
  });

  it('accepts the published example whose second control digit comes from remainder 0', () => {
    // Individual number 519 with year 19 is 2019, not 1919.
    expect(validateNationalId('15021951940')).toMatchObject({ ok: true, kind: 'fnr', birthDate: '2019-02-15' });
  });

  it('accepts the published D-nummer and H-nummer', () => {
    expect(validateNationalId('53097248016')).toEqual({
      ok: true,
      kind: 'dnr',
      synthetic: false,
      birthDate: '1972-09-13',
      sex: 'female',
    });
    expect(validateNationalId('13527248013')).toEqual({
      ok: true,
      kind: 'hnr',
      synthetic: false,
      birthDate: '1972-12-13',
      sex: 'female',
    });
  });

  it('flags the published Tenor synthetic number (month + 80) as synthetic', () => {
    expect(validateNationalId('04886696871')).toEqual({
      ok: true,
      kind: 'fnr',
      synthetic: true,
      birthDate: '1966-08-04',
      sex: 'female',
    });
  });

  it('rejects the published examples with a wrong control digit', () => {
    expect(validateNationalId('13097248032')).toEqual({ ok: false, reason: 'control1' });
    expect(validateNationalId('13097248023')).toEqual({ ok: false, reason: 'control2' });
    expect(validateNationalId('04886696870')).toEqual({ ok: false, reason: 'control2' });
  });
});

describe('validateNationalId: hand-verified numbers across the century ranges', () => {
  it('2000–2039: individual 500–999 with year 00–39', () => {
    // 2·3 + 4·7 + 0·6 + 5·1 + 2·8 + 0·9 + 5·4 + 1·5 + 2·2 = 84; 84 mod 11 = 7; K1 = 11 − 7 = 4.
    // 2·5 + 4·4 + 0·3 + 5·2 + 2·7 + 0·6 + 5·5 + 1·4 + 2·3 + 4·2 = 93; 93 mod 11 = 5; K2 = 6.
    expect(validateNationalId('24052051246')).toEqual({
      ok: true,
      kind: 'fnr',
      synthetic: false,
      birthDate: '2020-05-24',
      sex: 'female',
    });
  });

  it('1854–1899: individual 500–749 with year 54–99', () => {
    // 3 + 49 + 0 + 5 + 48 + 36 + 24 + 0 + 2 = 167; 167 mod 11 = 2; K1 = 9.
    // 5 + 28 + 0 + 10 + 42 + 24 + 30 + 0 + 3 + 18 = 160; 160 mod 11 = 6; K2 = 5.
    expect(validateNationalId('17056460195')).toMatchObject({ ok: true, birthDate: '1864-05-17', sex: 'male' });
  });

  it('1940–1999: individual 900–999 with year 40–99', () => {
    // 0 + 56 + 0 + 8 + 32 + 45 + 36 + 25 + 2 = 204; 204 mod 11 = 6; K1 = 5.
    // 0 + 32 + 0 + 16 + 28 + 30 + 45 + 20 + 3 + 10 = 184; 184 mod 11 = 8; K2 = 3.
    expect(validateNationalId('08084595153')).toMatchObject({ ok: true, birthDate: '1945-08-08', sex: 'male' });
  });

  it('1900–1999: individual 000–499, including the upper edge 499', () => {
    expect(validateNationalId('31019012312')).toMatchObject({ ok: true, birthDate: '1990-01-31', sex: 'male' });
    expect(validateNationalId('31129949980')).toMatchObject({ ok: true, birthDate: '1999-12-31', sex: 'male' });
    expect(validateNationalId('01018000055')).toMatchObject({ ok: true, birthDate: '1980-01-01', sex: 'female' });
  });

  it('reads 29 February 2020 as a real date', () => {
    expect(validateNationalId('29022060188')).toMatchObject({ ok: true, birthDate: '2020-02-29' });
  });

  it('rejects individual numbers outside every allocated range as a date problem', () => {
    // Control digits are valid; 800 with year 90 and 600 with year 50 were never issued.
    expect(validateNationalId('01019080095')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('01015060057')).toEqual({ ok: false, reason: 'date' });
  });
});

describe('validateNationalId: dates', () => {
  it('rejects 29 February in years that are not leap years, even with valid control digits', () => {
    // Individual 123 with year 00 means 1900, which is not a leap year.
    expect(validateNationalId('29020012380')).toEqual({ ok: false, reason: 'date' });
    // Individual 600 with year 19 means 2019.
    expect(validateNationalId('29021960037')).toEqual({ ok: false, reason: 'date' });
  });

  it('rejects 31 February, 31 April, day 00 and month 13', () => {
    expect(validateNationalId('31029012302')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('31049012392')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('00019012360')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('01139012328')).toEqual({ ok: false, reason: 'date' });
  });

  it('reports the date before the control digits (the published 29.02.01 and 32.12.72 examples)', () => {
    expect(validateNationalId('29020112345')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('32127248022')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('13137248022')).toEqual({ ok: false, reason: 'date' });
  });
});

describe('validateNationalId: D-nummer, H-nummer and synthetic numbers', () => {
  it('accepts a D-nummer up to day 31 + 40 and rejects day 72', () => {
    expect(validateNationalId('64052051310')).toMatchObject({ ok: true, kind: 'dnr', birthDate: '2020-05-24' });
    expect(validateNationalId('71129012344')).toMatchObject({ ok: true, kind: 'dnr', birthDate: '1990-12-31' });
    expect(validateNationalId('72019012345')).toEqual({ ok: false, reason: 'date' });
  });

  it('treats month + 40 as an H-nummer (indistinguishable from NAV synthetic numbers)', () => {
    expect(validateNationalId('24452051229')).toEqual({
      ok: true,
      kind: 'hnr',
      synthetic: false,
      birthDate: '2020-05-24',
      sex: 'female',
    });
    expect(validateNationalId('31529012333')).toMatchObject({ ok: true, kind: 'hnr', birthDate: '1990-12-31' });
  });

  it('rejects months that no offset explains (53 = 13 + 40, 93 = 13 + 80)', () => {
    expect(validateNationalId('01539012300')).toEqual({ ok: false, reason: 'date' });
    expect(validateNationalId('01939012393')).toEqual({ ok: false, reason: 'date' });
  });

  it('flags Tenor (month + 80) numbers as synthetic fnr and D-nummer', () => {
    expect(validateNationalId('24852051201')).toMatchObject({
      ok: true,
      kind: 'fnr',
      synthetic: true,
      birthDate: '2020-05-24',
    });
    expect(validateNationalId('01929012484')).toMatchObject({ ok: true, synthetic: true, birthDate: '1990-12-01' });
    expect(validateNationalId('64852051386')).toMatchObject({
      ok: true,
      kind: 'dnr',
      synthetic: true,
      birthDate: '2020-05-24',
    });
  });

  it('flags a D-nummer with month + 40 as a NAV synthetic D-nummer', () => {
    expect(validateNationalId('64452051212')).toMatchObject({
      ok: true,
      kind: 'dnr',
      synthetic: true,
      birthDate: '2020-05-24',
    });
  });
});

describe('validateNationalId: format and control digits', () => {
  it('rejects wrong lengths, letters and punctuation as format', () => {
    for (const input of ['', '1309724802', '130972480221', '1309724802A', '130972-48022', '13.09.72 48022']) {
      expect(validateNationalId(input)).toEqual({ ok: false, reason: 'format' });
    }
  });

  it('ignores whitespace, so the printed form is accepted', () => {
    expect(validateNationalId(' 130972 48022 ')).toMatchObject({ ok: true, birthDate: '1972-09-13' });
  });

  it('rejects a base whose first control digit would be 10, whatever digit is given', () => {
    // 010180101: 0 + 7 + 0 + 1 + 64 + 0 + 4 + 0 + 2 = 78; 78 mod 11 = 1; 11 − 1 = 10, so no valid K1 exists.
    for (let k = 0; k <= 9; k++) {
      expect(validateNationalId(`010180101${k}0`)).toEqual({ ok: false, reason: 'control1' });
    }
  });

  it('rejects every single-digit change of the control digits', () => {
    for (let k = 0; k <= 9; k++) {
      if (k !== 2) expect(validateNationalId(`130972480${k}2`)).toMatchObject({ ok: false });
      if (k !== 2) expect(validateNationalId(`1309724802${k}`)).toEqual({ ok: false, reason: 'control2' });
    }
  });
});

describe('formatNationalId', () => {
  it('groups as DDMMYY NNNNN', () => {
    expect(formatNationalId('13097248022')).toBe('130972 48022');
    expect(formatNationalId('130972 48022')).toBe('130972 48022');
  });

  it('leaves anything that is not 11 digits untouched', () => {
    expect(formatNationalId('130972')).toBe('130972');
    expect(formatNationalId('1309724802X')).toBe('1309724802X');
  });

  it('normalises by removing whitespace only', () => {
    expect(normaliseNationalId(' 130972\t48022 ')).toBe('13097248022');
  });
});

describe('ageOn', () => {
  it('counts completed years, turning older on the birthday itself', () => {
    expect(ageOn('1972-09-13', '2026-09-12')).toBe(53);
    expect(ageOn('1972-09-13', '2026-09-13')).toBe(54);
    expect(ageOn('2026-01-15', '2026-01-15')).toBe(0);
    expect(ageOn('2025-12-31', '2026-01-01')).toBe(0);
  });

  it('ages someone born 29 February on 1 March in non-leap years', () => {
    expect(ageOn('2020-02-29', '2021-02-28')).toBe(0);
    expect(ageOn('2020-02-29', '2021-03-01')).toBe(1);
    expect(ageOn('2020-02-29', '2024-02-29')).toBe(4);
  });

  it('combines with validateNationalId', () => {
    const result = validateNationalId('24052051246');
    expect(result.ok && ageOn(result.birthDate, '2026-05-23')).toBe(5);
  });

  it('throws on malformed dates and on a date before birth', () => {
    expect(() => ageOn('1972-9-13', '2026-01-01')).toThrow(RangeError);
    expect(() => ageOn('2021-02-29', '2026-01-01')).toThrow(RangeError);
    expect(() => ageOn('2026-01-02', '2026-01-01')).toThrow(RangeError);
  });
});
