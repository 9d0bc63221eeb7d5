import { ageOn, validateNationalId, type ConsultView, type QueueEntry } from '@legevakt/shared';

/** The queue's patient summary, derived on the client for a full consult view. */
export function patientOf(consult: ConsultView, now = new Date()): QueueEntry['patient'] {
  const patient = consult.patient;
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
    ageYears: id.ok ? ageOn(id.birthDate, now.toISOString().slice(0, 10)) : null,
    sex: id.ok ? id.sex : 'unknown',
  };
}
