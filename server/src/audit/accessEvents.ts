import type { AccessTokenClaims, Consult } from '@legevakt/shared';

/**
 * What was done with patient data (pasientjournalloven § 22: the legevakt must
 * be able to show who saw what). One entry per read or write of a consult's
 * patient data, allowed or denied.
 */
export type AccessAction =
  /** Intake: the nurse or crew registered the patient. */
  | 'consult.request'
  /** The consult with its patient details was shown (detail view, the requester's own list). */
  | 'consult.view'
  /** The patient appeared with name/age in a doctor's work queue. */
  | 'queue.view'
  /** Queue transitions that touch the consult: claim, cancel, transfer, return, end of call. */
  | 'consult.transition'
  /** The full record (documentation view). */
  | 'record.view'
  | 'record.note'
  | 'record.addendum'
  | 'strip.capture'
  | 'photo.add'
  | 'photo.view'
  /** The live vitals stream opened, or stored vitals fetched. */
  | 'vitals.stream'
  | 'vitals.fetch'
  | 'export.pdf'
  | 'export.fhir'
  /** The video call joined. */
  | 'call.join'
  /** The patient's (or the consult's) access log itself was looked up. */
  | 'accesslog.view'
  /** Invites (server/src/invites/): the host invited a third party by link and PIN ... */
  | 'invite.create'
  /** ... a PIN was tried (denied: wrong PIN, expired, used up; allowed: the guest got its token) ... */
  | 'invite.redeem'
  /** ... and the host removed the participant (revoking the invite and the guest's session). */
  | 'participant.remove';

export interface AccessEvent {
  readonly user: AccessTokenClaims;
  readonly action: AccessAction;
  /** The consult whose patient data was touched; null only for a denial before any consult was found. */
  readonly consult: Pick<Consult, 'id' | 'patient'> | null;
  /**
   * The patient, when the entry is about a patient rather than one consult
   * (a lookup of the patient's access log); ignored when `consult` is given.
   */
  readonly patientNationalId?: string | null;
  readonly outcome: 'allowed' | 'denied';
  /** The client's address (HTTP remote address or the socket's). */
  readonly address: string | null;
  /** Break-the-glass: the typed reason when the access is outside the user's normal role. */
  readonly reason?: string | null;
}

/** Writes access entries; implemented by the tamper-evident AccessLog. */
export interface AccessRecorder {
  record(event: AccessEvent): Promise<void>;
}
