/**
 * WFDB header (.hea) parser, following header(5) of the WFDB Applications Guide
 * (https://physionet.org/physiotools/wag/header-5.htm). Single-segment records
 * only; a multi-segment record line is refused rather than misread.
 *
 * Pure (text in, structure out) so it is testable without files; record.ts reads
 * the signal files.
 */

export class WfdbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WfdbError';
  }
}

export interface WfdbSignalSpec {
  /** Relative to the header's directory. */
  fileName: string;
  format: number;
  samplesPerFrame: number;
  skew: number;
  byteOffset: number;
  /** ADC units per physical unit; 200 when the header gives 0 or nothing (then `calibrated` is false). */
  gain: number;
  calibrated: boolean;
  /** Sample value of 0 physical units; defaults to adcZero. */
  baseline: number;
  /** Defaults to "mV". */
  units: string;
  adcResolution: number;
  adcZero: number;
  /** Value of sample 0; defaults to adcZero. `initialValueGiven` tells whether the header stated it. */
  initialValue: number;
  initialValueGiven: boolean;
  /** 16-bit signed sum of all samples, or null when the header has no checksum field. */
  checksum: number | null;
  blockSize: number;
  description: string;
}

export interface WfdbHeader {
  name: string;
  nSignals: number;
  /** Samples per second per signal (frames per second when samplesPerFrame > 1). */
  fs: number;
  counterFrequency: number;
  baseCounterValue: number;
  /** Samples per signal; null when the header leaves it unspecified (0 or absent). */
  nSamples: number | null;
  /** As written, HH:MM:SS[.sss]; null when absent. */
  baseTime: string | null;
  /** As written, DD/MM/YYYY; null when absent. */
  baseDate: string | null;
  signals: WfdbSignalSpec[];
  /** Comment lines after the last signal line, without the '#'. */
  info: string[];
}

/** Default gain for uncalibrated signals (DEFGAIN in <wfdb/wfdb.h>). */
export const WFDB_DEFAULT_GAIN = 200;
/** Default sampling frequency (DEFREQ). */
export const WFDB_DEFAULT_FREQUENCY = 250;

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function lineError(lineNo: number, line: string, problem: string): WfdbError {
  return new WfdbError(`header line ${lineNo} "${line.trim()}": ${problem}`);
}

