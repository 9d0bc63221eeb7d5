/**
 * The sending side's no-loss guarantee. Every vitals message gets the next
 * sequence number and is kept until the server acknowledges that it is stored;
 * when the channel comes back after a drop or a reconnect, everything not yet
 * acknowledged is sent again, in order. The server ignores duplicates.
 */
export type Transmit = (seq: number, payload: Uint8Array) => boolean;

export class VitalsOutbox {
  readonly #pending = new Map<number, Uint8Array>();
  readonly #maxPending: number;
  #nextSeq: number;
  #transmit: Transmit | null = null;
  #dropped = 0;

  /** `firstSeq` continues a source's numbering (e.g. after a page reload, from the server's last ack + 1). */
  constructor(options: { firstSeq?: number; maxPending?: number } = {}) {
    this.#nextSeq = options.firstSeq ?? 1;
    // Ten minutes of 12-lead ECG in 100 ms chunks; beyond that the oldest goes (and is counted).
    this.#maxPending = options.maxPending ?? 6000;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Messages discarded because the outbox overflowed during a very long outage. */
  get dropped(): number {
    return this.#dropped;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Queues a message (built by `encode(seq)`) and sends it now if the channel is up. */
  send(encode: (seq: number) => Uint8Array): number {
    const seq = this.#nextSeq++;
    const payload = encode(seq);
    this.#pending.set(seq, payload);
    if (this.#pending.size > this.#maxPending) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
      this.#dropped += 1;
    }
    if (this.#transmit && !this.#transmit(seq, payload)) this.#transmit = null;
    return seq;
  }

  /** Everything up to and including `seq` is stored on the server. */
  acknowledge(seq: number): void {
    for (const pendingSeq of this.#pending.keys()) {
      if (pendingSeq > seq) break;
      this.#pending.delete(pendingSeq);
    }
  }

  /** A (new) channel is open: resend what is unacknowledged, in order, then send live. */
  attach(transmit: Transmit): void {
    this.#transmit = transmit;
    for (const [seq, payload] of this.#pending) {
      if (!transmit(seq, payload)) {
        this.#transmit = null;
        return;
      }
    }
  }

  detach(): void {
    this.#transmit = null;
  }
}
