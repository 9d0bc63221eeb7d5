import { z } from 'zod';
import { Consult, ConsultId } from './consult.ts';
import { VitalSample, WaveformSignal } from '../vitals/model.ts';

/**
 * The consult record after the call: the doctor's signed note and decision,
 * addenda, captured ECG strips and photos. Everything here is append-only: a
 * note once signed is never changed; a later correction is an addendum with its
 * own author and time.
 */

/** What the doctor decided for the patient. */
export const Decision = z.enum([
  /** Treated at the satellite (or by the crew) with the plan in the note. */
  'treat-at-satellite',
  /** Sent to a legevakt station (level 2) to be seen by the on-duty doctor. */
  'legevakt-station',
  /** Ambulance transport (the doctor asks AMK). */
  'ambulance',
  'hospital-admission',
  /** The patient's regular GP follows up. */
  'gp-follow-up',
  'other',
]);
export type Decision = z.infer<typeof Decision>;

const NoteText = z.string().trim().max(8000);

/** The doctor's structured note; signing it closes the consult. */
export const ClinicalNoteInput = z.strictObject({
  findings: NoteText,
  assessment: NoteText.min(1),
  plan: NoteText.min(1),
  decision: Decision,
  /** Where to, what to watch for, when to call again: shown to the nurse beside the decision. */
  decisionDetail: z.string().trim().max(2000).default(''),
});
export type ClinicalNoteInput = z.input<typeof ClinicalNoteInput>;

/** A later addition to a closed consult; the original note is kept as it was. */
export const AddendumInput = z.strictObject({ text: NoteText.min(1) });
export type AddendumInput = z.infer<typeof AddendumInput>;

const Signed = {
  id: z.uuid(),
  consultId: ConsultId,
  authorId: z.string(),
  authorName: z.string(),
  /** When it was signed (epoch ms). */
  signedAt: z.number().int(),
};

export const ClinicalNote = z.object({
  kind: z.literal('note'),
  ...Signed,
  findings: z.string(),
  assessment: z.string(),
  plan: z.string(),
  decision: Decision,
  decisionDetail: z.string(),
});
export type ClinicalNote = z.infer<typeof ClinicalNote>;

export const Addendum = z.object({ kind: z.literal('addendum'), ...Signed, text: z.string() });
export type Addendum = z.infer<typeof Addendum>;

export const NoteEntry = z.discriminatedUnion('kind', [ClinicalNote, Addendum]);
export type NoteEntry = z.infer<typeof NoteEntry>;

/**
 * Ask the server to cut a strip out of the consult's stored waveform: the
 * `seconds` before `endTime` (device time, epoch ms; default: the newest
 * sample). The samples come from the record, never from the asking client.
 */
export const CaptureStripRequest = z.strictObject({
  streamId: z.string().min(1).max(64),
  endTime: z.number().int().optional(),
  seconds: z.number().min(2).max(30).default(10),
});
export type CaptureStripRequest = z.input<typeof CaptureStripRequest>;

/** A captured ECG strip with its raw samples, for the documentation and the exports. */
export const EcgStrip = z.object({
  id: z.uuid(),
  consultId: ConsultId,
  capturedAt: z.number().int(),
  capturedBy: z.string(),
  capturedByName: z.string(),
  streamId: z.string(),
  signals: z.array(WaveformSignal).min(1),
  sampleRateHz: z.number().positive(),
  /** Device units per mV: physical = (value - baseline) / gain. */
  gain: z.number().positive(),
  baseline: z.number().int(),
  /** Device time of the first sample, epoch ms. */
  startTime: z.number().int(),
  /** Samples per signal. */
  length: z.number().int().positive(),
  /** Interleaved int16 little-endian (samples[i * signals.length + s]), base64. */
  samplesBase64: z.string(),
});
export type EcgStrip = z.infer<typeof EcgStrip>;

/** Longest photo caption, in characters. */
export const PHOTO_CAPTION_MAX = 200;

/** A still image on the consult (the bytes are fetched separately). */
export const ConsultPhoto = z.object({
  id: z.uuid(),
  consultId: ConsultId,
  takenAt: z.number().int(),
  takenBy: z.string(),
  takenByName: z.string(),
  mimeType: z.enum(['image/jpeg', 'image/png']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  caption: z.string().max(PHOTO_CAPTION_MAX),
  /** Size of the stored image in bytes. */
  byteSize: z.number().int().positive(),
  /** SHA-256 of the stored image, lower-case hex: what the exports and an audit check the bytes against. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ConsultPhoto = z.infer<typeof ConsultPhoto>;

/** The image bytes of one photo, where the record goes with its images (the exports). */
export interface PhotoImage {
  readonly photoId: string;
  readonly bytes: Uint8Array;
}

export const RecordParticipant = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.enum(['nurse', 'ambulance', 'doctor', 'admin', 'station_doctor']),
  /** The satellite, ambulance unit, legevakt station or LVS site the person worked from. */
  workplaceName: z.string(),
});
export type RecordParticipant = z.infer<typeof RecordParticipant>;

export const RecordTimelineEntry = z.object({
  at: z.number().int(),
  /** requested, claimed, overflowed, transferred, returned, call-started, call-ended, closed, addendum, … */
  kind: z.string(),
  actorName: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type RecordTimelineEntry = z.infer<typeof RecordTimelineEntry>;

/** Everything the record holds, as the documentation view and both exports read it. */
export const ConsultRecord = z.object({
  consult: Consult,
  /** Names for the header. */
  districtName: z.string(),
  placeName: z.string(),
  lvsSiteName: z.string().nullable(),
  participants: z.array(RecordParticipant),
  timeline: z.array(RecordTimelineEntry),
  /** Every numeric vital sign stored on the consult, oldest first (manual values included as source 'manual'). */
  vitals: z.array(VitalSample),
  strips: z.array(EcgStrip),
  photos: z.array(ConsultPhoto),
  /** The signed note first (if any), then addenda, in signing order. */
  notes: z.array(NoteEntry),
});
export type ConsultRecord = z.infer<typeof ConsultRecord>;

/** The decision in force: that of the signed note, or null while undocumented. */
export function decisionOf(record: Pick<ConsultRecord, 'notes'>): ClinicalNote | null {
  return record.notes.find((n): n is ClinicalNote => n.kind === 'note') ?? null;
}
