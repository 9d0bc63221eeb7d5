import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogListing, AccessLogVerification, ConsultView, LoginResponse } from '@legevakt/shared';
import { hashPassword } from '../auth/passwords.ts';
import type { AccessLogEntry } from '../storage/accessLogRepository.ts';
import { DEMO_PASSWORD } from '../storage/seed.ts';
import { intake, login, requestConsult, VALID_NATIONAL_ID } from '../testing/consultFixtures.ts';
import { httpsJson, type JsonResponse } from '../testing/httpsJson.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';
import { CSV_BOM, CSV_HEADERS } from './accessLogCsv.ts';

/**
 * The access log through the real server: every patient-data entry point
 * writes exactly one entry per request (allowed or denied), break-the-glass,
 * the listing with its CSV, verification, and the fail-closed policy.
 */

let server: TestServer;
const tokens = new Map<string, LoginResponse>();
const USERS = [
  'sykepleier.sunndal',
  'sykepleier2.sunndal',
  'lege.molde',
  'lege2.molde',
  'lege.forde',
  'ambulanse.molde',
  'admin',
  'admin.romsdal',
  'admin.sunnfjord',
] as const;
type User = (typeof USERS)[number];

beforeAll(async () => {
  // No overflow during the test: the Førde doctor must stay outside the Romsdal consults.
  server = await startTestServer({ queue: { overflowAfterMs: 3_600_000 } });
  // A second nurse at Sunndal: her station's list shows her colleague's requests.
  await server.storage.users.create({
    username: 'sykepleier2.sunndal',
    displayName: 'Randi Kolstad',
    role: 'nurse',
    satelliteId: 'sunndal-helsetun',
    passwordHash: await hashPassword(DEMO_PASSWORD),
    createdAt: Date.now(),
  });
  for (const username of USERS) tokens.set(username, await login(server.url, username));
});
afterAll(async () => {
  await server.close();
});

function token(user: User): string {
  return tokens.get(user)!.accessToken;
}
function userId(user: User): string {
  return tokens.get(user)!.user.id;
}

async function allEntries(): Promise<AccessLogEntry[]> {
  await server.access.settled();
  return server.storage.accessLog.after(0, 100_000);
}

/** Runs fn and returns the entries it wrote. */
async function written<T>(fn: () => Promise<T>): Promise<{ result: T; entries: AccessLogEntry[] }> {
  const before = (await server.storage.accessLog.tail())?.seq ?? 0;
  const result = await fn();
  await server.access.settled();
  return { result, entries: await server.storage.accessLog.after(before, 1000) };
}

function api<T = unknown>(
  user: User,
  pathname: string,
  options: { method?: string; body?: unknown } = {},
): Promise<JsonResponse<T>> {
  return httpsJson<T>(`${server.url}${pathname}`, { token: token(user), ...options });
}

