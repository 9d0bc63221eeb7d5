import WebSocket from 'ws';
import {
  SIGNALING_PATH,
  SIGNALING_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type ResponseFrame,
} from '@legevakt/shared';

export type Answer = { kind: 'response'; frame: ResponseFrame } | { kind: 'closed'; code: number };

/**
 * A signaling socket for fuzzing: sends raw text, binary or fragmented frames
 * and takes the responses in arrival order (the server answers each request
 * exactly once, in order, so "the next response" is the answer to "the last
 * frame"). A frame that is not JSON or not a response is itself a finding.
 */
export class FuzzSocket {
  readonly socket: WebSocket;
  readonly #responses: ResponseFrame[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly problems: string[] = [];
  closeCode: number | null = null;
  #nextId = 1_000_000;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (raw: Buffer, isBinary) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        this.problems.push(`server sent a frame that is not JSON (binary: ${String(isBinary)})`);
        return;
      }
      const kind = (frame as { kind?: unknown }).kind;
      if (kind === 'notification') return;
      if (kind !== 'response') {
        this.problems.push(`server sent a frame of kind ${JSON.stringify(kind)}`);
        return;
      }
      this.#responses.push(frame as ResponseFrame);
      this.#wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(baseUrl: string, token: string): Promise<FuzzSocket> {
    const url = new URL(SIGNALING_PATH, baseUrl.replace(/^https/, 'wss'));
    const socket = new WebSocket(url, [SIGNALING_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`], {
      rejectUnauthorized: false,
      // The server's 64 KiB limit is what is being tested, not ours.
      maxPayload: 16 * 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new FuzzSocket(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends one frame (optionally in fragments) and waits for the next response or the close. */
  async exchange(
    payload: string | Buffer,
    options: { binary?: boolean; fragments?: number } = {},
    timeoutMs = 10_000,
  ): Promise<Answer> {
    const fragments = Math.max(1, options.fragments ?? 1);
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const step = Math.ceil(bytes.length / fragments) || 1;
    for (let at = 0; at < bytes.length || at === 0; at += step) {
      const last = at + step >= bytes.length;
      this.socket.send(bytes.subarray(at, at + step), { binary: options.binary ?? false, fin: last });
      if (last) break;
    }
    return this.next(timeoutMs);
  }

  /** The next response in arrival order, or the close; a timeout is a hang and throws. */
  async next(timeoutMs = 10_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#responses.shift();
      if (frame) return { kind: 'response', frame };
      if (this.closeCode !== null) return { kind: 'closed', code: this.closeCode };
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms: the server hangs`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A typed, valid request; throws unless answered ok. */
  async request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const id = this.#nextId++;
    const answer = await this.exchange(JSON.stringify({ kind: 'request', id, method, data }));
    if (answer.kind === 'closed') throw new Error(`${method}: socket closed with ${answer.code}`);
    if (answer.frame.id !== id) throw new Error(`${method}: answer for id ${String(answer.frame.id)}, not ${id}`);
    if (!answer.frame.ok) throw new Error(`${method}: ${answer.frame.error.code} ${answer.frame.error.message}`);
    return answer.frame.data as ResponseData<M>;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
