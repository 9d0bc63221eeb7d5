import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeVitalsMessage,
  encodeVitalsMessage,
  VITALS_RELAY_MAX_MESSAGE_BYTES,
  type ConsultView,
  type VitalsMessage,
} from '@legevakt/shared';
import { claimConsult, login, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { SignalingTestClient } from '../../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../../testing/testServer.ts';
import { RELAY_BURST_BYTES } from './relayHandlers.ts';

let server: TestServer;
const clients: SignalingTestClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

async function socketAs(username: string): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.connect(server.url, (await login(server.url, username)).accessToken);
  clients.push(client);
  return client;
}

async function activeConsult(): Promise<ConsultView> {
  const nurse = await login(server.url, 'sykepleier.sunndal');
  const consult = await requestConsult(server.url, nurse.accessToken);
  return claimConsult(server.url, (await login(server.url, 'lege.molde')).accessToken, consult.id);
}

const numerics = (seq: number, value = 97): Uint8Array =>
  encodeVitalsMessage(seq, {
    type: 'numerics',
    samples: [
      {
        kind: 'spo2',
        value,
        unit: '%',
        measuredAt: 1_700_000_000_000 + seq,
        device: 'GW',
        source: 'monitor-hl7',
        quality: [],
      },
    ],
  });
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function accessEntries(consultId: string): Promise<{ action: string; outcome: string; userId: string }[]> {
  const rows = await server.storage.accessLog.forConsult(consultId);
  return rows.map((r) => ({ action: r.action, outcome: r.outcome, userId: r.userId }));
}