function int(text: string, field: string, lineNo: number, line: string): number {
  if (!INT.test(text)) throw lineError(lineNo, line, `${field} "${text}" is not an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw lineError(lineNo, line, `${field} ${text} is out of range`);
  return n;
}

function float(text: string, field: string, lineNo: number, line: string): number {
  if (!FLOAT.test(text)) throw lineError(lineNo, line, `${field} "${text}" is not a number`);
  return Number(text);
}

/** Default ADC resolution when the field is 0 or absent: 12 bits, capped by what the format can hold. */
function defaultResolution(format: number): number {
  if (format === 80) return 8;
  if (format === 8) return 10;
  return 12;
}

function parseRecordLine(line: string, lineNo: number): Omit<WfdbHeader, 'signals' | 'info'> {
  const f = line.trim().split(/\s+/);
  const [nameField, nSignalsField, fsField, nSamplesField, baseTime, baseDate] = f;
  if (nameField === undefined || nSignalsField === undefined) {
    throw lineError(lineNo, line, 'a record line needs a record name and a number of signals');
  }
  if (f.length > 6) throw lineError(lineNo, line, `unexpected field "${f[6]!}" after the base date`);
  if (nameField.includes('/')) {
    throw lineError(lineNo, line, 'multi-segment records (name/segments) are not supported');
  }
  if (!/^\w+$/.test(nameField))
    throw lineError(lineNo, line, `record name "${nameField}" may hold only letters, digits and _`);
  const nSignals = int(nSignalsField, 'number of signals', lineNo, line);
  if (nSignals < 0) throw lineError(lineNo, line, 'number of signals must not be negative');

  let fs = WFDB_DEFAULT_FREQUENCY;
  let counterFrequency = fs;
  let baseCounterValue = 0;
  if (fsField !== undefined) {
    const m = /^([^/]+)(?:\/([^(]+)(?:\(([^)]+)\))?)?$/.exec(fsField);
    if (!m) throw lineError(lineNo, line, `sampling frequency "${fsField}" is malformed`);
    fs = float(m[1]!, 'sampling frequency', lineNo, line);
    if (!(fs > 0)) throw lineError(lineNo, line, 'sampling frequency must be greater than zero');
    counterFrequency = fs;
    if (m[2] !== undefined) {
      const cf = float(m[2], 'counter frequency', lineNo, line);
      // header(5): a counter frequency that is not positive means "same as fs".
      if (cf > 0) counterFrequency = cf;
    }
    if (m[3] !== undefined) baseCounterValue = float(m[3], 'base counter value', lineNo, line);
  }
  let nSamples: number | null = null;
  if (nSamplesField !== undefined) {
    const n = int(nSamplesField, 'number of samples per signal', lineNo, line);
    if (n < 0) throw lineError(lineNo, line, 'number of samples must not be negative');
    // header(5): zero means unspecified (and disables checksum verification).
    nSamples = n === 0 ? null : n;
  }
  if (baseTime !== undefined && !/^\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?$/.test(baseTime)) {
    throw lineError(lineNo, line, `base time "${baseTime}" is not HH:MM:SS`);
  }
  if (baseDate !== undefined && !/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(baseDate)) {
    throw lineError(lineNo, line, `base date "${baseDate}" is not DD/MM/YYYY`);
  }
  return {
    name: nameField,
    nSignals,
    fs,
    counterFrequency,
    baseCounterValue,
    nSamples,
    baseTime: baseTime ?? null,
    baseDate: baseDate ?? null,
  };
}

function parseSignalLine(line: string, lineNo: number, recordName: string, index: number): WfdbSignalSpec {
  // The description is "any text after the block size", spaces included, so
  // tokens are located rather than split.
  const tokens = [...line.matchAll(/\S+/g)];
  const field = (i: number): string | undefined => tokens[i]?.[0];
  const fileName = field(0);
  const formatField = field(1);
  if (fileName === undefined || formatField === undefined) {
    throw lineError(lineNo, line, 'a signal line needs a file name and a format');
  }
  if (fileName === '-') throw lineError(lineNo, line, 'signals on standard input ("-") are not supported');

  const fm = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(formatField);
  if (!fm) throw lineError(lineNo, line, `format "${formatField}" is malformed (expected e.g. 16, 212, 16x2:1+24)`);
  const format = Number(fm[1]);
  const samplesPerFrame = fm[2] === undefined ? 1 : Number(fm[2]);
  if (samplesPerFrame < 1) throw lineError(lineNo, line, 'samples per frame must be at least 1');
  const skew = fm[3] === undefined ? 0 : Number(fm[3]);
  const byteOffset = fm[4] === undefined ? 0 : Number(fm[4]);

  let gain = WFDB_DEFAULT_GAIN;
  let calibrated = false;
  let baselineGiven: number | undefined;
  let units = 'mV';
  const gainField = field(2);
  if (gainField !== undefined) {
    const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(\S+))?$/.exec(gainField);
    if (!gm) throw lineError(lineNo, line, `ADC gain "${gainField}" is malformed (expected gain[(baseline)][/units])`);
    const g = float(gm[1]!, 'ADC gain', lineNo, line);
    if (g < 0) throw lineError(lineNo, line, 'ADC gain must not be negative');
    if (g > 0) {
      gain = g;
      calibrated = true;
    }
    if (gm[2] !== undefined) baselineGiven = int(gm[2], 'baseline', lineNo, line);
    if (gm[3] !== undefined) units = gm[3];
  }
  const resolutionField = field(3);
  let adcResolution = resolutionField === undefined ? 0 : int(resolutionField, 'ADC resolution', lineNo, line);
  if (adcResolution < 0 || adcResolution > 32) throw lineError(lineNo, line, 'ADC resolution must be 0–32 bits');
  if (adcResolution === 0) adcResolution = defaultResolution(format);
  const zeroField = field(4);
  const adcZero = zeroField === undefined ? 0 : int(zeroField, 'ADC zero', lineNo, line);
  const initialField = field(5);
  const initialValue = initialField === undefined ? adcZero : int(initialField, 'initial value', lineNo, line);
  const checksumField = field(6);
  const checksum = checksumField === undefined ? null : int(checksumField, 'checksum', lineNo, line);
  if (checksum !== null && (checksum < -32768 || checksum > 65535)) {
    throw lineError(lineNo, line, `checksum ${checksum} is not a 16-bit value`);
  }
  const blockField = field(7);
  const blockSize = blockField === undefined ? 0 : int(blockField, 'block size', lineNo, line);
  const descriptionStart = tokens[8]?.index;
  const description =
    descriptionStart === undefined ? `record ${recordName}, signal ${index}` : line.slice(descriptionStart).trim();

  return {
    fileName,
    format,
    samplesPerFrame,
    skew,
    byteOffset,
    gain,
    calibrated,
    baseline: baselineGiven ?? adcZero,
    units,
    adcResolution,
    adcZero,
    initialValue,
    initialValueGiven: initialField !== undefined,
    // Some writers store the checksum unsigned; compare as signed 16-bit.
    checksum: checksum === null ? null : (checksum << 16) >> 16,
    blockSize,
    description,
  };
}

export function parseWfdbHeader(text: string): WfdbHeader {
  const lines = text.split('\n');
  let record: Omit<WfdbHeader, 'signals' | 'info'> | undefined;
  const signals: WfdbSignalSpec[] = [];
  const info: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const lineNo = i + 1;
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) {
      // Only comments after the last signal line are info strings (header(5)).
      if (record !== undefined && signals.length === record.nSignals) info.push(trimmed.slice(1).trim());
      continue;
    }
    if (trimmed === '') continue;
    if (record === undefined) {
      record = parseRecordLine(line, lineNo);
    } else if (signals.length < record.nSignals) {
      signals.push(parseSignalLine(line, lineNo, record.name, signals.length));
    }
    // header(5): extra signal lines beyond the stated count are not read.
  }
  if (record === undefined) throw new WfdbError('header has no record line');
  if (signals.length < record.nSignals) {
    throw new WfdbError(`header declares ${record.nSignals} signals but has ${signals.length} signal lines`);
  }
  for (let s = 1; s < signals.length; s++) {
    const a = signals[s - 1]!;
    const b = signals[s]!;
    if (a.fileName !== b.fileName) {
      if (signals.slice(0, s - 1).some((x) => x.fileName === b.fileName)) {
        throw new WfdbError(`signal ${s} (${b.description}): signals sharing ${b.fileName} must be consecutive`);
      }
      continue;
    }
    if (a.format !== b.format || a.byteOffset !== b.byteOffset) {
      throw new WfdbError(
        `signal ${s} (${b.description}): all signals in ${b.fileName} must share one format and byte offset`,
      );
    }
  }
  return { ...record, signals, info };
}
