import dgram from 'node:dgram';

/**
 * A user-space UDP relay that makes a bad mobile link for browser tests: this
 * kernel has no netem, and DevTools throttling does not touch WebRTC. Clients
 * send to the relay's port (the media server announces it instead of its own);
 * each client gets an upstream socket of its own towards the target, so replies
 * find their way back. Both directions get the same conditions, separately:
 * a rate cap (a link of that many bytes/s with a bounded queue: what overflows
 * is dropped, as on a real bottleneck), random loss and a fixed delay, all
 * changeable while packets flow.
 */
export interface LinkConditions {
  /** Bytes/s in each direction; null = no cap. */
  readonly rateBytesPerS: number | null;
  /** 0–100, each packet independently. */
  readonly lossPercent: number;
  /** One-way delay added to every packet (ms). */
  readonly delayMs: number;
  /** The longest a packet may wait in the rate cap's queue before it is dropped instead (ms). */
  readonly maxQueueMs: number;
}

export const OPEN_LINK: LinkConditions = { rateBytesPerS: null, lossPercent: 0, delayMs: 0, maxQueueMs: 300 };

export interface DirectionCounters {
  /** Packets and bytes handed on to the far side. */
  packets: number;
  bytes: number;
  /** Dropped by the random loss. */
  lost: number;
  /** Dropped because the rate cap's queue was full. */
  overflowed: number;
}

export interface RelayCounters {
  /** Client → target (the browser's upload). */
  readonly up: DirectionCounters;
  /** Target → client. */
  readonly down: DirectionCounters;
}

/** One direction of the constrained link: when its rate cap is free again (ms, performance clock). */
interface Direction {
  nextFreeAt: number;
}

/** A client of the relay, as it sends from (the browser's ICE host candidate). */
export interface RelayClient {
  readonly address: string;
  readonly port: number;
}

interface Client extends RelayClient {
  readonly upstream: dgram.Socket;
  readonly up: DirectionCounters;
  readonly down: DirectionCounters;
}

export interface UdpRelayOptions {
  /** Where the relay listens for clients; port 0 picks a free one. */
  readonly listen?: { host: string; port?: number };
  readonly target?: { host: string; port: number };
  readonly conditions?: Partial<LinkConditions>;
  /** For deterministic tests. */
  readonly random?: () => number;
}

export class UdpRelay {
  readonly #socket: dgram.Socket;
  readonly #clients = new Map<string, Client>();
  /** Which clients get the conditions (the others pass unchanged): all unless set. */
  #constrained: (client: RelayClient) => boolean = () => true;
  /**
   * The constrained clients share one link, as a browser's send and receive
   * transports share the ambulance's one mobile connection.
   */
  readonly #up: Direction = { nextFreeAt: 0 };
  readonly #down: Direction = { nextFreeAt: 0 };
  readonly #random: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #target: { host: string; port: number } | null;
  #conditions: LinkConditions;
  #closed = false;

  private constructor(socket: dgram.Socket, options: UdpRelayOptions) {
    this.#socket = socket;
    this.#random = options.random ?? Math.random;
    this.#target = options.target ?? null;
    this.#conditions = validate({ ...OPEN_LINK, ...options.conditions });
  }

