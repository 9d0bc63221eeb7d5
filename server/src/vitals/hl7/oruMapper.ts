import {
  NUMERIC_KINDS,
  type NumericKind,
  type QualityFlag,
  type VitalSample,
  type WaveformChunk,
  type WaveformSignal,
} from '@legevakt/shared';
import { getRepetitions, getValue, parseHl7Timestamp, type Hl7Message, type Hl7Segment } from './hl7Message.ts';
import { lookupObservation, lookupUnit, type UnitId, type WaveObservation } from './observationCodes.ts';

/**
 * ORU^R01 (IHE PCD-01 style) → vitals. Numerics come from NM observations,
 * waveforms from NA (numeric array) observations with their sample-rate attribute.
 * Nothing here throws on content: what cannot be used is described in `errors`.
 */

export interface OruMapResult {
  numerics: VitalSample[];
  waveforms: WaveformChunk[];
  patient?: { id?: string; name?: string };
  device?: string;
  errors: string[];
}

export interface OruMapOptions {
  /** Used when neither OBX-14, OBR-7 nor MSH-7 gives a usable time. Default: Date.now(). */
  receivedAt?: number;
  /** Zone of timestamps that carry no UTC offset. Default Europe/Oslo. */
  timeZone?: string;
  /**
   * Sample rates assumed when a waveform comes without MDC_ATTR_SAMP_RATE
   * (reported in `errors`). Defaults: ECG 500 Hz, pleth 125 Hz (Philips IntelliVue rates).
   */
  defaultSampleRateHz?: { ecg: number; pleth: number };
  /** Keeps `firstSample` continuous across messages; one per listener. */
  sequencer?: WaveformSequencer;
}

export const DEFAULT_SAMPLE_RATE_HZ = { ecg: 500, pleth: 125 } as const;

const MAX_DEVICE_CHARS = 120;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Plausibility limits in canonical units; outside them a sample is flagged `out-of-range`. */
const PLAUSIBLE: Record<NumericKind, readonly [number, number]> = {
  systolic: [20, 300],
  diastolic: [10, 250],
  meanPressure: [10, 280],
  pulseRate: [10, 350],
  heartRateEcg: [10, 350],
  pulseRateOximetry: [10, 350],
  spo2: [0, 100],
  temperature: [15, 46],
  respirationRate: [0, 150],
};

