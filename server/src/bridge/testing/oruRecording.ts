import type { NumericKind, SimulatorStream, WaveformSignal } from '@legevakt/shared';

/**
 * ORU^R01 messages as a 12-lead monitor's HL7 gateway sends them (IHE PCD-01
 * style: MDC-coded NA waveform rows in µV with their sample-rate facet, numerics
 * coded with MDC or LOINC), cut from a real recording. For the bridge's tests,
 * the relay benchmark and demos (`mllpSender.ts`).
 */

/** MDC_ECG_ELEC_POTL_<lead> term codes (partition 2: 2 × 65536 + 256 + lead number). */
const LEAD_NUMBER: Record<string, number> = {
  I: 1,
  II: 2,
  V1: 3,
  V2: 4,
  V3: 5,
  V4: 6,
  V5: 7,
  V6: 8,
  III: 61,
  aVR: 62,
  aVL: 63,
  aVF: 64,
};

export interface OruNumeric {
  kind: NumericKind;
  value: number;
}

export interface BuiltOru {
  controlId: string;
  text: string;
  /** Epoch ms of the first waveform sample. */
  startTime: number;
  frames: number;
  signals: WaveformSignal[];
  /** Interleaved µV, as sent. */
  microvolts: Int16Array;
  numerics: OruNumeric[];
}

