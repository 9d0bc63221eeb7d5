import type { NumericKind, WaveformSignal } from '@legevakt/shared';

/**
 * Observation identifiers (OBX-3) and units (OBX-6) seen from patient monitors and
 * IHE PCD-01 gateways. MDC numeric codes are partition × 2^16 + term code
 * (ISO/IEEE 11073-10101); monitors send either the number, the reference id
 * (`MDC_…`) or both, so both are matched.
 */

export type TemperatureSiteName = 'axillary' | 'ear' | 'oral' | 'rectal' | 'skin' | 'core' | 'unknown';

export interface NumericObservation {
  type: 'numeric';
  kind: NumericKind;
  site?: TemperatureSiteName;
}
export interface WaveObservation {
  type: 'wave';
  signal: WaveformSignal;
  category: 'ecg' | 'pleth';
}
export interface AttributeObservation {
  type: 'attribute';
  attribute: 'sampleRate' | 'dataRange' | 'other';
}
export type ObservationMeaning = NumericObservation | WaveObservation | AttributeObservation;

const num = (kind: NumericKind, site?: TemperatureSiteName): NumericObservation =>
  site === undefined ? { type: 'numeric', kind } : { type: 'numeric', kind, site };

/** MDC reference ids → meaning. */
const MDC_BY_REF_ID = new Map<string, ObservationMeaning>([
  ['MDC_PRESS_BLD_NONINV_SYS', num('systolic')],
  ['MDC_PRESS_CUFF_SYS', num('systolic')],
  ['MDC_PRESS_BLD_NONINV_DIA', num('diastolic')],
  ['MDC_PRESS_CUFF_DIA', num('diastolic')],
  ['MDC_PRESS_BLD_NONINV_MEAN', num('meanPressure')],
  ['MDC_PRESS_CUFF_MEAN', num('meanPressure')],
  ['MDC_PULS_RATE', num('pulseRate')],
  ['MDC_PULS_RATE_NON_INV', num('pulseRate')],
  ['MDC_ECG_HEART_RATE', num('heartRateEcg')],
  ['MDC_ECG_CARD_BEAT_RATE', num('heartRateEcg')],
  ['MDC_PULS_OXIM_PULS_RATE', num('pulseRateOximetry')],
  ['MDC_PULS_OXIM_SAT_O2', num('spo2')],
  ['MDC_TEMP_BODY', num('temperature', 'unknown')],
  ['MDC_TEMP', num('temperature', 'unknown')],
  ['MDC_TEMP_CORE', num('temperature', 'core')],
  ['MDC_TEMP_SKIN', num('temperature', 'skin')],
  ['MDC_TEMP_TYMP', num('temperature', 'ear')],
  ['MDC_TEMP_EAR', num('temperature', 'ear')],
  ['MDC_TEMP_RECT', num('temperature', 'rectal')],
  ['MDC_TEMP_ORAL', num('temperature', 'oral')],
  ['MDC_TEMP_AXILLA', num('temperature', 'axillary')],
  ['MDC_RESP_RATE', num('respirationRate')],
  ['MDC_AWAY_RESP_RATE', num('respirationRate')],
  ['MDC_TTHOR_RESP_RATE', num('respirationRate')],
  ['MDC_CO2_RESP_RATE', num('respirationRate')],
  ['MDC_PULS_OXIM_PLETH', { type: 'wave', signal: 'Pleth', category: 'pleth' }],
  ['MDC_ATTR_SAMP_RATE', { type: 'attribute', attribute: 'sampleRate' }],
  ['MDC_ATTR_DATA_RANGE', { type: 'attribute', attribute: 'dataRange' }],
]);

/** ECG lead term codes in partition 2 (MDC_ECG_ELEC_POTL = 256 + lead number). */
const ECG_LEAD_NUMBERS: readonly (readonly [WaveformSignal, number, string])[] = [
  ['I', 1, 'I'],
  ['II', 2, 'II'],
  ['V1', 3, 'V1'],
  ['V2', 4, 'V2'],
  ['V3', 5, 'V3'],
  ['V4', 6, 'V4'],
  ['V5', 7, 'V5'],
  ['V6', 8, 'V6'],
  ['III', 61, 'III'],
  ['aVR', 62, 'AVR'],
  ['aVL', 63, 'AVL'],
  ['aVF', 64, 'AVF'],
];

const MDC_BY_CODE = new Map<number, ObservationMeaning>([
  [150021, num('systolic')],
  [150022, num('diastolic')],
  [150023, num('meanPressure')],
  [149514, num('pulseRate')],
  [149546, num('pulseRate')],
  [147842, num('heartRateEcg')],
  [149530, num('pulseRateOximetry')],
  [150456, num('spo2')],
  [150364, num('temperature', 'unknown')],
  [150344, num('temperature', 'unknown')],
  [150368, num('temperature', 'core')],
  [150388, num('temperature', 'skin')],
  [150392, num('temperature', 'ear')],
  [188420, num('temperature', 'rectal')],
  [188424, num('temperature', 'oral')],
  [188428, num('temperature', 'ear')],
  [188452, num('temperature', 'axillary')],
  [151562, num('respirationRate')],
  [151570, num('respirationRate')],
  [150452, { type: 'wave', signal: 'Pleth', category: 'pleth' }],
  // MDC_ATTR_SAMP_RATE (partition 1, term 2536); some gateways send the bare term code.
  [68072, { type: 'attribute', attribute: 'sampleRate' }],
  [2536, { type: 'attribute', attribute: 'sampleRate' }],
]);

