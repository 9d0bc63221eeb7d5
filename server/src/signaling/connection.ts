import type { WebSocket } from 'ws';
import {
  describeIssues,
  isRequestMethod,
  requests,
  RequestFrame,
  type AccessTokenClaims,
  type ErrorBody,
  type NotificationData,
  type NotificationMethod,
  type RequestMethod,
  type ServerFrame,
} from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import { TokenBucket, type RateLimit } from '../limits/rateLimiter.ts';
import { mediaRefusal } from '../media/mediaRefusal.ts';
import type { Logger } from '../logger.ts';
import type { RoomEvents } from '../media/room.ts';
import type { HandlerContext, HandlerTable, PeerSession, SignalingServices } from './handlerTypes.ts';

/**
 * One authenticated signaling socket. Frames are validated (envelope, then the
 * method's own schema) and handled one at a time in arrival order, so a client
 * can pipeline requests without racing itself. A bad frame gets an error
 * response naming the problem; the socket stays open.
 */
export class SignalingConnection {
  readonly #socket: WebSocket;
  readonly #user: AccessTokenClaims;
  readonly #services: SignalingServices;
  readonly #handlers: HandlerTable;
  readonly #log: Logger;
  /** The client's address, for the access log. */
  readonly #address: string | null;
  #session: PeerSession | null = null;
  #unsubscribe: (() => void) | null = null;
  /**
   * Notifications of a room entered by the request being handled, held until its answer is out: the
   * answer (join's or resume's view of the room) comes first, and what happened after it follows.
   */
  #held: ServerFrame[] | null = null;
  #queue: Promise<void> = Promise.resolve();
  /** Frames admitted, and frames refused as RATE_LIMITED (too many of those closes the socket); null: no limit. */
  readonly #frames: TokenBucket | null;
  readonly #refused: TokenBucket | null;
  #limited = false;

  constructor(
    socket: WebSocket,
    user: AccessTokenClaims,
    services: SignalingServices,
    handlers: HandlerTable,
    log: Logger,
    address: string | null = null,
    limits: SocketLimits | null = null,
  ) {
    this.#frames = limits ? new TokenBucket(limits.perSocket) : null;
    this.#refused = limits ? new TokenBucket(limits.refusedBeforeClose) : null;
    this.#address = address;
    this.#socket = socket;
    this.#user = user;
    this.#services = services;
    this.#handlers = handlers;
    this.#log = log.child({ userId: user.sub, role: user.role });
    socket.on('message', (raw, isBinary) => {
      // Refused before it is queued: a flood costs a bounded queue, not memory without end.
      if (!this.#admit(raw, isBinary)) return;
      this.#queue = this.#queue.then(() => this.#onMessage(raw, isBinary));
    });
    socket.on('close', () => {
      // A dropped socket is not a hang-up: the peer keeps its place for a grace period (Room.disconnect).
      this.#queue = this.#queue.then(() => this.#drop());
    });
  }

  get user(): AccessTokenClaims {
    return this.#user;
  }

  get address(): string | null {
    return this.#address;
  }

  get session(): PeerSession | null {
    return this.#session;
  }

  #admit(raw: unknown, isBinary: boolean): boolean {
    if (!this.#frames || !this.#refused) return true;
    // Frames still buffered when the socket was closed for abuse: dropped, not counted or logged again.
    if (this.#socket.readyState !== this.#socket.OPEN) return false;
    const taken = this.#frames.take();
    if (taken.ok) {
      this.#limited = false;
      return true;
    }
    let id: number | null = null;
    if (!isBinary) {
      try {
        const json: unknown = JSON.parse(String(raw));
        if (typeof json === 'object' && json !== null && 'id' in json) id = numericId(json.id);
      } catch {
        // No usable id: answered with id null.
      }
    }
    if (!this.#limited) {
      this.#limited = true;
      this.#log.warn({ id, retryAfterMs: taken.retryAfterMs }, 'signaling socket rate limited');
    }
    if (!this.#refused.take().ok) {
      this.#log.warn({ address: this.#address }, 'signaling socket closed: it kept sending over its rate limit');
      this.close(1008, 'rate limit exceeded');
      return false;
    }
    this.#send({
      kind: 'response',
      id,
      ok: false,
      error: { code: 'RATE_LIMITED', message: 'too many signaling requests', retryAfterMs: taken.retryAfterMs },
    });
    return false;
  }