export function mapOruR01(msg: Hl7Message, options: OruMapOptions = {}): OruMapResult {
  const errors: string[] = [];
  const receivedAt = options.receivedAt ?? Date.now();
  const timeZone = options.timeZone ?? 'Europe/Oslo';
  const msh = msg.segments[0];
  const messageDevice = hdLabel(getRepetitions(msh, 3)[0] ?? []);
  const mshTime = parseHl7Timestamp(getValue(msh, 7), timeZone);

  // Pass 1: device identities announced on MDS-level rows (OBX-18), keyed by the MDS number of OBX-4.
  const mdsDevice = new Map<string, string>();
  for (const seg of msg.segments) {
    if (seg.name !== 'OBX') continue;
    const label = eiLabel(getRepetitions(seg, 18)[0] ?? []);
    const mds = mdsOf(getValue(seg, 4));
    if (label !== undefined && !mdsDevice.has(mds)) mdsDevice.set(mds, label);
  }
  const device = mdsDevice.values().next().value ?? messageDevice;

  const result: OruMapResult = { numerics: [], waveforms: [], errors };
  if (device !== undefined) result.device = device;
  const patient = readPatient(msg);
  if (patient !== undefined) result.patient = patient;

  const waves: PendingWave[] = [];
  const attributes: PendingAttribute[] = [];
  let obrTime: number | undefined;
  let lastWave: PendingWave | undefined;

  for (const seg of msg.segments) {
    if (seg.name === 'OBR') {
      obrTime = parseHl7Timestamp(getValue(seg, 7), timeZone);
      continue;
    }
    if (seg.name !== 'OBX') continue;
    const where = `OBX ${getValue(seg, 1) || `#${seg.position}`}`;
    const valueType = getValue(seg, 2).trim().toUpperCase();
    const codeComps = (getRepetitions(seg, 3)[0] ?? []).map((c) => c.trim());
    const codeText = codeComps.slice(0, 3).join('^');
    const rawValues = seg.fields[5] ?? [];
    const hasValue = rawValues.some((rep) => rep.some((comp) => comp.some((s) => s.trim() !== '')));
    if (!hasValue) continue; // device hierarchy rows (MDS/VMD/CHAN) and empty results
    const meaning = lookupObservation(codeComps);
    if (meaning === undefined) {
      errors.push(`${where}: unknown observation ${codeText || '(no code)'}, ignored`);
      continue;
    }
    const subId = getValue(seg, 4).trim();
    const rowDevice = eiLabel(getRepetitions(seg, 18)[0] ?? []) ?? mdsDevice.get(mdsOf(subId)) ?? device ?? 'unknown';
    const time = timeOf(seg, timeZone) ?? obrTime ?? mshTime;

    if (meaning.type === 'attribute') {
      if (meaning.attribute === 'other') continue;
      const values = flatValues(seg);
      attributes.push({
        attribute: meaning.attribute,
        subId,
        values,
        unit: lookupUnit(firstRep(seg, 6)),
        after: lastWave,
        where,
      });
      continue;
    }
    if (meaning.type === 'wave') {
      if (valueType !== 'NA' && valueType !== 'NM' && valueType !== 'MA') {
        errors.push(`${where}: waveform ${codeText} has value type ${valueType || '(none)'}, expected NA; ignored`);
        continue;
      }
      const strings = flatValues(seg);
      if (!strings.every((s) => NUMBER.test(s))) {
        errors.push(`${where}: waveform ${codeText} has non-numeric samples; ignored`);
        continue;
      }
      const wave: PendingWave = {
        meaning,
        subId,
        strings,
        values: strings.map(Number),
        unit: lookupUnit(firstRep(seg, 6)),
        start: time,
        device: rowDevice,
        where,
      };
      waves.push(wave);
      lastWave = wave;
      continue;
    }

    // Numeric.
    lastWave = undefined;
    const kind = meaning.kind;
    if (valueType !== 'NM' && valueType !== 'SN' && valueType !== '') {
      errors.push(`${where}: ${kind} has value type ${valueType}, expected NM; ignored`);
      continue;
    }
    const status = getValue(seg, 11).trim().toUpperCase();
    if (status === 'D') continue; // deleted
    const text = numericText(seg, valueType);
    if (text === undefined || !NUMBER.test(text)) {
      errors.push(`${where}: ${kind} value ${JSON.stringify(getValue(seg, 5))} is not a number; ignored`);
      continue;
    }
    const converted = toCanonical(kind, Number(text), lookupUnit(firstRep(seg, 6)));
    if (typeof converted === 'string') {
      errors.push(`${where}: ${kind} ${converted}; ignored`);
      continue;
    }
    if (time === undefined) errors.push(`${where}: no usable observation time, used the time of arrival`);
    const quality = new Set<QualityFlag>([...statusFlags(status), ...abnormalFlags(seg)]);
    const [lo, hi] = PLAUSIBLE[kind];
    if (converted < lo || converted > hi) quality.add('out-of-range');
    const sample: VitalSample = {
      kind,
      value: converted,
      unit: NUMERIC_KINDS[kind].ucum,
      measuredAt: time ?? receivedAt,
      device: rowDevice.slice(0, MAX_DEVICE_CHARS),
      source: 'monitor-hl7',
      quality: [...quality],
    };
    if (kind === 'temperature' && meaning.site !== undefined) sample.site = meaning.site;
    result.numerics.push(sample);
  }

  applyAttributes(waves, attributes, errors);
  result.waveforms = buildChunks(waves, options, receivedAt, errors);
  return result;
}

function firstRep(seg: Hl7Segment, field: number): string[] {
  return getRepetitions(seg, field)[0] ?? [];
}

