import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddendumInput,
  CaptureStripRequest,
  ClinicalNoteInput,
  ErrorCode,
  IntakeRequest,
  PasswordLoginRequest,
  RefreshRequest,
  TransferRequest,
  type LoginResponse,
} from '@legevakt/shared';
import type { z } from 'zod';
import { DEFAULT_RATE_LIMITS, UNLIMITED, type RateLimits } from '../limits/limitsConfig.ts';
import { claimConsult, intake, login, requestConsult } from '../testing/consultFixtures.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';
import { arbitraryOf, fuzzParameters, fuzzTimeout, mutationOf, nastyString } from './arbitraries.ts';
import { destroyAgents, rawHttps, type RawResponse } from './rawHttps.ts';
import { appRoutes, type RouteInfo } from './routeTable.ts';
import { changedRows, storedRows } from './storedRows.ts';

/**
 * Every REST route × generated bodies, path parameters and headers: only 2xx
 * or 4xx come back (never 5xx), every 4xx with the JSON error body and every
 * response with the security headers, no request hangs, and nothing is stored
 * unless the server answered that it was. The routes are read from the app
 * itself, so a route added later is fuzzed too. Rate limits are lifted here
 * (they have their own tests).
 */

const NO_LIMITS: RateLimits = Object.fromEntries(
  Object.keys(DEFAULT_RATE_LIMITS).map((key) => [key, UNLIMITED]),
) as unknown as RateLimits;

let server: TestServer;
const tokens: Record<string, string> = {};
const consultIds: string[] = [];
let routes: RouteInfo[];

beforeAll(async () => {
  server = await startTestServer({ logLevel: 'info', limits: NO_LIMITS });
  const sessions: Record<string, LoginResponse> = {};
  for (const username of ['sykepleier.sunndal', 'lege.molde', 'lege.forde', 'admin']) {
    sessions[username] = await login(server.url, username);
    tokens[username] = sessions[username].accessToken;
  }
  const active = await requestConsult(server.url, tokens['sykepleier.sunndal']!);
  await claimConsult(server.url, tokens['lege.molde']!, active.id);
  const waiting = await requestConsult(server.url, tokens['sykepleier.sunndal']!, intake({ triage: 'yellow' }));
  consultIds.push(active.id, waiting.id);
  routes = appRoutes().filter((r) => r.path.startsWith('/api'));
});
afterAll(async () => {
  destroyAgents();
  await server.close();
});

/** Each route's body schema (where it has one): the shape the generated bodies follow before mutation. */
const BODY_SCHEMAS: Record<string, z.ZodType> = {
  'POST /api/auth/login': PasswordLoginRequest,
  'POST /api/auth/refresh': RefreshRequest,
  'POST /api/auth/logout': RefreshRequest,
  'POST /api/consults': IntakeRequest,
  'POST /api/consults/:id/transfer': TransferRequest,
  'POST /api/consults/:id/note': ClinicalNoteInput,
  'POST /api/consults/:id/addenda': AddendumInput,
  'POST /api/consults/:id/strips': CaptureStripRequest,
};

/** A valid body per route, the seed of the mutations. */
const VALID_BODIES: Record<string, unknown> = {
  'POST /api/auth/login': { username: 'lege.molde', password: 'not-the-password' },
  'POST /api/auth/refresh': { refreshToken: 'A'.repeat(43) },
  'POST /api/auth/logout': { refreshToken: 'A'.repeat(43) },
  'POST /api/consults': intake(),
  'POST /api/consults/:id/transfer': { toDoctorId: 'lege2.molde' },
  'POST /api/consults/:id/note': {
    findings: 'Ingen funn',
    assessment: 'Cystitt',
    plan: 'Antibiotika',
    decision: 'treat-at-satellite',
    decisionDetail: '',
  },
  'POST /api/consults/:id/addenda': { text: 'Tillegg' },
  'POST /api/consults/:id/strips': { streamId: 'ecg-ii', seconds: 10 },
};

/** Lone surrogates replaced: encodeURIComponent throws on them (the server never sees such a string). */
const wellFormed = (s: string): string =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const TRAVERSALS = [
  '..',
  '../..',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....%2f%2f',
  '..;',
  '%00',
  '%252e%252e',
  '%c0%ae%c0%ae',
  '%ff%fe',
  'con',
  '.',
  '%20',
];

const pathParam: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...['0', 'mine', 'undefined', 'null']).map((s) => s) },
  { weight: 4, arbitrary: fc.constant(null).map(() => consultIds[0]!) },
  { weight: 2, arbitrary: fc.constant(null).map(() => consultIds[1]!) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 3, arbitrary: fc.constantFrom(...TRAVERSALS) },
  { weight: 3, arbitrary: nastyString.map((s) => encodeURIComponent(wellFormed(s.slice(0, 2000)))) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 4000 }).map((n) => 'x'.repeat(n)) },
);

