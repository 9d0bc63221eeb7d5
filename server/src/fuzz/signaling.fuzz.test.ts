import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeVitalsMessage,
  ErrorCode,
  MAX_SIGNALING_FRAME_BYTES,
  requests,
  type LoginResponse,
  type RequestMethod,
} from '@legevakt/shared';
import { DEFAULT_RATE_LIMITS, UNLIMITED } from '../limits/limitsConfig.ts';
import { claimConsult, login, requestConsult } from '../testing/consultFixtures.ts';
import { clientDtlsParameters, vp8RtpParameters } from '../testing/rtpFixtures.ts';
import { startTestServer, type TestServer } from '../testing/testServer.ts';
import {
  arbitraryOf,
  fuzzParameters,
  fuzzTimeout,
  hostileValue,
  mutationOf,
  nastyString,
  PROTOTYPE_KEYS,
} from './arbitraries.ts';
import { FuzzSocket, type Answer } from './fuzzSocket.ts';
import { changedRows, residentBytes, retainedHeapBytes, storedRows } from './storedRows.ts';

/**
 * The signaling socket under generated and mutated frames, on a real server
 * with a real mediasoup worker: every frame is answered (ok, or an error with
 * a known code other than INTERNAL), the socket keeps working, memory stays
 * bounded, nothing reaches storage that the server did not say it accepted,
 * and refusals are logged. The per-socket rate limit is lifted here (it has
 * its own test): it would answer RATE_LIMITED before the handlers are reached.
 */

let server: TestServer;
let nurse: LoginResponse;
let doctor: LoginResponse;
let consultId: string;

beforeAll(async () => {
  server = await startTestServer({
    logLevel: 'info',
    limits: { ...DEFAULT_RATE_LIMITS, signalingPerSocket: UNLIMITED, signalingRefusedBeforeClose: UNLIMITED },
  });
  nurse = await login(server.url, 'sykepleier.sunndal');
  doctor = await login(server.url, 'lege.molde');
  const consult = await requestConsult(server.url, nurse.accessToken);
  await claimConsult(server.url, doctor.accessToken, consult.id);
  consultId = consult.id;
});
afterAll(async () => {
  await Promise.all(Object.values(sockets).map((s) => s.close()));
  await server.close();
});

/** Valid data for every method, as the client sends it: the seeds of the mutations. */
function validSamples(transportId: string, rtpCapabilities: unknown): Record<RequestMethod, unknown> {
  const numerics = encodeVitalsMessage(1, {
    type: 'numerics',
    samples: [
      {
        kind: 'spo2',
        value: 97,
        unit: '%',
        measuredAt: 1_700_000_000_000,
        device: 'GW',
        source: 'monitor-hl7',
        quality: [],
      },
    ],
  });
  return {
    getRouterRtpCapabilities: {},
    join: { consultId, rtpCapabilities },
    resume: { consultId, peerId: transportId, resumeToken: 'A'.repeat(43) },
    restartIce: { transportId },
    ping: {},
    createWebRtcTransport: { direction: 'send' },
    connectWebRtcTransport: { transportId, dtlsParameters: clientDtlsParameters },
    produce: { transportId, kind: 'video', rtpParameters: vp8RtpParameters(1111), appData: { source: 'camera' } },
    pauseProducer: { producerId: transportId },
    resumeProducer: { producerId: transportId },
    closeProducer: { producerId: transportId },
    consume: { transportId, producerId: transportId },
    resumeConsumer: { consumerId: transportId },
    produceData: {
      transportId,
      sctpStreamParameters: { streamId: 1, ordered: true },
      label: 'vitals',
      protocol: 'legevakt-vitals',
      appData: { sourceId: 'fuzz-source' },
    },
    fetchVitals: { sourceId: 'fuzz-source', fromSeq: 1, toSeq: 10 },
    consumeData: { transportId, dataProducerId: transportId },
    leave: {},
    openVitalsRelay: { consultId, sourceId: 'fuzz-relay' },
    relayVitals: { messages: [Buffer.from(numerics).toString('base64')] },
    closeVitalsRelay: {},
    getIceServers: {},
    requestPhoto: { consultId },
    reportLink: { mode: 'audio-only', quality: 'poor' },
  };
}

