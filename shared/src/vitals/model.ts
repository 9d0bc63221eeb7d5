import { z } from 'zod';

/**
 * Vital signs as they travel from a monitor, a Bluetooth device or the simulator
 * to the doctor and the consult record. Each numeric kind is identified by its
 * IEEE 11073-10101 (MDC) code and its LOINC code, with a UCUM unit, so the FHIR
 * export and the HL7 bridge speak the same codes.
 */
export const NUMERIC_KINDS = {
  systolic: {
    mdc: 'MDC_PRESS_BLD_NONINV_SYS',
    mdcCode: 150021,
    loinc: '8480-6',
    ucum: 'mm[Hg]',
    display: 'Systolic blood pressure',
  },
  diastolic: {
    mdc: 'MDC_PRESS_BLD_NONINV_DIA',
    mdcCode: 150022,
    loinc: '8462-4',
    ucum: 'mm[Hg]',
    display: 'Diastolic blood pressure',
  },
  meanPressure: {
    mdc: 'MDC_PRESS_BLD_NONINV_MEAN',
    mdcCode: 150023,
    loinc: '8478-0',
    ucum: 'mm[Hg]',
    display: 'Mean blood pressure',
  },
  pulseRate: { mdc: 'MDC_PULS_RATE', mdcCode: 149514, loinc: '8867-4', ucum: '/min', display: 'Heart rate' },
  heartRateEcg: {
    mdc: 'MDC_ECG_HEART_RATE',
    mdcCode: 147842,
    loinc: '8867-4',
    ucum: '/min',
    display: 'Heart rate (ECG)',
  },
  pulseRateOximetry: {
    mdc: 'MDC_PULS_OXIM_PULS_RATE',
    mdcCode: 149530,
    loinc: '8889-8',
    ucum: '/min',
    display: 'Heart rate by pulse oximetry',
  },
  spo2: {
    mdc: 'MDC_PULS_OXIM_SAT_O2',
    mdcCode: 150456,
    loinc: '59408-5',
    ucum: '%',
    display: 'Oxygen saturation by pulse oximetry',
  },
  temperature: { mdc: 'MDC_TEMP_BODY', mdcCode: 150364, loinc: '8310-5', ucum: 'Cel', display: 'Body temperature' },
  respirationRate: {
    mdc: 'MDC_RESP_RATE',
    mdcCode: 151562,
    loinc: '9279-1',
    ucum: '/min',
    display: 'Respiratory rate',
  },
} as const;
export type NumericKind = keyof typeof NUMERIC_KINDS;
export const NumericKindSchema = z.enum(Object.keys(NUMERIC_KINDS) as [NumericKind, ...NumericKind[]]);

/** Where the value came from; pulse rate keeps its source (ECG or SpO2) as the issue of trust. */
export const VitalsSourceKind = z.enum(['monitor-hl7', 'bluetooth', 'simulator', 'manual']);
export type VitalsSourceKind = z.infer<typeof VitalsSourceKind>;

export const QualityFlag = z.enum([
  /** The device marked the value questionable (artifact, motion, weak signal). */
  'artifact',
  'questionable',
  'out-of-range',
  /** The device reported the measurement as ongoing or invalid (e.g. NIBP cuff error). */
  'invalid',
]);
export type QualityFlag = z.infer<typeof QualityFlag>;

export const TemperatureSite = z.enum(['axillary', 'ear', 'oral', 'rectal', 'skin', 'core', 'unknown']);

/** One numeric measurement. */
export const VitalSample = z.object({
  kind: NumericKindSchema,
  value: z.number(),
  /** UCUM unit; always the kind's canonical unit after ingestion (°F and kPa are converted). */
  unit: z.string(),
  /** When it was measured (device time, epoch ms), not when it arrived. */
  measuredAt: z.number().int(),
  device: z.string().max(120),
  source: VitalsSourceKind,
  quality: z.array(QualityFlag).default([]),
  /** Temperature only. */
  site: TemperatureSite.optional(),
});
export type VitalSample = z.infer<typeof VitalSample>;

/** Waveform signals: ECG leads and the SpO2 plethysmogram. */
export const ECG_LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
export type EcgLead = (typeof ECG_LEADS)[number];
export const WaveformSignal = z.enum([...ECG_LEADS, 'Pleth']);
export type WaveformSignal = z.infer<typeof WaveformSignal>;

/**
 * A run of consecutive samples of one stream (one or more signals sampled
 * together at one rate). `firstSample` is the index of its first sample since
 * the stream began, so any gap between chunks is detectable and can be filled.
 * Values are integers in the device's units; physical = (value - baseline) / gain
 * (gain in units per mV for ECG, per arbitrary unit for pleth).
 */
export interface WaveformChunk {
  streamId: string;
  signals: readonly WaveformSignal[];
  sampleRateHz: number;
  gain: number;
  baseline: number;
  firstSample: number;
  /** Device time of the first sample, epoch ms. */
  startTime: number;
  /** Interleaved: samples[i * signals.length + s]. */
  samples: Int16Array;
}