for (const [signal, lead, name] of ECG_LEAD_NUMBERS) {
  const wave: WaveObservation = { type: 'wave', signal, category: 'ecg' };
  MDC_BY_CODE.set(2 * 65536 + 256 + lead, wave);
  MDC_BY_REF_ID.set(`MDC_ECG_ELEC_POTL_${name}`, wave);
  MDC_BY_REF_ID.set(`MDC_ECG_LEAD_${name}`, wave);
}

const LOINC: ReadonlyMap<string, ObservationMeaning> = new Map<string, ObservationMeaning>([
  ['8480-6', num('systolic')],
  ['8462-4', num('diastolic')],
  ['8478-0', num('meanPressure')],
  ['8867-4', num('pulseRate')],
  ['8889-8', num('pulseRateOximetry')],
  ['59408-5', num('spo2')],
  ['2708-6', num('spo2')],
  ['8310-5', num('temperature', 'unknown')],
  ['8328-7', num('temperature', 'axillary')],
  ['8331-1', num('temperature', 'oral')],
  ['8332-9', num('temperature', 'rectal')],
  ['8333-7', num('temperature', 'ear')],
  ['9279-1', num('respirationRate')],
]);

/**
 * Resolves a coded element (CWE/CE: identifier^text^system^altId^altText^altSystem).
 * Tries the primary triplet, then the alternate one.
 */
export function lookupObservation(components: readonly string[]): ObservationMeaning | undefined {
  return (
    lookupTriplet(components[0], components[1], components[2]) ??
    lookupTriplet(components[3], components[4], components[5])
  );
}

function lookupTriplet(id = '', text = '', system = ''): ObservationMeaning | undefined {
  const sys = system.trim().toUpperCase();
  const ident = id.trim();
  const ref = text.trim().toUpperCase();
  if (sys === 'LN' || sys === 'LOINC' || (sys === '' && /^\d{1,7}-\d$/.test(ident))) {
    const hit = LOINC.get(ident);
    if (hit !== undefined) return hit;
  }
  if (sys === 'MDC' || sys === '' || sys === '99MDC') {
    if (/^\d+$/.test(ident)) {
      const hit = MDC_BY_CODE.get(Number(ident));
      if (hit !== undefined) return hit;
    }
    const byRef = MDC_BY_REF_ID.get(ref) ?? MDC_BY_REF_ID.get(ident.toUpperCase());
    if (byRef !== undefined) return byRef;
    if (ref.startsWith('MDC_ATTR_') || ident.toUpperCase().startsWith('MDC_ATTR_')) {
      return { type: 'attribute', attribute: 'other' };
    }
  }
  return undefined;
}

export type UnitId = 'mmHg' | 'kPa' | 'Cel' | 'degF' | '%' | '/min' | 'uV' | 'mV' | 'Hz' | 'dimless';

const UNITS = new Map<string, UnitId>([
  ['mm[Hg]', 'mmHg'],
  ['mmHg', 'mmHg'],
  ['MDC_DIM_MMHG', 'mmHg'],
  ['266016', 'mmHg'],
  ['kPa', 'kPa'],
  ['MDC_DIM_KILO_PASCAL', 'kPa'],
  ['265987', 'kPa'],
  ['Cel', 'Cel'],
  ['°C', 'Cel'],
  ['degC', 'Cel'],
  ['MDC_DIM_DEGC', 'Cel'],
  ['268192', 'Cel'],
  ['[degF]', 'degF'],
  ['°F', 'degF'],
  ['degF', 'degF'],
  ['MDC_DIM_FAHR', 'degF'],
  ['266560', 'degF'],
  ['%', '%'],
  ['MDC_DIM_PERCENT', '%'],
  ['262688', '%'],
  ['/min', '/min'],
  ['1/min', '/min'],
  ['{beats}/min', '/min'],
  ['{beat}/min', '/min'],
  ['{breaths}/min', '/min'],
  ['{breath}/min', '/min'],
  ['bpm', '/min'],
  ['MDC_DIM_BEAT_PER_MIN', '/min'],
  ['264864', '/min'],
  ['MDC_DIM_RESP_PER_MIN', '/min'],
  ['264928', '/min'],
  ['MDC_DIM_PER_MIN', '/min'],
  ['uV', 'uV'],
  ['µV', 'uV'],
  ['MDC_DIM_MICRO_VOLT', 'uV'],
  ['266419', 'uV'],
  ['mV', 'mV'],
  ['MDC_DIM_MILLI_VOLT', 'mV'],
  ['266418', 'mV'],
  ['Hz', 'Hz'],
  ['/s', 'Hz'],
  ['1/s', 'Hz'],
  ['MDC_DIM_HZ', 'Hz'],
  ['264640', 'Hz'],
  ['MDC_DIM_PER_SEC', 'Hz'],
  ['264608', 'Hz'],
  ['1', 'dimless'],
  ['MDC_DIM_DIMLESS', 'dimless'],
  ['262656', 'dimless'],
]);

/** Resolves OBX-6. `undefined` when empty; `'unknown'` when present but not recognised. */
export function lookupUnit(components: readonly string[]): UnitId | 'unknown' | undefined {
  if (components.every((c) => c.trim() === '')) return undefined;
  for (const index of [0, 1, 3, 4]) {
    const c = components[index]?.trim();
    if (c === undefined || c === '') continue;
    const hit = UNITS.get(c) ?? UNITS.get(c.toUpperCase());
    if (hit !== undefined) return hit;
  }
  return 'unknown';
}
