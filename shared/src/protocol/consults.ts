import { z } from 'zod';
import { AmbulanceDetails, Consult, ConsultId, ConsultOrigin, TriageColour } from '../domain/consult.ts';
import { OrgId } from '../domain/organisation.ts';
import { Addendum, ClinicalNote } from '../domain/record.ts';

/**
 * The consult as its participants see it: the stored record plus names and,
 * while it waits, its place in the queue and the expected wait.
 */
export const ConsultView = Consult.extend({
  placeName: z.string(),
  districtName: z.string(),
  requestedByName: z.string(),
  claimedByName: z.string().nullable(),
  claimedSiteName: z.string().nullable(),
  queuePosition: z.number().int().positive().nullable(),
  /** Null when there is no basis for an estimate yet (never a made-up number). */
  expectedWaitMs: z.number().int().nonnegative().nullable(),
});
export type ConsultView = z.infer<typeof ConsultView>;

export const ConsultEvent = z.object({
  at: z.number().int(),
  kind: z.string(),
  actorName: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type ConsultEvent = z.infer<typeof ConsultEvent>;

export const ConsultDetail = z.object({ consult: ConsultView, timeline: z.array(ConsultEvent) });
export type ConsultDetail = z.infer<typeof ConsultDetail>;

/** One line of the doctor's work queue: enough to choose, not the whole record. */
export const QueueEntry = z.object({
  id: ConsultId,
  triage: TriageColour,
  origin: ConsultOrigin,
  requestedAt: z.number().int(),
  placeName: z.string(),
  districtName: z.string(),
  /** Offered here because its home sites did not take it in time (virtual LVS overflow). */
  overflow: z.boolean(),
  patient: z.object({
    /** Null for an unknown patient; then `description` may say what is known. */
    name: z.string().nullable(),
    description: z.string().nullable(),
    ageYears: z.number().int().nullable(),
    sex: z.enum(['female', 'male', 'unknown']),
  }),
  reason: z.string(),
  pathwayId: z.string().nullable(),
  /** An ambulance request's location, urgency and 12-lead flag (absent for a satellite's). */
  ambulance: AmbulanceDetails.optional(),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

export const SlaFigures = z.object({
  requested: z.number().int(),
  answered: z.number().int(),
  answeredWithinTarget: z.number().int(),
  /** Share (0–1) answered within two minutes, of the requests whose outcome is known; null when none. */
  share: z.number().nullable(),
  medianAnswerMs: z.number().nullable(),
  p90AnswerMs: z.number().nullable(),
  targetMet: z.boolean().nullable(),
});
export type SlaFigures = z.infer<typeof SlaFigures>;

export const QueueSnapshot = z.object({
  at: z.number().int(),
  entries: z.array(QueueEntry),
  /** Today (Europe/Oslo) for the doctor's own LVS site. */
  slaToday: SlaFigures,
  /** Consults this doctor has taken and not yet closed. */
  mine: z.array(ConsultView),
});
export type QueueSnapshot = z.infer<typeof QueueSnapshot>;

export const TransferRequest = z.strictObject({ toDoctorId: z.string().min(1).max(64) });

export const Colleague = z.object({
  id: z.string(),
  displayName: z.string(),
  siteId: OrgId,
  siteName: z.string(),
  online: z.boolean(),
});
export type Colleague = z.infer<typeof Colleague>;

export const ApiError = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.string()).optional() }),
});

/** POST /api/consults/:id/note: the note as signed and the consult, now closed. */
export const SignedNoteResponse = z.object({ consult: ConsultView, note: ClinicalNote });
export type SignedNoteResponse = z.infer<typeof SignedNoteResponse>;

/** POST /api/consults/:id/addenda: the addendum as stored and the consult (its version moved on). */
export const AddendumResponse = z.object({ consult: ConsultView, addendum: Addendum });
export type AddendumResponse = z.infer<typeof AddendumResponse>;
