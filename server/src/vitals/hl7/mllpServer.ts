import net from 'node:net';
import { DEFAULT_RATE_LIMITS } from '../../limits/limitsConfig.ts';
import { KeyedRateLimiter, type RateLimit } from '../../limits/rateLimiter.ts';
import type { Logger } from '../../logger.ts';
import type { AckDetails, AckEnvelope } from './ack.ts';
import { decideFrame, framedAck, oversizeNak, type Hl7IngestResult, type IngestOptions } from './ingest.ts';
import { DEFAULT_MAX_FRAME_BYTES, MllpDecoder, type MllpEvent } from './mllpFraming.ts';
import { WaveformSequencer } from './oruMapper.ts';

export type MllpLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * Thrown by `onMessage` to answer with a specific NAK (e.g. AR "the consult has
 * ended") instead of the generic AE 207.
 */
export class Hl7Nak extends Error {
  readonly details: AckDetails;

  constructor(details: AckDetails) {
    super(details.text ?? `HL7 ${details.code}`);
    this.name = 'Hl7Nak';
    this.details = details;
  }
}

export interface MllpListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Called once per accepted ORU^R01, in order per connection. The ACK waits for
   * it: a throw or rejection turns the AA into AE 207, so the gateway resends.
   */
  onMessage: (result: Hl7IngestResult) => void | Promise<void>;
  log: MllpLog;
  /** Default DEFAULT_MAX_FRAME_BYTES (128 KiB). */
  maxFrameBytes?: number;
  /** Simultaneous connections; further ones are dropped. Default 32. */
  maxConnections?: number;
  /** A connection silent this long is closed. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** New connections per peer address; one over it is closed at once. Default 30 a minute. */
  connectionsPerAddress?: RateLimit;
  /** Simultaneous connections from one address, so one sender cannot take every slot. Default 16. */
  maxConnectionsPerAddress?: number;
  /**
   * Bytes that leave a frame unfinished (or that are not a frame) must be followed by a
   * complete frame within this, or the connection is closed: a sender dripping bytes
   * (slowloris) would otherwise hold a connection slot forever. Default 30 s.
   */
  frameTimeoutMs?: number;
  /** How long onMessage may take before the frame is answered AE. Default 10 s. */
  handlerTimeoutMs?: number;
  /** MSH-3/MSH-4 of our ACKs. */
  ackEnvelope?: Pick<AckEnvelope, 'application' | 'facility'>;
  /** Passed to the mapper (time zone, default sample rates, accepted processing ids). */
  ingest?: Omit<IngestOptions, 'receivedAt' | 'sequencer'>;
}

export interface MllpListener {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}

/** Frames waiting for their answer on one connection before it is paused. */
const MAX_QUEUED_FRAMES = 16;