const queryString: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('from', 'to', 'userId', 'consultId', 'limit', '__proto__', 'format')),
        nastyString,
      ),
      {
        maxLength: 4,
      },
    )
    .map(
      (pairs) =>
        '?' +
        pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(wellFormed(v.slice(0, 500)))}`).join('&'),
    ),
  fc.constantFrom(
    '?a[b][c]=1',
    '?__proto__[polluted]=1',
    '?constructor[prototype][polluted]=1',
    '?%',
    '?&&&=&',
    '?x=%zz',
  ),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/json; charset="',
  '',
];

interface Body {
  bytes: Buffer | undefined;
  contentType: string;
  contentEncoding?: string;
  label: string;
}

const json = (value: unknown): string => JSON.stringify(value);

function bodies(key: string): fc.Arbitrary<Body> {
  const valid = VALID_BODIES[key] ?? {};
  const schema = BODY_SCHEMAS[key];
  const asJson = (label: string) => (value: unknown) => ({
    bytes: Buffer.from(json(value)),
    contentType: 'application/json',
    label,
  });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ bytes: undefined, contentType: '', label: 'none' }) },
    { weight: 5, arbitrary: mutationOf(valid).map(asJson('mutated')) },
    ...(schema ? [{ weight: 3, arbitrary: arbitraryOf(schema).map(asJson('from schema')) }] : []),
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(asJson('arbitrary json')) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constant(json(valid))),
          fc.nat(),
          fc.constantFrom(...CONTENT_TYPES),
        )
        .map(([text, cut, contentType]) => ({
          bytes: Buffer.from(text.slice(0, text.length > 0 ? cut % text.length : 0)),
          contentType,
          label: 'malformed or cut',
        })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...CONTENT_TYPES).map((contentType) => ({
        bytes: Buffer.from(json(valid)),
        contentType,
        label: 'valid body, other content type',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 33 * 1024, max: 256 * 1024 }).map((size) => ({
        bytes: Buffer.from(json({ ...valid, padding: 'x'.repeat(size) })),
        contentType: 'application/json',
        label: 'oversize',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 100, max: 15_000 }), fc.boolean()).map(([depth, arrays]) => ({
        bytes: Buffer.from(
          arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
        ),
        contentType: 'application/json',
        label: 'deep nesting',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown').chain((encoding) =>
        fc.oneof(
          // A compression bomb: a few kB on the wire, megabytes inflated.
          fc.constant({
            bytes: bomb(encoding),
            contentType: 'application/json',
            contentEncoding: encoding,
            label: `bomb ${encoding}`,
          }),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => ({
            bytes: Buffer.from(bytes),
            contentType: 'application/json',
            contentEncoding: encoding,
            label: `garbage ${encoding}`,
          })),
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor').map((key) => ({
        bytes: Buffer.from(`${json(valid).slice(0, -1)},"${key}":{"polluted":true,"prototype":{"polluted":true}}}`),
        contentType: 'application/json',
        label: 'prototype keys',
      })),
    },
  );
}

const bombs = new Map<string, Buffer>();
/** Made once per encoding: compressing 4 MiB for every case would dominate the run. */
function bomb(encoding: string): Buffer {
  let bytes = bombs.get(encoding);
  if (!bytes) {
    bytes = compress(encoding, Buffer.from(`{"padding":"${'a'.repeat(4 * 1024 * 1024)}"}`));
    bombs.set(encoding, bytes);
  }
  return bytes;
}

function compress(encoding: string, bytes: Buffer): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(bytes);
  if (encoding === 'deflate') return zlib.deflateSync(bytes);
  if (encoding === 'br') return zlib.brotliCompressSync(bytes);
  return bytes.subarray(0, 64 * 1024);
}

const headerText = fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, '?'));

const authorization: fc.Arbitrary<string | null> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom('sykepleier.sunndal', 'lege.molde', 'lege.forde', 'admin')
      .map((u) => `Bearer ${tokens[u]!}`),
  },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      headerText.map((t) => `Bearer ${t}`),
      headerText,
      fc.constant(null).map(() => `Bearer ${tokens['lege.molde']!.slice(0, -3)}abc`),
      fc.constant('Bearer '),
      fc.constant('Basic YWRtaW46bGVnZXZha3QtZGVtbw=='),
    ),
  },
);

interface Case {
  route: RouteInfo;
  method: string;
  param: string;
  query: string;
  body: Body;
  authorization: string | null;
  extraHeaders: Record<string, string>;
}

function cases(): fc.Arbitrary<Case> {
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') },
      ),
      param: pathParam,
      query: queryString,
      body: bodies(`${route.method} ${route.path}`),
      authorization,
      extraHeaders: fc.dictionary(
        fc.constantFrom('X-Access-Reason', 'Accept', 'Accept-Language', 'X-Forwarded-For', 'Origin', 'Cookie', 'Range'),
        headerText,
        { maxKeys: 3 },
      ),
    }),
  );
}

function checkResponse(c: Case, response: RawResponse): void {
  const what = `${c.method} ${c.route.path} [${c.body.label}] → ${response.status} ${response.text.slice(0, 300)}`;
  if (response.status >= 500) throw new Error(`server error: ${what}`);
  for (const header of ['content-security-policy', 'strict-transport-security', 'x-content-type-options']) {
    if (!response.headers[header]) throw new Error(`no ${header}: ${what}`);
  }
  if (response.status >= 400 && c.method !== 'HEAD') {
    const body = response.json as { error?: { code?: unknown; message?: unknown } } | undefined;
    if (!body?.error || !ErrorCode.safeParse(body.error.code).success || typeof body.error.message !== 'string') {
      throw new Error(`error without the JSON error body: ${what}`);
    }
  }
}

describe('REST API under fuzzed requests', () => {
  const RUNS = 1200;
  it(
    'answers every route and input with 2xx or a JSON 4xx, never 5xx, and stores nothing it refused',
    async () => {
      expect(routes.length).toBeGreaterThan(20);
      const rowsBefore = storedRows(server.config.dataDir);
      // The test server keeps every log line in memory: checked and dropped request by request.
      server.logs.length = 0;
      const statuses = new Map<number, number>();
      let acceptedWrites = 0;
      let acceptedIntakes = 0;
      let badRequests = 0;
      const started = Date.now();

      await fc.assert(
        fc.asyncProperty(cases(), async (c) => {
          const path = c.route.path.replace(':id', c.param) + c.query;
          const response = await rawHttps(server.url, {
            method: c.method,
            path,
            headers: {
              ...c.extraHeaders,
              ...(c.authorization ? { Authorization: c.authorization } : {}),
              ...(c.body.contentType ? { 'Content-Type': c.body.contentType } : {}),
              ...(c.body.contentEncoding ? { 'Content-Encoding': c.body.contentEncoding } : {}),
            },
            ...(c.body.bytes ? { body: c.body.bytes } : {}),
          });
          checkResponse(c, response);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 400) {
            badRequests++;
            const logged = server.logs.some((l) => ['request refused', 'bad HTTP request'].includes(String(l['msg'])));
            if (!logged) throw new Error(`400 not logged: ${c.method} ${c.route.path} [${c.body.label}]`);
          }
          server.logs.length = 0;
          if (response.status < 300 && c.method === 'POST') {
            acceptedWrites++;
            if (c.route.path === '/api/consults') acceptedIntakes++;
          }
        }),
        fuzzParameters(RUNS),
      );

      const elapsed = Date.now() - started;
      const rowsAfter = storedRows(server.config.dataDir);
      const changed = changedRows(rowsBefore, rowsAfter);
      console.info(
        `REST fuzz: ${routes.length} routes, ${[...statuses].reduce((n, [, k]) => n + k, 0)} requests in ${elapsed} ms; ` +
          `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; ` +
          `${acceptedWrites} writes accepted (${acceptedIntakes} intakes); rows changed ${JSON.stringify(changed)}`,
      );
      // Rows change only through writes the server accepted (one row per table at most for each), and never
      // go away; new consults come only from accepted intakes.
      for (const table of Object.keys(changed)) {
        const delta = (rowsAfter[table] ?? 0) - (rowsBefore[table] ?? 0);
        expect(delta, table).toBeGreaterThanOrEqual(0);
        expect(delta, table).toBeLessThanOrEqual(acceptedWrites);
      }
      const newConsults = (rowsAfter['consults'] ?? 0) - (rowsBefore['consults'] ?? 0);
      expect(newConsults).toBeLessThanOrEqual(acceptedIntakes);
      expect(badRequests).toBeGreaterThan(0);
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
    fuzzTimeout(RUNS, 20),
  );

  it('answers a request line or headers over the limit with 431 and no crash', async () => {
    const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
    const long = await rawHttps(server.url, { method: 'GET', path: `/api/consults/${'x'.repeat(20_000)}` }).catch(
      asError,
    );
    // Node's HTTP parser answers before express sees the request: a 431 without our headers, or a reset.
    if (!(long instanceof Error)) expect(long.status).toBe(431);
    const many = await rawHttps(server.url, {
      method: 'GET',
      path: '/api/me',
      headers: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-h${i}`, 'y'.repeat(100)])),
    }).catch(asError);
    if (!(many instanceof Error)) expect(many.status).toBe(431);
    const me = await rawHttps(server.url, {
      method: 'GET',
      path: '/api/me',
      headers: { Authorization: `Bearer ${tokens['lege.molde']!}` },
    });
    expect(me.status).toBe(200);
  });
});