// Methods reached in order by a client; the mutations of the later ones matter only once joined.
const METHODS = Object.keys(requests) as RequestMethod[];
/**
 * Recorded from the real session the 'joined' socket set up (the router's capabilities and its
 * transport's id), so a mutation that keeps them valid reaches the mediasoup worker.
 */
let recorded: { transportId: string; rtpCapabilities: unknown } = {
  transportId: '00000000-0000-4000-8000-000000000000',
  rtpCapabilities: { codecs: [], headerExtensions: [] },
};

type Role = 'fresh' | 'joined' | 'relay';
const sockets: Partial<Record<Role, FuzzSocket>> = {};

/** A socket in the wanted state: not in a consult, in the consult's call with a send transport, or relaying vitals. */
async function socketFor(role: Role): Promise<FuzzSocket> {
  const existing = sockets[role];
  if (existing?.open) return existing;
  await existing?.close();
  const socket = await FuzzSocket.connect(server.url, role === 'joined' ? doctor.accessToken : nurse.accessToken);
  if (role === 'joined') {
    const { routerRtpCapabilities } = await socket.request('getRouterRtpCapabilities', {});
    await socket.request('join', { consultId, rtpCapabilities: routerRtpCapabilities });
    const transport = await socket.request('createWebRtcTransport', { direction: 'send' });
    recorded = { transportId: transport.id, rtpCapabilities: routerRtpCapabilities };
  } else if (role === 'relay') {
    await socket.request('openVitalsRelay', { consultId, sourceId: 'fuzz-relay' });
  }
  sockets[role] = socket;
  return socket;
}

/** Methods whose success changes the socket's state: the socket is set up again after one. */
const STATEFUL = new Set<string>(['join', 'leave', 'openVitalsRelay', 'closeVitalsRelay']);

type Frame =
  | { kind: 'text'; text: string; id: number | null; method: string | null; fragments: number }
  | { kind: 'binary'; bytes: Uint8Array };

const envelope = (id: number, method: string, data: unknown): string =>
  JSON.stringify({ kind: 'request', id, method, data });

const requestId = fc.integer({ min: 1, max: 999_999 });

/** Built once the samples are recorded. */
const framesOf = (samples: Record<RequestMethod, unknown>): fc.Arbitrary<Frame> =>
  fc.oneof(
    // Arbitrary JSON and arbitrary text.
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary', maxLength: 200 }),
          nastyString,
        )
        .map((text) => ({ kind: 'text' as const, text, id: null, method: null, fragments: 1 })),
    },
    // A valid envelope, data shaped after the method's schema.
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...METHODS)
        .chain((method) =>
          fc.tuple(
            fc.constant(method),
            requestId,
            arbitraryOf(requests[method].request),
            fc.integer({ min: 1, max: 4 }),
          ),
        )
        .map(([method, id, data, fragments]) => ({
          kind: 'text' as const,
          text: envelope(id, method, data),
          id,
          method,
          fragments,
        })),
    },
    // A valid envelope, a mutation of the method's valid data.
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...METHODS)
        .chain((method) => fc.tuple(fc.constant(method), requestId, mutationOf(samples[method])))
        .map(([method, id, data]) => ({
          kind: 'text' as const,
          text: envelope(id, method, data),
          id,
          method,
          fragments: 1,
        })),
    },
    // A mutated envelope: id, kind, method or extra keys.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...METHODS), requestId)
        .chain(([method, id]) => mutationOf({ kind: 'request', id, method, data: samples[method] }))
        .map((value) => ({ kind: 'text' as const, text: JSON.stringify(value), id: null, method: null, fragments: 1 })),
    },
    // Prototype keys at the top of the envelope, written as JSON text (an object literal would not carry them).
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...PROTOTYPE_KEYS), hostileValue, requestId, fc.constantFrom(...METHODS))
        .map(([key, value, id, method]) => ({
          kind: 'text' as const,
          text: `{"kind":"request","id":${id},"method":${JSON.stringify(method)},"data":{${JSON.stringify(key)}:${JSON.stringify(value)}},${JSON.stringify(key)}:{"polluted":true}}`,
          id: null,
          method: null,
          fragments: 1,
        })),
    },
    // Binary frames.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ kind: 'binary' as const, bytes })) },
  );