export async function startMllpListener(options: MllpListenerOptions): Promise<MllpListener> {
  const { log } = options;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 10_000;
  const envelope = options.ackEnvelope ?? { application: 'LEGEVAKT-VIDEO' };
  const sequencer = new WaveformSequencer();
  const sockets = new Set<net.Socket>();
  const frameTimeoutMs = options.frameTimeoutMs ?? 30_000;
  const maxPerAddress = options.maxConnectionsPerAddress ?? 16;
  const connectionRate = new KeyedRateLimiter(
    options.connectionsPerAddress ?? DEFAULT_RATE_LIMITS.mllpConnectionsPerAddress,
  );
  const openPerAddress = new Map<string, number>();

  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    const from = socket.remoteAddress ?? '?';
    const peer = `${from}:${socket.remotePort ?? '?'}`;
    const open = openPerAddress.get(from) ?? 0;
    const admitted = connectionRate.take(from);
    if (!admitted.ok || open >= maxPerAddress) {
      log.warn(
        { peer, open, retryAfterMs: admitted.ok ? undefined : admitted.retryAfterMs },
        'hl7 mllp connection refused: too many from this address',
      );
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    openPerAddress.set(from, open + 1);
    sockets.add(socket);
    log.info({ peer }, 'hl7 mllp connection opened');
    const decoder = new MllpDecoder({ maxFrameBytes });
    const queue: MllpEvent[] = [];
    let working = false;
    let closed = false;

    socket.setTimeout(idleTimeoutMs, () => {
      log.info({ peer }, 'hl7 mllp connection idle, closing');
      socket.destroy();
    });

    let frameTimer: NodeJS.Timeout | null = null;
    let strayBytes = 0;
    const stopFrameTimer = (): void => {
      if (frameTimer) clearTimeout(frameTimer);
      frameTimer = null;
    };

    const answer = (bytes: Buffer): void => {
      if (!closed && !socket.destroyed) socket.write(bytes);
    };

    const handle = async (event: MllpEvent): Promise<void> => {
      if (event.kind === 'garbage') {
        log.warn({ peer, bytes: event.bytes, reason: event.reason }, 'hl7 mllp bytes outside a frame skipped');
        return;
      }
      if (event.kind === 'oversize') {
        log.warn({ peer, limit: event.limit }, 'hl7 mllp frame too large, discarded');
        answer(oversizeNak(event.head, event.limit, envelope));
        return;
      }
      const decision = decideFrame(event.payload, { ...options.ingest, sequencer });
      if (decision.kind === 'ignore') {
        log.debug({ peer, reason: decision.reason }, 'hl7 frame not answered');
        return;
      }
      if (decision.kind === 'reject') {
        log.warn({ peer, code: decision.details.code, reason: decision.details.text }, 'hl7 message rejected');
        answer(framedAck(decision.text, decision.charset, decision.details, envelope));
        return;
      }
      const { result } = decision;
      try {
        await withTimeout(Promise.resolve(options.onMessage(result)), handlerTimeoutMs);
      } catch (e) {
        if (e instanceof Hl7Nak) {
          log.warn(
            { peer, controlId: result.controlId, code: e.details.code, reason: e.message },
            'hl7 message refused',
          );
          answer(framedAck(decision.text, decision.charset, e.details, envelope));
          return;
        }
        log.error({ peer, err: e, controlId: result.controlId }, 'hl7 onMessage failed');
        answer(
          framedAck(
            decision.text,
            decision.charset,
            { code: 'AE', errorCode: 207, text: 'Could not store the observations' },
            envelope,
          ),
        );
        return;
      }
      if (result.errors.length > 0) {
        log.info(
          { peer, controlId: result.controlId, errors: result.errors.slice(0, 20) },
          'hl7 message mapped with notes',
        );
      }
      answer(framedAck(decision.text, decision.charset, { code: 'AA' }, envelope));
    };

    const pump = async (): Promise<void> => {
      if (working) return;
      working = true;
      try {
        while (!closed) {
          const event = queue.shift();
          if (event === undefined) break;
          try {
            await handle(event);
          } catch (e) {
            log.error({ peer, err: e }, 'hl7 frame handling failed');
          }
          if (queue.length < MAX_QUEUED_FRAMES / 2 && socket.isPaused()) socket.resume();
        }
      } finally {
        working = false;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      const events = decoder.push(chunk);
      // The deadline runs from the first byte that did not complete a frame until a frame completes;
      // a stray CR or LF between frames is tolerated.
      if (events.some((e) => e.kind === 'frame' || e.kind === 'oversize')) {
        stopFrameTimer();
        strayBytes = 0;
      }
      for (const e of events) if (e.kind === 'garbage') strayBytes += e.bytes;
      if ((decoder.pendingBytes > 0 || strayBytes > 2) && !frameTimer) {
        frameTimer = setTimeout(() => {
          log.warn({ peer, pendingBytes: decoder.pendingBytes }, 'hl7 mllp no complete frame in time, closing');
          socket.destroy();
        }, frameTimeoutMs);
      }
      if (events.length === 0) return;
      queue.push(...events);
      if (queue.length >= MAX_QUEUED_FRAMES) socket.pause();
      void pump();
    });
    socket.on('end', () => {
      for (const event of decoder.end()) {
        if (event.kind === 'garbage')
          log.warn({ peer, bytes: event.bytes, reason: event.reason }, 'hl7 mllp stream ended mid-frame');
      }
      // Finish answering what is queued, then close our side.
      const finish = (): void => {
        if (working || queue.length > 0) setTimeout(finish, 10);
        else socket.end();
      };
      finish();
    });
    socket.on('error', (err) => {
      log.debug({ peer, err }, 'hl7 mllp socket error');
    });
    socket.on('close', () => {
      closed = true;
      stopFrameTimer();
      const left = (openPerAddress.get(from) ?? 1) - 1;
      if (left > 0) openPerAddress.set(from, left);
      else openPerAddress.delete(from);
      queue.length = 0;
      sockets.delete(socket);
      log.info({ peer }, 'hl7 mllp connection closed');
    });
  });

  server.maxConnections = options.maxConnections ?? 32;
  server.on('drop', (data) => {
    log.warn({ peer: data?.remoteAddress }, 'hl7 mllp connection refused: too many connections');
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(err);
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => {
    log.error({ err }, 'hl7 mllp server error');
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  log.info({ host: options.host, port }, 'hl7 mllp listener started');

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`onMessage did not finish within ${ms} ms`));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
