import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  notifications,
  SIGNALING_PATH,
  SIGNALING_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  VITALS_RELAY_MAX_BATCH,
  VITALS_RELAY_MAX_BATCH_BASE64_CHARS,
  type ConsultStatus,
  type ConsultView,
  type RequestData,
  type RequestMethod,
  type ResponseData,
} from '@legevakt/shared';
import type { Logger } from '../logger.ts';
import type { DurableOutbox } from './outbox.ts';
import { ServerHttpError, tlsOptions, type BridgeAuth, type BridgeTls } from './serverApi.ts';

/**
 * The bridge's side of the vitals relay: one signaling socket to the server,
 * an open relay for the consult, and the outbox's unacknowledged messages sent
 * in batches. Mirrors the browser source (client/src/vitals/VitalsOutbox.ts):
 * everything stays in the outbox until the server's cumulative `vitalsAck`
 * says it is stored, and after any reconnect everything unacknowledged is sent
 * again, in order (the server stores each seq once, the doctor's client drops
 * duplicates).
 *
 * A dead link is noticed by ping/pong (a cable pulled leaves TCP silent, not
 * closed); reconnects back off exponentially with jitter so a satellite's
 * bridges do not all return at the same instant after an outage.
 */

export type RelayState =
  | 'connecting'
  | 'relaying'
  /** The consult is back in the queue (or not yet taken): messages wait in the outbox. */
  | 'waiting-for-consult'
  /** The consult ended (documentation, closed, cancelled) or is not ours: nothing more is relayed. */
  | 'ended'
  | 'closed';

export interface RelayTuning {
  /** Ping interval; a link silent for pongTimeoutMs is dropped and reconnected. */
  pingIntervalMs: number;
  pongTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Reconnect delay: base × 2^attempt, capped, with equal jitter (half fixed, half random). */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Sent messages not acknowledged this long are sent again (an ack lost with a replaced relay). */
  ackTimeoutMs: number;
  /** A request unanswered this long means a stuck link: reconnect. */
  requestTimeoutMs: number;
  /** relayVitals requests in flight at once. */
  maxInFlight: number;
  /**
   * While the consult waits in the queue, how often the relay is tried again. The
   * live 'consultChanged' notification (a doctor took it) retries at once; this is
   * the fallback, rare because every refused try is an access-log entry.
   */
  waitingRetryMs: number;
}

export const DEFAULT_RELAY_TUNING: RelayTuning = {
  pingIntervalMs: 1000,
  pongTimeoutMs: 4000,
  handshakeTimeoutMs: 5000,
  backoffBaseMs: 250,
  backoffCapMs: 4000,
  ackTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  maxInFlight: 4,
  waitingRetryMs: 60_000,
};

export interface RelayClientEvents {
  state: [state: RelayState];
  /** A batch went out on the socket. */
  sent: [batch: { firstSeq: number; count: number; at: number }];
  /** The server took a batch into the room (before storing it). */
  relayed: [batch: { firstSeq: number; count: number; at: number }];
  /** The server has stored everything up to seq. */
  acked: [seq: number];
  /** The consult can no longer receive vitals; `status` says why. */
  ended: [status: ConsultStatus | 'forbidden' | 'not-found'];
}

export interface RelayClientOptions {
  server: URL;
  consultId: string;
  auth: BridgeAuth;
  tls: BridgeTls;
  outbox: DurableOutbox;
  log: Logger;
  tuning?: Partial<RelayTuning>;
}

export class RelayRequestError extends Error {
  readonly code: string;
  readonly issues: string[];

  constructor(method: string, code: string, message: string, issues: string[] = []) {
    super(`${method}: ${code} ${message}`);
    this.name = 'RelayRequestError';
    this.code = code;
    this.issues = issues;
  }
}

const TERMINAL: readonly ConsultStatus[] = ['documentation', 'closed', 'cancelled'];

interface PendingRequest {
  method: string;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One socket's life. Callbacks of an old connection check `conn === this.#conn` and do nothing otherwise. */
interface Conn {
  readonly ws: WebSocket;
  readonly requests: Map<number, PendingRequest>;
  nextId: number;
  lastSeen: number;
  relayOpen: boolean;
  /** Next seq to send. */
  cursor: number;
  inFlight: number;
  pausedUntil: number;
  /** When ack progress was last seen (or sending began with nothing outstanding). */
  ackClock: number;
  timers: NodeJS.Timeout[];
}

export class RelayClient extends EventEmitter<RelayClientEvents> {
  readonly #server: URL;
  readonly #consultId: string;
  readonly #auth: BridgeAuth;
  readonly #tls: BridgeTls;
  readonly #outbox: DurableOutbox;
  readonly #log: Logger;
  readonly #tuning: RelayTuning;
  #state: RelayState = 'connecting';
  #conn: Conn | null = null;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #started = false;
  /** Refusals in a row of a relay into a consult that looked active. */
  #refusals = 0;
  /** Signaling frames and bytes (JSON text, before TLS) this client has sent. */
  readonly stats = { framesSent: 0, bytesSent: 0, reconnects: 0 };