/** Checks one answer; returns what the run learnt (for the stored-rows and log accounting). */
function checkAnswer(
  frame: Frame,
  answer: Answer,
): { ok: boolean; accepted: number; method: string | null; code?: ErrorCode } {
  if (answer.kind === 'closed') throw new Error(`socket closed with ${answer.code} on a frame under the size limit`);
  const response = answer.frame;
  if (frame.kind === 'text' && frame.id !== null && response.id !== frame.id) {
    throw new Error(`answered id ${String(response.id)} for request ${frame.id}`);
  }
  if (response.ok) {
    if (frame.kind === 'binary') throw new Error('a binary frame was accepted');
    const method = frame.method;
    // Only relayVitals answers with `accepted`. Read from the answer, not the frame: a mutated frame (method
    // unknown here) can stay a valid relayVitals, and its stored messages must count as accepted too.
    const reported = (response.data as { accepted?: unknown } | null)?.accepted;
    const accepted = typeof reported === 'number' ? reported : 0;
    return { ok: true, accepted, method };
  }
  const code = ErrorCode.safeParse(response.error.code);
  if (!code.success) throw new Error(`unknown error code ${JSON.stringify(response.error.code)}`);
  if (code.data === 'INTERNAL') throw new Error(`INTERNAL error: ${response.error.message}`);
  if (typeof response.error.message !== 'string' || response.error.message === '') {
    throw new Error('an error without a message');
  }
  return { ok: false, accepted: 0, method: frame.kind === 'text' ? frame.method : null, code: code.data };
}

const refusalLogs = (): number =>
  server.logs.filter(
    (l) =>
      l['component'] === 'signaling' &&
      ['bad signaling frame', 'request refused', 'request failed'].includes(String(l['msg'])),
  ).length;

async function workerRss(): Promise<number> {
  const [worker] = await server.pool.census();
  return residentBytes(worker!.pid);
}

