import {
  formatNationalId,
  validateNationalId,
  zonedParts,
  type ConsultRecord,
  type Decision,
  type NationalIdKind,
  type NumericKind,
  type RecordParticipant,
  type TriageColour,
  type VitalSample,
} from '@legevakt/shared';

/**
 * What both exports read out of a ConsultRecord the same way: the consult's key
 * times, the patient's identity, Norwegian labels. Kept in one place so the PDF
 * and the FHIR document never disagree on, say, when the consult was closed.
 */

export const OSLO = 'Europe/Oslo';

export interface ConsultTimes {
  requestedAt: number;
  /** When a doctor first took the request (a later transfer does not move it). */
  answeredAt: number | null;
  callStartedAt: number | null;
  callEndedAt: number | null;
  closedAt: number | null;
}

/** Timeline kinds are written with underscores by the repository and with hyphens in the record's docs. */
export function timelineKind(kind: string): string {
  return kind.replaceAll('_', '-');
}

export function consultTimes(record: ConsultRecord): ConsultTimes {
  const { consult, timeline } = record;
  const first = (kind: string): number | null => timeline.find((e) => timelineKind(e.kind) === kind)?.at ?? null;
  const note = record.notes.find((n) => n.kind === 'note');
  return {
    requestedAt: consult.requestedAt,
    answeredAt: first('claimed') ?? consult.claimedAt,
    callStartedAt: first('call-started'),
    callEndedAt: consult.callEndedAt ?? first('call-ended'),
    // Signing the note closes the consult: its time stands in when the timeline lacks the entry.
    closedAt: first('closed') ?? (consult.status === 'closed' ? (note?.signedAt ?? null) : null),
  };
}

export interface PatientFacts {
  known: boolean;
  name: string | null;
  nationalId: string | null;
  nationalIdKind: NationalIdKind | null;
  /** YYYY-MM-DD, from the national id. */
  birthDate: string | null;
  sex: 'female' | 'male' | 'unknown';
  /** Unknown identity: the nurse's description and estimated age. */
  description: string | null;
  approximateAgeYears: number | null;
}