  async #onMessage(raw: unknown, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.#reject(null, 'BAD_REQUEST', 'binary frames are not accepted on the signaling socket');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(String(raw));
    } catch {
      this.#reject(null, 'BAD_REQUEST', 'frame is not valid JSON');
      return;
    }
    const frame = RequestFrame.safeParse(json);
    if (!frame.success) {
      const id = typeof json === 'object' && json !== null && 'id' in json ? numericId(json.id) : null;
      this.#reject(id, 'BAD_REQUEST', 'malformed request frame', describeIssues(frame.error));
      return;
    }
    const { id, method, data } = frame.data;
    if (!isRequestMethod(method)) {
      this.#reject(id, 'UNKNOWN_METHOD', `unknown method "${method}"`);
      return;
    }
    const parsed = requests[method].request.safeParse(data ?? {});
    if (!parsed.success) {
      this.#reject(id, 'BAD_REQUEST', `invalid data for "${method}"`, describeIssues(parsed.error));
      return;
    }
    try {
      const result = await this.#dispatch(method, parsed.data);
      this.#send({ kind: 'response', id, ok: true, data: result });
    } catch (thrown) {
      const error = thrown instanceof DomainError ? thrown : (mediaRefusal(thrown) ?? thrown);
      if (error instanceof DomainError) {
        this.#log.info({ method, code: error.code, reason: error.message }, 'request refused');
        this.#send({ kind: 'response', id, ok: false, error: errorBody(error) });
      } else {
        this.#log.error({ method, err: error }, 'request failed');
        this.#send({ kind: 'response', id, ok: false, error: { code: 'INTERNAL', message: `${method} failed` } });
      }
    } finally {
      this.#release();
    }
  }

  #dispatch(method: RequestMethod, data: unknown): Promise<unknown> {
    const handler = this.#handlers[method] as (ctx: HandlerContext, data: unknown) => unknown;
    return Promise.resolve(handler(this.#context(), data));
  }

  #context(): HandlerContext {
    return {
      user: this.#user,
      services: this.#services,
      address: this.#address,
      session: this.#session,
      enter: (session) => this.#enter(session),
      exit: () => this.#exit(),
    };
  }

  #enter(session: PeerSession): void {
    this.#session = session;
    // Between entering and the answer going out, other requests' continuations run (two joins whose
    // access-log entries became durable in the same disk sync): another peer's join is told to this
    // one at once. Sent before the answer, the client would wipe it with the answer's older peer list.
    this.#held = [];
    const onNotify = (...[peerId, method, data]: RoomEvents['notify']): void => {
      if (peerId !== session.peerId) return;
      if (this.#held) this.#held.push({ kind: 'notification', method, data });
      else this.notify(method, data);
    };
    const onClosed = (): void => this.#detach();
    // Another socket of this user took the place back (this one was thought dead): let go, do not leave.
    const onResumed = (...[peerId, epoch]: RoomEvents['resumed']): void => {
      if (peerId === session.peerId && epoch !== (session.epoch ?? 0)) {
        this.#log.info({ peerId }, 'place in the call taken over by a newer socket');
        this.#detach();
      }
    };
    session.room.on('notify', onNotify);
    session.room.once('closed', onClosed);
    session.room.on('resumed', onResumed);
    this.#unsubscribe = () => {
      session.room.off('notify', onNotify);
      session.room.off('closed', onClosed);
      session.room.off('resumed', onResumed);
    };
  }

  /** Sends what was held for the answer (see #held), in order. */
  #release(): void {
    const held = this.#held;
    this.#held = null;
    for (const frame of held ?? []) this.#send(frame);
  }

  #drop(): void {
    const session = this.#session;
    this.#detach();
    session?.room.disconnect(session.peerId, session.epoch ?? 0);
  }

  #exit(): void {
    const session = this.#session;
    this.#detach();
    session?.room.leave(session.peerId);
  }

  #detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#session = null;
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    this.#send({ kind: 'notification', method, data });
  }

  #reject(id: number | null, code: ErrorBody['code'], message: string, issues?: string[]): void {
    this.#log.warn({ id, code, reason: message, issues }, 'bad signaling frame');
    this.#send({ kind: 'response', id, ok: false, error: { code, message, ...(issues ? { issues } : {}) } });
  }

  #send(frame: ServerFrame): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(JSON.stringify(frame));
  }
}

/** Frames per socket, and how many refusals it may pile up before it is closed. */
export interface SocketLimits {
  readonly perSocket: RateLimit;
  readonly refusedBeforeClose: RateLimit;
}

function numericId(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function errorBody(error: DomainError): ErrorBody {
  return { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) };
}