/** A GET with extra headers (httpsJson sets none). */
function getWithHeaders(
  user: User,
  pathname: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${server.url}${pathname}`,
      { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token(user)}`, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

async function newConsult(nationalId = VALID_NATIONAL_ID): Promise<ConsultView> {
  return requestConsult(
    server.url,
    token('sykepleier.sunndal'),
    intake({ patient: { kind: 'known', name: 'Astrid Nordmann', nationalId } }),
  );
}

const UNKNOWN_CONSULT = '7b0a4c44-5a7f-4e8a-9c4e-2d1f0e6b9a10';

describe('every patient-data route writes exactly one entry per request', () => {
  interface Case {
    readonly name: string;
    readonly run: () => Promise<JsonResponse>;
    readonly status: number;
    readonly entry: Partial<AccessLogEntry> & { readonly by: User };
  }
  // Filled before the cases run; cases() is also called earlier, only for the names.
  const ids = { waiting: '', claimed: '', other: '', inCall: '' };

  beforeAll(async () => {
    for (const key of Object.keys(ids) as (keyof typeof ids)[]) ids[key] = (await newConsult()).id;
    await api('lege.molde', `/api/consults/${ids.inCall}/claim`, { method: 'POST' });
  });

  const cases = (): Case[] => [
    {
      name: 'intake by the nurse',
      run: () => api('sykepleier.sunndal', '/api/consults', { body: intake() }),
      status: 201,
      entry: { by: 'sykepleier.sunndal', action: 'consult.request', outcome: 'allowed' },
    },
    {
      name: 'intake by a doctor (refused)',
      run: () => api('lege.molde', '/api/consults', { body: intake() }),
      status: 403,
      entry: { by: 'lege.molde', action: 'consult.request', outcome: 'denied', consultId: null },
    },
    {
      name: 'the detail view by the requesting nurse',
      run: () => api('sykepleier.sunndal', `/api/consults/${ids.waiting}`),
      status: 200,
      entry: { by: 'sykepleier.sunndal', action: 'consult.view', outcome: 'allowed', consultId: ids.waiting },
    },
    {
      name: 'the detail view by a crew that did not ask (refused)',
      run: () => api('ambulanse.molde', `/api/consults/${ids.waiting}`),
      status: 403,
      entry: { by: 'ambulanse.molde', action: 'consult.view', outcome: 'denied', consultId: ids.waiting },
    },
    {
      name: 'the detail view of a consult that does not exist',
      run: () => api('lege.molde', `/api/consults/${UNKNOWN_CONSULT}`),
      status: 404,
      entry: { by: 'lege.molde', action: 'consult.view', outcome: 'denied', consultId: null },
    },
    {
      name: 'the queue read by a nurse (refused)',
      run: () => api('sykepleier.sunndal', '/api/queue'),
      status: 403,
      entry: { by: 'sykepleier.sunndal', action: 'queue.view', outcome: 'denied', consultId: null },
    },
    {
      name: 'claim by the doctor',
      run: () => api('lege.molde', `/api/consults/${ids.claimed}/claim`, { method: 'POST' }),
      status: 200,
      entry: { by: 'lege.molde', action: 'consult.transition', outcome: 'allowed', consultId: ids.claimed },
    },
    {
      name: 'claim by a nurse (refused)',
      run: () => api('sykepleier.sunndal', `/api/consults/${ids.other}/claim`, { method: 'POST' }),
      status: 403,
      entry: { by: 'sykepleier.sunndal', action: 'consult.transition', outcome: 'denied' },
    },
    {
      name: 'transfer by a doctor who does not have it (refused)',
      run: () =>
        api('lege2.molde', `/api/consults/${ids.claimed}/transfer`, {
          body: { toDoctorId: userId('lege.molde') },
        }),
      status: 403,
      entry: { by: 'lege2.molde', action: 'consult.transition', outcome: 'denied', consultId: ids.claimed },
    },
    {
      name: 'transfer by the doctor who has it',
      run: () =>
        api('lege.molde', `/api/consults/${ids.claimed}/transfer`, { body: { toDoctorId: userId('lege2.molde') } }),
      status: 200,
      entry: { by: 'lege.molde', action: 'consult.transition', outcome: 'allowed', consultId: ids.claimed },
    },
    {
      name: 'return to the queue',
      run: () => api('lege2.molde', `/api/consults/${ids.claimed}/return`, { method: 'POST' }),
      status: 200,
      entry: { by: 'lege2.molde', action: 'consult.transition', outcome: 'allowed', consultId: ids.claimed },
    },
    {
      name: 'cancel by the requesting nurse',
      run: () => api('sykepleier.sunndal', `/api/consults/${ids.claimed}/cancel`, { method: 'POST' }),
      status: 200,
      entry: { by: 'sykepleier.sunndal', action: 'consult.transition', outcome: 'allowed', consultId: ids.claimed },
    },
    {
      name: 'end of call by the doctor',
      run: () => api('lege.molde', `/api/consults/${ids.inCall}/end-call`, { method: 'POST' }),
      status: 200,
      entry: { by: 'lege.molde', action: 'consult.transition', outcome: 'allowed', consultId: ids.inCall },
    },
    {
      name: 'end of call by a doctor who does not have it (refused)',
      run: () => api('lege2.molde', `/api/consults/${ids.other}/end-call`, { method: 'POST' }),
      status: 403,
      entry: { by: 'lege2.molde', action: 'consult.transition', outcome: 'denied', consultId: ids.other },
    },
  ];

  it.each(cases().map((c) => [c.name, c.name] as const))('%s', async (name) => {
    const c = cases().find((x) => x.name === name)!;
    const { result, entries } = await written(c.run);
    expect(result.status, JSON.stringify(result.body)).toBe(c.status);
    const { by, ...fields } = c.entry;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      userId: userId(by),
      address: expect.stringMatching(/127\.0\.0\.1/) as string,
      ...fields,
    });
    if (c.entry.consultId) expect(entries[0]?.patientNationalId).toBe(VALID_NATIONAL_ID);
  });

  it('refusals of bad input and conflicts touch no patient data and write nothing', async () => {
    const { entries: badIntake } = await written(() =>
      api('sykepleier.sunndal', '/api/consults', { body: { patient: { kind: 'known' } } }),
    );
    expect(badIntake).toEqual([]);
    const taken = await newConsult();
    await api('lege.molde', `/api/consults/${taken.id}/claim`, { method: 'POST' });
    const { result, entries } = await written(() =>
      api('lege2.molde', `/api/consults/${taken.id}/claim`, { method: 'POST' }),
    );
    expect(result.status).toBe(409);
    expect(entries).toEqual([]);
  });

  it('logs a patient in the queue once per doctor, not on every read', async () => {
    const consult = await newConsult();
    const first = await written(() => api('lege2.molde', '/api/queue'));
    expect(first.result.status).toBe(200);
    const shown = first.entries.filter((e) => e.consultId === consult.id);
    expect(shown).toMatchObject([{ action: 'queue.view', outcome: 'allowed', userId: userId('lege2.molde') }]);
    const again = await written(() => api('lege2.molde', '/api/queue'));
    expect(again.entries).toEqual([]);
    // Another doctor of the district is a new viewer.
    const colleague = await written(() => api('lege.molde', '/api/queue'));
    expect(colleague.entries.filter((e) => e.consultId === consult.id)).toHaveLength(1);
  });

  it("logs the station's list once per consult for a colleague, never for the requester herself", async () => {
    const consult = await newConsult();
    const own = await written(() => api<ConsultView[]>('sykepleier.sunndal', '/api/consults/mine'));
    expect(own.result.body.some((c) => c.id === consult.id)).toBe(true);
    expect(own.entries).toEqual([]);
    const colleague = await written(() => api<ConsultView[]>('sykepleier2.sunndal', '/api/consults/mine'));
    expect(colleague.entries.filter((e) => e.consultId === consult.id)).toMatchObject([
      { action: 'consult.view', outcome: 'allowed', userId: userId('sykepleier2.sunndal') },
    ]);
    const again = await written(() => api('sykepleier2.sunndal', '/api/consults/mine'));
    expect(again.entries).toEqual([]);
  });
});