  constructor(options: RelayClientOptions) {
    super();
    this.#server = options.server;
    this.#consultId = options.consultId;
    this.#auth = options.auth;
    this.#tls = options.tls;
    this.#outbox = options.outbox;
    this.#log = options.log.child({ component: 'relay' });
    this.#tuning = { ...DEFAULT_RELAY_TUNING, ...options.tuning };
  }

  get state(): RelayState {
    return this.#state;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#connect();
  }

  /** New messages are in the outbox. */
  wake(): void {
    if (this.#conn) this.#pump(this.#conn);
  }

  async close(): Promise<void> {
    const conn = this.#conn;
    this.#setState('closed');
    this.#clearTimers();
    if (conn) {
      if (conn.relayOpen && conn.ws.readyState === WebSocket.OPEN) {
        await this.#request(conn, 'closeVitalsRelay', {}, 1000).catch(() => undefined);
      }
      this.#drop(conn, 'bridge closing');
    }
  }

  #setState(state: RelayState): void {
    if (this.#state === state || this.#state === 'closed') return;
    if (this.#state === 'ended' && state !== 'closed') return;
    this.#state = state;
    this.#log.info({ state }, 'relay state');
    this.emit('state', state);
  }

  #clearTimers(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#reconnectTimer = null;
    this.#retryTimer = null;
  }

  #stopped(): boolean {
    return this.#state === 'closed' || this.#state === 'ended';
  }