/** NM: OBX-5 itself; SN (structured numeric, `=^120` / `^120`): only a plain comparator-free number. */
function numericText(seg: Hl7Segment, valueType: string): string | undefined {
  if (valueType === 'SN') {
    const comparator = getValue(seg, 5, 1).trim();
    if (comparator !== '' && comparator !== '=') return undefined;
    if (getValue(seg, 5, 3).trim() !== '') return undefined;
    return getValue(seg, 5, 2).trim();
  }
  if ((seg.fields[5]?.length ?? 0) > 1 || (seg.fields[5]?.[0]?.length ?? 0) > 1) return undefined;
  return getValue(seg, 5).trim();
}

function flatValues(seg: Hl7Segment): string[] {
  const out: string[] = [];
  for (const rep of seg.fields[5] ?? []) for (const comp of rep) out.push((comp[0] ?? '').trim());
  // A trailing separator leaves one empty component; drop only that.
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

function timeOf(seg: Hl7Segment, timeZone: string): number | undefined {
  const v = getValue(seg, 14).trim();
  return v === '' ? undefined : parseHl7Timestamp(v, timeZone);
}

function mdsOf(subId: string): string {
  return subId.split('.')[0] ?? '';
}

/** EI (entity id^namespace^universal id^type), e.g. `0001C0FFEE000001^EUI-64` → the entity id. */
function eiLabel(comps: readonly string[]): string | undefined {
  const label = (comps[0] ?? '').trim() || (comps[2] ?? '').trim();
  return label === '' ? undefined : label.slice(0, MAX_DEVICE_CHARS);
}

/** HD (namespace^universal id^type), e.g. MSH-3 `PHILIPS_GW^0001C0FFEE000001^EUI-64` → `PHILIPS_GW/0001C0FFEE000001`. */
function hdLabel(comps: readonly string[]): string | undefined {
  const ns = (comps[0] ?? '').trim();
  const uid = (comps[1] ?? '').trim();
  const label = ns !== '' && uid !== '' ? `${ns}/${uid}` : ns || uid;
  return label === '' ? undefined : label.slice(0, MAX_DEVICE_CHARS);
}

function readPatient(msg: Hl7Message): OruMapResult['patient'] {
  const pid = msg.segments.find((s) => s.name === 'PID');
  if (pid === undefined) return undefined;
  const patient: { id?: string; name?: string } = {};
  const id = getRepetitions(pid, 3)
    .map((r) => (r[0] ?? '').trim())
    .find((v) => v !== '');
  if (id !== undefined) patient.id = id;
  const name = getRepetitions(pid, 5)[0] ?? [];
  const family = (name[0] ?? '').trim();
  const given = [name[1], name[2]].map((n) => (n ?? '').trim()).filter((n) => n !== '');
  const full = [...given, family].filter((n) => n !== '').join(' ');
  if (full !== '') patient.name = full;
  return patient.id === undefined && patient.name === undefined ? undefined : patient;
}

const MMHG_PER_KPA = 760 / 101.325;

function toCanonical(kind: NumericKind, value: number, unit: UnitId | 'unknown' | undefined): number | string {
  const canonical = NUMERIC_KINDS[kind].ucum;
  switch (canonical) {
    case 'mm[Hg]':
      if (unit === 'mmHg') return value;
      if (unit === 'kPa') return round(value * MMHG_PER_KPA, 1);
      return unit === undefined ? 'has no unit (mmHg or kPa?)' : 'has a unit that is not a pressure';
    case 'Cel':
      if (unit === 'Cel') return value;
      if (unit === 'degF') return round(((value - 32) * 5) / 9, 2);
      return unit === undefined ? 'has no unit (°C or °F?)' : 'has a unit that is not a temperature';
    case '%':
      return unit === '%' || unit === undefined ? value : 'has a unit that is not %';
    case '/min':
      return unit === '/min' || unit === undefined ? value : 'has a unit that is not a rate per minute';
  }
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** OBX-11 result status (HL7 table 0085). */
function statusFlags(status: string): QualityFlag[] {
  switch (status) {
    case 'W': // wrong: replaced by a later result
    case 'X': // result cannot be obtained
    case 'I': // in progress (e.g. NIBP still inflating)
      return ['invalid'];
    default:
      return [];
  }
}

/**
 * OBX-8. IHE PCD-01 carries the IEEE 11073 measurement status here
 * (`invalid`, `questionable`, `msmt-ongoing`, `test-data`, …) beside the HL7
 * table 0078 flags; only `<` / `>` (off scale) of the latter concern data quality.
 */
function abnormalFlags(seg: Hl7Segment): QualityFlag[] {
  const flags: QualityFlag[] = [];
  for (const rep of getRepetitions(seg, 8)) {
    const code = (rep[0] ?? '').trim().toLowerCase();
    switch (code) {
      case 'invalid':
      case 'not-available':
      case 'msmt-ongoing':
      case 'calibration-ongoing':
      case 'unavailable':
        flags.push('invalid');
        break;
      case 'questionable':
      case 'early-indication':
      case 'test-data':
      case 'demo-data':
        flags.push('questionable');
        break;
      case 'artifact':
      case 'artefact':
        flags.push('artifact');
        break;
      case '<':
      case '>':
        flags.push('out-of-range');
        break;
      default:
        break;
    }
  }
  return flags;
}

interface PendingWave {
  meaning: WaveObservation;
  subId: string;
  strings: string[];
  values: number[];
  unit: UnitId | 'unknown' | undefined;
  start: number | undefined;
  device: string;
  where: string;
  sampleRateHz?: number;
  range?: number;
}

interface PendingAttribute {
  attribute: 'sampleRate' | 'dataRange';
  subId: string;
  values: string[];
  unit: UnitId | 'unknown' | undefined;
  after: PendingWave | undefined;
  where: string;
}

/** Attributes belong to the waveform whose OBX-4 is their own minus the last (facet) part, else to the row above. */
function applyAttributes(waves: PendingWave[], attributes: PendingAttribute[], errors: string[]): void {
  for (const attr of attributes) {
    const parent = attr.subId.includes('.') ? attr.subId.slice(0, attr.subId.lastIndexOf('.')) : undefined;
    const target = (parent !== undefined ? waves.find((w) => w.subId === parent) : undefined) ?? attr.after;
    if (target === undefined) continue;
    const numbers = attr.values.filter((v) => NUMBER.test(v)).map(Number);
    if (attr.attribute === 'sampleRate') {
      const rate = numbers[0];
      if (rate === undefined || !(rate > 0 && rate <= 10_000) || numbers.length !== 1) {
        errors.push(`${attr.where}: sample rate ${JSON.stringify(attr.values.join('^'))} is not usable`);
      } else if (attr.unit !== undefined && attr.unit !== 'Hz' && attr.unit !== 'unknown') {
        errors.push(`${attr.where}: sample rate unit is not per second`);
      } else {
        target.sampleRateHz = rate;
      }
    } else if (numbers.length === 2) {
      target.range = Math.max(Math.abs(numbers[0]!), Math.abs(numbers[1]!));
    }
  }
}

function buildChunks(
  waves: PendingWave[],
  options: OruMapOptions,
  receivedAt: number,
  errors: string[],
): WaveformChunk[] {
  const defaults = options.defaultSampleRateHz ?? DEFAULT_SAMPLE_RATE_HZ;
  const sequencer = options.sequencer ?? new WaveformSequencer();
  const groups = new Map<string, { waves: PendingWave[]; rate: number; start: number; base: number; device: string }>();
  for (const wave of waves) {
    const category = wave.meaning.category;
    let base: number;
    if (category === 'ecg') {
      // gain is in units per mV
      if (wave.unit === 'uV') base = 1000;
      else if (wave.unit === 'mV') base = 1;
      else {
        errors.push(`${wave.where}: ECG ${wave.meaning.signal} without a voltage unit (mV or µV); ignored`);
        continue;
      }
    } else {
      base = 1;
    }
    let rate = wave.sampleRateHz;
    if (rate === undefined) {
      rate = defaults[category];
      errors.push(`${wave.where}: no MDC_ATTR_SAMP_RATE for ${wave.meaning.signal}; assumed ${rate} Hz`);
    }
    if (wave.start === undefined) errors.push(`${wave.where}: no usable waveform start time, used the time of arrival`);
    const start = wave.start ?? receivedAt;
    const key = [wave.device, category, rate, start, wave.values.length, base].join('|');
    let group = groups.get(key);
    if (group === undefined) {
      group = { waves: [], rate, start, base, device: wave.device };
      groups.set(key, group);
    }
    if (group.waves.some((w) => w.meaning.signal === wave.meaning.signal)) {
      errors.push(`${wave.where}: ${wave.meaning.signal} repeated in one message; ignored`);
      continue;
    }
    group.waves.push(wave);
  }

  const chunks: WaveformChunk[] = [];
  for (const group of groups.values()) {
    const signals: WaveformSignal[] = group.waves.map((w) => w.meaning.signal);
    const n = group.waves[0]!.values.length;
    const scale = pickScale(group.waves);
    const samples = new Int16Array(n * signals.length);
    let clipped = 0;
    for (let s = 0; s < group.waves.length; s++) {
      const values = group.waves[s]!.values;
      for (let i = 0; i < n; i++) {
        let v = Math.round(values[i]! * scale);
        if (v > 32767 || v < -32768) {
          clipped++;
          v = Math.max(-32768, Math.min(32767, v));
        }
        samples[i * signals.length + s] = v;
      }
    }
    if (clipped > 0) errors.push(`${signals.join('+')}: ${clipped} samples outside the 16-bit range were clipped`);
    const category = group.waves[0]!.meaning.category;
    const streamId = `${group.device}/${category}:${signals.join(',')}`;
    chunks.push({
      streamId,
      signals,
      sampleRateHz: group.rate,
      gain: group.base * scale,
      baseline: 0,
      firstSample: sequencer.place(streamId, group.start, group.rate, n),
      startTime: group.start,
      samples,
    });
  }
  return chunks;
}

/**
 * A power of ten that keeps the decimals the device sent without leaving the
 * 16-bit range (over the declared data range when there is one).
 */
function pickScale(waves: readonly PendingWave[]): number {
  let decimals = 0;
  let maxAbs = 0;
  for (const w of waves) {
    for (const s of w.strings) {
      const dot = s.indexOf('.');
      if (dot >= 0) decimals = Math.max(decimals, s.length - dot - 1);
    }
    maxAbs = Math.max(maxAbs, w.range ?? 0, ...w.values.map(Math.abs));
  }
  decimals = Math.min(decimals, 6);
  let scale = 10 ** decimals;
  while (scale > 1 && maxAbs * scale > 32767) scale /= 10;
  return Math.round(scale);
}

/**
 * Gives each chunk of a stream its `firstSample`: contiguous chunks continue the
 * count, a gap in time skips ahead by the missing samples, and a jump backwards
 * or a new rate restarts the time base (the count never goes back).
 */
export class WaveformSequencer {
  private readonly streams = new Map<
    string,
    { rate: number; originTime: number; originSample: number; next: number }
  >();
  private readonly maxStreams: number;

  constructor(maxStreams = 256) {
    this.maxStreams = maxStreams;
  }

  place(streamId: string, startTime: number, rate: number, count: number): number {
    let s = this.streams.get(streamId);
    if (s === undefined) {
      if (this.streams.size >= this.maxStreams) {
        const oldest = this.streams.keys().next().value;
        if (oldest !== undefined) this.streams.delete(oldest);
      }
      s = { rate, originTime: startTime, originSample: 0, next: 0 };
      this.streams.set(streamId, s);
    }
    let index = s.originSample + Math.round(((startTime - s.originTime) * rate) / 1000);
    if (rate !== s.rate || index < s.next - 1) {
      s.rate = rate;
      s.originTime = startTime;
      s.originSample = s.next;
      index = s.next;
    } else if (Math.abs(index - s.next) <= 1) {
      index = s.next; // millisecond rounding of timestamps
    }
    s.next = index + count;
    return index;
  }
}
