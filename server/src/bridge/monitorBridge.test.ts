import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NUMERIC_KINDS, type ConsultView } from '@legevakt/shared';
import { claimConsult, login, requestConsult, VALID_NATIONAL_ID } from '../testing/consultFixtures.ts';
import { httpsJson } from '../testing/httpsJson.ts';
import { SignalingTestClient } from '../testing/signalingTestClient.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';
import { DEMO_PASSWORD } from '../storage/seed.ts';
import { startMonitorBridge, type MonitorBridge, type MonitorBridgeOptions } from './monitorBridge.ts';
import { outboxFile } from './outbox.ts';
import {
  capturingLogger,
  contiguousSamples,
  decodeStored,
  DEV_CERT,
  firstDifference,
  removeTempDirs,
  sentSamples,
  tempDir,
  twelveLeadStream,
} from './testing/bridgeFixtures.ts';
import { MllpSender } from './testing/mllpSender.ts';
import { buildOruMessages, type BuiltOru } from './testing/oruRecording.ts';

let server: TestServer;
const bridges: MonitorBridge[] = [];
const senders: MllpSender[] = [];
const sockets: SignalingTestClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const sender of senders.splice(0)) sender.close();
  for (const bridge of bridges.splice(0)) await bridge.close();
  for (const socket of sockets.splice(0)) await socket.close();
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

async function activeConsult(): Promise<ConsultView> {
  const nurse = await login(server.url, 'sykepleier.sunndal');
  const consult = await requestConsult(server.url, nurse.accessToken);
  return claimConsult(server.url, (await login(server.url, 'lege.molde')).accessToken, consult.id);
}

async function bridgeFor(
  consultId: string,
  overrides: Partial<MonitorBridgeOptions> = {},
): Promise<{ bridge: MonitorBridge; lines: Record<string, unknown>[] }> {
  const { log, lines } = capturingLogger();
  const bridge = await startMonitorBridge({
    server: new URL(`https://127.0.0.1:${server.port}`),
    consultId,
    credentials: { kind: 'password', username: 'sykepleier.sunndal', password: DEMO_PASSWORD },
    tls: { ca: fs.readFileSync(DEV_CERT, 'utf8'), rejectUnauthorized: true },
    mllp: { host: '127.0.0.1', port: 0 },
    outboxDir: tempDir('bridge-outbox-'),
    log,
    relay: { backoffBaseMs: 50, backoffCapMs: 400 },
    ...overrides,
  });
  bridges.push(bridge);
  return { bridge, lines };
}

function senderTo(bridge: MonitorBridge): MllpSender {
  const sender = new MllpSender('127.0.0.1', bridge.mllpPort);
  senders.push(sender);
  return sender;
}

async function drained(bridge: MonitorBridge): Promise<void> {
  await expect
    .poll(() => bridge.outbox.pendingCount === 0 && bridge.outbox.ackedSeq === bridge.outbox.nextSeq - 1, {
      timeout: 15_000,
    })
    .toBe(true);
  await server.vitals.settled();
}

/** What the ORU messages carried must be exactly what the consult's record holds. */
async function expectStoredExactly(consultId: string, sourceId: string, messages: readonly BuiltOru[]): Promise<void> {
  const stored = decodeStored(await server.vitals.range(consultId, sourceId, 1, 100_000));
  expect(stored.seqs).toEqual(stored.seqs.map((_, i) => i + 1));
  const { samples, problems } = contiguousSamples(stored.chunks);
  expect(problems).toEqual([]);
  expect(stored.chunks[0]).toMatchObject({
    signals: messages[0]!.signals,
    sampleRateHz: 500,
    gain: 1000,
    baseline: 0,
    startTime: messages[0]!.startTime,
  });
  const sent = sentSamples(messages);
  expect(samples.length).toBe(sent.length);
  expect(firstDifference(samples, sent)).toBe(-1);

  const expectedNumerics = messages.flatMap((m) =>
    m.numerics.map((n) => ({ kind: n.kind, value: n.value, measuredAt: m.startTime })),
  );
  expect(stored.numerics.map((s) => ({ kind: s.kind, value: s.value, measuredAt: s.measuredAt }))).toEqual(
    expectedNumerics,
  );
  for (const sample of stored.numerics) {
    expect(sample).toMatchObject({
      unit: NUMERIC_KINDS[sample.kind].ucum,
      source: 'monitor-hl7',
      device: '0001C0FFEE0000AA',
    });
  }
  // And through the record's sample view (what documentation and exports read).
  const recordSamples = await server.vitals.samples(consultId);
  expect(recordSamples.filter((s) => s.device === '0001C0FFEE0000AA')).toHaveLength(expectedNumerics.length);
}

