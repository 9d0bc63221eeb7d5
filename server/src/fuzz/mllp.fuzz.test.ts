import net from 'node:net';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNLIMITED } from '../limits/limitsConfig.ts';
import { decideFrame } from '../vitals/hl7/ingest.ts';
import { encodeMllp, MLLP_CR, MLLP_END, MLLP_START, MllpDecoder } from '../vitals/hl7/mllpFraming.ts';
import { startMllpListener, type MllpListener } from '../vitals/hl7/mllpServer.ts';
import {
  CUSTOM_SEPARATORS,
  ECG_MILLIVOLT_TWO_LEADS,
  GE_LOINC_KPA,
  PHILIPS_NUMERICS,
  philipsWaveforms,
} from '../vitals/hl7/testFixtures.ts';
import { fuzzParameters, fuzzTimeout, nastyString } from './arbitraries.ts';
import { retainedHeapBytes } from './storedRows.ts';

/**
 * The HL7 v2 MLLP listener (what the monitor bridge runs) under random bytes,
 * mutated ORU^R01 messages, broken framing, partial frames and slow senders:
 * every complete frame that is not itself an ACK gets exactly one ACK or NAK,
 * an oversize frame a NAK, the message handler (the bridge's store) is called
 * for exactly the frames answered AA, a connection ends cleanly, and the
 * listener keeps serving. The oracle is the decoder and `decideFrame` run on
 * the same bytes here.
 */

const MAX_FRAME = 8192;
let listener: MllpListener;
/** Messages handed to the handler (counted, not kept: holding thousands of results would be the test's own leak). */
let received = 0;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  listener = await startMllpListener({
    host: '127.0.0.1',
    port: 0,
    log: pino(
      { level: 'info' },
      {
        write: (line: string) => {
          logged.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    ),
    onMessage: () => {
      received++;
    },
    maxFrameBytes: MAX_FRAME,
    // Thousands of connections from one address: the connection limit has its own test.
    connectionsPerAddress: UNLIMITED,
    maxConnectionsPerAddress: 1000,
  });
});
afterAll(async () => {
  await listener.close();
});

/** One connection: writes chunks, half-closes, collects the answers until the listener closes. */
function converse(chunks: Buffer[], timeoutMs = 15_000): Promise<{ answers: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const decoder = new MllpDecoder({ maxFrameBytes: 1024 * 1024 });
    const answers: string[] = [];
    const stray: string[] = [];
    const socket = net.connect({ host: '127.0.0.1', port: listener.port }, () => {
      for (const chunk of chunks) socket.write(chunk);
      socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`listener did not finish within ${timeoutMs} ms (answers so far: ${answers.length})`));
    }, timeoutMs);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      for (const event of decoder.push(chunk)) {
        if (event.kind === 'frame') answers.push(event.payload.toString('latin1'));
        else stray.push(event.kind);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      for (const event of decoder.end()) stray.push(event.kind);
      if (stray.length > 0) {
        const wire = Buffer.concat(received);
        reject(
          new Error(
            `listener sent bytes outside a frame (${stray.join(', ')}): ${JSON.stringify(wire.toString('latin1').slice(0, 2000))}`,
          ),
        );
        return;
      }
      resolve({ answers, closed: true });
    });
  });
}

/**
 * What the listener must answer for this byte stream: one per complete non-ACK frame, one per
 * oversize frame. `chunkDependent`: frames over the limit cut short by the next start byte, which the
 * decoder NAKs as oversize when the limit was passed in an earlier TCP read and drops silently when
 * the start byte came in the same read; how the kernel splits the stream decides, so either is right.
 */
function expectedAnswers(stream: Buffer): { answers: number; accepted: number; chunkDependent: number } {
  const decoder = new MllpDecoder({ maxFrameBytes: MAX_FRAME });
  let answers = 0;
  let accepted = 0;
  let chunkDependent = 0;
  for (const event of [...decoder.push(stream), ...decoder.end()]) {
    if (event.kind === 'oversize') answers++;
    if (event.kind === 'garbage' && event.reason === 'unterminated-frame' && event.bytes > MAX_FRAME) chunkDependent++;
    if (event.kind !== 'frame') continue;
    const decision = decideFrame(event.payload).kind;
    if (decision !== 'ignore') answers++;
    if (decision === 'accept') accepted++;
  }
  return { answers, accepted, chunkDependent };
}

/** MSA-1 of an ACK, read with the ACK's own field separator (the listener answers in the sender's delimiters). */
function msaCode(ack: string): string {
  const msa = ack.split('\r').find((s) => s.startsWith('MSA'));
  return msa ? (msa.split(msa.charAt(3))[1] ?? '') : '';
}

const BASES = [
  PHILIPS_NUMERICS,
  GE_LOINC_KPA,
  ECG_MILLIVOLT_TWO_LEADS,
  CUSTOM_SEPARATORS,
  philipsWaveforms({ controlId: 'FUZZWAVE' }),
];

