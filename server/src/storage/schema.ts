import type { ColumnType, Generated } from 'kysely';

/**
 * The tables as Kysely sees them, identical on SQLite and PostgreSQL.
 * Timestamps are epoch milliseconds (INTEGER / BIGINT); JSON is TEXT in both
 * engines and validated with the shared zod schemas when read.
 */
export interface DatabaseSchema {
  virtual_lvs: VirtualLvsTable;
  districts: DistrictsTable;
  lvs_sites: LvsSitesTable;
  satellites: SatellitesTable;
  ambulance_units: AmbulanceUnitsTable;
  legevakt_stations: LegevaktStationsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  consults: ConsultsTable;
  consult_events: ConsultEventsTable;
  vitals_messages: VitalsMessagesTable;
  vital_samples: VitalSamplesTable;
  ecg_strips: EcgStripsTable;
  consult_notes: ConsultNotesTable;
  consult_photos: ConsultPhotosTable;
  access_log: AccessLogTable;
  invites: InvitesTable;
}

export interface VitalsMessagesTable {
  consult_id: string;
  source_id: string;
  seq: number;
  received_at: number;
  type: string;
  /** The encoded message, base64. */
  payload: string;
}

export interface VitalSamplesTable {
  consult_id: string;
  source_id: string;
  seq: number;
  kind: string;
  value: number;
  unit: string;
  measured_at: number;
  device: string;
  source: string;
  quality_json: string;
  site: string | null;
}

/** Captured ECG strips: a copy of the stored samples of one window (ecgStripRepository.ts). */
export interface EcgStripsTable {
  id: string;
  consult_id: string;
  captured_at: number;
  captured_by: string;
  /** The vitals source (and stream sample index) the strip was cut from. */
  source_id: string;
  stream_id: string;
  signals_json: string;
  sample_rate_hz: number;
  gain: number;
  baseline: number;
  first_sample: number;
  start_time: number;
  length: number;
  /** Interleaved int16 little-endian, base64. */
  samples: string;
}

export interface VirtualLvsTable {
  id: string;
  name: string;
}

export interface DistrictsTable {
  id: string;
  name: string;
}

export interface LvsSitesTable {
  id: string;
  district_id: string;
  virtual_lvs_id: string | null;
  name: string;
}

export interface SatellitesTable {
  id: string;
  district_id: string;
  name: string;
  municipality: string;
}

export interface AmbulanceUnitsTable {
  id: string;
  district_id: string;
  name: string;
  call_sign: string;
}

/** Legevakt stations (level 2), migration 0010. */
export interface LegevaktStationsTable {
  id: string;
  district_id: string;
  name: string;
  municipality: string;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: 'nurse' | 'ambulance' | 'doctor' | 'admin' | 'station_doctor';
  password_hash: string;
  satellite_id: string | null;
  ambulance_unit_id: string | null;
  lvs_site_id: string | null;
  /** An admin's scope; null = every district. Null for the other roles (derived from their workplace). */
  district_id: string | null;
  /** A station doctor's legevakt station (migration 0010); null for every other role. */
  station_id: ColumnType<string | null, string | null | undefined, string | null>;
  disabled_at: number | null;
  created_at: number;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  family_id: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  replaced_by: string | null;
}

export interface ConsultsTable {
  id: string;
  district_id: string;
  origin: 'satellite' | 'ambulance' | 'station';
  satellite_id: string | null;
  ambulance_unit_id: string | null;
  requested_by: string;
  patient_json: string;
  /** Copied out of patient_json for lookups; null for an unidentified patient. */
  patient_national_id: string | null;
  reason: string;
  triage: 'red' | 'yellow' | 'green';
  pathway_id: string | null;
  checklist_json: string;
  measurements_json: string;
  status: 'waiting' | 'active' | 'documentation' | 'closed' | 'cancelled';
  requested_at: number;
  claimed_at: number | null;
  claimed_by: string | null;
  claimed_site_id: string | null;
  overflowed_at: number | null;
  call_ended_at: number | null;
  cancelled_at: number | null;
  version: number;
  /** An ambulance request's location, urgency and 12-lead flag (migration 0009); null for a satellite's. */
  ambulance_json: string | null;
  /** The legevakt station that asked for back-up (migration 0010); null unless origin is 'station'. */
  station_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ConsultEventsTable {
  id: Generated<number>;
  consult_id: string;
  at: number;
  kind: string;
  actor_user_id: string | null;
  data_json: string;
}

/** pasientjournalloven § 22: who touched which patient's data; append-only, hash-chained (audit/accessLog.ts). */
export interface AccessLogTable {
  seq: number;
  at: number;
  user_id: string;
  user_name: string;
  user_role: string;
  workplace_id: string | null;
  patient_national_id: string | null;
  /** For a patient without a national id: a stable description (sex, approximate age, what is known). */
  patient_description: string | null;
  consult_id: string | null;
  action: string;
  outcome: 'allowed' | 'denied';
  address: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/** The doctor's signed note (one per consult) and addenda; append-only (triggers refuse UPDATE and DELETE). */
export interface ConsultNotesTable {
  /** Storage order (increasing); the addenda are listed in it. */
  seq: Generated<number>;
  id: string;
  consult_id: string;
  kind: 'note' | 'addendum';
  author_id: string;
  signed_at: number;
  /** Note fields: set on a note, null on an addendum. */
  findings: string | null;
  assessment: string | null;
  plan: string | null;
  decision: string | null;
  decision_detail: string | null;
  /** Addendum text: set on an addendum, null on a note. */
  text: string | null;
}

/** Still photos on a consult, bytes inline with their SHA-256; append-only (photoRepository.ts). */
export interface ConsultPhotosTable {
  id: string;
  consult_id: string;
  taken_at: number;
  taken_by: string;
  mime_type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  caption: string;
  byte_size: number;
  /** Lower-case hex SHA-256 of data. */
  sha256: string;
  data: Uint8Array;
}

export type Engine = 'sqlite' | 'postgres';

/** Invitations of a third party into a consult's call (migrations/0007_invites.ts). */
export interface InvitesTable {
  id: string;
  consult_id: string;
  created_by: string;
  kind: 'link' | 'colleague';
  display_name: string;
  token_hash: string;
  pin_salt: string;
  pin_hash: string;
  created_at: number;
  expires_at: number;
  failed_attempts: Generated<number>;
  redeemed_at: number | null;
  guest_session_id: string | null;
  session_expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  /** The invited doctor of a 'colleague' invitation (migration 0010); null for a link. */
  invitee_user_id: ColumnType<string | null, string | null | undefined, string | null>;
}