export function patientFacts(record: ConsultRecord): PatientFacts {
  const patient = record.consult.patient;
  if (patient.kind === 'unknown') {
    return {
      known: false,
      name: null,
      nationalId: null,
      nationalIdKind: null,
      birthDate: null,
      sex: patient.sex,
      description: patient.description || null,
      approximateAgeYears: patient.approximateAgeYears,
    };
  }
  const id = validateNationalId(patient.nationalId);
  return {
    known: true,
    name: patient.name,
    nationalId: patient.nationalId,
    // The server checked the number at intake; one that no longer validates is still printed, untyped.
    nationalIdKind: id.ok ? id.kind : null,
    birthDate: id.ok ? id.birthDate : null,
    sex: id.ok ? id.sex : 'unknown',
    description: null,
    approximateAgeYears: null,
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "14.01.2025 20:51" in Oslo time (Norwegian date order, 24-hour clock). */
export function osloDateTime(epochMs: number): string {
  const p = zonedParts(epochMs, OSLO);
  return `${pad(p.day)}.${pad(p.month)}.${p.year} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** "20:51:12" in Oslo time. */
export function osloTime(epochMs: number, seconds = true): string {
  const p = zonedParts(epochMs, OSLO);
  return seconds ? `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` : `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "14.01.2025" in Oslo time. */
export function osloDate(epochMs: number): string {
  const p = zonedParts(epochMs, OSLO);
  return `${pad(p.day)}.${pad(p.month)}.${p.year}`;
}

/** ISO 8601 with Oslo's offset at that instant (FHIR dateTime/instant): 2025-01-14T20:51:12.000+01:00. */
export function osloIso(epochMs: number): string {
  const p = zonedParts(epochMs, OSLO);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMin = Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const ms = String(((epochMs % 1000) + 1000) % 1000).padStart(3, '0');
  return (
    `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${ms}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Norwegian decimal comma, no grouping for the small numbers of vital signs. */
export function nbNumber(value: number, decimals = 0): string {
  return value.toFixed(decimals).replace('.', ',');
}

export const NATIONAL_ID_LABEL: Record<NationalIdKind, string> = {
  fnr: 'Fødselsnummer',
  dnr: 'D-nummer',
  hnr: 'H-nummer',
};

export function formattedNationalId(facts: PatientFacts): string | null {
  return facts.nationalId === null ? null : formatNationalId(facts.nationalId);
}

export const SEX_LABEL: Record<PatientFacts['sex'], string> = {
  female: 'kvinne',
  male: 'mann',
  unknown: 'ukjent kjønn',
};

export const TRIAGE_LABEL: Record<TriageColour, string> = { red: 'Rød', yellow: 'Gul', green: 'Grønn' };

export const DECISION_LABEL: Record<Decision, string> = {
  'treat-at-satellite': 'Behandles lokalt (satellitt eller ambulanse)',
  'legevakt-station': 'Til legevaktstasjon',
  ambulance: 'Ambulansetransport (lege kontakter AMK)',
  'hospital-admission': 'Innleggelse i sykehus',
  'gp-follow-up': 'Oppfølging hos fastlege',
  other: 'Annet',
};

export const ROLE_LABEL: Record<RecordParticipant['role'], string> = {
  nurse: 'Sykepleier',
  ambulance: 'Ambulansepersonell',
  doctor: 'Lege',
  admin: 'Administrator',
  station_doctor: 'Legevaktlege',
};

const TIMELINE_LABEL: Record<string, string> = {
  requested: 'Forespørsel sendt',
  claimed: 'Tatt av lege',
  overflowed: 'Tilbudt annet LVS (virtuelt LVS)',
  transferred: 'Overført til annen lege',
  returned: 'Satt tilbake i køen',
  cancelled: 'Trukket tilbake',
  'call-started': 'Videosamtale startet',
  'call-ended': 'Videosamtale avsluttet',
  closed: 'Notat signert, konsultasjon lukket',
  addendum: 'Tillegg signert',
  'strip-captured': 'EKG-utskrift lagret',
  'photo-added': 'Bilde lagt til',
};

export function timelineLabel(kind: string): string {
  return TIMELINE_LABEL[timelineKind(kind)] ?? kind;
}

/** Short Norwegian column headings and units for the vitals table. */
export const VITAL_LABEL: Record<NumericKind, { label: string; unit: string; decimals: number }> = {
  systolic: { label: 'Systolisk', unit: 'mmHg', decimals: 0 },
  diastolic: { label: 'Diastolisk', unit: 'mmHg', decimals: 0 },
  meanPressure: { label: 'Middeltrykk', unit: 'mmHg', decimals: 0 },
  pulseRate: { label: 'Puls', unit: '/min', decimals: 0 },
  heartRateEcg: { label: 'Puls (EKG)', unit: '/min', decimals: 0 },
  pulseRateOximetry: { label: 'Puls (SpO₂)', unit: '/min', decimals: 0 },
  spo2: { label: 'SpO₂', unit: '%', decimals: 0 },
  temperature: { label: 'Temperatur', unit: '°C', decimals: 1 },
  respirationRate: { label: 'Resp.frekvens', unit: '/min', decimals: 0 },
};

export const QUALITY_LABEL: Record<VitalSample['quality'][number], string> = {
  artifact: 'artefakt',
  questionable: 'usikker',
  'out-of-range': 'utenfor måleområde',
  invalid: 'ugyldig',
};

export const SOURCE_LABEL: Record<VitalSample['source'], string> = {
  'monitor-hl7': 'monitor',
  bluetooth: 'Bluetooth',
  simulator: 'simulator',
  manual: 'manuelt',
};

export const TEMPERATURE_SITE_LABEL: Record<NonNullable<VitalSample['site']>, string> = {
  axillary: 'aksille',
  ear: 'øre',
  oral: 'munn',
  rectal: 'rektalt',
  skin: 'hud',
  core: 'kjernetemperatur',
  unknown: 'ukjent målested',
};

/** The place that asked: "satellitt", "ambulanse" or "legevaktstasjon" (a station doctor's back-up request). */
export function placeKindLabel(record: ConsultRecord): string {
  return ORIGIN_LABEL[record.consult.origin];
}

const ORIGIN_LABEL: Record<ConsultRecord['consult']['origin'], string> = {
  satellite: 'Satellitt',
  ambulance: 'Ambulanse',
  station: 'Legevaktstasjon',
};

/** The int16 value a device writes for a sample it did not get (WFDB format 16's invalid marker). */
export const INVALID_SAMPLE = -32768;

/** The raw samples of a strip: interleaved int16 little-endian; throws if the stored bytes do not match its length. */
export function stripSamples(strip: ConsultRecord['strips'][number]): Int16Array {
  const bytes = Buffer.from(strip.samplesBase64, 'base64');
  const expected = strip.length * strip.signals.length * 2;
  if (bytes.length !== expected) {
    throw new Error(`strip ${strip.id}: ${bytes.length} bytes of samples, expected ${expected}`);
  }
  const samples = new Int16Array(strip.length * strip.signals.length);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}
