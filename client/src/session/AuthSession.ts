import { LoginResponse, type SessionUser } from '@legevakt/shared';
import { isRateLimited, rateLimitedMessage } from './rateLimit.ts';
import { TypedEmitter } from './TypedEmitter.ts';

const STORAGE_KEY = 'legevakt.session';
/** Renew the access token this long before it expires. */
const REFRESH_MARGIN_MS = 60_000;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: string[];
  constructor(status: number, code: string, message: string, issues: string[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

export interface AuthEvents {
  /** Logged out, or the session was revoked or expired. */
  ended: [];
}

/**
 * The logged-in session of this tab: the access token (renewed before it
 * expires with the rotating refresh token) and authenticated API calls. Kept in
 * sessionStorage so a reload keeps the login but a closed tab does not.
 */
export class AuthSession extends TypedEmitter<AuthEvents> {
  #login: LoginResponse;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #refreshing: Promise<void> | null = null;

  private constructor(login: LoginResponse) {
    super();
    this.#login = login;
    this.#store();
    this.#schedule();
  }

  static restore(): AuthSession | null {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = LoginResponse.safeParse(JSON.parse(raw));
    if (!parsed.success || Date.parse(parsed.data.refreshExpiresAt) <= Date.now()) {
      sessionStorage.removeItem(STORAGE_KEY);
      return null;
    }
    return new AuthSession(parsed.data);
  }

  static async login(username: string, password: string): Promise<AuthSession> {
    const body = await postJson('/api/auth/login', { username, password });
    return new AuthSession(LoginResponse.parse(body));
  }

  get user(): SessionUser {
    return this.#login.user;
  }

  /** A valid access token, renewed first if it is about to expire. */
  async accessToken(): Promise<string> {
    if (Date.parse(this.#login.accessExpiresAt) - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
    return this.#login.accessToken;
  }

  refresh(): Promise<void> {
    this.#refreshing ??= postJson('/api/auth/refresh', { refreshToken: this.#login.refreshToken })
      .then((body) => {
        this.#login = LoginResponse.parse(body);
        this.#store();
        this.#schedule();
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) this.#end();
        throw error;
      })
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  async logout(): Promise<void> {
    try {
      await postJson('/api/auth/logout', { refreshToken: this.#login.refreshToken });
    } finally {
      this.#end();
    }
  }

  /** An authenticated JSON request; throws ApiError with the server's code and message. */
  async api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const send = async (): Promise<Response> =>
      fetch(path, {
        method: init.method ?? 'GET',
        headers: {
          Authorization: `Bearer ${await this.accessToken()}`,
          ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    let response = await send();
    if (response.status === 401) {
      await this.refresh();
      response = await send();
    }
    return (await readJson(response)) as T;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    const dueIn = Date.parse(this.#login.accessExpiresAt) - Date.now() - REFRESH_MARGIN_MS;
    this.#timer = setTimeout(() => void this.refresh().catch(() => undefined), Math.max(1000, dueIn));
  }

  #store(): void {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.#login));
  }

  #end(): void {
    if (this.#timer) clearTimeout(this.#timer);
    sessionStorage.removeItem(STORAGE_KEY);
    this.emit('ended');
  }
}

async function postJson(path: string, body: unknown): Promise<unknown> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return readJson(response);
}

async function readJson(response: Response): Promise<unknown> {
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; issues?: string[] } }).error;
    const code = error?.code ?? 'HTTP';
    throw new ApiError(
      response.status,
      code,
      // Shown as it is by the forms and panels: a 429 reads as one plain sentence in the user's language.
      isRateLimited({ status: response.status, code })
        ? rateLimitedMessage()
        : (error?.message ?? `HTTP ${response.status}`),
      error?.issues,
    );
  }
  return body;
}
