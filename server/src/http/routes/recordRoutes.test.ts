import { describe, expect, it } from 'vitest';
import type {
  AddendumResponse,
  ClinicalNoteInput,
  ConsultRecord,
  ConsultView,
  SignedNoteResponse,
} from '@legevakt/shared';
import type { AccessLogEntry } from '../../storage/accessLogRepository.ts';
import { claimConsult, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { SignalingTestClient } from '../../testing/signalingTestClient.ts';
import { useLoggedInServer } from '../../testing/loggedInServer.ts';

const USERS = [
  'sykepleier.sunndal',
  'sykepleier.rauma',
  'lege.molde',
  'lege2.molde',
  'lege.forde',
  'admin.romsdal',
  'admin.sunnfjord',
] as const;
type User = (typeof USERS)[number];

const app = useLoggedInServer(USERS);
const srv = app.server;

const { token, call } = app;

const NOTE: ClinicalNoteInput = {
  findings: 'Afebril. Urinstix: leukocytter 2+, nitritt positiv.',
  assessment: 'Ukomplisert nedre urinveisinfeksjon.',
  plan: 'Pivmecillinam 200 mg x 3 i 3 dager.',
  decision: 'treat-at-satellite',
  decisionDetail: 'Ny kontakt ved feber eller flankesmerter.',
};

/** A consult lege.molde has taken and hung up on: waiting for his note. */
async function documenting(): Promise<ConsultView> {
  const consult = await requestConsult(srv().url, token('sykepleier.sunndal'));
  await claimConsult(srv().url, token('lege.molde'), consult.id);
  const ended = await call<ConsultView>('lege.molde', 'POST', `/api/consults/${consult.id}/end-call`);
  expect(ended.status).toBe(200);
  return ended.body;
}

/** The record.* access entries written since `after` (the access log is awaited before each answer). */
async function recordEntries(after: number): Promise<AccessLogEntry[]> {
  return (await srv().storage.accessLog.after(after, 10_000)).filter((e) => e.action.startsWith('record.'));
}
const lastSeq = async (): Promise<number> => (await srv().storage.accessLog.tail())?.seq ?? 0;
const summary = (entries: AccessLogEntry[]) =>
  entries.map((e) => ({ user: e.userName, action: e.action, outcome: e.outcome, consultId: e.consultId }));

describe('signing the note over HTTP', () => {
  it('closes the consult, tells the nurse at once, and shows her the decision in the record', async () => {
    const nurseSocket = await SignalingTestClient.connect(srv().url, token('sykepleier.sunndal'));
    try {
      const consult = await documenting();
      const before = await lastSeq();
      const signed = await call<SignedNoteResponse>('lege.molde', 'POST', `/api/consults/${consult.id}/note`, NOTE);
      expect(signed.status).toBe(201);
      expect(signed.body.consult).toMatchObject({ id: consult.id, status: 'closed', claimedByName: 'Lars Hjelset' });
      expect(signed.body.note).toMatchObject({ ...NOTE, authorName: 'Lars Hjelset' });

      for (;;) {
        const frame = await nurseSocket.waitForNotification('consultChanged');
        const data = frame.data as { consult: ConsultView; change: string };
        if (data.consult.id !== consult.id || data.change !== 'closed') continue;
        expect(data.consult.status).toBe('closed');
        break;
      }

      const record = await call<ConsultRecord>('sykepleier.sunndal', 'GET', `/api/consults/${consult.id}/record`);
      expect(record.status).toBe(200);
      expect(record.body.notes).toEqual([signed.body.note]);
      expect(record.body.timeline.map((e) => e.kind)).toEqual(['requested', 'claimed', 'call-ended', 'closed']);
      expect(record.body.placeName).toBe('Sunndal helsetun');
      expect(summary(await recordEntries(before))).toEqual([
        { user: 'Lars Hjelset', action: 'record.note', outcome: 'allowed', consultId: consult.id },
        { user: 'Ingrid Aasen', action: 'record.view', outcome: 'allowed', consultId: consult.id },
      ]);
    } finally {
      await nurseSocket.close();
    }
  });

  it('answers a second signing with 409, keeping the first note', async () => {
    const consult = await documenting();
    const first = await call<SignedNoteResponse>('lege.molde', 'POST', `/api/consults/${consult.id}/note`, NOTE);
    const before = await lastSeq();
    const second = await call('lege.molde', 'POST', `/api/consults/${consult.id}/note`, { ...NOTE, plan: 'Annen' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: 'CONFLICT' } });
    const record = await call<ConsultRecord>('lege.molde', 'GET', `/api/consults/${consult.id}/record`);
    expect(record.body.notes).toEqual([first.body.note]);
    expect(summary(await recordEntries(before)).map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'record.note:allowed',
      'record.view:allowed',
    ]);
  });

  it.each<[User, number]>([
    ['sykepleier.sunndal', 403],
    ['lege2.molde', 403],
    ['lege.forde', 403],
    ['admin.romsdal', 403],
  ])('refuses the note from %s (%i), logged as denied, nothing stored', async (user, status) => {
    const consult = await documenting();
    const before = await lastSeq();
    const response = await call(user, 'POST', `/api/consults/${consult.id}/note`, NOTE);
    expect(response.status).toBe(status);
    expect(summary(await recordEntries(before))).toEqual([
      { user: expect.any(String) as string, action: 'record.note', outcome: 'denied', consultId: consult.id },
    ]);
    const record = await call<ConsultRecord>('lege.molde', 'GET', `/api/consults/${consult.id}/record`);
    expect(record.body.consult.status).toBe('documentation');
    expect(record.body.notes).toEqual([]);
    expect(srv().logs.some((l) => l['msg'] === 'access denied' && l['action'] === 'sign')).toBe(true);
  });

  it('refuses a malformed note with the problems named (400), after logging the allowed access', async () => {
    const consult = await documenting();
    const before = await lastSeq();
    const response = await call('lege.molde', 'POST', `/api/consults/${consult.id}/note`, {
      ...NOTE,
      decision: 'send-home',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('decision');
    expect(summary(await recordEntries(before)).map((e) => e.outcome)).toEqual(['allowed']);
  });
});

describe('reading the record', () => {
  it.each<[User, number]>([
    ['sykepleier.sunndal', 200],
    ['sykepleier.rauma', 403],
    ['lege.molde', 200],
    ['lege2.molde', 200],
    ['lege.forde', 403],
    ['admin.romsdal', 200],
    ['admin.sunnfjord', 403],
  ])('GET /:id/record as %s → %i, one access entry', async (user, status) => {
    const consult = await documenting();
    const before = await lastSeq();
    const response = await call(user, 'GET', `/api/consults/${consult.id}/record`);
    expect(response.status).toBe(status);
    if (status === 403) expect(JSON.stringify(response.body)).not.toContain('Astrid');
    else expect(response.body).toMatchObject({ consult: { id: consult.id, patient: { name: 'Astrid Nordmann' } } });
    expect(summary(await recordEntries(before))).toEqual([
      {
        user: expect.any(String) as string,
        action: 'record.view',
        outcome: status === 200 ? 'allowed' : 'denied',
        consultId: consult.id,
      },
    ]);
  });

  it('answers 404 for an unknown or malformed id, each logged once as a denial without a consult', async () => {
    const before = await lastSeq();
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect((await call('lege.molde', 'GET', `/api/consults/${id}/record`)).status).toBe(404);
    }
    expect(summary(await recordEntries(before))).toEqual([
      { user: 'Lars Hjelset', action: 'record.view', outcome: 'denied', consultId: null },
      { user: 'Lars Hjelset', action: 'record.view', outcome: 'denied', consultId: null },
    ]);
  });
});

