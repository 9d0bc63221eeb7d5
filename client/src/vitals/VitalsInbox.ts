/**
 * The receiving side: delivers each source's messages exactly once and in
 * sequence order. A duplicate (a resend after reconnect) is dropped; a gap is
 * filled from the stored record on the server before anything after it is
 * delivered, so the doctor's view never silently skips samples.
 */
export type FetchRange = (
  sourceId: string,
  fromSeq: number,
  toSeq: number,
) => Promise<{ seq: number; payload: Uint8Array }[]>;

interface SourceState {
  /** The next sequence number to deliver. */
  next: number;
  /** Arrived ahead of a gap, waiting for it to be filled. */
  held: Map<number, Uint8Array>;
  filling: boolean;
}

export class VitalsInbox {
  readonly #sources = new Map<string, SourceState>();
  readonly #deliver: (sourceId: string, seq: number, payload: Uint8Array) => void;
  readonly #fetch: FetchRange;
  readonly #onError: (error: unknown) => void;

  constructor(
    deliver: (sourceId: string, seq: number, payload: Uint8Array) => void,
    fetch: FetchRange,
    onError: (error: unknown) => void,
  ) {
    this.#deliver = deliver;
    this.#fetch = fetch;
    this.#onError = onError;
  }

  /** `firstSeq`: where this viewer starts (the first message it sees, or 1 to get everything). */
  receive(sourceId: string, seq: number, payload: Uint8Array, firstSeq = seq): void {
    let state = this.#sources.get(sourceId);
    if (!state) {
      state = { next: firstSeq, held: new Map(), filling: false };
      this.#sources.set(sourceId, state);
    }
    if (seq < state.next || state.held.has(seq)) return; // duplicate
    state.held.set(seq, payload);
    this.#drain(sourceId, state);
  }

  /** Messages held behind a gap (the view shows the live edge as lagging while > 0). */
  heldBack(sourceId: string): number {
    return this.#sources.get(sourceId)?.held.size ?? 0;
  }

  #drain(sourceId: string, state: SourceState): void {
    for (let payload = state.held.get(state.next); payload; payload = state.held.get(state.next)) {
      state.held.delete(state.next);
      this.#deliver(sourceId, state.next, payload);
      state.next += 1;
    }
    if (state.held.size === 0 || state.filling) return;
    // A gap: fetch what is missing up to the first held message from the stored record.
    const firstHeld = Math.min(...state.held.keys());
    state.filling = true;
    this.#fetch(sourceId, state.next, firstHeld - 1)
      .then((messages) => {
        for (const { seq, payload } of messages) {
          if (seq >= state.next && !state.held.has(seq)) state.held.set(seq, payload);
        }
      })
      .catch(this.#onError)
      .finally(() => {
        state.filling = false;
        // Still missing (not stored yet, e.g. the source has not resent it): try again shortly.
        if (!state.held.has(state.next) && state.held.size > 0) setTimeout(() => this.#drain(sourceId, state), 500);
        else this.#drain(sourceId, state);
      });
  }
}