describe('break-the-glass', () => {
  it('lets a doctor outside the district open a consult only with a typed reason, and logs the reason', async () => {
    const consult = await newConsult();
    const url = `/api/consults/${consult.id}`;

    const without = await written(() => getWithHeaders('lege.forde', url, {}));
    expect(without.result.status).toBe(403);
    expect(without.result.text).not.toContain('Astrid');
    expect(without.entries).toMatchObject([
      { userId: userId('lege.forde'), action: 'consult.view', outcome: 'denied', consultId: consult.id, reason: null },
    ]);

    const tooShort = await written(() => getWithHeaders('lege.forde', url, { 'X-Access-Reason': 'fordi' }));
    expect(tooShort.result.status).toBe(403);
    expect(tooShort.result.text).toContain('at least 10 characters');
    expect(tooShort.entries).toMatchObject([{ outcome: 'denied', reason: 'fordi' }]);

    const reason = 'Pasienten ringte meg direkte, Molde LVS er nede – overtar';
    const withReason = await written(() =>
      getWithHeaders('lege.forde', url, { 'X-Access-Reason': encodeURIComponent(reason) }),
    );
    expect(withReason.result.status).toBe(200);
    expect(JSON.parse(withReason.result.text)).toMatchObject({ consult: { id: consult.id } });
    expect(withReason.entries).toMatchObject([
      { userId: userId('lege.forde'), action: 'consult.view', outcome: 'allowed', consultId: consult.id, reason },
    ]);

    // A doctor of the district needs no reason: one given anyway is not kept (it would mark a break-the-glass).
    const inDistrict = await written(() =>
      getWithHeaders('lege.molde', url, { 'X-Access-Reason': encodeURIComponent(reason) }),
    );
    expect(inDistrict.result.status).toBe(200);
    expect(inDistrict.entries).toMatchObject([{ outcome: 'allowed', reason: null }]);

    // Nurses and admins cannot break the glass.
    const nurse = await written(() => getWithHeaders('sykepleier.sunndal', url, {}));
    expect(nurse.result.status).toBe(200);
    const otherAdmin = await written(() =>
      getWithHeaders('admin.sunnfjord', url, { 'X-Access-Reason': encodeURIComponent(reason) }),
    );
    expect(otherAdmin.result.status).toBe(403);
    expect(otherAdmin.entries).toMatchObject([{ outcome: 'denied' }]);
  });
});

