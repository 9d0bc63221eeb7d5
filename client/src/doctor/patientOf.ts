import { summarisePatient, type ConsultView, type PatientSummary } from '@legevakt/shared';

/** The queue's patient summary, for a full consult view. */
export function patientOf(consult: ConsultView, now = new Date()): PatientSummary {
  return summarisePatient(consult.patient, now.toISOString().slice(0, 10));
}