export interface OruPlan {
  stream: SimulatorStream;
  /** Epoch ms of the first sample of the first message. */
  startTime: number;
  chunkMs: number;
  count: number;
  /** Numerics ride on every n-th message (0: never). */
  numericsEvery: number;
  controlPrefix?: string;
  /** Offset into the recording, in frames (it wraps around). */
  firstFrame?: number;
  /** PID-3 (e.g. the patient's fødselsnummer); no PID segment when absent. */
  patientId?: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** HL7 TS in UTC with milliseconds: 20240315143014.000+0000. */
export function hl7Time(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

/** Plausible numerics that drift a little with the message index. */
export function numericsAt(i: number): OruNumeric[] {
  const wobble = (amplitude: number, period: number): number =>
    Math.round(amplitude * Math.sin((2 * Math.PI * i) / period));
  return [
    { kind: 'heartRateEcg', value: 72 + wobble(4, 37) },
    { kind: 'spo2', value: 96 + wobble(1, 53) },
    { kind: 'pulseRateOximetry', value: 73 + wobble(4, 41) },
    { kind: 'systolic', value: 132 + wobble(6, 29) },
    { kind: 'diastolic', value: 81 + wobble(3, 31) },
    { kind: 'meanPressure', value: 98 + wobble(3, 23) },
    { kind: 'respirationRate', value: 16 + wobble(2, 19) },
    { kind: 'temperature', value: 37.1 },
  ];
}

/** OBX rows: MDC-coded for most, LOINC for respiration rate and temperature (as mixed gateways send). */
function numericRow(setId: number, n: OruNumeric, time: string): string {
  const code: Record<NumericKind, string> = {
    heartRateEcg: '147842^MDC_ECG_HEART_RATE^MDC',
    spo2: '150456^MDC_PULS_OXIM_SAT_O2^MDC',
    pulseRateOximetry: '149530^MDC_PULS_OXIM_PULS_RATE^MDC',
    pulseRate: '149514^MDC_PULS_RATE^MDC',
    systolic: '150021^MDC_PRESS_BLD_NONINV_SYS^MDC',
    diastolic: '150022^MDC_PRESS_BLD_NONINV_DIA^MDC',
    meanPressure: '150023^MDC_PRESS_BLD_NONINV_MEAN^MDC',
    respirationRate: '9279-1^Respiratory rate^LN',
    temperature: '8310-5^Body temperature^LN',
  };
  const unit: Record<NumericKind, string> = {
    heartRateEcg: '264864^MDC_DIM_BEAT_PER_MIN^MDC',
    spo2: '262688^MDC_DIM_PERCENT^MDC',
    pulseRateOximetry: '264864^MDC_DIM_BEAT_PER_MIN^MDC',
    pulseRate: '264864^MDC_DIM_BEAT_PER_MIN^MDC',
    systolic: '266016^MDC_DIM_MMHG^MDC',
    diastolic: '266016^MDC_DIM_MMHG^MDC',
    meanPressure: '266016^MDC_DIM_MMHG^MDC',
    respirationRate: '/min^^UCUM',
    temperature: 'Cel^^UCUM',
  };
  return `OBX|${setId}|NM|${code[n.kind]}|1.1.${setId}.1|${n.value}|${unit[n.kind]}|||||R|||${time}`;
}

/** Microvolts of a recording stream's frames [from, from + frames), wrapping at its end. */
export function streamMicrovolts(stream: SimulatorStream, from: number, frames: number): Int16Array {
  const bytes = Buffer.from(stream.samples, 'base64');
  const adu = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  const width = stream.signals.length;
  const total = adu.length / width;
  const out = new Int16Array(frames * width);
  for (let f = 0; f < frames; f++) {
    const src = ((from + f) % total) * width;
    for (let s = 0; s < width; s++) {
      out[f * width + s] = Math.round(((adu[src + s]! - stream.baseline) * 1000) / stream.gain);
    }
  }
  return out;
}

export function buildOruMessages(plan: OruPlan): BuiltOru[] {
  const { stream } = plan;
  const frames = (plan.chunkMs * stream.sampleRateHz) / 1000;
  if (!Number.isInteger(frames)) throw new RangeError(`${plan.chunkMs} ms is not a whole number of samples`);
  for (const signal of stream.signals) {
    if (LEAD_NUMBER[signal] === undefined) throw new RangeError(`no MDC lead code for ${signal}`);
  }
  const width = stream.signals.length;
  const out: BuiltOru[] = [];
  for (let i = 0; i < plan.count; i++) {
    const startTime = plan.startTime + i * plan.chunkMs;
    const time = hl7Time(startTime);
    const controlId = `${plan.controlPrefix ?? 'ORU'}${String(i + 1).padStart(7, '0')}`;
    const microvolts = streamMicrovolts(stream, (plan.firstFrame ?? 0) + i * frames, frames);
    const numerics = plan.numericsEvery > 0 && i % plan.numericsEvery === 0 ? numericsAt(i) : [];
    const rows = [
      `MSH|^~\\&|SIM_GW^0001C0FFEE0000AA^EUI-64|SATELLITT|LEGEVAKT-BRIDGE|LEGEVAKT|${hl7Time(startTime + plan.chunkMs)}||ORU^R01^ORU_R01|${controlId}|P|2.6|||NE|AL||UNICODE UTF-8`,
      ...(plan.patientId !== undefined ? [`PID|||${plan.patientId}^^^NOFNR^NNNOR`] : []),
      `OBR|1|||182777000^monitoring of patient^SNOMED-CT|||${time}`,
      'OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||0001C0FFEE0000AA^EUI-64',
    ];
    let setId = 2;
    numerics.forEach((n) => rows.push(numericRow(setId++, n, time)));
    stream.signals.forEach((signal, s) => {
      const values: number[] = [];
      for (let f = 0; f < frames; f++) values.push(microvolts[f * width + s]!);
      const code = `${2 * 65536 + 256 + LEAD_NUMBER[signal]!}^MDC_ECG_ELEC_POTL_${signal.toUpperCase()}^MDC`;
      const sub = `1.2.1.${s + 1}`;
      rows.push(`OBX|${setId++}|NA|${code}|${sub}|${values.join('^')}|266419^MDC_DIM_MICRO_VOLT^MDC|||||R|||${time}`);
      rows.push(
        `OBX|${setId++}|NM|0^MDC_ATTR_SAMP_RATE^MDC|${sub}.1|${stream.sampleRateHz}|264608^MDC_DIM_PER_SEC^MDC|||||R`,
      );
    });
    out.push({
      controlId,
      text: rows.join('\r') + '\r',
      startTime,
      frames,
      signals: [...stream.signals],
      microvolts,
      numerics,
    });
  }
  return out;
}
