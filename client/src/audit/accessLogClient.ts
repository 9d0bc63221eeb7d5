import {
  AccessLogListing,
  AccessLogVerification,
  type AccessLogEntryView,
  type AccessLogProblem,
} from '@legevakt/shared';
import type { AuthSession } from '../session/AuthSession.ts';
import { downloadWithToken } from '../session/download.ts';
import type { Locale } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';

/** The access log's API as the admin page uses it: look up, download as CSV, verify. */

export async function fetchAccessLog(auth: AuthSession, nationalId: string): Promise<AccessLogListing> {
  const body = await auth.api(`/api/access-log?nationalId=${encodeURIComponent(nationalId)}`);
  return AccessLogListing.parse(body);
}

export async function verifyAccessLog(auth: AuthSession): Promise<AccessLogVerification> {
  return AccessLogVerification.parse(await auth.api('/api/admin/access-log/verify'));
}

/**
 * Fetches the CSV (with the bearer token, which a plain link cannot carry)
 * and hands it to the browser as a download under the server's file name.
 */
export function downloadAccessLogCsv(auth: AuthSession, nationalId: string): Promise<void> {
  const url = `/api/access-log?nationalId=${encodeURIComponent(nationalId)}&format=csv`;
  return downloadWithToken(auth, url, 'tilgangslogg.csv');
}

/** "05.03.2026 14:07:09" (nb) in Norwegian time: the log is read against Norwegian clocks. */
export function formatAccessTime(ms: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    timeZone: 'Europe/Oslo',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
    .format(ms)
    .replace(',', '');
}

const ACTION_KEYS: Record<string, MessageKey> = {
  'consult.request': 'audit.action.consult.request',
  'consult.view': 'audit.action.consult.view',
  'queue.view': 'audit.action.queue.view',
  'consult.transition': 'audit.action.consult.transition',
  'record.view': 'audit.action.record.view',
  'record.note': 'audit.action.record.note',
  'record.addendum': 'audit.action.record.addendum',
  'strip.capture': 'audit.action.strip.capture',
  'photo.add': 'audit.action.photo.add',
  'photo.view': 'audit.action.photo.view',
  'vitals.stream': 'audit.action.vitals.stream',
  'vitals.fetch': 'audit.action.vitals.fetch',
  'export.pdf': 'audit.action.export.pdf',
  'export.fhir': 'audit.action.export.fhir',
  'call.join': 'audit.action.call.join',
  'accesslog.view': 'audit.action.accesslog.view',
  'invite.create': 'audit.action.invite.create',
  'invite.redeem': 'audit.action.invite.redeem',
  'participant.remove': 'audit.action.participant.remove',
};

const ROLE_KEYS: Record<string, MessageKey> = {
  nurse: 'audit.role.nurse',
  ambulance: 'audit.role.ambulance',
  doctor: 'audit.role.doctor',
  admin: 'audit.role.admin',
  guest: 'audit.role.guest',
  station_doctor: 'audit.role.station_doctor',
};

type T = (key: MessageKey) => string;

/** The action in words; an action this client does not know yet is shown by its name. */
export function actionWords(action: string, t: T): string {
  const key = ACTION_KEYS[action];
  return key ? t(key) : action;
}

export function roleWords(role: string, t: T): string {
  const key = ROLE_KEYS[role];
  return key ? t(key) : role;
}

export function workplaceWords(entry: AccessLogEntryView, t: T): string {
  return entry.workplaceName ?? (entry.userRole === 'admin' ? t('audit.allDistricts') : '–');
}

const PROBLEM_KEYS: Record<AccessLogProblem['kind'], MessageKey> = {
  altered: 'audit.verify.altered',
  deleted: 'audit.verify.deleted',
  inserted: 'audit.verify.inserted',
};

/** The verification's result as a sentence for the data controller. */
export function verificationWords(result: AccessLogVerification, t: T): string {
  if (result.ok) {
    if (result.entries === 0) return t('audit.verify.empty');
    return t('audit.verify.ok').replace('{n}', String(result.entries));
  }
  return t(PROBLEM_KEYS[result.problem.kind])
    .replace('{seq}', String(result.problem.seq))
    .replace('{n}', String(result.entries));
}
