import type { PatientIdentity, Sex } from './consult.ts';
import { ageOn, validateNationalId } from './nationalId.ts';

export interface PatientSummary {
  /** Null for an unknown patient; then `description` may say what is known. */
  name: string | null;
  description: string | null;
  ageYears: number | null;
  sex: Sex;
}

/** Who the patient is at a glance (queue line, consult header): age and sex from the national id when known. */
export function summarisePatient(patient: PatientIdentity, today: string): PatientSummary {
  if (patient.kind === 'unknown') {
    return {
      name: null,
      description: patient.description || null,
      ageYears: patient.approximateAgeYears,
      sex: patient.sex,
    };
  }
  const id = validateNationalId(patient.nationalId);
  return {
    name: patient.name,
    description: null,
    ageYears: id.ok ? ageOn(id.birthDate, today) : null,
    sex: id.ok ? id.sex : 'unknown',
  };
}
