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

export const AmbulanceUnit = z.object({ id: OrgId, districtId: OrgId, name: z.string(), callSign: z.string() });
export type AmbulanceUnit = z.infer<typeof AmbulanceUnit>;

export const UserRole = z.enum(['nurse', 'ambulance', 'doctor', 'admin']);
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
  z.object({ kind: z.literal('administration'), districtId: OrgId.nullable() }),
]);
export type Workplace = z.infer<typeof Workplace>;
