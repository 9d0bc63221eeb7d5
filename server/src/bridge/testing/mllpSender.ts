// A monitor gateway's side of MLLP, for tests, the relay benchmark and demos:
// sends one ORU^R01 at a time and waits for its ACK, resending (same control id)
// when none comes in time, as gateways do.
//
// As a program it plays a recording in real time to a bridge and prints one JSON
// line per acknowledged message:
//   node server/src/bridge/testing/mllpSender.ts --port 2575 --recording ptbdb-s0010_re --seconds 30
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeMllp, MllpDecoder } from '../../vitals/hl7/mllpFraming.ts';
import { loadRecording } from '../../vitals/simulator/recordings.ts';
import { buildOruMessages } from './oruRecording.ts';

export interface AckResult {
  /** MSA-1: AA, AE, AR (or CA/CE/CR). */
  code: string;
  /** MSA-2: the control id acknowledged. */
  controlId: string;
  /** MSA-3. */
  text: string;
}

export function parseAck(frame: Buffer): AckResult {
  const segments = frame.toString('utf8').split('\r');
  const msa = segments.find((s) => s.startsWith('MSA'));
  if (msa === undefined) throw new Error(`not an ACK: ${frame.toString('utf8').slice(0, 120)}`);
  const sep = msa[3] ?? '|';
  const fields = msa.split(sep);
  return { code: fields[1] ?? '', controlId: fields[2] ?? '', text: fields[3] ?? '' };
}

export class MllpSender {
  readonly #host: string;
  readonly #port: number;
  #socket: net.Socket | null = null;
  #decoder = new MllpDecoder({ maxFrameBytes: 64 * 1024 });
  #waiting: ((frame: Buffer | null) => void) | null = null;
  readonly #frames: Buffer[] = [];

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  async #connect(): Promise<net.Socket> {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = net.connect({ host: this.#host, port: this.#port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.#decoder = new MllpDecoder({ maxFrameBytes: 64 * 1024 });
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.#decoder.push(chunk)) {
        if (event.kind !== 'frame') continue;
        if (this.#waiting) {
          const resolve = this.#waiting;
          this.#waiting = null;
          resolve(event.payload);
        } else this.#frames.push(event.payload);
      }
    });
    const gone = (): void => {
      if (this.#socket === socket) this.#socket = null;
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve?.(null);
    };
    socket.on('close', gone);
    socket.on('error', gone);
    this.#socket = socket;
    return socket;
  }

  /** Sends one message and waits for its ACK; resends on a timeout or a lost connection. */
  async send(text: string | Buffer, options: { ackTimeoutMs?: number; attempts?: number } = {}): Promise<AckResult> {
    const attempts = options.attempts ?? 5;
    let lastError: unknown = null;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const socket = await this.#connect();
        this.#frames.length = 0;
        const reply = new Promise<Buffer | null>((resolve) => {
          this.#waiting = resolve;
          setTimeout(() => {
            if (this.#waiting === resolve) {
              this.#waiting = null;
              resolve(null);
            }
          }, options.ackTimeoutMs ?? 10_000);
        });
        socket.write(encodeMllp(text));
        const frame = await reply;
        if (frame !== null) return parseAck(frame);
        lastError = new Error('no ACK in time');
        socket.destroy(); // a gateway reconnects before it resends
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename;
if (isMain) {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '2575' },
      recording: { type: 'string', default: 'ptbdb-s0010_re' },
      seconds: { type: 'string', default: '30' },
      'chunk-ms': { type: 'string', default: '200' },
      'numerics-every': { type: 'string', default: '5' },
      'start-time': { type: 'string' },
      prefix: { type: 'string', default: 'ORU' },
    },
  });
  const recording = await loadRecording(values.recording);
  if (!recording) throw new Error(`no recording ${values.recording}`);
  const stream = recording.streams.find(
    (s) => s.signals.length === Math.max(...recording.streams.map((x) => x.signals.length)),
  )!;
  const chunkMs = Number(values['chunk-ms']);
  const count = Math.round((Number(values.seconds) * 1000) / chunkMs);
  const startTime = values['start-time'] !== undefined ? Number(values['start-time']) : Date.now() - chunkMs;
  const messages = buildOruMessages({
    stream,
    startTime,
    chunkMs,
    count,
    numericsEvery: Number(values['numerics-every']),
    controlPrefix: values.prefix,
  });
  const sender = new MllpSender(values.host, Number(values.port));
  // A monitor sends a chunk once it is complete: at its start time plus its length.
  const origin = performance.now() - (Date.now() - startTime);
  for (const [i, message] of messages.entries()) {
    const due = origin + (i + 1) * chunkMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = Date.now();
    const ack = await sender.send(message.text, { attempts: 1000 });
    process.stdout.write(
      `${JSON.stringify({ i, controlId: message.controlId, sentAt, ackAt: Date.now(), code: ack.code, text: ack.text })}\n`,
    );
  }
  sender.close();
}