describe('signaling entry points', () => {
  const clients: SignalingTestClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  async function connect(user: User): Promise<SignalingTestClient> {
    const client = await SignalingTestClient.connect(server.url, token(user));
    clients.push(client);
    return client;
  }
  async function join(client: SignalingTestClient, consultId: string) {
    const { routerRtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
    return client.send('join', { consultId, rtpCapabilities: routerRtpCapabilities });
  }
  /** The entries of one user and action among those written by fn (live snapshots write list entries meanwhile). */
  async function writtenBy(user: User, action: string, fn: () => Promise<unknown>): Promise<AccessLogEntry[]> {
    const { entries } = await written(fn);
    return entries.filter((e) => e.userId === userId(user) && e.action === action);
  }

  it('logs a patient pushed in live queue snapshots once per doctor, before the snapshot arrives', async () => {
    const doctor = await connect('lege2.molde');
    await doctor.waitForNotification('queueSnapshot');
    /** Waits for a pushed snapshot that lists the consult. */
    const snapshotShowing = async (consultId: string): Promise<void> => {
      await expect
        .poll(
          async () => {
            const frame = await doctor.waitForNotification('queueSnapshot');
            return (frame.data as { entries: { id: string }[] }).entries.some((e) => e.id === consultId);
          },
          { timeout: 10_000 },
        )
        .toBe(true);
    };
    const consult = await newConsult();
    // The snapshot that shows the new request: its entry is already written when it arrives.
    await snapshotShowing(consult.id);
    const shown = (await server.storage.accessLog.forConsult(consult.id)).filter(
      (e) => e.userId === userId('lege2.molde'),
    );
    expect(shown).toMatchObject([{ action: 'queue.view', outcome: 'allowed', address: '127.0.0.1' }]);

    // More pushes (another request changes the queue) show it again but log nothing new for it.
    const next = await newConsult();
    await snapshotShowing(next.id);
    await server.access.settled();
    expect(
      (await server.storage.accessLog.forConsult(consult.id)).filter((e) => e.userId === userId('lege2.molde')),
    ).toHaveLength(1);
  });

  it('logs the join (allowed and refused), the vitals stream and each fetch of stored vitals', async () => {
    const consult = await newConsult();
    await api('lege.molde', `/api/consults/${consult.id}/claim`, { method: 'POST' });
    const nurse = await connect('sykepleier.sunndal');
    const doctor = await connect('lege.molde');
    const stranger = await connect('lege2.molde');

    expect(await writtenBy('lege.molde', 'call.join', () => join(doctor, consult.id))).toMatchObject([
      { outcome: 'allowed', consultId: consult.id, patientNationalId: VALID_NATIONAL_ID, address: '127.0.0.1' },
    ]);
    const refused = await writtenBy('lege2.molde', 'call.join', async () => {
      expect(await join(stranger, consult.id)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
    expect(refused).toMatchObject([{ outcome: 'denied', consultId: consult.id }]);
    expect(await writtenBy('sykepleier.sunndal', 'call.join', () => join(nurse, consult.id))).toHaveLength(1);

    const send = await nurse.request('createWebRtcTransport', { direction: 'send' });
    const { dataProducerId } = await nurse.request('produceData', {
      transportId: send.id,
      sctpStreamParameters: { streamId: 0, ordered: true },
      label: 'vitals',
      protocol: 'legevakt-vitals',
      appData: { sourceId: 'sim-1' },
    });
    const recv = await doctor.request('createWebRtcTransport', { direction: 'recv' });
    const stream = await writtenBy('lege.molde', 'vitals.stream', () =>
      doctor.request('consumeData', { transportId: recv.id, dataProducerId }),
    );
    expect(stream).toMatchObject([{ outcome: 'allowed', consultId: consult.id }]);

    for (let i = 0; i < 2; i++) {
      const fetched = await writtenBy('lege.molde', 'vitals.fetch', () =>
        doctor.request('fetchVitals', { sourceId: 'sim-1', fromSeq: 1, toSeq: 10 }),
      );
      expect(fetched).toMatchObject([{ outcome: 'allowed', consultId: consult.id }]);
    }
  });
});

describe('the listing', () => {
  let romsdalConsult: ConsultView;
  const PATIENT = '01010750160'; // another valid fødselsnummer (only this test's consults have it)

  beforeAll(async () => {
    romsdalConsult = await newConsult(PATIENT);
    await api('lege.molde', `/api/consults/${romsdalConsult.id}/claim`, { method: 'POST' });
    await server.access.settled();
  });

  it("shows an admin of the district the patient's entries with names, and logs the lookup itself", async () => {
    const { result, entries } = await written(() =>
      api<AccessLogListing>('admin.romsdal', `/api/access-log?nationalId=${PATIENT}`),
    );
    expect(result.status).toBe(200);
    expect(entries).toMatchObject([
      {
        userId: userId('admin.romsdal'),
        action: 'accesslog.view',
        outcome: 'allowed',
        patientNationalId: PATIENT,
        consultId: null,
      },
    ]);
    const listed = result.body.entries;
    expect(listed.map((e) => [e.userName, e.action, e.outcome])).toEqual(
      expect.arrayContaining([
        ['Ingrid Aasen', 'consult.request', 'allowed'],
        ['Lars Hjelset', 'consult.transition', 'allowed'],
        ['Turid Langeland', 'accesslog.view', 'allowed'],
      ]),
    );
    expect(listed.find((e) => e.action === 'consult.request')).toMatchObject({
      workplaceName: 'Sunndal helsetun',
      userRole: 'nurse',
    });
    expect(listed.every((e) => e.patientNationalId === PATIENT)).toBe(true);
    expect(listed.map((e) => e.seq)).toEqual([...listed.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('gives the same by consult id, to the admin of every district and to the responsible doctor', async () => {
    const all = await api<AccessLogListing>('admin', `/api/access-log?consultId=${romsdalConsult.id}`);
    expect(all.status).toBe(200);
    expect(all.body.entries.length).toBeGreaterThan(1);
    const doctor = await api<AccessLogListing>('lege.molde', `/api/access-log?nationalId=${PATIENT}`);
    expect(doctor.status).toBe(200);
    expect(doctor.body.entries.some((e) => e.action === 'consult.request')).toBe(true);
  });

  it('refuses others, and logs the refusal', async () => {
    for (const user of ['admin.sunnfjord', 'lege2.molde', 'sykepleier.sunndal'] as const) {
      const { result, entries } = await written(() => api(user, `/api/access-log?nationalId=${PATIENT}`));
      expect(result.status, user).toBe(403);
      expect(JSON.stringify(result.body)).not.toContain('Hjelset');
      expect(entries).toMatchObject([{ userId: userId(user), action: 'accesslog.view', outcome: 'denied' }]);
    }
    const bad = await written(() => api('admin', '/api/access-log?nationalId=123'));
    expect(bad.result.status).toBe(400);
    expect(bad.entries).toEqual([]);
    const both = await api('admin', `/api/access-log?nationalId=${PATIENT}&consultId=${romsdalConsult.id}`);
    expect(both.status).toBe(400);
  });

  it('downloads as CSV with a BOM, Norwegian headers and words, and proper quoting', async () => {
    // A break-the-glass reason with the separator, quotes, a line break and a formula.
    const reason = '=HYPERLINK("x"); pasienten ringte\nmeg, "haster" – æøå';
    await getWithHeaders('lege.forde', `/api/consults/${romsdalConsult.id}`, {
      'X-Access-Reason': encodeURIComponent(reason),
    });
    const response = await getWithHeaders('admin.romsdal', `/api/access-log?nationalId=${PATIENT}&format=csv`, {});
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="tilgangslogg-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.text.startsWith(CSV_BOM)).toBe(true);
    const lines = response.text.slice(1).split('\r\n');
    expect(lines[0]).toBe(CSV_HEADERS.join(';'));
    expect(lines.at(-1)).toBe('');
    const request = lines.find((l) => l.includes('Registrerte pasienten'));
    expect(request).toMatch(
      /^\d+;\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2};Ingrid Aasen;[^;]+;sykepleier;Sunndal helsetun;01010750160;[0-9a-f-]{36};Registrerte pasienten \(forespørsel\);tillatt;[^;]*;$/,
    );
    // The reason cell: quoted, quotes doubled, the formula defused, the line break kept inside the quotes.
    expect(response.text).toContain(`"'=HYPERLINK(""x""); pasienten ringte\nmeg, ""haster"" – æøå"`);
  });

  it('verifies the chain for an admin only, and finds a tampered row', async () => {
    const ok = await api<AccessLogVerification>('admin.romsdal', '/api/admin/access-log/verify');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, head: { seq: expect.any(Number) as number } });
    expect((await api('lege.molde', '/api/admin/access-log/verify')).status).toBe(403);

    const db = new DatabaseSync(path.join(server.config.dataDir, 'legevakt.sqlite'));
    const seq = (await allEntries())[4]!.seq;
    const original = db.prepare('select outcome from access_log where seq = ?').get(seq) as { outcome: string };
    try {
      db.prepare("update access_log set outcome = 'allowed', reason = 'x' where seq = ?").run(seq);
      const broken = await api<AccessLogVerification>('admin', '/api/admin/access-log/verify');
      expect(broken.body).toMatchObject({ ok: false, problem: { kind: 'altered', seq } });
    } finally {
      db.prepare('update access_log set outcome = ?, reason = null where seq = ?').run(original.outcome, seq);
      db.close();
    }
    expect((await api<AccessLogVerification>('admin', '/api/admin/access-log/verify')).body.ok).toBe(true);
  });
});

describe('an access that cannot be logged is refused', () => {
  it('answers 500 without the patient data, and works again once the log can be written', async () => {
    const consult = await newConsult();
    const db = new DatabaseSync(path.join(server.config.dataDir, 'legevakt.sqlite'));
    try {
      db.exec('alter table access_log rename to access_log_away');
      const response = await api('sykepleier.sunndal', `/api/consults/${consult.id}`);
      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toContain('Astrid');
      expect(server.logs.some((l) => l['msg'] === 'access log write failed: the access is refused')).toBe(true);
    } finally {
      db.exec('alter table access_log_away rename to access_log');
      db.close();
    }
    const again = await written(() => api('sykepleier.sunndal', `/api/consults/${consult.id}`));
    expect(again.result.status).toBe(200);
    expect(again.entries).toHaveLength(1);
    expect((await api<AccessLogVerification>('admin', '/api/admin/access-log/verify')).body.ok).toBe(true);
  });
});
