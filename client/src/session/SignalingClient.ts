import {
  notifications,
  requests,
  ServerFrame,
  SIGNALING_PATH,
  SIGNALING_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  isNotificationMethod,
  type ErrorBody,
  type NotificationData,
  type NotificationMethod,
  type RequestData,
  type RequestMethod,
  type ResponseData,
} from '@legevakt/shared';
import { rateLimitedMessage } from './rateLimit.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export class SignalingError extends Error {
  readonly code: ErrorBody['code'];
  readonly issues: string[] | undefined;
  constructor(method: string, body: ErrorBody) {
    // A refusal for sending too much reads the same as the HTTP API's 429, wherever it is shown.
    super(body.code === 'RATE_LIMITED' ? `${rateLimitedMessage()} (${method})` : `${method}: ${body.message}`);
    this.name = 'SignalingError';
    this.code = body.code;
    this.issues = body.issues;
  }
}

type NotificationEvents = { [M in NotificationMethod]: [NotificationData<M>] };
export type SignalingEvents = NotificationEvents & { close: [code: number, reason: string] };

interface Pending {
  method: RequestMethod;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const REQUEST_TIMEOUT_MS = 15_000;
/** A link cut closes no WebSocket by itself: the client probes when the socket has been quiet this long… */
const PROBE_AFTER_MS = 2_000;
/** …and takes it for dead when nothing at all arrived for this long (two probes unanswered). */
const DEAD_AFTER_MS = 6_000;
/** An opening socket whose link is down hangs (SYN retries) far longer than this; give up and retry. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The client end of the signaling socket: typed requests that resolve with
 * schema-checked responses, and typed notification events. Both directions are
 * validated with the shared schemas, so a server/client mismatch fails loudly.
 */
export class SignalingClient extends TypedEmitter<SignalingEvents> {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #lastHeard = Date.now();
  #lastProbe = 0;
  #closed = false;
  readonly #heartbeat: ReturnType<typeof setInterval>;

  private constructor(socket: WebSocket) {
    super();
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      this.#lastHeard = Date.now();
      this.#onMessage(event.data);
    });
    socket.addEventListener('close', (event) => this.#finish(event.code, event.reason));
    this.#heartbeat = setInterval(() => this.#checkAlive(), PROBE_AFTER_MS / 2);
  }

  /**
   * Anything received proves the socket alive; after a quiet spell a `ping`
   * asks. Dead: closed at once, without waiting for a closing handshake that a
   * cut link never carries, so the workspace reconnects and the call resumes.
   */
  #checkAlive(): void {
    const now = Date.now();
    const quiet = now - this.#lastHeard;
    if (quiet > DEAD_AFTER_MS) {
      this.#socket.close(4000, 'no answer from the server');
      this.#finish(4000, `nothing heard for ${quiet} ms`);
      return;
    }
    if (quiet >= PROBE_AFTER_MS && now - this.#lastProbe >= PROBE_AFTER_MS && this.open) {
      this.#lastProbe = now;
      this.request('ping', {}).catch(() => undefined); // its answer (or silence) is what counts
    }
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`${pending.method}: connection closed`));
    }
    this.#pending.clear();
    this.emit('close', code, reason);
  }

  static connect(token: string, origin: string = location.origin): Promise<SignalingClient> {
    const url = new URL(SIGNALING_PATH, origin);
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, [SIGNALING_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
      const timer = setTimeout(() => {
        socket.removeEventListener('open', onOpen);
        socket.removeEventListener('error', onError);
        socket.close();
        reject(new Error(`the signaling connection did not open within ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      const onOpen = (): void => {
        clearTimeout(timer);
        socket.removeEventListener('error', onError);
        resolve(new SignalingClient(socket));
      };
      const onError = (): void => {
        clearTimeout(timer);
        socket.removeEventListener('open', onOpen);
        reject(new Error('could not open the signaling connection'));
      };
      socket.addEventListener('open', onOpen, { once: true });
      socket.addEventListener('error', onError, { once: true });
    });
  }

  get open(): boolean {
    return !this.#closed && this.#socket.readyState === WebSocket.OPEN;
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const id = this.#nextId++;
    return new Promise<ResponseData<M>>((resolve, reject) => {
      if (!this.open) {
        reject(new Error(`${method}: not connected`));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      this.#socket.send(JSON.stringify({ kind: 'request', id, method, data }));
    });
  }

  close(): void {
    this.#socket.close(1000, 'bye');
    this.#finish(1000, 'bye');
  }

  #onMessage(raw: unknown): void {
    let frame;
    try {
      frame = ServerFrame.parse(JSON.parse(String(raw)));
    } catch (error) {
      console.error('unreadable signaling frame', error);
      return;
    }
    if (frame.kind === 'notification') {
      if (!isNotificationMethod(frame.method)) {
        console.warn('unknown notification', frame.method);
        return;
      }
      const parsed = notifications[frame.method].safeParse(frame.data);
      if (!parsed.success) {
        console.error(`invalid "${frame.method}" notification`, parsed.error);
        return;
      }
      // The schema table guarantees data matches the method; TypeScript cannot correlate the two.
      (this.emit as (event: NotificationMethod, payload: unknown) => void)(frame.method, parsed.data);
      return;
    }
    const pending = frame.id === null ? undefined : this.#pending.get(frame.id);
    if (!pending) {
      if (!frame.ok) console.error('signaling error without a pending request', frame.error);
      return;
    }
    this.#pending.delete(frame.id!);
    clearTimeout(pending.timer);
    if (!frame.ok) {
      pending.reject(new SignalingError(pending.method, frame.error));
      return;
    }
    const parsed = requests[pending.method].response.safeParse(frame.data);
    if (parsed.success) pending.resolve(parsed.data);
    else pending.reject(new Error(`${pending.method}: unexpected response shape`));
  }
}