  async #connect(): Promise<void> {
    if (this.#stopped()) return;
    let token: string;
    try {
      token = await this.#auth.accessToken();
    } catch (error) {
      this.#log.warn({ err: error, attempt: this.#attempt }, 'login failed; will retry');
      this.#scheduleReconnect();
      return;
    }
    if (this.#stopped()) return;
    const url = new URL(SIGNALING_PATH, this.#server);
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    const ws = new WebSocket(url, [SIGNALING_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`], {
      ...tlsOptions(this.#tls),
      handshakeTimeout: this.#tuning.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    const conn: Conn = {
      ws,
      requests: new Map(),
      nextId: 1,
      lastSeen: Date.now(),
      relayOpen: false,
      cursor: this.#outbox.firstPendingSeq,
      inFlight: 0,
      pausedUntil: 0,
      ackClock: Date.now(),
      timers: [],
    };
    this.#conn = conn;
    this.#setState('connecting');
    ws.on('unexpected-response', (_request, response) => {
      if (response.statusCode === 401) this.#auth.invalidate();
      this.#log.warn({ status: response.statusCode }, 'signaling socket refused');
      ws.terminate();
    });
    ws.on('error', (error) => {
      this.#log.debug({ err: error }, 'signaling socket error');
    });
    ws.on('close', (code, reason) => {
      if (code === 4001) this.#auth.invalidate();
      this.#onClosed(conn, `closed ${code} ${reason.toString()}`);
    });
    ws.on('pong', () => {
      conn.lastSeen = Date.now();
    });
    ws.on('message', (raw) => {
      conn.lastSeen = Date.now();
      this.#onFrame(conn, raw);
    });
    ws.on('open', () => {
      conn.lastSeen = Date.now();
      this.#log.info({ server: this.#server.origin }, 'signaling socket open');
      conn.timers.push(setInterval(() => this.#tick(conn), Math.min(this.#tuning.pingIntervalMs, 1000)));
      void this.#openRelay(conn);
    });
  }

  /** Liveness and ack timeouts, once a second (or more often). */
  #tick(conn: Conn): void {
    if (conn !== this.#conn) return;
    const now = Date.now();
    if (now - conn.lastSeen > this.#tuning.pongTimeoutMs) {
      this.#log.warn({ silentMs: now - conn.lastSeen }, 'server silent; dropping the link');
      this.#drop(conn, 'pong timeout');
      return;
    }
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.ping();
    const outstanding = conn.cursor > this.#outbox.firstPendingSeq;
    if (conn.relayOpen && outstanding && now - conn.ackClock > this.#tuning.ackTimeoutMs) {
      this.#log.warn(
        { from: this.#outbox.firstPendingSeq, to: conn.cursor - 1 },
        'no acknowledgement in time; sending the unacknowledged messages again',
      );
      conn.cursor = this.#outbox.firstPendingSeq;
      conn.ackClock = now;
      this.#pump(conn);
    }
  }

  #drop(conn: Conn, why: string): void {
    for (const timer of conn.timers) clearInterval(timer);
    conn.timers = [];
    conn.relayOpen = false;
    conn.ws.terminate();
    this.#onClosed(conn, why);
  }

  #onClosed(conn: Conn, why: string): void {
    for (const request of conn.requests.values()) {
      clearTimeout(request.timer);
      request.reject(new RelayRequestError(request.method, 'DISCONNECTED', why));
    }
    conn.requests.clear();
    for (const timer of conn.timers) clearInterval(timer);
    conn.timers = [];
    conn.relayOpen = false;
    if (conn !== this.#conn) return;
    this.#conn = null;
    if (this.#stopped()) return;
    this.#log.warn({ why, pending: this.#outbox.pendingCount }, 'signaling link lost');
    this.#setState('connecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped() || this.#reconnectTimer) return;
    const exp = Math.min(this.#tuning.backoffCapMs, this.#tuning.backoffBaseMs * 2 ** this.#attempt);
    const delay = Math.round(exp / 2 + (Math.random() * exp) / 2);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#log.info({ delayMs: delay, attempt: this.#attempt }, 'reconnecting');
    this.stats.reconnects += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#connect();
    }, delay);
  }

  #onFrame(conn: Conn, raw: WebSocket.RawData): void {
    let frame: { kind?: unknown; id?: unknown; ok?: unknown; data?: unknown; error?: unknown; method?: unknown };
    try {
      frame = JSON.parse(rawToString(raw)) as typeof frame;
    } catch {
      this.#log.warn('server frame is not JSON; ignored');
      return;
    }
    if (frame.kind === 'response' && typeof frame.id === 'number') {
      const request = conn.requests.get(frame.id);
      if (!request) return;
      conn.requests.delete(frame.id);
      clearTimeout(request.timer);
      if (frame.ok === true) request.resolve(frame.data);
      else {
        const error = (frame.error ?? {}) as { code?: string; message?: string; issues?: string[] };
        request.reject(
          new RelayRequestError(request.method, error.code ?? 'INTERNAL', error.message ?? '', error.issues ?? []),
        );
      }
      return;
    }
    if (frame.kind === 'notification' && conn === this.#conn)
      this.#onNotification(conn, String(frame.method), frame.data);
  }

  #onNotification(conn: Conn, method: string, data: unknown): void {
    if (method === 'vitalsAck') {
      const parsed = notifications.vitalsAck.safeParse(data);
      if (!parsed.success || parsed.data.sourceId !== this.#outbox.sourceId) return;
      const before = this.#outbox.ackedSeq;
      this.#outbox.acknowledge(parsed.data.seq);
      if (this.#outbox.ackedSeq > before) {
        conn.ackClock = Date.now();
        this.emit('acked', this.#outbox.ackedSeq);
      }
      return;
    }
    if (method === 'roomClosed') {
      this.#log.warn({ data }, 'the consult room closed under the relay; opening it again');
      conn.relayOpen = false;
      this.#retrySoon(conn, 250);
      return;
    }
    if (method === 'consultChanged') {
      const parsed = notifications.consultChanged.safeParse(data);
      if (!parsed.success || parsed.data.consult.id !== this.#consultId) return;
      const status = parsed.data.consult.status;
      this.#log.info({ status, change: parsed.data.change }, 'consult changed');
      if (TERMINAL.includes(status)) this.#end(status);
      else if (status === 'active' && !conn.relayOpen) this.#retrySoon(conn, 0);
      else if (status === 'waiting') {
        // Back in the queue: let the room go; messages wait in the outbox until a doctor takes it again.
        if (conn.relayOpen) void this.#request(conn, 'closeVitalsRelay', {}).catch(() => undefined);
        conn.relayOpen = false;
        this.#setState('waiting-for-consult');
      }
    }
  }

  #retrySoon(conn: Conn, delayMs: number): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (conn === this.#conn && !conn.relayOpen) void this.#openRelay(conn);
    }, delayMs);
  }

  async #openRelay(conn: Conn): Promise<void> {
    if (conn !== this.#conn || this.#stopped()) return;
    let storedSeq: number;
    try {
      ({ storedSeq } = await this.#request(conn, 'openVitalsRelay', {
        consultId: this.#consultId,
        sourceId: this.#outbox.sourceId,
      }));
    } catch (error) {
      await this.#onOpenRefused(conn, error);
      return;
    }
    if (conn !== this.#conn) return;
    if (storedSeq >= this.#outbox.nextSeq) {
      // The server has more of this source than we ever numbered: this outbox is
      // older than what it sent (restored from a backup). Start a new source.
      this.#log.error(
        { sourceId: this.#outbox.sourceId, storedSeq, nextSeq: this.#outbox.nextSeq },
        'the server holds messages this outbox never numbered; starting a new source id',
      );
      await this.#request(conn, 'closeVitalsRelay', {}).catch(() => undefined);
      await this.#outbox.rotateSource();
      void this.#openRelay(conn);
      return;
    }
    this.#outbox.acknowledge(storedSeq);
    conn.relayOpen = true;
    conn.cursor = this.#outbox.firstPendingSeq;
    conn.ackClock = Date.now();
    conn.pausedUntil = 0;
    this.#attempt = 0;
    this.#refusals = 0;
    this.#log.info(
      { storedSeq, pending: this.#outbox.pendingCount, sourceId: this.#outbox.sourceId },
      'vitals relay open; sending what is unacknowledged',
    );
    this.#setState('relaying');
    this.#pump(conn);
  }

  async #onOpenRefused(conn: Conn, error: unknown): Promise<void> {
    if (conn !== this.#conn) return;
    const code = error instanceof RelayRequestError ? error.code : 'INTERNAL';
    if (code === 'DISCONNECTED') return;
    if (code === 'FORBIDDEN' || code === 'NOT_FOUND') {
      this.#log.warn({ err: error }, 'the server refused the relay');
      await this.#checkConsult(conn);
      return;
    }
    this.#log.warn({ err: error }, 'opening the relay failed; reconnecting');
    this.#drop(conn, 'relay open failed');
  }

  /** After a refusal: ended for good, or waiting in the queue (try again later)? */
  async #checkConsult(conn: Conn): Promise<void> {
    try {
      const consult = await this.#auth.consult(this.#consultId);
      if (!this.#requestingSide(consult)) {
        this.#end('forbidden');
        return;
      }
      if (TERMINAL.includes(consult.status)) {
        this.#end(consult.status);
        return;
      }
      if (consult.status === 'waiting') {
        this.#setState('waiting-for-consult');
        this.#retrySoon(conn, this.#tuning.waitingRetryMs);
      } else {
        // Active again already (returned and taken in between): retry soon, backing off should it persist.
        this.#refusals += 1;
        this.#retrySoon(conn, Math.min(this.#tuning.waitingRetryMs, 250 * 2 ** Math.min(this.#refusals, 16)));
      }
    } catch (error) {
      if (error instanceof ServerHttpError && (error.status === 403 || error.status === 404)) {
        this.#end(error.status === 403 ? 'forbidden' : 'not-found');
        return;
      }
      this.#log.warn({ err: error }, 'could not read the consult; trying again');
      this.#retrySoon(conn, this.#tuning.waitingRetryMs);
    }
  }

  /** Only the nurses of the satellite (or the crew of the unit) that requested the consult relay into it. */
  #requestingSide(consult: ConsultView): boolean {
    const user = this.#auth.user;
    if (!user) return false;
    const place = user.workplace;
    if (place.kind === 'satellite') return user.role === 'nurse' && consult.satelliteId === place.satelliteId;
    if (place.kind === 'ambulance')
      return user.role === 'ambulance' && consult.ambulanceUnitId === place.ambulanceUnitId;
    if (place.kind === 'station') return user.role === 'station_doctor' && consult.stationId === place.stationId;
    return false;
  }

  #end(status: ConsultStatus | 'forbidden' | 'not-found'): void {
    if (this.#stopped()) return;
    this.#log.error(
      { consultId: this.#consultId, status, unsent: this.#outbox.pendingCount },
      'the consult no longer takes vitals: relay ended (unsent messages stay in the outbox file)',
    );
    this.#setState('ended');
    this.#clearTimers();
    this.emit('ended', status);
    const conn = this.#conn;
    if (conn) {
      this.#conn = null;
      for (const timer of conn.timers) clearInterval(timer);
      conn.ws.close(1000, 'consult ended');
    }
  }

  #pump(conn: Conn): void {
    if (conn !== this.#conn || !conn.relayOpen || this.#stopped()) return;
    const now = Date.now();
    if (now < conn.pausedUntil) return;
    while (conn.inFlight < this.#tuning.maxInFlight) {
      conn.cursor = Math.max(conn.cursor, this.#outbox.firstPendingSeq);
      const first = conn.cursor;
      const batch: string[] = [];
      let chars = 0;
      for (let seq = first; seq < this.#outbox.nextSeq && batch.length < VITALS_RELAY_MAX_BATCH; seq++) {
        const payload = this.#outbox.pending(seq);
        if (payload === undefined) break;
        const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64');
        if (batch.length > 0 && chars + text.length > VITALS_RELAY_MAX_BATCH_BASE64_CHARS) break;
        batch.push(text);
        chars += text.length;
      }
      if (batch.length === 0) return;
      if (conn.cursor <= this.#outbox.firstPendingSeq) conn.ackClock = now; // nothing was outstanding
      conn.cursor = first + batch.length;
      conn.inFlight += 1;
      const answer = this.#request(conn, 'relayVitals', { messages: batch });
      this.emit('sent', { firstSeq: first, count: batch.length, at: Date.now() });
      answer.then(
        ({ accepted, retryAfterMs }) => {
          conn.inFlight -= 1;
          if (accepted > 0) this.emit('relayed', { firstSeq: first, count: accepted, at: Date.now() });
          if (retryAfterMs !== undefined) {
            // Throttled: continue from the first message not taken, after the wait.
            conn.cursor = Math.min(conn.cursor, first + accepted);
            conn.pausedUntil = Date.now() + retryAfterMs;
            conn.timers.push(setTimeout(() => this.#pump(conn), retryAfterMs));
            this.#log.info({ accepted, offered: batch.length, retryAfterMs }, 'relay throttled by the server');
          }
          this.#pump(conn);
        },
        (error: unknown) => {
          conn.inFlight -= 1;
          this.#onRelayError(conn, error, first, batch.length);
        },
      );
    }
  }

  #onRelayError(conn: Conn, error: unknown, first: number, count: number): void {
    if (conn !== this.#conn) return;
    const code = error instanceof RelayRequestError ? error.code : 'INTERNAL';
    if (code === 'DISCONNECTED') return;
    conn.cursor = Math.min(conn.cursor, first);
    if (code === 'CONFLICT') {
      // The relay was closed (room restarted, replaced by a newer link): open it again.
      if (conn.relayOpen) this.#log.warn({ err: error }, 'relay gone; opening it again');
      conn.relayOpen = false;
      this.#retrySoon(conn, 100);
      return;
    }
    if (code === 'FORBIDDEN' || code === 'NOT_FOUND') {
      conn.relayOpen = false;
      this.#log.warn({ err: error }, 'the server refused relayed vitals');
      void this.#checkConsult(conn);
      return;
    }
    const index = code === 'BAD_REQUEST' ? badIndex(error) : null;
    if (index !== null && index < count) {
      // The server will never store this one; an empty message keeps its seq so the ack can pass it.
      const seq = first + index;
      this.#log.error({ seq, err: error }, 'the server refused a relayed message; replaced by an empty one');
      this.#outbox.replace(seq, { type: 'numerics', samples: [] });
      this.#pump(conn);
      return;
    }
    this.#log.warn({ err: error }, 'relayVitals failed; reconnecting');
    this.#drop(conn, 'relay failed');
  }

  #request<M extends RequestMethod>(
    conn: Conn,
    method: M,
    data: RequestData<M>,
    timeoutMs = this.#tuning.requestTimeoutMs,
  ): Promise<ResponseData<M>> {
    return new Promise((resolve, reject) => {
      if (conn.ws.readyState !== WebSocket.OPEN) {
        reject(new RelayRequestError(method, 'DISCONNECTED', 'socket not open'));
        return;
      }
      const id = conn.nextId++;
      const timer = setTimeout(() => {
        conn.requests.delete(id);
        reject(new RelayRequestError(method, 'TIMEOUT', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      conn.requests.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      const text = JSON.stringify({ kind: 'request', id, method, data });
      this.stats.framesSent += 1;
      this.stats.bytesSent += Buffer.byteLength(text);
      conn.ws.send(text);
    });
  }
}

function rawToString(raw: WebSocket.RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

/** `messages.<i>: …` in a BAD_REQUEST says which message of the batch was refused. */
function badIndex(error: unknown): number | null {
  if (!(error instanceof RelayRequestError)) return null;
  const match = /messages\.(\d+):/.exec(`${error.message} ${error.issues.join(' ')}`);
  return match ? Number(match[1]) : null;
}
