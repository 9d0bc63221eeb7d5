import { afterAll, beforeAll } from 'vitest';
import type { LoginResponse } from '@legevakt/shared';
import type { ServerConfig } from '../config.ts';
import { login } from './consultFixtures.ts';
import { httpsJson, type JsonResponse } from './httpsJson.ts';
import { startTestServer, type TestServer } from './testServer.ts';

export interface LoggedInServer<U extends string> {
  readonly server: () => TestServer;
  /** The user's login (tokens and the user as the server describes him). */
  readonly session: (user: U) => LoginResponse;
  readonly token: (user: U) => string;
  /** An API request as one of the users (JSON body if given). */
  readonly call: <T = unknown>(user: U, method: string, path: string, body?: unknown) => Promise<JsonResponse<T>>;
}

/**
 * Registers a suite's lifecycle: a test server (overflow far away unless the
 * overrides say otherwise, so another district's doctor really is a foreign
 * tenant) with these demo users logged in, closed after the suite.
 */
export function useLoggedInServer<U extends string>(
  users: readonly U[],
  overrides: Partial<ServerConfig> = {},
): LoggedInServer<U> {
  let server: TestServer | undefined;
  const logins = new Map<U, LoginResponse>();
  beforeAll(async () => {
    server = await startTestServer({ queue: { overflowAfterMs: 3600_000 }, ...overrides });
    for (const username of users) logins.set(username, await login(server.url, username));
  });
  afterAll(async () => {
    await server?.close();
  });
  const started = (): TestServer => {
    if (!server) throw new Error('the test server is not started (use inside a test)');
    return server;
  };
  const session = (user: U): LoginResponse => {
    const found = logins.get(user);
    if (!found) throw new Error(`${user} is not among the suite's logged-in users`);
    return found;
  };
  const token = (user: U): string => session(user).accessToken;
  return {
    server: started,
    session,
    token,
    call: (user, method, path, body) =>
      httpsJson(`${started().url}${path}`, { method, token: token(user), ...(body === undefined ? {} : { body }) }),
  };
}
