import type { AccessTokenClaims, Consult } from '@legevakt/shared';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';

/**
 * Who may see and act on a consult. A nurse sees her satellite's consults, an
 * ambulance crew its unit's, a doctor the district's — and another district's
 * once it has overflowed to a site sharing the virtual LVS, or when it was
 * transferred to him. An admin sees the district it administers (or all).
 */
export function canViewConsult(user: AccessTokenClaims, consult: Consult, org: OrganisationDirectory): boolean {
  const place = user.workplace;
  switch (place.kind) {
    case 'satellite':
      return user.role === 'nurse' && consult.satelliteId === place.satelliteId;
    case 'ambulance':
      return user.role === 'ambulance' && consult.ambulanceUnitId === place.ambulanceUnitId;
    case 'lvs':
      return (
        user.role === 'doctor' &&
        (consult.districtId === place.districtId ||
          consult.claimedBy === user.sub ||
          (consult.overflowedAt !== null && org.overflowSiteIds(consult.districtId).includes(place.lvsSiteId)))
      );
    case 'administration':
      return user.role === 'admin' && (place.districtId === null || place.districtId === consult.districtId);
  }
}

/** The requesting side: the nurses of the satellite or the crew of the unit that asked. */
export function isRequestingSide(user: AccessTokenClaims, consult: Consult): boolean {
  const place = user.workplace;
  return (
    (place.kind === 'satellite' && user.role === 'nurse' && consult.satelliteId === place.satelliteId) ||
    (place.kind === 'ambulance' && user.role === 'ambulance' && consult.ambulanceUnitId === place.ambulanceUnitId)
  );
}

/**
 * Only the two sides of a consult enter its video call. The requesting side may
 * enter while the request still waits: it gets ready in the room (transports
 * connected, camera and microphone paused, nothing sent), so when a doctor takes
 * the request the patient is on his screen at once. The doctor enters only the
 * consult he has taken, while it is active.
 */
export function canJoinCall(user: AccessTokenClaims, consult: Consult): boolean {
  if (isRequestingSide(user, consult)) return consult.status === 'waiting' || consult.status === 'active';
  return consult.status === 'active' && user.role === 'doctor' && consult.claimedBy === user.sub;
}