/** A mutated ORU^R01: characters, fields and segments changed the ways real gateways and attackers get them wrong. */
const mutatedMessage: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...BASES),
    fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('char' as const),
          at: fc.nat(),
          char: fc.constantFrom(
            '|',
            '^',
            '~',
            '\\',
            '&',
            '\r',
            '\n',
            '0',
            'A',
            '.',
            '-',
            '+',
            ' ',
            'æ',
            '\u0000',
            '\u00ff',
            '\u200b',
          ),
        }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: nastyString }),
        fc.record({
          kind: fc.constant('segment' as const),
          at: fc.nat(),
          op: fc.constantFrom('drop', 'duplicate', 'swap'),
        }),
        fc.record({
          kind: fc.constant('field' as const),
          segment: fc.nat(),
          field: fc.integer({ min: 0, max: 25 }),
          value: fc.oneof(
            nastyString,
            fc.constantFrom(
              '',
              '^^^^^^',
              '~~~~',
              '9'.repeat(400),
              '-1e309',
              'NaN',
              'UNICODE UTF-8',
              '8859/1',
              'ACK',
              'ADT^A01',
              '2.9',
              'T',
              'D',
            ),
          ),
        }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([base, edits]) => {
    let text = base;
    for (const edit of edits) {
      const at = text.length === 0 ? 0 : edit.kind === 'field' ? 0 : edit.at % text.length;
      if (edit.kind === 'char') text = text.slice(0, at) + edit.char + text.slice(at + 1);
      else if (edit.kind === 'delete') text = text.slice(0, at) + text.slice(at + edit.length);
      else if (edit.kind === 'insert') text = text.slice(0, at) + edit.text + text.slice(at);
      else if (edit.kind === 'segment') {
        const segments = text.split('\r');
        const i = edit.at % segments.length;
        if (edit.op === 'drop') segments.splice(i, 1);
        else if (edit.op === 'duplicate') segments.splice(i, 0, segments[i]!);
        else if (segments.length > 1) [segments[0], segments[i]] = [segments[i]!, segments[0]!];
        text = segments.join('\r');
      } else {
        const segments = text.split('\r');
        const i = edit.segment % segments.length;
        const fields = segments[i]!.split('|');
        fields[edit.field] = edit.value;
        segments[i] = fields.join('|');
        text = segments.join('\r');
      }
    }
    return text;
  });

/** Payload bytes in one of the charsets gateways use; MLLP control bytes removed unless the case wants broken framing. */
const payload: fc.Arbitrary<Buffer> = fc
  .tuple(mutatedMessage, fc.constantFrom<BufferEncoding>('utf8', 'latin1'))
  .map(([text, encoding]) => Buffer.from(text.replaceAll('\u000b', '').replaceAll('\u001c', ''), encoding));

/** How the bytes of a stream are cut into writes: whole, at random points, or byte by byte. */
const chunking = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4096 }), fc.constant(1));

function chunked(stream: Buffer, wanted: number): Buffer[] {
  if (wanted === 0 || stream.length === 0) return [stream];
  // Byte by byte only for short streams: 100 000 one-byte writes would test the test's own write queue.
  const size = wanted === 1 && stream.length > 4096 ? 61 : wanted;
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
  return chunks;
}

/** A broken framing around a payload: missing start or end, end without CR, nested start, stray bytes. */
const framing = fc.constantFrom(
  'ok',
  'no-start',
  'no-end',
  'no-cr',
  'nested-start',
  'lf-after',
  'stray-before',
  'double-end',
);
function frame(bytes: Buffer, how: string): Buffer {
  const vt = Buffer.from([MLLP_START]);
  const end = Buffer.from([MLLP_END, MLLP_CR]);
  switch (how) {
    case 'no-start':
      return Buffer.concat([bytes, end]);
    case 'no-end':
      return Buffer.concat([vt, bytes]);
    case 'no-cr':
      return Buffer.concat([vt, bytes, Buffer.from([MLLP_END])]);
    case 'nested-start':
      return Buffer.concat([vt, bytes.subarray(0, bytes.length >> 1), vt, bytes, end]);
    case 'lf-after':
      return Buffer.concat([encodeMllp(bytes), Buffer.from('\n')]);
    case 'stray-before':
      return Buffer.concat([Buffer.from('garbage\r\n'), encodeMllp(bytes)]);
    case 'double-end':
      return Buffer.concat([vt, bytes, end, end]);
    default:
      return encodeMllp(bytes);
  }
}

