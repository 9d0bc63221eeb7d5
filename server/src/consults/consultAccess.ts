import type { AccessTokenClaims, Consult } from '@legevakt/shared';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';

/**
 * Who may see and act on a consult. A nurse sees her satellite's consults, an
 * ambulance crew its unit's, a station doctor his legevakt station's back-up
 * requests, an LVS doctor the district's — and another district's
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
    case 'station':
      // A station doctor sees only his station's back-up requests: never the LVS queue.
      return user.role === 'station_doctor' && consult.stationId === place.stationId;
    case 'lvs':
      return (
        user.role === 'doctor' &&
        (consult.districtId === place.districtId ||
          consult.claimedBy === user.sub ||
          (consult.overflowedAt !== null && org.overflowSiteIds(consult.districtId).includes(place.lvsSiteId)))
      );
    case 'administration':
      return user.role === 'admin' && (place.districtId === null || place.districtId === consult.districtId);
    case 'guest':
      // An invited guest (server/src/invites/) sees the one consult the token is scoped to: its intake, for the call.
      return user.role === 'guest' && consult.id === place.consultId;
  }
}

/** The requesting side: the nurses of the satellite, the crew of the unit or the doctors of the station that asked. */
export function isRequestingSide(user: AccessTokenClaims, consult: Consult): boolean {
  const place = user.workplace;
  return (
    (place.kind === 'satellite' && user.role === 'nurse' && consult.satelliteId === place.satelliteId) ||
    (place.kind === 'ambulance' && user.role === 'ambulance' && consult.ambulanceUnitId === place.ambulanceUnitId) ||
    (place.kind === 'station' && user.role === 'station_doctor' && consult.stationId === place.stationId)
  );
}

/**
 * Only the two sides of a consult enter its video call. The requesting side may
 * enter while the request still waits: it gets ready in the room (transports
 * connected, camera and microphone paused, nothing sent), so when a doctor takes
 * the request the patient is on his screen at once. The doctor enters only the
 * consult he has taken, while it is active.
 */
export function canJoinCall(user: AccessTokenClaims, consult: Consult, invitedColleague = false): boolean {
  if (isRequestingSide(user, consult)) return consult.status === 'waiting' || consult.status === 'active';
  // A district doctor the consult's doctor invited (InviteService.invitedToCall): while the invitation
  // stands and the call runs; removing him revokes it.
  if (invitedColleague && (user.role === 'doctor' || user.role === 'station_doctor'))
    return consult.status === 'active';
  if (user.role === 'guest') {
    // An invited guest: only the consult the token names, only while it is active. The token is
    // refused as soon as the host removes the guest (its guest session is revoked, see InviteService).
    return consult.status === 'active' && user.workplace.kind === 'guest' && user.workplace.consultId === consult.id;
  }
  return consult.status === 'active' && user.role === 'doctor' && consult.claimedBy === user.sub;
}
