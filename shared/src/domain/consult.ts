import { z } from 'zod';
import { OrgId } from './organisation.ts';

/**
 * A consult: a satellite nurse's (or an ambulance crew's) request for the LVS
 * doctor, from intake through the queue and the video call to documentation.
 */
export const ConsultId = z.uuid();
export type ConsultId = z.infer<typeof ConsultId>;

/** Triage colour. Red belongs to AMK 113 or the central legevakt, not a satellite consult. */
export const TriageColour = z.enum(['red', 'yellow', 'green']);
export type TriageColour = z.infer<typeof TriageColour>;

export const Sex = z.enum(['female', 'male', 'unknown']);
export type Sex = z.infer<typeof Sex>;

export const PatientIdentity = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('known'),
    name: z.string().trim().min(1).max(120),
    /** Fødselsnummer or D-nummer, 11 digits, both mod-11 control digits valid (checked by the server). */
    nationalId: z.string().regex(/^\d{11}$/, '11 digits'),
  }),
  z.object({
    kind: z.literal('unknown'),
    /** What is known, e.g. "ukjent mann funnet på kaia". */
    description: z.string().trim().max(120).default(''),
    sex: Sex,
    approximateAgeYears: z.number().int().min(0).max(125),
  }),
]);
export type PatientIdentity = z.infer<typeof PatientIdentity>;

/** Values the nurse typed in because no monitor is connected (all optional). */
export const ManualMeasurements = z.strictObject({
  systolicMmHg: z.number().int().min(30).max(300).optional(),
  diastolicMmHg: z.number().int().min(10).max(200).optional(),
  pulsePerMin: z.number().int().min(10).max(300).optional(),
  spo2Percent: z.number().int().min(40).max(100).optional(),
  temperatureCelsius: z.number().min(25).max(45).optional(),
  respirationPerMin: z.number().int().min(2).max(80).optional(),
  crpMgPerL: z.number().min(0).max(1000).optional(),
  glucoseMmolPerL: z.number().min(0).max(60).optional(),
  measuredAt: z.iso.datetime().optional(),
});
export type ManualMeasurements = z.infer<typeof ManualMeasurements>;

/** The pathway checklist: each item of the chosen template answered yes/no (or left open). */
export const ChecklistAnswers = z.record(z.string().max(64), z.boolean());
export type ChecklistAnswers = z.infer<typeof ChecklistAnswers>;

/** 'station': a legevakt station's doctor asks the LVS doctor for back-up. */
export const ConsultOrigin = z.enum(['satellite', 'ambulance', 'station']);
export type ConsultOrigin = z.infer<typeof ConsultOrigin>;

export const ConsultStatus = z.enum([
  /** In the work queue, not yet taken by a doctor. */
  'waiting',
  /** Taken by a doctor: the video consult is open. */
  'active',
  /** The call has ended; the doctor still documents. */
  'documentation',
  'closed',
  /** Withdrawn by the nurse before a doctor took it. */
  'cancelled',
]);
export type ConsultStatus = z.infer<typeof ConsultStatus>;

/** How soon the ambulance crew needs the doctor's answer. */
export const AmbulanceUrgency = z.enum(['acute', 'urgent', 'non-urgent']);
export type AmbulanceUrgency = z.infer<typeof AmbulanceUrgency>;

/**
 * Where the ambulance is: the browser's geolocation (WGS 84) when it had a fix,
 * and always what the crew typed (a road, a place name), which the doctor reads.
 */
export const AmbulanceLocation = z.strictObject({
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  /** Radius of the fix (m, 95 %-ish as the browser reports it); null without a fix. */
  accuracyM: z.number().nonnegative().max(1_000_000).nullable(),
  text: z.string().trim().max(200),
});
export type AmbulanceLocation = z.infer<typeof AmbulanceLocation>;

/** What only an ambulance request carries. */
export const AmbulanceDetails = z
  .strictObject({
    location: AmbulanceLocation,
    urgency: AmbulanceUrgency,
    /** The crew attaches the monitor's 12-lead ECG: it streams to the doctor as soon as the call is live. */
    ecg12Lead: z.boolean().default(false),
  })
  .refine((a) => (a.location.lat === null) === (a.location.lon === null), {
    message: 'latitude and longitude come together',
    path: ['location'],
  })
  .refine((a) => a.location.lat !== null || a.location.text.length > 0, {
    message: 'give a position or describe the place',
    path: ['location', 'text'],
  });
export type AmbulanceDetails = z.infer<typeof AmbulanceDetails>;

export const IntakeRequest = z.strictObject({
  patient: PatientIdentity,
  reason: z.string().trim().min(1).max(1000),
  triage: TriageColour,
  /** The nurse read and confirmed the warning that red belongs to AMK 113. */
  redAcknowledged: z.boolean().default(false),
  pathwayId: z.string().max(64).nullable(),
  checklist: ChecklistAnswers.default({}),
  measurements: ManualMeasurements.default({}),
  /** Ambulance requests only (the server refuses it from a satellite). */
  ambulance: AmbulanceDetails.optional(),
});
export type IntakeRequest = z.input<typeof IntakeRequest>;

export const Consult = z.object({
  id: ConsultId,
  districtId: OrgId,
  origin: ConsultOrigin,
  satelliteId: OrgId.nullable(),
  ambulanceUnitId: OrgId.nullable(),
  /** The legevakt station whose doctor asked for back-up (origin 'station'); null otherwise (absent before 0010). */
  stationId: OrgId.nullable().default(null),
  requestedBy: z.string(),
  patient: PatientIdentity,
  reason: z.string(),
  triage: TriageColour,
  pathwayId: z.string().nullable(),
  checklist: ChecklistAnswers,
  measurements: ManualMeasurements,
  status: ConsultStatus,
  requestedAt: z.number().int(),
  claimedAt: z.number().int().nullable(),
  claimedBy: z.string().nullable(),
  claimedSiteId: OrgId.nullable(),
  overflowedAt: z.number().int().nullable(),
  callEndedAt: z.number().int().nullable(),
  cancelledAt: z.number().int().nullable(),
  version: z.number().int(),
  /** Location, urgency and the 12-lead flag of an ambulance request; absent otherwise. */
  ambulance: AmbulanceDetails.optional(),
});
export type Consult = z.infer<typeof Consult>;
