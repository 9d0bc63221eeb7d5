import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physionetDataDir, physionetRecord } from './physionetData.ts';
import { assertWfdbRecordVerified, readWfdbRecord, toPhysical, WfdbError, type WfdbRecord } from './record.ts';

describe('the PhysioNet sample data', () => {
  it('ships with the product, identical to the shared reference copy', () => {
    // Fails with the path it looked at if the recordings are missing.
    const dir = physionetDataDir();
    expect(dir).toMatch(/server[/\\]recordings[/\\]physionet$/);
    const reference = path.resolve(dir, '..', '..', '..', '..', 'shared', 'data', 'physionet');
    if (fs.existsSync(reference)) {
      for (const file of ['mitdb-100/100.dat', 'ptbdb-s0010_re/s0010_re.dat', 'challenge2015-a103l/a103l.mat']) {
        expect(fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(reference, file)))).toBe(true);
      }
    }
  });
});

describe('MIT-BIH record 100 (format 212)', () => {
  let record: WfdbRecord;
  beforeAll(async () => {
    record = await readWfdbRecord(physionetRecord('mitdb-100'));
  });

  it('reads the record line', () => {
    expect([record.name, record.fs, record.nSamples, record.signals.length]).toEqual(['100', 360, 650_000, 2]);
    expect(record.info).toEqual(['69 M 1085 1629 x1', 'Aldomet, Inderal']);
  });

  it('matches every checksum and initial value in the header', () => {
    expect(
      record.signals.map((s) => [s.description, s.checksum, s.computedChecksum, s.checksumOk, s.initialValueOk]),
    ).toEqual([
      ['MLII', -22131, -22131, true, true],
      ['V5', 20052, 20052, true, true],
    ]);
    expect(() => assertWfdbRecordVerified(record)).not.toThrow();
  });

  it('has the header’s gain, baseline (= ADC zero), default units and 650 000 samples per lead', () => {
    for (const s of record.signals) {
      expect([s.format, s.gain, s.baseline, s.adcZero, s.adcResolution, s.units]).toEqual([
        212,
        200,
        1024,
        1024,
        11,
        'mV',
      ]);
      expect(s.samples.length).toBe(650_000);
    }
  });

  it('decodes the first samples and their physical values', () => {
    const [mlii, v5] = record.signals;
    expect(Array.from(mlii!.samples.slice(0, 4))).toEqual([995, 995, 995, 995]);
    expect(Array.from(v5!.samples.slice(0, 4))).toEqual([1011, 1011, 1011, 1011]);
    expect(toPhysical(mlii!, 0)).toBeCloseTo(-0.145, 12);
    expect(toPhysical(v5!, 0)).toBeCloseTo(-0.065, 12);
  });

  it('stays within the 11-bit ADC range around the ADC zero', () => {
    for (const s of record.signals) {
      // Spread would overflow the stack on 650 000 arguments.
      expect(s.samples.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(0);
      expect(s.samples.reduce((a, b) => Math.max(a, b))).toBeLessThan(2048);
    }
  });
});

describe('PTB record s0010_re (format 16, 15 signals in two files)', () => {
  let record: WfdbRecord;
  beforeAll(async () => {
    record = await readWfdbRecord(physionetRecord('ptbdb-s0010_re'));
  });

  it('reads 15 signals at 1000 Hz, 38 400 samples each', () => {
    expect([record.name, record.fs, record.nSamples]).toEqual(['s0010_re', 1000, 38_400]);
    // prettier-ignore
    expect(record.signals.map((s) => s.description)).toEqual([
      'i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'vx', 'vy', 'vz',
    ]);
    expect(record.signals.map((s) => s.fileName)).toEqual([
      ...Array<string>(12).fill('s0010_re.dat'),
      ...Array<string>(3).fill('s0010_re.xyz'),
    ]);
  });

  it('matches all 15 checksums and initial values', () => {
    expect(record.signals.map((s) => s.computedChecksum)).toEqual([
      -8337, -16369, 6829, 4582, 11687, -16657, -12469, 5636, -14299, -17916, -6668, -17545, -13009, 7109, -1992,
    ]);
    expect(record.signals.every((s) => s.checksumOk === true && s.initialValueOk === true)).toBe(true);
  });

  it('de-interleaves the 12 leads of one file frame by frame', () => {
    const first = (d: string) => Array.from(record.signals.find((s) => s.description === d)!.samples.slice(0, 4));
    expect(first('i')).toEqual([-489, -485, -483, -482]);
    expect(first('ii')).toEqual([-458, -467, -469, -458]);
    expect(first('v6')).toEqual([390, 396, 393, 394]);
    expect(first('vz')).toEqual([-18, -20, -17, -16]);
  });

  it('has gain 2000/mV, baseline 0 and 16-bit resolution', () => {
    for (const s of record.signals) expect([s.gain, s.baseline, s.units, s.adcResolution]).toEqual([2000, 0, 'mV', 16]);
    expect(toPhysical(record.signals[0]!, 0)).toBe(-0.2445);
  });
});

describe('Challenge 2015 record a103l (format 16 at byte offset 24 in a .mat file)', () => {
  let record: WfdbRecord;
  beforeAll(async () => {
    record = await readWfdbRecord(physionetRecord('challenge2015-a103l'));
  });

  it('reads the record line and the alarm annotation in the info strings', () => {
    expect([record.name, record.fs, record.nSamples]).toEqual(['a103l', 250, 82_500]);
    expect(record.info).toEqual(['Asystole', 'False alarm']);
  });

  it('skips the 24-byte MATLAB preamble: checksums and initial values match', () => {
    expect(
      record.signals.map((s) => [s.description, s.byteOffset, s.samples[0], s.initialValueOk, s.checksumOk]),
    ).toEqual([
      ['II', 24, -171, true, true],
      ['V', 24, 9127, true, true],
      ['PLETH', 24, 6042, true, true],
    ]);
  });

  it('has per-signal gains and units, including the pleth in normalised units', () => {
    expect(record.signals.map((s) => [s.gain, s.units])).toEqual([
      [7247, 'mV'],
      [10520, 'mV'],
      [12530, 'NU'],
    ]);
    expect(Array.from(record.signals[0]!.samples.slice(0, 4))).toEqual([-171, -268, -456, -670]);
    expect(toPhysical(record.signals[2]!, 0)).toBeCloseTo(6042 / 12530, 12);
  });
});

describe('readWfdbRecord on hand-made records', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wfdb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const int16le = (...v: number[]) => Buffer.from(Int16Array.from(v).buffer);

  async function write(name: string, header: string, files: Record<string, Buffer>): Promise<string> {
    for (const [file, bytes] of Object.entries(files)) await writeFile(path.join(dir, file), bytes);
    await writeFile(path.join(dir, `${name}.hea`), header);
    return path.join(dir, `${name}.hea`);
  }

  it('reports a checksum mismatch without throwing, and assertWfdbRecordVerified names it', async () => {
    const hea = await write('bad', 'bad 1 100 3\nbad.dat 16 100 16 0 5 999 0 ECG\n', { 'bad.dat': int16le(5, 6, 7) });
    const record = await readWfdbRecord(hea);
    expect(record.signals[0]).toMatchObject({ computedChecksum: 18, checksumOk: false, initialValueOk: true });
    expect(() => assertWfdbRecordVerified(record)).toThrow(/signal 0 \(ECG\) checksum 18 ≠ 999/);
  });

  it('reports a wrong initial value', async () => {
    const hea = await write('init', 'init 1 100 2\ninit.dat 16 100 16 0 4 11 0 ECG\n', { 'init.dat': int16le(5, 6) });
    const record = await readWfdbRecord(hea);
    expect(record.signals[0]).toMatchObject({ checksumOk: true, initialValueOk: false });
    expect(() => assertWfdbRecordVerified(record)).toThrow(/initial value 5 ≠ 4/);
  });

  it('derives the length from the file when the header leaves it out, and then skips checksum verification', async () => {
    const hea = await write('nolen', 'nolen 2 100\nnolen.dat 16 100 16 0 1 0 0 A\nnolen.dat 16\n', {
      'nolen.dat': Buffer.concat([int16le(1, 2, 3, 4, 5), Buffer.from([9])]),
    });
    const record = await readWfdbRecord(hea);
    expect(record.nSamples).toBe(2);
    expect(record.signals.map((s) => Array.from(s.samples))).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(record.signals[0]!.checksumOk).toBeNull();
    expect(record.signals[1]!.initialValueOk).toBeNull();
  });

  it('maps the format’s invalid-sample marker to NaN and refuses out-of-range indices', async () => {
    const hea = await write('gap', 'gap 1 100 2\ngap.dat 16 100(10)/mmHg\n', { 'gap.dat': int16le(-32768, 110) });
    const [signal] = (await readWfdbRecord(hea)).signals;
    expect(toPhysical(signal!, 0)).toBeNaN();
    expect(toPhysical(signal!, 1)).toBe(1);
    expect(() => toPhysical(signal!, 2)).toThrow(RangeError);
  });

  it('throws WfdbError for a truncated signal file, a missing one, a skew and a path outside the record', async () => {
    const cases: [string, string, Record<string, Buffer>, RegExp][] = [
      ['short', 'short 1 100 4\nshort.dat 16\n', { 'short.dat': int16le(1, 2) }, /short.dat: truncated/],
      ['missing', 'missing 1 100 4\nnothere.dat 16\n', {}, /cannot read signal file .*nothere.dat/],
      ['skewed', 'skewed 1 100 1\nskewed.dat 16:3\n', { 'skewed.dat': int16le(1) }, /skew is not supported/],
      ['escape', 'escape 1 100 1\n../../etc/passwd 16\n', {}, /outside the record's directory/],
      ['offset', 'offset 1 100 1\noffset.dat 16+64\n', { 'offset.dat': int16le(1) }, /byte offset 64 is past the end/],
    ];
    for (const [name, header, files, message] of cases) {
      const hea = await write(name, header, files);
      await expect(readWfdbRecord(hea), name).rejects.toThrow(WfdbError);
      await expect(readWfdbRecord(hea), name).rejects.toThrow(message);
    }
  });
});
