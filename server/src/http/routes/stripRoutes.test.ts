import { encodeVitalsMessage, EcgStrip, type VitalsMessage } from '@legevakt/shared';
import { describe, expect, it } from 'vitest';
import { base64ToInt16 } from '../../storage/ecgStripRepository.ts';
import { claimConsult, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { useLoggedInServer } from '../../testing/loggedInServer.ts';
import { accessEntriesDuring } from '../../testing/accessEntries.ts';

/**
 * The strip routes over HTTPS: who captures (the consult's doctor), who reads
 * (its participants), and exactly one access-log entry per call, allowed or
 * denied. The waveform is stored the way the VitalsService stores it.
 */
const USERS = [
  'sykepleier.sunndal', // the requesting nurse
  'sykepleier.rauma', // same district, other satellite
  'sykepleier.askvoll', // other district
  'ambulanse.molde',
  'lege.molde', // takes the consult
  'lege2.molde', // same site, not his consult
  'lege.forde',
  'admin',
  'admin.romsdal',
] as const;
type User = (typeof USERS)[number];

const app = useLoggedInServer(USERS);
const srv = app.server;

const { session, token, call } = app;

const RATE = 250;
const START = 1_736_888_000_000;
/** 12 s of a 2-lead stream at 250 Hz in 100 ms chunks; sample k of lead s is (k * 7 + s * 1000) mod 30000. */
const sampleOf = (k: number, s: number): number => ((k * 7 + s * 1000) % 30_000) - 15_000;

/** An active consult of Sunndal taken by lege.molde, with 12 s of ECG stored (chunks in `skip` missing). */
async function consultWithEcg(skip: number[] = []): Promise<string> {
  const consult = await requestConsult(srv().url, token('sykepleier.sunndal'));
  await claimConsult(srv().url, token('lege.molde'), consult.id);
  for (let i = 0; i < 120; i++) {
    if (skip.includes(i)) continue;
    const samples = new Int16Array(25 * 2);
    for (let f = 0; f < 25; f++) for (let s = 0; s < 2; s++) samples[f * 2 + s] = sampleOf(i * 25 + f, s);
    const message: VitalsMessage = {
      type: 'waveform',
      chunk: {
        streamId: 'ecg-0',
        signals: ['II', 'V5'],
        sampleRateHz: RATE,
        gain: 200,
        baseline: 0,
        firstSample: i * 25,
        startTime: START + i * 100,
        samples,
      },
    };
    await srv().storage.vitals.append({
      consultId: consult.id,
      sourceId: 'src-1',
      seq: i + 1,
      receivedAt: Date.now(),
      message,
      payload: encodeVitalsMessage(i + 1, message),
    });
  }
  return consult.id;
}

const accessEntries = (act: () => Promise<unknown>) => accessEntriesDuring(srv(), act);

const nameOf = (user: User) => session(user).user.displayName;

describe('capturing a strip', () => {
  it('lets the consult’s doctor capture the last 10 s: the stored samples, one allowed entry', async () => {
    const consultId = await consultWithEcg();
    let response: Awaited<ReturnType<typeof call>> | undefined;
    const entries = await accessEntries(async () => {
      response = await call('lege.molde', 'POST', `/api/consults/${consultId}/strips`, { streamId: 'ecg-0' });
    });
    expect(response!.status).toBe(201);
    const strip = EcgStrip.parse(response!.body);
    expect(strip).toMatchObject({
      consultId,
      capturedBy: session('lege.molde').user.id,
      capturedByName: nameOf('lege.molde'),
      streamId: 'ecg-0',
      signals: ['II', 'V5'],
      sampleRateHz: RATE,
      gain: 200,
      baseline: 0,
      startTime: START + 2000,
      length: 2500,
    });
    const samples = base64ToInt16(strip.samplesBase64);
    const expected = Int16Array.from({ length: 5000 }, (_, i) => sampleOf(500 + Math.floor(i / 2), i % 2));
    expect(samples).toEqual(expected);
    expect(entries).toEqual([{ user: nameOf('lege.molde'), action: 'strip.capture', outcome: 'allowed', consultId }]);
    expect(srv().logs.some((l) => l['msg'] === 'ECG strip captured' && l['stripId'] === strip.id)).toBe(true);
  });

  it.each<User>(['lege2.molde', 'lege.forde', 'sykepleier.sunndal', 'ambulanse.molde', 'admin', 'admin.romsdal'])(
    'refuses %s with 403, stores nothing and writes one denied entry',
    async (user) => {
      const consultId = await consultWithEcg();
      let status = 0;
      const entries = await accessEntries(async () => {
        status = (await call(user, 'POST', `/api/consults/${consultId}/strips`, { streamId: 'ecg-0' })).status;
      });
      expect(status).toBe(403);
      expect(entries).toEqual([{ user: nameOf(user), action: 'strip.capture', outcome: 'denied', consultId }]);
      expect(await srv().storage.strips.list(consultId)).toEqual([]);
    },
  );

  it('still captures during documentation (after the call), not once the consult is closed', async () => {
    const consultId = await consultWithEcg();
    expect((await call('lege.molde', 'POST', `/api/consults/${consultId}/end-call`)).status).toBe(200);
    const response = await call('lege.molde', 'POST', `/api/consults/${consultId}/strips`, {
      streamId: 'ecg-0',
      endTime: START + 5000,
      seconds: 4,
    });
    expect(response.status).toBe(201);
    const strip = EcgStrip.parse(response.body);
    expect([strip.startTime, strip.length]).toEqual([START + 1000, 1000]);
    expect(base64ToInt16(strip.samplesBase64)[0]).toBe(sampleOf(250, 0));

    // Signed and closed: the record is read, no longer added to (409 and a denied entry); reading goes on.
    const doctorId = session('lege.molde').user.id;
    expect(await srv().storage.consults.close(consultId, { doctorId, at: Date.now() })).not.toBeNull();
    let closed = 0;
    const entries = await accessEntries(async () => {
      closed = (await call('lege.molde', 'POST', `/api/consults/${consultId}/strips`, { streamId: 'ecg-0' })).status;
    });
    expect(closed).toBe(409);
    expect(entries).toEqual([{ user: nameOf('lege.molde'), action: 'strip.capture', outcome: 'denied', consultId }]);
    const listed = await call('sykepleier.sunndal', 'GET', `/api/consults/${consultId}/strips`);
    expect(listed.status).toBe(200);
    expect((listed.body as EcgStrip[]).map((s) => s.id)).toEqual([strip.id]);
  });

  it('answers a gap with 409 naming the reason, a bad body with 400, an unknown consult with 404 — one entry each', async () => {
    const consultId = await consultWithEcg([115]);
    const outcomes: { status: number; body: unknown }[] = [];
    const entries = await accessEntries(async () => {
      for (const [path, body] of [
        [consultId, { streamId: 'ecg-0' }],
        [consultId, { streamId: 'ecg-0', seconds: 600 }],
        [consultId, { streamId: 'nope' }],
        ['00000000-0000-4000-8000-000000000000', { streamId: 'ecg-0' }],
        ['not-a-uuid', { streamId: 'ecg-0' }],
      ] as const) {
        const response = await call('lege.molde', 'POST', `/api/consults/${path}/strips`, body);
        outcomes.push({ status: response.status, body: response.body });
      }
    });
    expect(outcomes.map((o) => o.status)).toEqual([409, 400, 400, 404, 404]);
    expect(outcomes[0]!.body).toMatchObject({ error: { code: 'CONFLICT', issues: ['missing-samples'] } });
    expect(outcomes[2]!.body).toMatchObject({ error: { code: 'BAD_REQUEST', issues: ['unknown-stream'] } });
    expect(entries.map((e) => [e.outcome, e.consultId])).toEqual([
      ['allowed', consultId],
      ['allowed', consultId],
      ['allowed', consultId],
      ['denied', null],
      ['denied', null],
    ]);
    expect(await srv().storage.strips.list(consultId)).toEqual([]);
    // A window before the gap is whole, and is captured.
    const before = await call('lege.molde', 'POST', `/api/consults/${consultId}/strips`, {
      streamId: 'ecg-0',
      endTime: START + 11_500,
    });
    expect(before.status).toBe(201);
  });
});

describe('reading a consult’s strips', () => {
  it.each<[User, number]>([
    ['lege.molde', 200],
    ['sykepleier.sunndal', 200],
    ['sykepleier.rauma', 403],
    ['sykepleier.askvoll', 403],
    ['ambulanse.molde', 403],
    ['lege2.molde', 403],
    ['lege.forde', 403],
    ['admin', 403],
    ['admin.romsdal', 403],
  ])('GET /api/consults/:id/strips as %s → %i, one record.view entry', async (user, status) => {
    const consultId = await consultWithEcg();
    const captured = await call('lege.molde', 'POST', `/api/consults/${consultId}/strips`, { streamId: 'ecg-0' });
    expect(captured.status).toBe(201);
    let response: Awaited<ReturnType<typeof call>> | undefined;
    const entries = await accessEntries(async () => {
      response = await call(user, 'GET', `/api/consults/${consultId}/strips`);
    });
    expect(response!.status).toBe(status);
    expect(entries).toEqual([
      { user: nameOf(user), action: 'record.view', outcome: status === 200 ? 'allowed' : 'denied', consultId },
    ]);
    if (status === 200) {
      expect((response!.body as EcgStrip[]).map((s) => s.id)).toEqual([(captured.body as EcgStrip).id]);
    } else {
      expect(JSON.stringify(response!.body)).not.toContain('samplesBase64');
    }
  });

  it('refuses without a token', async () => {
    const consultId = await consultWithEcg();
    expect((await httpsJson(`${srv().url}/api/consults/${consultId}/strips`)).status).toBe(401);
  });
});