describe('MLLP listener under fuzzed input', () => {
  const RUNS = 400;
  it(
    'answers every complete frame exactly once, stores exactly what it acknowledges AA, and ends cleanly',
    async () => {
      const heapBefore = await retainedHeapBytes();
      let frames = 0;
      let connections = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              { weight: 6, arbitrary: fc.tuple(payload, framing).map(([p, how]) => frame(p, how)) },
              { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)) },
              {
                weight: 1,
                // Random bytes heavy in the control bytes, so framing states are all visited.
                arbitrary: fc
                  .array(
                    fc.oneof(fc.constantFrom(MLLP_START, MLLP_END, MLLP_CR, 0x7c), fc.integer({ min: 0, max: 255 })),
                    { maxLength: 400 },
                  )
                  .map((b) => Buffer.from(b)),
              },
              {
                weight: 1,
                arbitrary: fc
                  .integer({ min: MAX_FRAME, max: 4 * MAX_FRAME })
                  .map((n) => encodeMllp('MSH|^~\\&|X|Y|||1||ORU^R01|BIG|P|2.6\r' + 'x'.repeat(n))),
              },
            ),
            { minLength: 1, maxLength: 8 },
          ),
          chunking,
          async (parts, chunkSize) => {
            const stream = Buffer.concat(parts);
            const expected = expectedAnswers(stream);
            const receivedBefore = received;
            const { answers, closed } = await converse(chunked(stream, chunkSize));
            connections++;
            frames += answers.length;
            expect(closed).toBe(true);
            expect(answers.length).toBeGreaterThanOrEqual(expected.answers);
            expect(answers.length).toBeLessThanOrEqual(expected.answers + expected.chunkDependent);
            for (const answer of answers) expect(['AA', 'AE', 'AR']).toContain(msaCode(answer));
            const acked = answers.filter((a) => msaCode(a) === 'AA').length;
            // The handler (the bridge's store) saw exactly the frames answered AA, and only those.
            expect(received - receivedBefore).toBe(acked);
            expect(acked).toBe(expected.accepted);
          },
        ),
        fuzzParameters(RUNS),
      );
      const growth = (await retainedHeapBytes()) - heapBefore;
      console.info(
        `MLLP fuzz: ${connections} connections, ${frames} answers, ${received} accepted, retained heap +${(growth / 2 ** 20).toFixed(1)} MiB`,
      );
      expect(growth).toBeLessThan(32 * 2 ** 20);
      // Refusals and oddities are in the log.
      expect(logged.some((l) => l['msg'] === 'hl7 message rejected')).toBe(true);
      expect(logged.some((l) => String(l['msg']).startsWith('hl7 mllp'))).toBe(true);
      logged.length = 0;
    },
    fuzzTimeout(RUNS, 30),
  );

  it('keeps its ACK framed when the sender used windows-1252 bytes the ACK echoes (a fuzzing find)', async () => {
    // MSH-3 with 0x93 ("), declared 8859/1: decoded as U+201C, it used to go out as 0x1C, MLLP's end byte.
    const text = PHILIPS_NUMERICS.replace('PHILIPS_GW', 'PHILIPS\u0093GW\u0080');
    const { answers } = await converse([encodeMllp(Buffer.from(text, 'latin1'))]);
    expect(answers.map(msaCode)).toEqual(['AA']);
    expect(answers[0]).toContain('PHILIPS?GW?');
  });

  it(
    'closes slow senders (slowloris) cleanly whatever they drip',
    async () => {
      const slow = await startMllpListener({
        host: '127.0.0.1',
        port: 0,
        log: pino({ level: 'silent' }),
        onMessage: () => undefined,
        frameTimeoutMs: 250,
        idleTimeoutMs: 2000,
        connectionsPerAddress: UNLIMITED,
      });
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              payload.map((p) => frame(p, 'no-end')),
              fc.uint8Array({ minLength: 8, maxLength: 64 }).map((b) => Buffer.from(b)),
            ),
            fc.integer({ min: 20, max: 80 }),
            async (bytes, everyMs) => {
              const started = Date.now();
              const outcome = await new Promise<'closed' | 'open'>((resolve) => {
                const socket = net.connect({ host: '127.0.0.1', port: slow.port });
                let at = 0;
                const drip = setInterval(() => {
                  if (!socket.destroyed) socket.write(bytes.subarray(at % bytes.length, (at % bytes.length) + 1));
                  at++;
                }, everyMs);
                const giveUp = setTimeout(() => {
                  clearInterval(drip);
                  socket.destroy();
                  resolve('open');
                }, 3000);
                socket.on('error', () => undefined);
                socket.on('close', () => {
                  clearInterval(drip);
                  clearTimeout(giveUp);
                  resolve('closed');
                });
                socket.resume();
              });
              // Dripping renews the idle timeout (2 s) every few ms: only the frame deadline ends it.
              expect(outcome).toBe('closed');
              expect(Date.now() - started).toBeLessThan(1500);
            },
          ),
          fuzzParameters(6),
        );
      } finally {
        await slow.close();
      }
    },
    fuzzTimeout(6, 1000),
  );

  it(
    'survives connections cut at random points mid-frame, and still serves',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.tuple(payload, fc.nat()), async ([bytes, cut]) => {
          const wire = encodeMllp(bytes);
          await new Promise<void>((resolve) => {
            const socket = net.connect({ host: '127.0.0.1', port: listener.port }, () => {
              socket.write(wire.subarray(0, cut % wire.length));
              socket.destroy();
              resolve();
            });
            socket.on('error', () => resolve());
          });
        }),
        fuzzParameters(200),
      );
      const { answers } = await converse([encodeMllp(PHILIPS_NUMERICS)]);
      expect(answers.map(msaCode)).toEqual(['AA']);
    },
    fuzzTimeout(200, 10),
  );
});