  static async start(options: UdpRelayOptions = {}): Promise<UdpRelay> {
    const socket = dgram.createSocket('udp4');
    const relay = new UdpRelay(socket, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (message, from) => relay.#fromClient(message, from));
    // A send to a client that went away must not bring the test down.
    socket.on('error', () => undefined);
    return relay;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  get conditions(): LinkConditions {
    return this.#conditions;
  }

  /** The target may be set after start: the relay's port must be known before the server it fronts starts. */
  setTarget(host: string, port: number): void {
    this.#target = { host, port };
  }

  setConditions(conditions: Partial<LinkConditions>): void {
    this.#conditions = validate({ ...this.#conditions, ...conditions });
  }

  /**
   * Only the clients this says yes to get the conditions: a test constrains one
   * browser's link (the ambulance) and leaves the other's (the doctor) open.
   */
  constrain(which: (client: RelayClient) => boolean): void {
    this.#constrained = which;
  }

  /** The counters so far, summed over the constrained clients (take two and subtract for a rate). */
  counters(): RelayCounters {
    const up = zero();
    const down = zero();
    for (const client of this.#clients.values()) {
      if (!this.#constrained(client)) continue;
      add(up, client.up);
      add(down, client.down);
    }
    return { up, down };
  }

  /** Every client seen so far. */
  clients(): RelayClient[] {
    return [...this.#clients.values()].map(({ address, port }) => ({ address, port }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const sockets = [this.#socket, ...[...this.#clients.values()].map((c) => c.upstream)];
    this.#clients.clear();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #fromClient(message: Buffer, from: dgram.RemoteInfo): void {
    const target = this.#target;
    if (!target || this.#closed) return;
    const key = `${from.address}:${from.port}`;
    let client = this.#clients.get(key);
    if (!client) {
      const upstream = dgram.createSocket('udp4');
      const created: Client = {
        address: from.address,
        port: from.port,
        upstream,
        up: zero(),
        down: zero(),
      };
      upstream.on('message', (reply) => {
        this.#pass(created, 'down', reply, (data) => this.#socket.send(data, from.port, from.address));
      });
      upstream.on('error', () => undefined);
      upstream.bind(0, '127.0.0.1');
      this.#clients.set(key, created);
      client = created;
    }
    const via = client.upstream;
    this.#pass(client, 'up', message, (data) => via.send(data, target.port, target.host));
  }

  /** Loss, then the rate cap's queue, then the delay; `send` when the packet leaves the far end of the link. */
  #pass(client: Client, way: 'up' | 'down', data: Buffer, send: (data: Buffer) => void): void {
    const constrained = this.#constrained(client);
    const { rateBytesPerS, lossPercent, delayMs, maxQueueMs } = constrained ? this.#conditions : OPEN_LINK;
    const counters = client[way];
    // Open clients do not queue behind the constrained link.
    const direction = constrained ? (way === 'up' ? this.#up : this.#down) : { nextFreeAt: 0 };
    if (lossPercent > 0 && this.#random() * 100 < lossPercent) {
      counters.lost++;
      return;
    }
    const now = performance.now();
    let leavesAt = now;
    if (rateBytesPerS !== null) {
      const start = Math.max(now, direction.nextFreeAt);
      if (start - now > maxQueueMs) {
        counters.overflowed++;
        return;
      }
      leavesAt = start + (data.length * 1000) / rateBytesPerS;
      direction.nextFreeAt = leavesAt;
    }
    counters.packets++;
    counters.bytes += data.length;
    const wait = leavesAt - now + delayMs;
    if (wait < 0.5) {
      send(data);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) send(data);
    }, wait);
    this.#timers.add(timer);
  }
}

function zero(): DirectionCounters {
  return { packets: 0, bytes: 0, lost: 0, overflowed: 0 };
}

function add(sum: DirectionCounters, counters: DirectionCounters): void {
  sum.packets += counters.packets;
  sum.bytes += counters.bytes;
  sum.lost += counters.lost;
  sum.overflowed += counters.overflowed;
}

function validate(conditions: LinkConditions): LinkConditions {
  const { rateBytesPerS, lossPercent, delayMs, maxQueueMs } = conditions;
  if (rateBytesPerS !== null && !(rateBytesPerS > 0)) throw new RangeError('rateBytesPerS must be positive or null');
  if (!(lossPercent >= 0 && lossPercent <= 100)) throw new RangeError('lossPercent must be within 0–100');
  if (!(delayMs >= 0)) throw new RangeError('delayMs must not be negative');
  if (!(maxQueueMs >= 0)) throw new RangeError('maxQueueMs must not be negative');
  return conditions;
}
