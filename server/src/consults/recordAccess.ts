import type { AccessTokenClaims, Consult } from '@legevakt/shared';
import type { ConsultEvent } from '../storage/consultEventRepository.ts';
import { isRequestingSide } from './consultAccess.ts';

/**
 * Who may read and add to a consult's record (the documentation after the
 * call). Narrower than who may see a waiting consult: a doctor of another
 * district sees an overflowed request in his queue, but its record only once
 * he has held it.
 */

/** Everyone who has held the consult as its doctor: each claim and transfer on its timeline, and the holder now. */
export function doctorsOfConsult(consult: Consult, events: readonly ConsultEvent[]): Set<string> {
  const doctors = new Set<string>();
  for (const event of events) {
    if (event.kind === 'claimed' && event.actorUserId) doctors.add(event.actorUserId);
    if (event.kind === 'transferred') {
      for (const key of ['fromDoctorId', 'toDoctorId']) {
        const id = event.data[key];
        if (typeof id === 'string') doctors.add(id);
      }
    }
  }
  if (consult.claimedBy) doctors.add(consult.claimedBy);
  return doctors;
}

/**
 * The consult's doctor(s), the doctors of its district, the requesting
 * satellite's nurses or the requesting unit's crew, and the admins of its
 * district.
 */
export function canReadRecord(user: AccessTokenClaims, consult: Consult, doctors: ReadonlySet<string>): boolean {
  const place = user.workplace;
  switch (place.kind) {
    case 'satellite':
    case 'ambulance':
    case 'station':
      return isRequestingSide(user, consult);
    case 'lvs':
      return user.role === 'doctor' && (place.districtId === consult.districtId || doctors.has(user.sub));
    case 'administration':
      return user.role === 'admin' && (place.districtId === null || place.districtId === consult.districtId);
    case 'guest':
      // An invited guest gets the call and the intake summary, never the record (notes, strips, exports).
      return false;
  }
}

/** Only the doctor who holds the consult signs its note. */
export function canSignNote(user: AccessTokenClaims, consult: Consult): boolean {
  return user.role === 'doctor' && user.workplace.kind === 'lvs' && consult.claimedBy === user.sub;
}

/** An addendum: by the responsible doctor (the one who signed), or any doctor of the consult's district. */
export function canAddAddendum(user: AccessTokenClaims, consult: Consult): boolean {
  const place = user.workplace;
  return (
    user.role === 'doctor' &&
    place.kind === 'lvs' &&
    (consult.claimedBy === user.sub || place.districtId === consult.districtId)
  );
}

/**
 * Told exactly once per service call, at the access decision (the consult as
 * found, or null when there is none): the caller turns it into its
 * access-log entry, with its own action name. It is awaited before any data
 * is returned or written, so nothing is shown that was not logged.
 */
export type AccessWitness = (
  consult: Consult | null,
  outcome: 'allowed' | 'denied',
  /** Break-the-glass: the typed reason an access outside the user's normal role was made with. */
  reason?: string | null,
) => Promise<void>;

/** An LVS doctor outside the consult's own doctors and district: he reads the record only by breaking the glass. */
export function readsRecordByBreakingGlass(
  user: AccessTokenClaims,
  consult: Consult,
  doctors: ReadonlySet<string>,
): boolean {
  return user.role === 'doctor' && user.workplace.kind === 'lvs' && !canReadRecord(user, consult, doctors);
}