describe('signaling socket under fuzzed frames', () => {
  const RUNS = 1500;
  it(
    'answers every frame, keeps the socket usable, stores nothing it refused, logs each refusal, stays bounded',
    async () => {
      // Warm up (allocations the first requests make anyway), then measure.
      for (const role of ['fresh', 'joined', 'relay'] as const) await socketFor(role);
      const frames = framesOf(validSamples(recorded.transportId, recorded.rtpCapabilities));
      // Vitals relayed earlier are stored asynchronously: counted before, not as this run's.
      await server.vitals.settled();
      const rowsBefore = storedRows(server.config.dataDir);
      // The test server keeps every log line in memory: checked and dropped run by run, so it is not the leak measured.
      server.logs.length = 0;
      const nodeBefore = await retainedHeapBytes();
      const workerBefore = await workerRss();
      let refused = 0;
      let acceptedVitals = 0;
      let okFrames = 0;
      let oversize = 0;
      const outcomes = new Map<string, number>();
      const started = Date.now();

      await fc.assert(
        fc.asyncProperty(fc.constantFrom<Role>('fresh', 'joined', 'relay'), frames, async (role, frame) => {
          const socket = await socketFor(role);
          const answer =
            frame.kind === 'binary'
              ? await socket.exchange(Buffer.from(frame.bytes), { binary: true })
              : await socket.exchange(frame.text, { fragments: frame.fragments });
          const bytes = frame.kind === 'binary' ? frame.bytes.length : Buffer.byteLength(frame.text);
          if (bytes > MAX_SIGNALING_FRAME_BYTES) {
            // Generated data can pass the limit (multi-byte text): that socket must be closed with 1009.
            expect(answer).toEqual({ kind: 'closed', code: 1009 });
            oversize++;
            Reflect.deleteProperty(sockets, role);
            return;
          }
          const result = checkAnswer(frame, answer);
          if (result.ok) okFrames++;
          else refused++;
          const outcome = `${result.method ?? '(no method)'}:${result.ok ? 'ok' : (result.code ?? '?')}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          acceptedVitals += result.accepted;
          if (socket.problems.length > 0) throw new Error(socket.problems.join('; '));
          // The socket still serves a valid request.
          const follow = await socket.request('getRouterRtpCapabilities', {});
          expect(follow.routerRtpCapabilities).toBeDefined();
          // A refusal is in the log by the time the next request is answered.
          if (!result.ok && refusalLogs() === 0) throw new Error(`refusal not logged (${result.code ?? '?'})`);
          server.logs.length = 0;
          // Set up again after a state change: a call joined or left, a relay opened, closed or replaced.
          const lostState = role !== 'fresh' && result.code === 'CONFLICT';
          if (lostState || (result.ok && result.method !== null && STATEFUL.has(result.method))) {
            await socket.close();
            Reflect.deleteProperty(sockets, role);
          }
        }),
        fuzzParameters(RUNS),
      );

      const elapsed = Date.now() - started;
      await server.vitals.settled();
      const rowsAfter = storedRows(server.config.dataDir);
      const changed = changedRows(rowsBefore, rowsAfter);
      // Vitals only for messages the server said it accepted (a mutation can stay valid); nothing else at all.
      const { vitals_messages: vitals, vital_samples: samples, ...others } = changed;
      expect(others).toEqual({});
      const newVitals = (rowsAfter['vitals_messages'] ?? 0) - (rowsBefore['vitals_messages'] ?? 0);
      expect(newVitals).toBeLessThanOrEqual(acceptedVitals);
      // Prototype keys did not leak into Object.prototype of the server's process (this one).
      expect(Object.prototype).not.toHaveProperty('polluted');
      // Bounded memory: generous bounds, a leak per frame would pass them after a few thousand frames.
      const nodeGrowth = (await retainedHeapBytes()) - nodeBefore;
      const workerGrowth = (await workerRss()) - workerBefore;
      console.info(
        `signaling fuzz: ${okFrames + refused + oversize} frames, ${okFrames} ok, ${refused} refused, ${oversize} over the size limit, ${acceptedVitals} vitals accepted ` +
          `(${newVitals} stored${vitals ? `, ${vitals}` : ''}${samples ? `, samples ${samples}` : ''}), ` +
          `${elapsed} ms, node retained heap +${(nodeGrowth / 2 ** 20).toFixed(1)} MiB, worker rss +${(workerGrowth / 2 ** 20).toFixed(1)} MiB` +
          `\n  outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`,
      );
      expect(nodeGrowth).toBeLessThan(32 * 2 ** 20);
      expect(workerGrowth).toBeLessThan(64 * 2 ** 20);
    },
    fuzzTimeout(RUNS, 15),
  );

  it(
    'closes cleanly on frames the WebSocket layer refuses, and other sockets carry on',
    async () => {
      const bystander = await socketFor('joined');
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            // Over the frame limit, whole or in fragments.
            fc
              .tuple(
                fc.integer({ min: MAX_SIGNALING_FRAME_BYTES + 1, max: 4 * MAX_SIGNALING_FRAME_BYTES }),
                fc.integer({ min: 1, max: 8 }),
              )
              .map(([size, fragments]) => ({
                payload: Buffer.alloc(size, 0x61),
                binary: false,
                fragments,
                code: 1009,
              })),
            // Not UTF-8 in a text frame.
            fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
              payload: Buffer.concat([Buffer.from('{"kind":"'), Buffer.from(bytes), Buffer.from([0xc3, 0x28, 0xff])]),
              binary: false,
              fragments: 1,
              code: 1007,
            })),
          ),
          async ({ payload, binary, fragments, code }) => {
            const socket = await FuzzSocket.connect(server.url, nurse.accessToken);
            const answer = await socket.exchange(payload, { binary, fragments });
            expect(answer).toEqual({ kind: 'closed', code });
            expect((await bystander.request('getRouterRtpCapabilities', {})).routerRtpCapabilities).toBeDefined();
          },
        ),
        fuzzParameters(30),
      );
    },
    fuzzTimeout(30, 100),
  );

  it('answers what the media server refuses as BAD_REQUEST naming why, not INTERNAL (fuzzing finds)', async () => {
    const socket = await FuzzSocket.connect(server.url, nurse.accessToken);
    const { routerRtpCapabilities } = await socket.request('getRouterRtpCapabilities', {});
    await socket.request('join', { consultId, rtpCapabilities: routerRtpCapabilities });
    const { id: transportId } = await socket.request('createWebRtcTransport', { direction: 'send' });
    const send = async (method: RequestMethod, data: unknown) => {
      const answer = await socket.exchange(envelope(7, method, data));
      if (answer.kind === 'closed') throw new Error(`closed with ${answer.code}`);
      return answer.frame;
    };
    const produce = { transportId, kind: 'video', rtpParameters: vp8RtpParameters(4242) };
    const data = {
      transportId,
      sctpStreamParameters: { streamId: 3, ordered: true },
      label: 'vitals',
      protocol: 'legevakt-vitals',
      appData: { sourceId: 'refusals-a' },
    };
    const firsts = [
      await send('connectWebRtcTransport', { transportId, dtlsParameters: clientDtlsParameters }),
      await send('produce', produce),
      await send('produceData', data),
    ];
    expect(firsts.every((f) => f.ok)).toBe(true);
    const refused = [
      // Connected already.
      await send('connectWebRtcTransport', { transportId, dtlsParameters: clientDtlsParameters }),
      // The same SSRC again.
      await send('produce', { ...produce, rtpParameters: { ...vp8RtpParameters(4242), mid: '9' } }),
      // A codec the router does not have.
      await send('produce', {
        ...produce,
        rtpParameters: {
          ...vp8RtpParameters(4343),
          mid: '10',
          codecs: [{ mimeType: 'video/H265', payloadType: 100, clockRate: 90000 }],
        },
      }),
      // The same SCTP stream id again, and both reliability limits at once.
      await send('produceData', { ...data, appData: { sourceId: 'refusals-b' } }),
      await send('produceData', {
        ...data,
        sctpStreamParameters: { streamId: 4, maxPacketLifeTime: 5, maxRetransmits: 3 },
        appData: { sourceId: 'refusals-c' },
      }),
    ];
    for (const frame of refused) {
      expect(frame).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(!frame.ok && frame.error.message).toMatch(/^the media server refused the request: ./);
    }
    expect((await socket.request('getRouterRtpCapabilities', {})).routerRtpCapabilities).toBeDefined();
    await socket.close();
  });

  it('a frame left unfinished (fragments without the last) blocks nothing and is dropped with its socket', async () => {
    const socket = await FuzzSocket.connect(server.url, nurse.accessToken);
    socket.socket.send(Buffer.from('{"kind":"request","id":1,'), { fin: false });
    const other = await FuzzSocket.connect(server.url, nurse.accessToken);
    expect((await other.request('getRouterRtpCapabilities', {})).routerRtpCapabilities).toBeDefined();
    socket.socket.terminate();
    await other.close();
  });
});