describe('vitals relay over signaling', () => {
  it('relays into the room, stores each message once and acknowledges on the relay socket', async () => {
    const consult = await activeConsult();
    const nurse = await socketAs('sykepleier.sunndal');
    const opened = await nurse.request('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-test-a' });
    expect(opened.storedSeq).toBe(0);

    // A doctor in the call sees the relayed source like a browser's data channel.
    const doctor = await socketAs('lege.molde');
    const { routerRtpCapabilities } = await doctor.request('getRouterRtpCapabilities', {});
    const joined = await doctor.request('join', { consultId: consult.id, rtpCapabilities: routerRtpCapabilities });
    expect(joined.dataProducers).toEqual([
      expect.objectContaining({ dataProducerId: opened.dataProducerId, sourceId: 'hl7-test-a', label: 'vitals' }),
    ]);
    const recv = await doctor.request('createWebRtcTransport', { direction: 'recv' });
    const consumed = await doctor.request('consumeData', {
      transportId: recv.id,
      dataProducerId: opened.dataProducerId,
    });
    expect(consumed.sourceId).toBe('hl7-test-a');

    // Reopening on the same connection (the consult came back from the queue) replaces the relay.
    const twice = await nurse.request('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-test-a' });
    await doctor.waitForNotification('dataConsumerClosed');
    const renewed = await doctor.waitForNotification('newDataProducer');
    expect(renewed.data).toMatchObject({ dataProducerId: twice.dataProducerId, sourceId: 'hl7-test-a' });
    await doctor.request('consumeData', { transportId: recv.id, dataProducerId: twice.dataProducerId });
    const sent = await nurse.request('relayVitals', {
      messages: [b64(numerics(1)), b64(numerics(2)), b64(numerics(3))],
    });
    expect(sent).toEqual({ accepted: 3 });
    // Resent (as after a reconnect): stored once, acknowledged again.
    await nurse.request('relayVitals', { messages: [b64(numerics(2)), b64(numerics(3))] });
    await expect.poll(() => lastAck(nurse, 'hl7-test-a')).toBe(3);
    await server.vitals.settled();
    const stored = await server.vitals.range(consult.id, 'hl7-test-a', 1, 100);
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(decodeVitalsMessage(stored[0]!.payload).message).toMatchObject({ type: 'numerics' });

    // The same source reconnecting learns what is stored and replaces its old relay.
    const again = await socketAs('sykepleier.sunndal');
    const reopened = await again.request('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-test-a' });
    expect(reopened.storedSeq).toBe(3);
    await doctor.waitForNotification('dataConsumerClosed');
    await doctor.waitForNotification('newDataProducer');
    const stale = await nurse.send('relayVitals', { messages: [b64(numerics(4))] });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // Opening the relay is one 'vitals.stream' access entry.
    expect(await accessEntries(consult.id)).toContainEqual(
      expect.objectContaining({ action: 'vitals.stream', outcome: 'allowed' }),
    );
  });

  it('refuses whoever is not the requesting side of an active consult, and logs the denial', async () => {
    const consult = await activeConsult();
    const doctor = await socketAs('lege.molde');
    const asDoctor = await doctor.send('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-doc' });
    expect(asDoctor).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const otherSatellite = await socketAs('sykepleier.rauma');
    const asOther = await otherSatellite.send('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-other' });
    expect(asOther).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const nurse = await login(server.url, 'sykepleier.sunndal');
    const waiting = await requestConsult(server.url, nurse.accessToken);
    const nurseSocket = await socketAs('sykepleier.sunndal');
    const notYet = await nurseSocket.send('openVitalsRelay', { consultId: waiting.id, sourceId: 'hl7-wait' });
    expect(notYet).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/waiting/) as string },
    });
    const denied = (await accessEntries(consult.id)).filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => e.action)).toEqual(['vitals.stream', 'vitals.stream']);

    const unknown = await nurseSocket.send('openVitalsRelay', {
      consultId: '00000000-0000-4000-8000-000000000000',
      sourceId: 'hl7-x',
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const noRelay = await nurseSocket.send('relayVitals', { messages: [b64(numerics(1))] });
    expect(noRelay).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses a bad batch whole (logged, nothing stored) and ends the relay with the call', async () => {
    const consult = await activeConsult();
    const nurse = await socketAs('sykepleier.sunndal');
    await nurse.request('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-bad' });

    const notBase64 = await nurse.send('relayVitals', { messages: ['***'] });
    expect(notBase64).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const garbage = await nurse.send('relayVitals', { messages: [b64(numerics(1)), b64(new Uint8Array([1, 2, 3]))] });
    expect(garbage).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^messages\.1: /) as string },
    });
    const backwards = await nurse.send('relayVitals', { messages: [b64(numerics(2)), b64(numerics(1))] });
    expect(backwards).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/seq 1 does not follow 2/) as string },
    });
    const zero = await nurse.send('relayVitals', { messages: [b64(numerics(0))] });
    expect(zero).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await server.vitals.settled();
    expect(await server.vitals.range(consult.id, 'hl7-bad', 1, 100)).toEqual([]);
    expect(server.logs.some((l) => l['msg'] === 'relayed vitals batch refused' && l['index'] === 1)).toBe(true);

    const doctor = await login(server.url, 'lege.molde');
    const ended = await httpsJson(`${server.url}/api/consults/${consult.id}/end-call`, {
      token: doctor.accessToken,
      method: 'POST',
    });
    expect(ended.status).toBe(200);
    const after = await nurse.send('relayVitals', { messages: [b64(numerics(1))] });
    expect(after).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/documentation/) as string },
    });
    const closed = await nurse.send('relayVitals', { messages: [b64(numerics(1))] });
    expect(closed).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await server.vitals.range(consult.id, 'hl7-bad', 1, 100)).toEqual([]);
    expect(server.rooms.get(consult.id)).toBeUndefined();
  });

  it('throttles a relay past its burst: takes a prefix and says when to go on', async () => {
    const consult = await activeConsult();
    const nurse = await socketAs('sykepleier.sunndal');
    await nurse.request('openVitalsRelay', { consultId: consult.id, sourceId: 'hl7-flood' });
    const big = (seq: number): string => b64(bigWaveform(seq));
    expect(Buffer.from(big(1), 'base64').byteLength).toBeLessThanOrEqual(VITALS_RELAY_MAX_MESSAGE_BYTES);
    let seq = 1;
    let throttled: { accepted: number; retryAfterMs?: number } | null = null;
    const limit = Math.ceil(RELAY_BURST_BYTES / (VITALS_RELAY_MAX_MESSAGE_BYTES / 2)) + 50;
    for (let i = 0; i < limit && throttled === null; i++) {
      const answer = await nurse.request('relayVitals', { messages: [big(seq)] });
      seq += answer.accepted;
      if (answer.retryAfterMs !== undefined) throttled = answer;
    }
    expect(throttled).toMatchObject({ accepted: 0, retryAfterMs: expect.any(Number) as number });
    expect(seq - 1).toBeGreaterThan(RELAY_BURST_BYTES / VITALS_RELAY_MAX_MESSAGE_BYTES);
    await new Promise((resolve) => setTimeout(resolve, throttled!.retryAfterMs));
    expect(await nurse.request('relayVitals', { messages: [big(seq)] })).toEqual({ accepted: 1 });
    expect(server.logs.some((l) => l['msg'] === 'vitals relay throttled')).toBe(true);
  });
});

function lastAck(client: SignalingTestClient, sourceId: string): number {
  const acks = client.notifications
    .filter((n) => n.method === 'vitalsAck')
    .map((n) => n.data as { sourceId: string; seq: number })
    .filter((a) => a.sourceId === sourceId);
  return acks.at(-1)?.seq ?? 0;
}

/** A valid waveform message just under the size limit (noise compresses badly). */
function bigWaveform(seq: number): Uint8Array {
  let x = seq * 7919;
  const samples = new Int16Array(9000).map(() => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return (x % 60000) - 30000;
  });
  const message: VitalsMessage = {
    type: 'waveform',
    chunk: {
      streamId: 'flood/ecg:II',
      signals: ['II'],
      sampleRateHz: 500,
      gain: 1000,
      baseline: 0,
      firstSample: (seq - 1) * 9000,
      startTime: 1_700_000_000_000 + (seq - 1) * 18_000,
      samples,
    },
  };
  return encodeVitalsMessage(seq, message);
}
