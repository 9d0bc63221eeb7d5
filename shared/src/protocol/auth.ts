import { z } from 'zod';
import { UserRole, Workplace } from '../domain/organisation.ts';

export const Role = UserRole;
export type Role = UserRole;

export const DisplayName = z.string().trim().min(1).max(80);

/**
 * The identity the server puts in every access token and trusts thereafter.
 * `sid` names the login session (the refresh-token family), so logging out or
 * revoking it also refuses the access tokens issued within it.
 */
export const AccessTokenClaims = z.object({
  sub: z.string().min(1).max(128),
  role: Role,
  name: DisplayName,
  workplace: Workplace,
  sid: z.string().min(1).max(64),
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;

export const SessionUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: DisplayName,
  role: Role,
  workplace: Workplace,
  /** Human-readable place: "Sunndal helsetun", "Molde LVS", "Ambulanse Molde". */
  placeName: z.string(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const PasswordLoginRequest = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type PasswordLoginRequest = z.infer<typeof PasswordLoginRequest>;

export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(20).max(200) });
export const LogoutRequest = RefreshRequest;

export const LoginResponse = z.object({
  accessToken: z.string(),
  accessExpiresAt: z.iso.datetime(),
  refreshToken: z.string(),
  refreshExpiresAt: z.iso.datetime(),
  user: SessionUser,
});
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Browsers cannot set headers on a WebSocket: the token travels as a subprotocol. */
export const SIGNALING_SUBPROTOCOL = 'legevakt.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';
export const SIGNALING_PATH = '/ws';
