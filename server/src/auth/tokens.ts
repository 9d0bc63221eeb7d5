import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { AccessTokenClaims } from '@legevakt/shared';
import { DomainError } from '../errors.ts';

export interface TokenServiceOptions {
  secret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: Date;
}

/**
 * Issues and verifies short-lived access tokens (HS256). Verification pins the
 * algorithm, issuer and audience, so a token signed with `none`, with another
 * algorithm, or for another service is refused.
 */
export class TokenService {
  readonly #options: TokenServiceOptions;
  /** Made once: jsonwebtoken would otherwise build a key object from the string on every verify. */
  readonly #key: crypto.KeyObject;

  constructor(options: TokenServiceOptions) {
    if (Buffer.byteLength(options.secret) < 32) {
      throw new Error('the JWT secret must be at least 32 bytes');
    }
    this.#options = options;
    this.#key = crypto.createSecretKey(Buffer.from(options.secret));
  }

  issue(claims: AccessTokenClaims, now: Date = new Date()): IssuedToken {
    const { issuer, audience, accessTokenTtlSeconds } = this.#options;
    const iat = Math.floor(now.getTime() / 1000);
    const accessToken = jwt.sign(
      {
        role: claims.role,
        name: claims.name,
        workplace: claims.workplace,
        sid: claims.sid,
        iat,
        exp: iat + accessTokenTtlSeconds,
      },
      this.#key,
      { algorithm: 'HS256', issuer, audience, subject: claims.sub, jwtid: crypto.randomUUID() },
    );
    return { accessToken, expiresAt: new Date((iat + accessTokenTtlSeconds) * 1000) };
  }

  /** Returns the token's claims, or throws UNAUTHENTICATED saying why it was refused. */
  verify(token: string): AccessTokenClaims {
    const { issuer, audience } = this.#options;
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#key, { algorithms: ['HS256'], issuer, audience });
    } catch (error) {
      const reason =
        error instanceof jwt.TokenExpiredError
          ? 'access token expired'
          : error instanceof Error
            ? `invalid access token: ${error.message}`
            : 'invalid access token';
      throw new DomainError('UNAUTHENTICATED', reason);
    }
    // jsonwebtoken accepts a token without `exp`, and any lifetime: ours never outlive what we issue.
    const { iat, exp } = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > this.#options.accessTokenTtlSeconds) {
      throw new DomainError('UNAUTHENTICATED', 'access token without a valid lifetime');
    }
    const claims = AccessTokenClaims.safeParse(payload);
    if (!claims.success) throw new DomainError('UNAUTHENTICATED', 'access token lacks required claims');
    return claims.data;
  }
}

/**
 * The signing secret survives restarts (tokens stay valid across a redeploy) but
 * never enters the repository: generated once into the data directory.
 */
export function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}
