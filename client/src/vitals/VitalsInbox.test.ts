import { describe, expect, it, vi } from 'vitest';
import { VitalsInbox, type FetchRange } from './VitalsInbox.ts';

const p = (seq: number): Uint8Array => Uint8Array.of(seq);

describe('VitalsInbox', () => {
  it('delivers in order and drops duplicates from a resend', () => {
    const delivered: number[] = [];
    const inbox = new VitalsInbox(
      (_s, seq) => delivered.push(seq),
      () => Promise.resolve([]),
      () => undefined,
    );
    for (const seq of [1, 2, 2, 3, 1, 4]) inbox.receive('src', seq, p(seq), 1);
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('fills a gap from the stored record before delivering what came after it', async () => {
    const delivered: number[] = [];
    const fetch = vi.fn<FetchRange>((_source, from, to) =>
      Promise.resolve(Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, payload: p(from + i) }))),
    );
    const inbox = new VitalsInbox(
      (_s, seq) => delivered.push(seq),
      fetch,
      () => undefined,
    );
    inbox.receive('src', 1, p(1), 1);
    inbox.receive('src', 5, p(5));
    inbox.receive('src', 6, p(6));
    expect(delivered).toEqual([1]);
    expect(inbox.heldBack('src')).toBe(2);
    await vi.waitFor(() => expect(delivered).toEqual([1, 2, 3, 4, 5, 6]));
    expect(fetch).toHaveBeenCalledWith('src', 2, 4);
    expect(inbox.heldBack('src')).toBe(0);
  });

  it('keeps sources apart', () => {
    const delivered: string[] = [];
    const inbox = new VitalsInbox(
      (s, seq) => delivered.push(`${s}:${seq}`),
      () => Promise.resolve([]),
      () => undefined,
    );
    inbox.receive('a', 1, p(1), 1);
    inbox.receive('b', 7, p(7));
    inbox.receive('a', 2, p(2));
    expect(delivered).toEqual(['a:1', 'b:7', 'a:2']);
  });
});
