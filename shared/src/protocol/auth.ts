import { z } from 'zod';

export const Role = z.enum(['nurse', 'doctor']);
export type Role = z.infer<typeof Role>;

export const DisplayName = z.string().trim().min(1).max(80);

/** The identity the server puts in every access token and trusts thereafter. */
export const AccessTokenClaims = z.object({
  sub: z.string().min(1).max(128),
  role: Role,
  name: DisplayName,
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;

/**
 * Development login: the foundation slice has no accounts yet, so a person picks
 * a role and a name and gets a short-lived token. Turned off by configuration in
 * any deployment that has real accounts.
 */
export const DevLoginRequest = z.strictObject({ role: Role, name: DisplayName });
export type DevLoginRequest = z.infer<typeof DevLoginRequest>;

export const LoginResponse = z.object({
  accessToken: z.string(),
  expiresAt: z.string(),
  user: AccessTokenClaims,
});
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Browsers cannot set headers on a WebSocket: the token travels as a subprotocol. */
export const SIGNALING_SUBPROTOCOL = 'legevakt.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';
export const SIGNALING_PATH = '/ws';
