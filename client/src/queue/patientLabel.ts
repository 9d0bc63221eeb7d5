import type { QueueEntry } from '@legevakt/shared';
import type { I18n } from '../i18n/i18n.tsx';

export function patientLabel(patient: QueueEntry['patient'], t: I18n['t']): string {
  const who = patient.name ?? (patient.description || t('consult.unknownPatient'));
  const age = patient.ageYears === null ? '' : `, ${patient.ageYears} ${t('consult.years')}`;
  return `${who}${age}, ${t(`sex.${patient.sex}`).toLowerCase()}`;
}
