import { z } from 'zod';
import { DisplayName, SessionUser } from './auth.ts';

/**
 * Inviting a third party into a running consult's call (server/src/invites/):
 * the consult's doctor creates an invite for a named guest (a specialist on
 * call); the guest opens the one-time link `/invite/<token>` and types the
 * 6-digit PIN the doctor read out by phone, and gets a short-lived access token
 * that opens only that consult's call and its intake summary.
 */

/** 128 random bits, base64url: 22 characters. */
export const InviteToken = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not an invite link');
export const InvitePin = z.string().regex(/^\d{6}$/, 'the PIN is 6 digits');

export const CreateInviteRequest = z.strictObject({
  /** Who the guest is, as the others in the call will see it: "Kardiolog vakt, Ålesund". */
  displayName: DisplayName,
});
export type CreateInviteRequest = z.infer<typeof CreateInviteRequest>;

/**
 * open: waiting for the PIN; joined: redeemed, the guest's session holds;
 * expired: not redeemed in time; locked: too many wrong PINs; removed: revoked by the host.
 */
export const InviteStatus = z.enum(['open', 'joined', 'expired', 'locked', 'removed']);
export type InviteStatus = z.infer<typeof InviteStatus>;

export const InviteView = z.object({
  id: z.string(),
  consultId: z.string(),
  displayName: DisplayName,
  status: InviteStatus,
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  failedAttempts: z.number().int().nonnegative(),
  /** The guest's user id in the call (PeerInfo.userId) once joined: `guest:<invite id>`; a colleague's own user id. */
  guestUserId: z.string(),
  /** 'link': a guest by link and PIN; 'colleague': a district doctor invited by name (absent before it existed). */
  kind: z.enum(['link', 'colleague']).default('link'),
});
export type InviteView = z.infer<typeof InviteView>;

/** Invite a doctor of the district (LVS or legevakt station) who is online into the running call. */
export const InviteColleagueRequest = z.strictObject({ userId: z.string().min(1).max(64) });
export type InviteColleagueRequest = z.infer<typeof InviteColleagueRequest>;

/** A doctor the consult's doctor may invite: online now, of the consult's district (or its virtual LVS). */
export const InvitableColleague = z.object({
  id: z.string(),
  displayName: DisplayName,
  role: z.enum(['doctor', 'station_doctor']),
  placeName: z.string(),
});
export type InvitableColleague = z.infer<typeof InvitableColleague>;
export const InvitableColleagueList = z.object({ colleagues: z.array(InvitableColleague) });
export type InvitableColleagueList = z.infer<typeof InvitableColleagueList>;

/** Shown once to the doctor who created it: the token and PIN are not stored and cannot be shown again. */
export const CreatedInvite = z.object({
  invite: InviteView,
  /** The path of the one-time link (`/invite/<token>`), to send the guest. */
  path: z.string(),
  pin: InvitePin,
});
export type CreatedInvite = z.infer<typeof CreatedInvite>;

export const InviteList = z.object({ invites: z.array(InviteView) });
export type InviteList = z.infer<typeof InviteList>;

/** What the link's page may know before the PIN: no patient data. */
export const InviteLinkInfo = z.object({
  displayName: DisplayName,
  status: InviteStatus,
  expiresAt: z.number().int(),
  attemptsLeft: z.number().int().nonnegative(),
});
export type InviteLinkInfo = z.infer<typeof InviteLinkInfo>;

export const RedeemInviteRequest = z.strictObject({ token: InviteToken, pin: InvitePin });
export type RedeemInviteRequest = z.infer<typeof RedeemInviteRequest>;

/** The guest's access (no refresh token: renewed with POST /api/guest/token while the session holds). */
export const GuestAccess = z.object({
  accessToken: z.string(),
  accessExpiresAt: z.iso.datetime(),
  consultId: z.string(),
  user: SessionUser,
});
export type GuestAccess = z.infer<typeof GuestAccess>;
