import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ConsultDetail, LoginResponse, type ConsultView } from '@legevakt/shared';
import type { Logger } from '../logger.ts';

/** How the bridge trusts the server's certificate. */
export interface BridgeTls {
  /** PEM of the CA (or the self-signed certificate) to trust, besides the system's. */
  ca?: string;
  /** Name the certificate must carry when the server is addressed by another name or an IP. */
  servername?: string;
  /** false only for development against a throw-away certificate (logged loudly). */
  rejectUnauthorized: boolean;
}

export type BridgeCredentials =
  | { kind: 'password'; username: string; password: string }
  /** A refresh token kept in a file; the rotated token is written back to it. */
  | { kind: 'refresh-token-file'; file: string };

export class ServerHttpError extends Error {
  readonly status: number;
  readonly code: string | null;

  constructor(status: number, code: string | null, message: string) {
    super(message);
    this.name = 'ServerHttpError';
    this.status = status;
    this.code = code;
  }
}

export function tlsOptions(tls: BridgeTls): https.RequestOptions {
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
}

/** One JSON request to the server's REST API. */
export function requestJson(
  url: URL,
  tls: BridgeTls,
  options: { method?: string; body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<unknown> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        ...tlsOptions(tls),
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        timeout: options.timeoutMs ?? 10_000,
        headers: {
          Accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          ...(options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = null;
          }
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(body);
            return;
          }
          const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
          reject(
            new ServerHttpError(
              status,
              error?.code ?? null,
              `${options.method ?? (payload === undefined ? 'GET' : 'POST')} ${url.pathname}: HTTP ${status} ${error?.message ?? text.slice(0, 200)}`,
            ),
          );
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`${url.pathname}: no answer within ${options.timeoutMs ?? 10_000} ms`)),
    );
    request.on('error', reject);
    if (payload !== undefined) request.write(payload);
    request.end();
  });
}

/**
 * The bridge's login: an access token for the signaling socket, renewed with
 * the rotating refresh token before it expires, or by logging in again when
 * the refresh token is gone (password credentials only).
 */
export class BridgeAuth {
  readonly #server: URL;
  readonly #tls: BridgeTls;
  readonly #credentials: BridgeCredentials;
  readonly #log: Logger;
  #access: { token: string; expiresAt: number } | null = null;
  #refreshToken: string | null = null;
  #user: LoginResponse['user'] | null = null;

  constructor(server: URL, tls: BridgeTls, credentials: BridgeCredentials, log: Logger) {
    this.#server = server;
    this.#tls = tls;
    this.#credentials = credentials;
    this.#log = log;
  }

  get user(): LoginResponse['user'] | null {
    return this.#user;
  }

  /** A valid access token (at least a minute left), logging in or refreshing as needed. */
  async accessToken(): Promise<string> {
    if (this.#access && this.#access.expiresAt - Date.now() > 60_000) return this.#access.token;
    const response = await this.#renew();
    this.#access = { token: response.accessToken, expiresAt: Date.parse(response.accessExpiresAt) };
    if (this.#user?.id !== response.user.id) {
      this.#log.info(
        { username: response.user.username, role: response.user.role, place: response.user.placeName },
        'logged in to the server',
      );
    }
    this.#user = response.user;
    return response.accessToken;
  }

  /** The server refused the token (revoked session, restarted server with a new secret). */
  invalidate(): void {
    this.#access = null;
  }

  async #renew(): Promise<LoginResponse> {
    const refreshToken = this.#refreshToken ?? this.#readTokenFile();
    if (refreshToken !== null) {
      try {
        const response = LoginResponse.parse(
          await requestJson(new URL('/api/auth/refresh', this.#server), this.#tls, { body: { refreshToken } }),
        );
        this.#keepRefreshToken(response.refreshToken);
        return response;
      } catch (error) {
        if (!(error instanceof ServerHttpError && error.status === 401)) throw error;
        this.#refreshToken = null;
        if (this.#credentials.kind === 'refresh-token-file') {
          throw new Error(
            `the refresh token in ${this.#credentials.file} was refused (${error.message}); log in again and write a new one`,
            { cause: error },
          );
        }
        this.#log.info('refresh token refused; logging in again');
      }
    }
    if (this.#credentials.kind !== 'password') throw new Error('no refresh token to log in with');
    const response = LoginResponse.parse(
      await requestJson(new URL('/api/auth/login', this.#server), this.#tls, {
        body: { username: this.#credentials.username, password: this.#credentials.password },
      }),
    );
    this.#keepRefreshToken(response.refreshToken);
    return response;
  }

  #readTokenFile(): string | null {
    if (this.#credentials.kind !== 'refresh-token-file') return null;
    const token = fs.readFileSync(this.#credentials.file, 'utf8').trim();
    return token === '' ? null : token;
  }

  /**
   * Refresh tokens rotate and a reused one revokes the whole session, so the
   * new one replaces the old in the file at once (atomically), before it is used.
   */
  #keepRefreshToken(token: string): void {
    this.#refreshToken = token;
    if (this.#credentials.kind !== 'refresh-token-file') return;
    const file = this.#credentials.file;
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
    fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  /** The consult as the server shows it to this user (status, place). */
  async consult(consultId: string): Promise<ConsultView> {
    const token = await this.accessToken();
    const detail = ConsultDetail.parse(
      await requestJson(new URL(`/api/consults/${encodeURIComponent(consultId)}`, this.#server), this.#tls, { token }),
    );
    return detail.consult;
  }
}
