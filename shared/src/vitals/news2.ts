/**
 * National Early Warning Score 2 (Royal College of Physicians, 2017), SpO2
 * scale 1 only. Scale 2 (target 88–92 % in hypercapnic respiratory failure)
 * needs a clinician's decision that the patient qualifies, which a monitor feed
 * cannot make, so it is deliberately absent rather than guessed.
 *
 * Rounding: the RCP chart's bands are written for charted values — integers for
 * respiration rate, SpO2, systolic pressure and pulse, one decimal for
 * temperature — and leave gaps between bands (20 | 21, 36.0 | 36.1). Device
 * values are therefore first rounded to that resolution, half up, as a nurse
 * would chart them: RR 20.5 → 21 (2 points), temperature 36.05 → 36.1
 * (0 points), 35.04 → 35.0 (3 points). Rounding is done on the decimal value
 * (`toPrecision(12)`) so binary noise such as 36.05 = 36.04999… does not flip a
 * band.
 */

export const CONSCIOUSNESS_LEVELS = ['alert', 'new-confusion', 'voice', 'pain', 'unresponsive'] as const;
/** ACVPU: Alert, new Confusion, responds to Voice, to Pain, Unresponsive. */
export type ConsciousnessLevel = (typeof CONSCIOUSNESS_LEVELS)[number];

export interface News2Input {
  /** Breaths per minute. */
  respirationRate: number;
  /** Percent, scale 1. */
  spo2: number;
  /** On supplemental oxygen (any device or flow) rather than air. */
  supplementalOxygen: boolean;
  /** mmHg. */
  systolic: number;
  /** Beats per minute. */
  pulse: number;
  consciousness: ConsciousnessLevel;
  /** °C. */
  temperature: number;
}

export type News2Parameter = keyof News2Input;
export const NEWS2_PARAMETERS: readonly News2Parameter[] = [
  'respirationRate',
  'spo2',
  'supplementalOxygen',
  'systolic',
  'pulse',
  'consciousness',
  'temperature',
];

export type News2SubScore = 0 | 1 | 2 | 3;
export type News2ClinicalRisk = 'low' | 'low-medium' | 'medium' | 'high';

export interface News2Result {
  /** Sum of the sub-scores present; a lower bound when `complete` is false. */
  total: number;
  complete: boolean;
  /** Parameters not supplied, in chart order. */
  missing: News2Parameter[];
  subScores: Partial<Record<News2Parameter, News2SubScore>>;
  /** Any single parameter scoring 3 (a "red score"). */
  anySingleThree: boolean;
  /** From the parameters present; may understate risk when incomplete. */
  clinicalRisk: News2ClinicalRisk;
  /** RCP urgent response threshold: total ≥ 5 or any single red score. */
  escalate: boolean;
}

/** Rounds half up to `decimals` places, on the decimal value rather than its binary approximation. */
export function roundForChart(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.floor(Number((value * scale).toPrecision(12)) + 0.5) / scale;
}

function requireFinite(name: News2Parameter, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} ${value} is not a plausible value (${min}–${max})`);
  }
}

export function scoreRespirationRate(perMinute: number): News2SubScore {
  requireFinite('respirationRate', perMinute, 0, 200);
  const rr = roundForChart(perMinute, 0);
  if (rr <= 8) return 3;
  if (rr <= 11) return 1;
  if (rr <= 20) return 0;
  if (rr <= 24) return 2;
  return 3;
}

export function scoreSpo2Scale1(percent: number): News2SubScore {
  requireFinite('spo2', percent, 0, 100);
  const spo2 = roundForChart(percent, 0);
  if (spo2 <= 91) return 3;
  if (spo2 <= 93) return 2;
  if (spo2 <= 95) return 1;
  return 0;
}

export function scoreSupplementalOxygen(onOxygen: boolean): News2SubScore {
  return onOxygen ? 2 : 0;
}

export function scoreSystolic(mmHg: number): News2SubScore {
  requireFinite('systolic', mmHg, 0, 400);
  const sbp = roundForChart(mmHg, 0);
  if (sbp <= 90) return 3;
  if (sbp <= 100) return 2;
  if (sbp <= 110) return 1;
  if (sbp <= 219) return 0;
  return 3;
}

export function scorePulse(perMinute: number): News2SubScore {
  requireFinite('pulse', perMinute, 0, 400);
  const hr = roundForChart(perMinute, 0);
  if (hr <= 40) return 3;
  if (hr <= 50) return 1;
  if (hr <= 90) return 0;
  if (hr <= 110) return 1;
  if (hr <= 130) return 2;
  return 3;
}

export function scoreConsciousness(level: ConsciousnessLevel): News2SubScore {
  if (!CONSCIOUSNESS_LEVELS.includes(level)) throw new RangeError(`unknown consciousness level ${level}`);
  return level === 'alert' ? 0 : 3;
}

export function scoreTemperature(celsius: number): News2SubScore {
  requireFinite('temperature', celsius, 10, 50);
  const t = roundForChart(celsius, 1);
  if (t <= 35.0) return 3;
  if (t <= 36.0) return 1;
  if (t <= 38.0) return 0;
  if (t <= 39.0) return 1;
  return 2;
}

/** Clinical risk band from the aggregate and the red-score flag (RCP 2017, chart 2). */
export function news2ClinicalRisk(total: number, anySingleThree: boolean): News2ClinicalRisk {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  if (anySingleThree) return 'low-medium';
  return 'low';
}

/**
 * Scores whatever parameters are present. A partial score is still useful at
 * intake (a patient at home may have a pulse oximeter but no thermometer), so
 * missing parameters are listed rather than making the whole score null; the UI
 * must show `complete: false`. Implausible values (NaN, negative, SpO2 > 100)
 * throw a RangeError: they are device or typing errors, not low scores.
 */
export function news2(input: Partial<News2Input>): News2Result {
  const subScores: Partial<Record<News2Parameter, News2SubScore>> = {};
  if (input.respirationRate !== undefined) subScores.respirationRate = scoreRespirationRate(input.respirationRate);
  if (input.spo2 !== undefined) subScores.spo2 = scoreSpo2Scale1(input.spo2);
  if (input.supplementalOxygen !== undefined) {
    subScores.supplementalOxygen = scoreSupplementalOxygen(input.supplementalOxygen);
  }
  if (input.systolic !== undefined) subScores.systolic = scoreSystolic(input.systolic);
  if (input.pulse !== undefined) subScores.pulse = scorePulse(input.pulse);
  if (input.consciousness !== undefined) subScores.consciousness = scoreConsciousness(input.consciousness);
  if (input.temperature !== undefined) subScores.temperature = scoreTemperature(input.temperature);

  const missing = NEWS2_PARAMETERS.filter((p) => subScores[p] === undefined);
  const scores = Object.values(subScores);
  const total = scores.reduce<number>((a, b) => a + b, 0);
  const anySingleThree = scores.includes(3);
  return {
    total,
    complete: missing.length === 0,
    missing,
    subScores,
    anySingleThree,
    clinicalRisk: news2ClinicalRisk(total, anySingleThree),
    escalate: total >= 5 || anySingleThree,
  };
}
