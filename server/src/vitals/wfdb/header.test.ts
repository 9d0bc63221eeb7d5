import { describe, expect, it } from 'vitest';
import { parseWfdbHeader, WfdbError } from './header.ts';

describe('parseWfdbHeader: record line', () => {
  it('reads name, signal count, frequency, length, base time and date', () => {
    const h = parseWfdbHeader('rec_1 0 360 650000 13:05:00 25/4/1989\n');
    expect(h).toMatchObject({
      name: 'rec_1',
      nSignals: 0,
      fs: 360,
      counterFrequency: 360,
      baseCounterValue: 0,
      nSamples: 650000,
      baseTime: '13:05:00',
      baseDate: '25/4/1989',
      signals: [],
    });
  });

  it('applies defaults: 250 Hz, unspecified length, no base time', () => {
    expect(parseWfdbHeader('r 0')).toMatchObject({ fs: 250, nSamples: null, baseTime: null, baseDate: null });
    // header(5): a zero length means "unspecified".
    expect(parseWfdbHeader('r 0 500 0').nSamples).toBeNull();
  });

  it('accepts scanf-style frequencies and counter frequency with base counter value', () => {
    expect(parseWfdbHeader('r 0 3.6e2').fs).toBe(360);
    expect(parseWfdbHeader('r 0 0.9765625').fs).toBe(0.9765625);
    expect(parseWfdbHeader('r 0 128/2(-12.5) 1000')).toMatchObject({
      fs: 128,
      counterFrequency: 2,
      baseCounterValue: -12.5,
    });
    expect(parseWfdbHeader('r 0 128/0').counterFrequency).toBe(128);
  });

  it('skips comments and blank lines before the record line and keeps trailing comments as info', () => {
    const h = parseWfdbHeader('# made by hand\n\nr 1 250 10\nr.dat 16\n#Asystole\n# False alarm \n');
    expect(h.name).toBe('r');
    expect(h.info).toEqual(['Asystole', 'False alarm']);
  });
});

describe('parseWfdbHeader: signal lines', () => {
  const sig = (line: string, extra = '') => parseWfdbHeader(`rec 1 500 1000\n${line}\n${extra}`).signals[0]!;

  it('reads every field of a full line (the MIT-BIH 100 example)', () => {
    expect(sig('100.dat 212 200 11 1024 995 -22131 0 MLII')).toEqual({
      fileName: '100.dat',
      format: 212,
      samplesPerFrame: 1,
      skew: 0,
      byteOffset: 0,
      gain: 200,
      calibrated: true,
      baseline: 1024,
      units: 'mV',
      adcResolution: 11,
      adcZero: 1024,
      initialValue: 995,
      initialValueGiven: true,
      checksum: -22131,
      blockSize: 0,
      description: 'MLII',
    });
  });

  it('reads format modifiers: samples per frame, skew and byte offset', () => {
    expect(sig('sig.dat 16x2:100+512 200(500)/uV 12 2048 0 0 0 Channel A')).toMatchObject({
      format: 16,
      samplesPerFrame: 2,
      skew: 100,
      byteOffset: 512,
      gain: 200,
      baseline: 500,
      units: 'uV',
      adcZero: 2048,
      description: 'Channel A',
    });
    expect(sig('a103l.mat 16+24 1.253e+04/NU 16 0 6042 -17391 0 PLETH')).toMatchObject({
      byteOffset: 24,
      gain: 12530,
      units: 'NU',
      baseline: 0,
    });
  });

  it('defaults a minimal line: gain 200 (uncalibrated), baseline = ADC zero = 0, mV, 12 bits', () => {
    expect(sig('x.dat 16')).toMatchObject({
      gain: 200,
      calibrated: false,
      baseline: 0,
      units: 'mV',
      adcResolution: 12,
      adcZero: 0,
      initialValue: 0,
      initialValueGiven: false,
      checksum: null,
      blockSize: 0,
      description: 'record rec, signal 0',
    });
  });

  it('treats gain 0 as uncalibrated 200 and lets the baseline default to the ADC zero', () => {
    expect(sig('x.dat 212 0 12 1024')).toMatchObject({
      gain: 200,
      calibrated: false,
      baseline: 1024,
      initialValue: 1024,
    });
    expect(sig('x.dat 80 100 0')).toMatchObject({ adcResolution: 8 });
  });

  it('keeps spaces inside the description and tolerates tabs and CRLF', () => {
    expect(sig('x.dat\t16 200 16 0 0 0 0   ECG lead II  \r')).toMatchObject({ description: 'ECG lead II' });
  });

  it('normalises an unsigned checksum to signed 16-bit', () => {
    expect(sig('x.dat 16 200 16 0 0 65535 0 ECG').checksum).toBe(-1);
  });

  it('ignores signal lines beyond the declared count (header(5))', () => {
    const h = parseWfdbHeader('rec 1\na.dat 16\nb.dat 16\n');
    expect(h.signals.map((s) => s.fileName)).toEqual(['a.dat']);
  });
});

describe('parseWfdbHeader: malformed headers name the line', () => {
  it.each([
    ['rec 1 500 1000\nx.dat 16 abc', /header line 2 "x.dat 16 abc": ADC gain "abc" is not a number/],
    ['rec 1 500 1000\nx.dat sixteen', /line 2 .*format "sixteen" is malformed/],
    ['rec 1 500 1000\nx.dat 16 200 12 0 1.5', /line 2 .*initial value "1.5" is not an integer/],
    ['rec 1 500 1000\nx.dat 16 200(1.5)/mV', /line 2 .*baseline "1.5" is not an integer/],
    ['rec 1 500 1000\nx.dat 16 200 12 0 0 70000', /checksum 70000 is not a 16-bit value/],
    ['rec 1 500 1000\nx.dat', /line 2 .*needs a file name and a format/],
    ['rec 1 500 1000\n- 16', /standard input/],
    ['rec two', /line 1 .*number of signals "two" is not an integer/],
    ['rec 1 -360', /sampling frequency must be greater than zero/],
    ['rec 1 abc', /sampling frequency "abc" is not a number/],
    ['rec/3 2 360', /multi-segment/],
    ['re-c 1', /record name "re-c"/],
    ['rec 0 360 100 25:61', /base time "25:61" is not HH:MM:SS/],
    ['rec 0 360 100 0:0:0 2024-01-01', /base date/],
    ['\n# only a comment\n\n', /no record line/],
    ['rec 2 360\nx.dat 16', /declares 2 signals but has 1/],
    ['rec 2 360\nx.dat 16\nx.dat 212', /share one format/],
    ['rec 3 360\na.dat 16\nb.dat 16\na.dat 16', /must be consecutive/],
  ])('%j', (text, message) => {
    expect(() => parseWfdbHeader(text)).toThrow(WfdbError);
    expect(() => parseWfdbHeader(text)).toThrow(message);
  });
});
