import { describe, expect, it } from 'vitest';
import { VitalsOutbox } from './VitalsOutbox.ts';

const bytes = (seq: number): Uint8Array => Uint8Array.of(seq);

describe('VitalsOutbox', () => {
  it('numbers messages, sends them live, and forgets them once acknowledged', () => {
    const outbox = new VitalsOutbox();
    const sent: number[] = [];
    outbox.attach((seq) => (sent.push(seq), true));
    outbox.send(bytes);
    outbox.send(bytes);
    expect(sent).toEqual([1, 2]);
    expect(outbox.pending).toBe(2);
    outbox.acknowledge(1);
    expect(outbox.pending).toBe(1);
  });

  it('keeps what is sent while the channel is down and resends the unacknowledged in order', () => {
    const outbox = new VitalsOutbox({ firstSeq: 10 });
    const first: number[] = [];
    outbox.attach((seq) => (first.push(seq), true));
    outbox.send(bytes);
    outbox.send(bytes);
    outbox.detach();
    outbox.send(bytes);
    outbox.send(bytes);
    outbox.acknowledge(10);
    const second: number[] = [];
    outbox.attach((seq) => (second.push(seq), true));
    expect(first).toEqual([10, 11]);
    expect(second).toEqual([11, 12, 13]);
    outbox.send(bytes);
    expect(second).toEqual([11, 12, 13, 14]);
  });

  it('stops sending when the channel refuses, and resends from there on the next attach', () => {
    const outbox = new VitalsOutbox();
    let open = true;
    const sent: number[] = [];
    outbox.attach((seq) => {
      if (!open) return false;
      sent.push(seq);
      return true;
    });
    outbox.send(bytes);
    open = false;
    outbox.send(bytes);
    outbox.send(bytes);
    open = true;
    outbox.attach((seq) => (sent.push(seq), true));
    expect(sent).toEqual([1, 1, 2, 3]);
  });

  it('bounds its memory in a very long outage and counts what it had to drop', () => {
    const outbox = new VitalsOutbox({ maxPending: 3 });
    for (let i = 0; i < 5; i++) outbox.send(bytes);
    expect(outbox.pending).toBe(3);
    expect(outbox.dropped).toBe(2);
    const sent: number[] = [];
    outbox.attach((seq) => (sent.push(seq), true));
    expect(sent).toEqual([3, 4, 5]);
  });
});
