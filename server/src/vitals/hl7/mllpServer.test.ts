import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hl7IngestResult } from './ingest.ts';
import { MllpDecoder, encodeMllp } from './mllpFraming.ts';
import { startMllpListener, type MllpListener, type MllpListenerOptions } from './mllpServer.ts';
import { GE_LOINC_KPA, PHILIPS_NUMERICS, philipsWaveforms, seg } from './testFixtures.ts';

const log = pino({ level: 'silent' });
let listener: MllpListener | undefined;

afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

async function start(
  overrides: Partial<MllpListenerOptions> = {},
): Promise<{ listener: MllpListener; received: Hl7IngestResult[] }> {
  const received: Hl7IngestResult[] = [];
  listener = await startMllpListener({
    host: '127.0.0.1',
    port: 0,
    log,
    onMessage: (r) => {
      received.push(r);
    },
    ackEnvelope: { application: 'LEGEVAKT-VIDEO', facility: 'TEST' },
    ...overrides,
  });
  return { listener, received };
}

/** A test peer: collects the frames the listener sends back. */
class Peer {
  readonly socket: net.Socket;
  readonly answers: string[] = [];
  closed = false;
  private readonly decoder = new MllpDecoder();
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.decoder.push(chunk)) if (e.kind === 'frame') this.answers.push(e.payload.toString('latin1'));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        resolve(new Peer(socket));
      });
      socket.once('error', reject);
    });
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.answers.length < count && !this.closed) {
      if (Date.now() > deadline) throw new Error(`got ${this.answers.length} answers, wanted ${count}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.answers;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

const msa = (ack: string | undefined): string[] => (ack?.split('\r').find((s) => s.startsWith('MSA')) ?? '').split('|');

describe('startMllpListener', () => {
  it('acknowledges a real ORU^R01 over TCP with exact MLLP bytes and hands over the mapped result', async () => {
    const { listener, received } = await start();
    const peer = await Peer.connect(listener.port);
    const raw: Buffer[] = [];
    peer.socket.on('data', (c: Buffer) => raw.push(c));
    peer.socket.write(encodeMllp(PHILIPS_NUMERICS));
    const [ack] = await peer.waitFor(1);
    const bytes = Buffer.concat(raw);
    expect(bytes[0]).toBe(0x0b);
    expect([...bytes.subarray(-2)]).toEqual([0x1c, 0x0d]);
    expect(ack).toMatch(
      /^MSH\|\^~\\&\|LEGEVAKT-VIDEO\|LEGEVAKT\|PHILIPS_GW\^0001C0FFEE000001\^EUI-64\|LEGEVAKT\|\d{14}\+0000\|\|ACK\^R01\^ACK\|ACK\w+\|P\|2\.6\rMSA\|AA\|20240315143015000001\r$/,
    );
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ controlId: '20240315143015000001', device: '0001C0FFEE000001' });
    expect(received[0]?.numerics.map((n) => n.kind)).toEqual([
      'systolic',
      'diastolic',
      'meanPressure',
      'heartRateEcg',
      'spo2',
      'pulseRateOximetry',
      'temperature',
      'respirationRate',
    ]);
    peer.socket.destroy();
  });

  it('answers each of several frames joined in one write and split across many writes, in order', async () => {
    const { listener, received } = await start();
    const peer = await Peer.connect(listener.port);
    const wire = Buffer.concat([
      encodeMllp(PHILIPS_NUMERICS),
      encodeMllp(seg('MSH|^~\\&|A|B|||20240101||ADT^A01|ADT1|P|2.5')),
      encodeMllp(Buffer.from(GE_LOINC_KPA, 'latin1')),
      encodeMllp(philipsWaveforms()),
    ]);
    for (let i = 0; i < wire.length; i += 97) {
      peer.socket.write(wire.subarray(i, i + 97));
      if (i % 970 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const answers = await peer.waitFor(4);
    expect(answers.map((a) => msa(a).slice(1, 3))).toEqual([
      ['AA', '20240315143015000001'],
      ['AR', 'ADT1'],
      ['AA', 'GE0001'],
      ['AA', 'WAVE0001'],
    ]);
    expect(answers[1]).toContain('200^Unsupported message type^HL70357');
    expect(received.map((r) => r.controlId)).toEqual(['20240315143015000001', 'GE0001', 'WAVE0001']);
    expect(received[1]?.patient?.name).toBe('Åse Ødegård');
    expect(received[2]?.waveforms.map((w) => w.signals)).toEqual([['II'], ['Pleth']]);
    peer.socket.destroy();
  });

  it('NAKs malformed headers, in the sender’s delimiters when those are valid', async () => {
    const { listener } = await start();
    const peer = await Peer.connect(listener.port);
    peer.socket.write(encodeMllp('MSH|^^\\&|GW|ICU|||20240101||ORU^R01|BAD2|P|2.6\r'));
    peer.socket.write(
      encodeMllp('MSH#$%!@#GW#ICU###20240101##ORU$R01#ALT1#P#2.6\rOBX#1#NM#150456$MDC_PULS_OXIM_SAT_O2$MDC##96#%\r'),
    );
    peer.socket.write(encodeMllp('this is not hl7'));
    const answers = await peer.waitFor(3);
    expect(msa(answers[0]).slice(1, 3)).toEqual(['AR', 'BAD2']);
    expect(answers[0]).toContain('102^Data type error^HL70357');
    expect(answers[1]).toMatch(/^MSH#\$%!@#/);
    expect(answers[1]).toContain('\rMSA#AA#ALT1\r');
    expect(msa(answers[2]).slice(1, 3)).toEqual(['AR', '']);
    peer.socket.destroy();
  });

  it('NAKs an oversize frame with AR quoting its MSH-10, then carries on with the next frame', async () => {
    const { listener, received } = await start({ maxFrameBytes: 4096 });
    const peer = await Peer.connect(listener.port);
    const big = seg(
      'MSH|^~\\&|GW|ICU|||20240101||ORU^R01|HUGE1|P|2.6',
      `OBX|1|NA|131330^MDC_ECG_ELEC_POTL_II^MDC||${'123^'.repeat(5000)}1`,
    );
    peer.socket.write(encodeMllp(big));
    peer.socket.write(encodeMllp(PHILIPS_NUMERICS));
    const answers = await peer.waitFor(2);
    expect(msa(answers[0]).slice(1, 4)).toEqual(['AR', 'HUGE1', 'Message larger than 4096 bytes was discarded']);
    expect(msa(answers[1]).slice(1, 3)).toEqual(['AA', '20240315143015000001']);
    expect(received).toHaveLength(1);
    peer.socket.destroy();
  });

  it('answers AE when onMessage fails, so the gateway sends again', async () => {
    const { listener } = await start({
      onMessage: () => {
        throw new Error('database down');
      },
    });
    const peer = await Peer.connect(listener.port);
    peer.socket.write(encodeMllp(PHILIPS_NUMERICS));
    const [ack] = await peer.waitFor(1);
    expect(msa(ack).slice(1, 4)).toEqual(['AE', '20240315143015000001', 'Could not store the observations']);
    peer.socket.destroy();
  });

  it('still answers frames a peer sent before half-closing', async () => {
    const { listener } = await start();
    const peer = await Peer.connect(listener.port);
    peer.socket.end(Buffer.concat([encodeMllp(PHILIPS_NUMERICS), encodeMllp(GE_LOINC_KPA)]));
    const answers = await peer.waitFor(2);
    expect(answers.map((a) => msa(a)[1])).toEqual(['AA', 'AA']);
    await peer.waitClosed();
  });

  it('closes idle connections', async () => {
    const { listener } = await start({ idleTimeoutMs: 150 });
    const peer = await Peer.connect(listener.port);
    await peer.waitClosed(3000);
    expect(peer.closed).toBe(true);
  });

  it('limits simultaneous connections', async () => {
    const { listener } = await start({ maxConnections: 2 });
    const a = await Peer.connect(listener.port);
    const b = await Peer.connect(listener.port);
    const c = await Peer.connect(listener.port);
    await c.waitClosed(3000);
    a.socket.write(encodeMllp(PHILIPS_NUMERICS));
    expect(msa((await a.waitFor(1))[0])[1]).toBe('AA');
    a.socket.destroy();
    b.socket.destroy();
  });

  it('fuzz: thousands of random and mutated frames get exactly one answer each, no crash, no hang', async () => {
    const { listener } = await start({ maxFrameBytes: 8192 });
    let seed = 4242;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const bases = [
      PHILIPS_NUMERICS,
      GE_LOINC_KPA,
      philipsWaveforms(),
      seg('MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.6'),
    ];
    const alphabet = '|^~\\&#$%!@\r\n0123456789.-+ABCDEFGHIJKLMNOPQRSTUVWXYZMSHOBXPIDNM\u00e6\u00f8\u00e5\u0000\u00ff';
    const frames: Buffer[] = [];
    for (let i = 0; i < 2500; i++) {
      const base = bases[Math.floor(rand() * bases.length)]!;
      let text: string;
      const mode = rand();
      if (mode < 0.15) {
        text = Array.from(
          { length: Math.floor(rand() * 200) },
          () => alphabet[Math.floor(rand() * alphabet.length)],
        ).join('');
      } else if (mode < 0.2) {
        text = base.slice(0, Math.floor(rand() * base.length));
      } else {
        const chars = base.split('');
        const edits = 1 + Math.floor(rand() * 12);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rand() * chars.length);
          const r = rand();
          if (r < 0.4) chars[at] = alphabet[Math.floor(rand() * alphabet.length)]!;
          else if (r < 0.7) chars.splice(at, 1);
          else chars.splice(at, 0, alphabet[Math.floor(rand() * alphabet.length)]!);
        }
        text = chars.join('');
      }
      // Never an MLLP control byte inside a payload, so each payload is exactly one frame.
      frames.push(
        Buffer.from(text.replaceAll('\u000b', '').replaceAll('\u001c', ''), rand() < 0.5 ? 'latin1' : 'utf8'),
      );
    }
    // Frames that are themselves ACKs are deliberately not answered.
    const { decideFrame } = await import('./ingest.ts');
    const expected = frames.filter((f) => decideFrame(f).kind !== 'ignore').length;
    const peer = await Peer.connect(listener.port);
    const started = Date.now();
    const wire = Buffer.concat(frames.map((f) => encodeMllp(f)));
    for (let i = 0; i < wire.length;) {
      const n = 1 + Math.floor(rand() * 4000);
      peer.socket.write(wire.subarray(i, i + n));
      i += n;
    }
    const answers = await peer.waitFor(expected, 15_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(answers).toHaveLength(expected);
    expect(expected).toBeGreaterThan(2400);
    for (const a of answers) expect(['AA', 'AE', 'AR']).toContain(a.split('\r')[1]?.slice(4, 6));
    expect(Date.now() - started).toBeLessThan(15_000);
    // Still serving.
    peer.socket.write(encodeMllp(PHILIPS_NUMERICS));
    await peer.waitFor(expected + 1);
    expect(msa(peer.answers.at(-1))[1]).toBe('AA');
    peer.socket.destroy();
  });
});
