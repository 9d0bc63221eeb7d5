// Synthetic participants on the load core. Each owns one UDP socket, like a
// browser's bundled transport: it sends its media to its PlainTransport on the
// worker under test and is the counting sink for what that transport forwards
// back (the other participant's media). Sinks count by RTP header only — SRTP keeps
// the header in clear — so the load core never pays for decryption.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { LOOPBACK, type PacketLog } from './mediaSource.ts';

/** Received-side counters of one RTP stream, with RFC 3550-style extended sequence numbers. */
export class StreamCounter {
  received = 0;
  highestExtSeq = -1;

  onPacket(seq: number): void {
    this.received++;
    if (this.highestExtSeq < 0) {
      this.highestExtSeq = seq;
      return;
    }
    const cycles = this.highestExtSeq - (this.highestExtSeq & 0xffff);
    let ext = cycles + seq;
    // Choose the wrap-around interpretation closest to the highest seen.
    if (ext < this.highestExtSeq - 0x8000) ext += 0x10000;
    else if (ext > this.highestExtSeq + 0x8000) ext -= 0x10000;
    if (ext > this.highestExtSeq) this.highestExtSeq = ext;
  }
}

export interface ParticipantTotals {
  sent: number;
  received: number;
  /** Per expected SSRC: packets received and highest extended sequence number so far. */
  streams: Map<number, { received: number; highestExtSeq: number }>;
}

export class Participant {
  readonly socket: dgram.Socket;
  /** Per-participant delay on the shared packet log, so 2N senders do not burst in lockstep. */
  readonly phaseMs: number;
  cursor: number;
  sent = 0;
  rtcpReceived = 0;
  /** RTP on SSRCs no consumer announced: mediasoup's bandwidth probation packets (SSRC 1234). */
  otherRtpReceived = 0;
  readonly streams = new Map<number, StreamCounter>();
  #connected = false;

  private constructor(socket: dgram.Socket, phaseMs: number, cursor: number) {
    this.socket = socket;
    this.phaseMs = phaseMs;
    this.cursor = cursor;
    socket.on('message', (msg) => this.#onMessage(msg));
  }

  static async create(phaseMs: number, startCursor: number): Promise<Participant> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
    return new Participant(socket, phaseMs, startCursor);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Start sending to the worker transport's port (its tuple.localPort). */
  async connect(remotePort: number): Promise<void> {
    // A connected UDP socket skips Node's per-send address handling (the load core's
    // budget is the benchmark's ceiling) and only accepts datagrams from that port.
    await new Promise<void>((resolve) => this.socket.connect(remotePort, LOOPBACK, resolve));
    this.#connected = true;
  }

  /** Count this SSRC (a consumer's, from its rtpParameters) as media sent to this participant. */
  expect(ssrc: number): void {
    this.streams.set(ssrc, new StreamCounter());
  }

  get connected(): boolean {
    return this.#connected;
  }

  send(packet: Buffer): void {
    this.socket.send(packet);
    this.sent++;
  }

  totals(): ParticipantTotals {
    let received = 0;
    const streams = new Map<number, { received: number; highestExtSeq: number }>();
    for (const [ssrc, s] of this.streams) {
      received += s.received;
      streams.set(ssrc, { received: s.received, highestExtSeq: s.highestExtSeq });
    }
    return { sent: this.sent, received, streams };
  }

  close(): void {
    this.socket.close();
  }

  #onMessage(msg: Buffer): void {
    if (msg.length < 12) return;
    const b1 = msg[1] ?? 0;
    if (b1 >= 192 && b1 <= 223) {
      this.rtcpReceived++; // SR/RR/PLI/transport-cc from the worker: not media
      return;
    }
    const stream = this.streams.get(msg.readUInt32BE(8));
    if (stream) stream.onPacket(msg.readUInt16BE(2));
    else this.otherRtpReceived++;
  }
}

/**
 * Replays the shared packet log to every connected participant, each delayed by its
 * own phase. A 1 ms timer (not a busy loop) leaves the load core to the peer worker too.
 */
export class FanOut {
  readonly #log: PacketLog;
  readonly #participants = new Set<Participant>();
  #timer: NodeJS.Timeout | undefined;

  constructor(log: PacketLog) {
    this.#log = log;
  }

  add(p: Participant): void {
    this.#participants.add(p);
  }

  remove(p: Participant): void {
    this.#participants.delete(p);
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#tick(), 1);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = performance.now();
    const log = this.#log;
    let minCursor = log.end;
    for (const p of this.#participants) {
      if (p.connected) {
        for (let entry = log.at(p.cursor); entry && entry.atMs + p.phaseMs <= now; entry = log.at(p.cursor)) {
          p.send(entry.packet);
          p.cursor++;
        }
      }
      if (p.cursor < minCursor) minCursor = p.cursor;
    }
    log.trimBefore(minCursor);
  }
}
