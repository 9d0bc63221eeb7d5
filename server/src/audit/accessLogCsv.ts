import type { AccessLogEntryView, AccessLogListing } from '@legevakt/shared';

/**
 * The access log as a spreadsheet for the patient or the data controller:
 * Norwegian headers and words, Norwegian date format in Oslo time, ';' as
 * separator (Excel with Norwegian settings splits on it, the comma being the
 * decimal sign), CRLF line ends, RFC 4180 quoting, and a UTF-8 byte-order
 * mark so Excel reads æøå correctly.
 */

export const CSV_BOM = '\uFEFF';
const SEPARATOR = ';';

export const CSV_HEADERS = [
  'Løpenummer',
  'Tidspunkt',
  'Bruker',
  'Bruker-id',
  'Rolle',
  'Arbeidssted',
  'Pasient',
  'Konsultasjon',
  'Handling',
  'Utfall',
  'Adresse',
  'Begrunnelse',
] as const;

const ROLE_WORDS: Record<string, string> = {
  nurse: 'sykepleier',
  ambulance: 'ambulansepersonell',
  doctor: 'lege',
  admin: 'administrator',
};

/** The actions in words (bokmål); the client's table uses its own i18n of the same names. */
export const ACTION_WORDS: Record<string, string> = {
  'consult.request': 'Registrerte pasienten (forespørsel)',
  'consult.view': 'Så konsultasjonen',
  'queue.view': 'Så pasienten i arbeidskøen',
  'consult.transition': 'Endret konsultasjonens status',
  'record.view': 'Så journalen',
  'record.note': 'Signerte notat',
  'record.addendum': 'Skrev tillegg',
  'strip.capture': 'Lagret EKG-utsnitt',
  'photo.add': 'La til bilde',
  'photo.view': 'Så bilde',
  'vitals.stream': 'Fulgte vitale parametere direkte',
  'vitals.fetch': 'Hentet lagrede vitale parametere',
  'export.pdf': 'Eksporterte PDF',
  'export.fhir': 'Eksporterte FHIR',
  'call.join': 'Deltok i videosamtalen',
  'accesslog.view': 'Så tilgangsloggen',
};

const timeFormat = new Intl.DateTimeFormat('nb-NO', {
  timeZone: 'Europe/Oslo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** "05.03.2026 14:07:09" in Norwegian time. */
export function formatOsloTime(ms: number): string {
  return timeFormat.format(ms).replace(',', '');
}

/**
 * One cell: quoted when it holds the separator, a quote or a line break
 * (quotes doubled). Text that a spreadsheet would run as a formula (=, +, -,
 * @ at the start; free text such as a break-the-glass reason is typed by
 * users) is prefixed with an apostrophe so it stays text.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function row(e: AccessLogEntryView): string[] {
  return [
    String(e.seq),
    formatOsloTime(e.at),
    e.userName,
    e.userId,
    ROLE_WORDS[e.userRole] ?? e.userRole,
    e.workplaceName ?? (e.userRole === 'admin' ? 'alle distrikter' : ''),
    e.patientNationalId ?? e.patientDescription ?? '',
    e.consultId ?? '',
    ACTION_WORDS[e.action] ?? e.action,
    e.outcome === 'allowed' ? 'tillatt' : 'avvist',
    e.address ?? '',
    e.reason ?? '',
  ];
}

export function accessLogCsv(listing: AccessLogListing): string {
  const lines = [CSV_HEADERS.map(csvCell).join(SEPARATOR)];
  for (const entry of listing.entries) lines.push(row(entry).map(csvCell).join(SEPARATOR));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/** A file name without the patient's id in it (file names end up in download folders and mail subjects). */
export function accessLogFileName(at: number): string {
  const date = new Date(at).toISOString().slice(0, 10);
  return `tilgangslogg-${date}.csv`;
}
