import { summarisePatient, type Consult, type Decision } from '@legevakt/shared';
import type { I18n, Locale } from '../i18n/i18n.tsx';
import { nb, type MessageKey } from '../i18n/nb.ts';
import { patientLabel } from '../queue/patientLabel.ts';

const intlLocale = (locale: Locale): string => (locale === 'nb' ? 'nb-NO' : 'en-GB');

/** Date and time on the legevakt's clock (Europe/Oslo), e.g. "14.01.2026, 22:05". */
export function formatDateTime(ms: number, locale: Locale): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Europe/Oslo',
  }).format(ms);
}

export function decisionLabel(decision: Decision, t: I18n['t']): string {
  return t(`decision.${decision}`);
}

/** A timeline kind in words; a kind this client does not know yet is shown as stored. */
export function timelineLabel(kind: string, t: I18n['t']): string {
  const key = `timeline.${kind}`;
  return Object.hasOwn(nb, key) ? t(key as MessageKey) : kind;
}

/** "Astrid Nordmann, 54 år, kvinne" (age on the day of the request, not today). */
export function recordPatientLabel(consult: Consult, t: I18n['t']): string {
  const day = new Date(consult.requestedAt).toISOString().slice(0, 10);
  return patientLabel(summarisePatient(consult.patient, day), t);
}
