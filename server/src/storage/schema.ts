import type { Generated } from 'kysely';

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
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  consults: ConsultsTable;
  consult_events: ConsultEventsTable;
  vitals_messages: VitalsMessagesTable;
  vital_samples: VitalSamplesTable;
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

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: 'nurse' | 'ambulance' | 'doctor' | 'admin';
  password_hash: string;
  satellite_id: string | null;
  ambulance_unit_id: string | null;
  lvs_site_id: string | null;
  /** An admin's scope; null = every district. Null for the other roles (derived from their workplace). */
  district_id: string | null;
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
  origin: 'satellite' | 'ambulance';
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
}

export interface ConsultEventsTable {
  id: Generated<number>;
  consult_id: string;
  at: number;
  kind: string;
  actor_user_id: string | null;
  data_json: string;
}

export type Engine = 'sqlite' | 'postgres';
