import WebSocket from 'ws';
import {
  SIGNALING_PATH,
  SIGNALING_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  type NotificationFrame,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type ResponseFrame,
} from '@legevakt/shared';

/**
 * A Node client for the signaling socket, for integration tests: sends typed or
 * raw frames and records every response and notification.
 */
export class SignalingTestClient {
  readonly socket: WebSocket;
  readonly notifications: NotificationFrame[] = [];
  /** Every frame received, in arrival order: 'response', or the notification's method. */
  readonly arrivals: string[] = [];
  readonly #responses = new Map<number | null, ((frame: ResponseFrame) => void)[]>();
  readonly #notificationWaiters: { method: string; resolve: (frame: NotificationFrame) => void }[] = [];
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (raw) => {
      const frame = JSON.parse((raw as Buffer).toString()) as ResponseFrame | NotificationFrame;
      this.arrivals.push(frame.kind === 'notification' ? frame.method : frame.kind);
      if (frame.kind === 'notification') {
        this.notifications.push(frame);
        const waiter = this.#notificationWaiters.findIndex((w) => w.method === frame.method);
        if (waiter >= 0) this.#notificationWaiters.splice(waiter, 1)[0]!.resolve(frame);
        return;
      }
      const queue = this.#responses.get(frame.id);
      const resolve = queue?.shift();
      if (resolve) resolve(frame);
    });
  }

  static connect(baseUrl: string, token: string | null): Promise<SignalingTestClient> {
    const url = new URL(SIGNALING_PATH, baseUrl.replace(/^https/, 'wss'));
    const protocols = token ? [SIGNALING_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`] : [SIGNALING_SUBPROTOCOL];
    const socket = new WebSocket(url, protocols, { rejectUnauthorized: false });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new SignalingTestClient(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** Sends a request and resolves with the raw response frame (ok or not). */
  send(method: string, data?: unknown): Promise<ResponseFrame> {
    const id = this.#nextId++;
    this.socket.send(JSON.stringify({ kind: 'request', id, method, data }));
    return this.#awaitResponse(id);
  }

  /** Sends a typed request and resolves with its data, or rejects with the error frame. */
  async request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const frame = await this.send(method, data);
    if (!frame.ok) throw new Error(`${method}: ${frame.error.code} ${frame.error.message}`);
    return frame.data as ResponseData<M>;
  }

  /** Sends bytes as they are and resolves with the response for `expectId`. */
  sendRaw(raw: string | Buffer, expectId: number | null = null): Promise<ResponseFrame> {
    const response = this.#awaitResponse(expectId);
    this.socket.send(raw);
    return response;
  }

  waitForNotification(method: string, timeoutMs = 5000): Promise<NotificationFrame> {
    const seen = this.notifications.find((n) => n.method === method);
    if (seen) {
      this.notifications.splice(this.notifications.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${method}" notification within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#notificationWaiters.push({
        method,
        resolve: (frame) => {
          clearTimeout(timer);
          this.notifications.splice(this.notifications.indexOf(frame), 1);
          resolve(frame);
        },
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  /** Drops the TCP connection without a close handshake, like a lost network. */
  terminate(): void {
    this.socket.terminate();
  }

  #awaitResponse(id: number | null): Promise<ResponseFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response for id ${String(id)}`)), 10_000);
      const queue = this.#responses.get(id) ?? [];
      queue.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.#responses.set(id, queue);
    });
  }
}