describe('break-the-glass on the record', () => {
  it('lets a doctor of another district read it only with a typed reason, logged with the reason', async () => {
    const consult = await documenting();
    const read = (user: User, reason?: string) =>
      httpsJson<ConsultRecord>(`${srv().url}/api/consults/${consult.id}/record`, {
        token: token(user),
        ...(reason === undefined ? {} : { headers: { 'X-Access-Reason': encodeURIComponent(reason) } }),
      });
    const before = await lastSeq();
    expect((await read('lege.forde')).status).toBe(403);
    expect((await read('lege.forde', 'trenger')).status).toBe(403);
    // Not a doctor's break-the-glass: an admin of another district is refused whatever the reason.
    expect((await read('admin.sunnfjord', 'Pasienten ringte og spurte om loggen')).status).toBe(403);
    const opened = await read('lege.forde', 'Pasienten er innlagt hos oss i Førde, trenger journalen');
    expect(opened.status).toBe(200);
    expect(opened.body.consult.id).toBe(consult.id);
    const entries = await recordEntries(before);
    expect(entries.map((e) => [e.userName, e.outcome, e.reason])).toEqual([
      [expect.any(String), 'denied', null],
      [expect.any(String), 'denied', 'trenger'],
      [expect.any(String), 'denied', null],
      [expect.any(String), 'allowed', 'Pasienten er innlagt hos oss i Førde, trenger journalen'],
    ]);
  });
});

describe('addenda over HTTP', () => {
  it('adds addenda by the district’s doctors after the note, refusing others, the note unchanged', async () => {
    const consult = await documenting();
    expect((await call('lege.molde', 'POST', `/api/consults/${consult.id}/addenda`, { text: 'Tidlig' })).status).toBe(
      409,
    );
    const signed = await call<SignedNoteResponse>('lege.molde', 'POST', `/api/consults/${consult.id}/note`, NOTE);
    const before = await lastSeq();
    const added = await call<AddendumResponse>('lege2.molde', 'POST', `/api/consults/${consult.id}/addenda`, {
      text: 'Urindyrkning: E. coli, følsom for mecillinam.',
    });
    expect(added.status).toBe(201);
    expect(added.body.consult.version).toBe(signed.body.consult.version + 1);
    expect((await call('lege.forde', 'POST', `/api/consults/${consult.id}/addenda`, { text: 'x' })).status).toBe(403);
    expect(
      (await call('sykepleier.sunndal', 'POST', `/api/consults/${consult.id}/addenda`, { text: 'x' })).status,
    ).toBe(403);
    const record = await call<ConsultRecord>('sykepleier.sunndal', 'GET', `/api/consults/${consult.id}/record`);
    expect(record.body.notes).toEqual([signed.body.note, added.body.addendum]);
    expect(record.body.timeline.at(-1)).toMatchObject({ kind: 'addendum', actorName: 'Nina Bolsøy' });
    expect(summary(await recordEntries(before)).map((e) => `${e.user}:${e.action}:${e.outcome}`)).toEqual([
      'Nina Bolsøy:record.addendum:allowed',
      'Ola Naustdal:record.addendum:denied',
      'Ingrid Aasen:record.addendum:denied',
      'Ingrid Aasen:record.view:allowed',
    ]);
  });
});
