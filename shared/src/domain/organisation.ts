import { z } from 'zod';

/**
 * The legevakt organisation (Helsedirektoratet's three-level model): a district
 * (legevaktdistrikt) has one or more LVS sites (level 1, legevaktsentral) and
 * satellites (level 3, usually nursing homes) and ambulance units. A virtual
 * LVS groups LVS sites, possibly of several districts, that share one queue:
 * a request not taken in time at home overflows to the other sites.
 */
export const OrgId = z.string().min(1).max(64);

export const District = z.object({ id: OrgId, name: z.string() });
export type District = z.infer<typeof District>;

export const VirtualLvs = z.object({ id: OrgId, name: z.string() });
export type VirtualLvs = z.infer<typeof VirtualLvs>;

export const LvsSite = z.object({
  id: OrgId,
  districtId: OrgId,
  /** Null when the site shares its queue with no other site. */
  virtualLvsId: OrgId.nullable(),
  name: z.string(),
});
export type LvsSite = z.infer<typeof LvsSite>;

export const Satellite = z.object({ id: OrgId, districtId: OrgId, name: z.string(), municipality: z.string() });
export type Satellite = z.infer<typeof Satellite>;

/**
 * A legevakt station (level 2): a legevakt with its own on-duty doctor, who can
 * ask the district's LVS doctor for back-up through the same queue.
 */
export const LegevaktStation = z.object({ id: OrgId, districtId: OrgId, name: z.string(), municipality: z.string() });
export type LegevaktStation = z.infer<typeof LegevaktStation>;

export const AmbulanceUnit = z.object({ id: OrgId, districtId: OrgId, name: z.string(), callSign: z.string() });
export type AmbulanceUnit = z.infer<typeof AmbulanceUnit>;

/**
 * 'guest' is never a stored account: an invited third party (a specialist by
 * link and PIN) holds a short-lived token scoped to one consult's call
 * (server/src/invites/). 'station_doctor' is the on-duty doctor of a legevakt
 * station (level 2): the requesting side of a back-up request, never the LVS
 * queue's doctor (every 'doctor' check leaves him out).
 */
export const UserRole = z.enum(['nurse', 'ambulance', 'doctor', 'admin', 'guest', 'station_doctor']);
export type UserRole = z.infer<typeof UserRole>;

/**
 * Where a user works decides what they may see: a nurse their satellite's
 * consults, an ambulance crew their unit's, a doctor their district's (plus
 * overflow), an admin their district (or everything when districtId is null).
 */
export const Workplace = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('satellite'), satelliteId: OrgId, districtId: OrgId }),
  z.object({ kind: z.literal('ambulance'), ambulanceUnitId: OrgId, districtId: OrgId }),
  z.object({ kind: z.literal('lvs'), lvsSiteId: OrgId, districtId: OrgId }),
  /** The on-duty doctor of a legevakt station (level 2). */
  z.object({ kind: z.literal('station'), stationId: OrgId, districtId: OrgId }),
  z.object({ kind: z.literal('administration'), districtId: OrgId.nullable() }),
  /** An invited guest: the one consult (and its district) the guest token is scoped to; see UserRole. */
  z.object({ kind: z.literal('guest'), consultId: z.string().min(1).max(64), districtId: OrgId }),
]);
export type Workplace = z.infer<typeof Workplace>;