describe('monitor bridge: HL7 ORU^R01 over MLLP → relay → consult', () => {
  it('stores exactly the ORU samples (MDC/LOINC numerics, 12-lead ECG) and the doctor is offered the stream', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const doctor = await SignalingTestClient.connect(server.url, (await login(server.url, 'lege.molde')).accessToken);
    sockets.push(doctor);
    const { routerRtpCapabilities } = await doctor.request('getRouterRtpCapabilities', {});
    await doctor.request('join', { consultId: consult.id, rtpCapabilities: routerRtpCapabilities });
    const room = server.rooms.get(consult.id)!;
    const seen: number[] = [];
    room.on('dataMessage', ({ payload }) => seen.push(Number(payload.readBigUInt64LE(0))));

    const { bridge, lines } = await bridgeFor(consult.id);
    const announced = await doctor.waitForNotification('newDataProducer', 10_000);
    expect(announced.data).toMatchObject({ sourceId: bridge.outbox.sourceId, label: 'vitals' });
    const recv = await doctor.request('createWebRtcTransport', { direction: 'recv' });
    const consumed = await doctor.request('consumeData', {
      transportId: recv.id,
      dataProducerId: (announced.data as { dataProducerId: string }).dataProducerId,
    });
    expect(consumed.sourceId).toBe(bridge.outbox.sourceId);

    const messages = buildOruMessages({
      stream,
      startTime: Date.UTC(2026, 10, 23, 8, 0, 0),
      chunkMs: 100,
      count: 40,
      numericsEvery: 5,
    });
    const sender = senderTo(bridge);
    for (const message of messages)
      expect(await sender.send(message.text)).toMatchObject({ code: 'AA', controlId: message.controlId });
    await drained(bridge);
    await expectStoredExactly(consult.id, bridge.outbox.sourceId, messages);
    // The room's own consumer (the SFU path a doctor's consumer shares) saw every message, in order.
    const firstSeen = [...new Set(seen)];
    expect(firstSeen).toEqual(firstSeen.map((_, i) => i + 1));
    expect(firstSeen.length).toBe(bridge.outbox.nextSeq - 1);

    // A gateway resending a message whose AA it lost: acknowledged again, stored once.
    const countBefore = bridge.outbox.nextSeq;
    expect(await sender.send(messages[7]!.text)).toMatchObject({ code: 'AA', controlId: messages[7]!.controlId });
    expect(bridge.outbox.nextSeq).toBe(countBefore);
    expect(lines.some((l) => l['msg'] === 'hl7 message already taken; acknowledged again')).toBe(true);

    // Malformed input is NAKed with a reason, stored nowhere, and the bridge goes on.
    const garbage = await sender.send('this is not HL7');
    expect(garbage.code).toBe('AR');
    const adt = await sender.send('MSH|^~\\&|ADT|X|Y|Z|20261123080000||ADT^A01|A1|P|2.6\rPID|||1\r');
    expect(adt).toMatchObject({
      code: 'AR',
      controlId: 'A1',
      text: expect.stringMatching(/Message type ADT is not supported/) as string,
    });
    expect(bridge.outbox.nextSeq).toBe(countBefore);
    const next = buildOruMessages({
      stream,
      startTime: messages[39]!.startTime + 100,
      chunkMs: 100,
      count: 1,
      numericsEvery: 1,
      controlPrefix: 'NEXT',
    });
    expect((await sender.send(next[0]!.text)).code).toBe('AA');
    await drained(bridge);
    await expectStoredExactly(consult.id, bridge.outbox.sourceId, [...messages, ...next]);
  });

  it('loses nothing across a bridge restart: AA only once the message is on disk', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const outboxDir = tempDir('bridge-restart-');
    const messages = buildOruMessages({
      stream,
      startTime: Date.UTC(2026, 10, 23, 9, 0, 0),
      chunkMs: 200,
      count: 30,
      numericsEvery: 5,
    });

    // First run: the server is unreachable (nothing listens there); the monitor's messages are AA'd from disk.
    const offline = await bridgeFor(consult.id, { outboxDir, server: new URL('https://127.0.0.1:9') });
    const sender = senderTo(offline.bridge);
    for (const message of messages.slice(0, 20)) expect((await sender.send(message.text)).code).toBe('AA');
    const sourceId = offline.bridge.outbox.sourceId;
    expect(offline.bridge.outbox.pendingCount).toBeGreaterThanOrEqual(20);
    sender.close();
    await offline.bridge.close();
    expect(fs.statSync(outboxFile(outboxDir, consult.id)).size).toBeGreaterThan(20 * 1000);

    // Second run, same outbox, server reachable: the backlog goes first, then the live messages continue the stream.
    const online = await bridgeFor(consult.id, { outboxDir });
    expect(online.bridge.outbox.sourceId).toBe(sourceId);
    const sender2 = senderTo(online.bridge);
    for (const message of messages.slice(20)) expect((await sender2.send(message.text)).code).toBe('AA');
    await drained(online.bridge);
    await expectStoredExactly(consult.id, sourceId, messages);
  });

  it('a torn write at the end of the outbox (crash mid-append) is cut off; everything acknowledged survives', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const outboxDir = tempDir('bridge-torn-');
    const messages = buildOruMessages({
      stream,
      startTime: Date.UTC(2026, 10, 23, 10, 0, 0),
      chunkMs: 200,
      count: 12,
      numericsEvery: 4,
    });
    const offline = await bridgeFor(consult.id, { outboxDir, server: new URL('https://127.0.0.1:9') });
    const sender = senderTo(offline.bridge);
    for (const message of messages.slice(0, 10)) expect((await sender.send(message.text)).code).toBe('AA');
    sender.close();
    await offline.bridge.close();
    // Half a record: the length says more than follows, as after a power cut during write().
    fs.appendFileSync(
      outboxFile(outboxDir, consult.id),
      Buffer.from([0x00, 0x40, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x02, 0x00]),
    );

    const online = await bridgeFor(consult.id, { outboxDir });
    const sender2 = senderTo(online.bridge);
    for (const message of messages.slice(10)) expect((await sender2.send(message.text)).code).toBe('AA');
    await drained(online.bridge);
    await expectStoredExactly(consult.id, online.bridge.outbox.sourceId, messages);
    expect(online.lines.some((l) => String(l['msg']).startsWith('outbox tail was torn'))).toBe(true);
  });

  it('holds the vitals while the consult is back in the queue, and relays them when a doctor takes it again', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const { bridge } = await bridgeFor(consult.id);
    await expect.poll(() => bridge.relay.state, { timeout: 10_000 }).toBe('relaying');
    const doctor = await login(server.url, 'lege.molde');
    const returned = await httpsJson(`${server.url}/api/consults/${consult.id}/return`, {
      token: doctor.accessToken,
      method: 'POST',
    });
    expect(returned.status).toBe(200);
    await expect.poll(() => bridge.relay.state, { timeout: 10_000 }).toBe('waiting-for-consult');
    // Measured while the patient waits: taken (AA) and kept, not relayed (the consult is not active).
    const messages = buildOruMessages({
      stream,
      startTime: Date.UTC(2026, 10, 23, 12, 0, 0),
      chunkMs: 200,
      count: 8,
      numericsEvery: 4,
    });
    const sender = senderTo(bridge);
    for (const message of messages) expect((await sender.send(message.text)).code).toBe('AA');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await server.vitals.range(consult.id, bridge.outbox.sourceId, 1, 100)).toEqual([]);
    await expect.poll(() => server.rooms.get(consult.id), { timeout: 5000 }).toBeUndefined();

    await claimConsult(server.url, doctor.accessToken, consult.id);
    await expect.poll(() => bridge.relay.state, { timeout: 10_000 }).toBe('relaying');
    await drained(bridge);
    await expectStoredExactly(consult.id, bridge.outbox.sourceId, messages);
  });

  it('refuses (AR) a message whose PID-3 names another patient than the consult’s', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const { bridge } = await bridgeFor(consult.id);
    await expect.poll(() => bridge.relay.state, { timeout: 10_000 }).toBe('relaying');
    await expect.poll(() => bridge.patientCheck, { timeout: 10_000 }).toBe('armed');
    const plan = { stream, chunkMs: 200, count: 1, numericsEvery: 1 };
    const t = Date.UTC(2026, 10, 23, 14, 0, 0);
    const sender = senderTo(bridge);
    const other = buildOruMessages({ ...plan, startTime: t, controlPrefix: 'OTHER', patientId: '29029648784' })[0]!;
    expect(await sender.send(other.text)).toMatchObject({
      code: 'AR',
      text: expect.stringMatching(/another patient/) as string,
    });
    const same = buildOruMessages({ ...plan, startTime: t, controlPrefix: 'SAME', patientId: VALID_NATIONAL_ID });
    const local = buildOruMessages({ ...plan, startTime: t + 200, controlPrefix: 'MRN', patientId: 'H123456' });
    expect((await sender.send(same[0]!.text)).code).toBe('AA');
    expect((await sender.send(local[0]!.text)).code).toBe('AA'); // a local record number is not checked
    await drained(bridge);
    await expectStoredExactly(consult.id, bridge.outbox.sourceId, [...same, ...local]);
  });

  it('a bridge logged in as someone who may not relay into the consult ends, and NAKs with the reason', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const { bridge } = await bridgeFor(consult.id, {
      credentials: { kind: 'password', username: 'sykepleier.rauma', password: DEMO_PASSWORD },
    });
    await expect.poll(() => bridge.relay.state, { timeout: 10_000 }).toBe('ended');
    const [message] = buildOruMessages({
      stream,
      startTime: Date.UTC(2026, 10, 23, 13, 0, 0),
      chunkMs: 200,
      count: 1,
      numericsEvery: 1,
    });
    const refused = await senderTo(bridge).send(message!.text);
    expect(refused).toMatchObject({ code: 'AR', text: expect.stringMatching(/forbidden/) as string });
  });

  it('stops relaying when the call ends, and the monitor is told (AR) that nothing more is stored', async () => {
    const stream = await twelveLeadStream();
    const consult = await activeConsult();
    const { bridge } = await bridgeFor(consult.id);
    const messages = buildOruMessages({
      stream,
      startTime: Date.UTC(2026, 10, 23, 11, 0, 0),
      chunkMs: 200,
      count: 6,
      numericsEvery: 3,
    });
    const sender = senderTo(bridge);
    for (const message of messages.slice(0, 3)) expect((await sender.send(message.text)).code).toBe('AA');
    await drained(bridge);

    const doctor = await login(server.url, 'lege.molde');
    const ended = await httpsJson(`${server.url}/api/consults/${consult.id}/end-call`, {
      token: doctor.accessToken,
      method: 'POST',
    });
    expect(ended.status).toBe(200);
    await expect.poll(() => bridge.relay.state, { timeout: 10_000 }).toBe('ended');
    const refused = await sender.send(messages[3]!.text);
    expect(refused).toMatchObject({ code: 'AR', text: expect.stringMatching(/documentation/) as string });
    await server.vitals.settled();
    await expectStoredExactly(consult.id, bridge.outbox.sourceId, messages.slice(0, 3));
  });
});
