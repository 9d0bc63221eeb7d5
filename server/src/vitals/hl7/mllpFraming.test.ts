import { describe, expect, it } from 'vitest';
import { MllpDecoder, encodeMllp, type MllpEvent } from './mllpFraming.ts';
import { PHILIPS_NUMERICS } from './testFixtures.ts';

const frames = (events: MllpEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'frame' ? [e.payload.toString('latin1')] : []));

function feedInPieces(decoder: MllpDecoder, bytes: Buffer, sizes: number[]): MllpEvent[] {
  const events: MllpEvent[] = [];
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const n = sizes[k++ % sizes.length]!;
    events.push(...decoder.push(bytes.subarray(at, at + n)));
    at += n;
  }
  return events;
}

describe('MllpDecoder', () => {
  it('decodes one frame', () => {
    const d = new MllpDecoder();
    expect(d.push(encodeMllp('MSH|^~\\&|A\r'))).toEqual([{ kind: 'frame', payload: Buffer.from('MSH|^~\\&|A\r') }]);
    expect(d.pendingBytes).toBe(0);
  });

  it('reassembles a frame split at every possible byte boundary', () => {
    const wire = encodeMllp(PHILIPS_NUMERICS);
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new MllpDecoder();
      const events = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(frames(events)).toEqual([PHILIPS_NUMERICS]);
      expect(events).toHaveLength(1);
    }
  });

  it('reassembles frames fed one byte at a time and in odd-sized pieces', () => {
    const wire = Buffer.concat([encodeMllp('MSH|1\r'), encodeMllp('MSH|2\r'), encodeMllp(PHILIPS_NUMERICS)]);
    for (const sizes of [[1], [2, 3], [7], [13, 1, 64]]) {
      const events = feedInPieces(new MllpDecoder(), wire, sizes);
      expect(frames(events)).toEqual(['MSH|1\r', 'MSH|2\r', PHILIPS_NUMERICS]);
      expect(events.every((e) => e.kind === 'frame')).toBe(true);
    }
  });

  it('splits several frames joined in one chunk', () => {
    const wire = Buffer.concat(Array.from({ length: 5 }, (_, i) => encodeMllp(`MSH|${i}\r`)));
    expect(frames(new MllpDecoder().push(wire))).toEqual(['MSH|0\r', 'MSH|1\r', 'MSH|2\r', 'MSH|3\r', 'MSH|4\r']);
  });

  it('skips and reports bytes between frames', () => {
    const wire = Buffer.concat([
      Buffer.from('hello'),
      encodeMllp('MSH|1\r'),
      Buffer.from('\r\n'),
      Buffer.from([0x1c, 0x0d]),
      encodeMllp('MSH|2\r'),
    ]);
    expect(new MllpDecoder().push(wire)).toEqual([
      { kind: 'garbage', bytes: 5, reason: 'between-frames' },
      { kind: 'frame', payload: Buffer.from('MSH|1\r') },
      { kind: 'garbage', bytes: 4, reason: 'between-frames' },
      { kind: 'frame', payload: Buffer.from('MSH|2\r') },
    ]);
  });

  it('accepts a frame ended by FS alone', () => {
    const wire = Buffer.concat([
      Buffer.from([0x0b]),
      Buffer.from('MSH|1\r'),
      Buffer.from([0x1c, 0x0b]),
      Buffer.from('MSH|2\r'),
      Buffer.from([0x1c]),
    ]);
    expect(frames(new MllpDecoder().push(wire))).toEqual(['MSH|1\r', 'MSH|2\r']);
  });

  it('drops a frame cut off by a new start byte, and one left open at the end of the stream', () => {
    const d = new MllpDecoder();
    const wire = Buffer.concat([
      Buffer.from([0x0b]),
      Buffer.from('MSH|half'),
      encodeMllp('MSH|whole\r'),
      Buffer.from([0x0b]),
      Buffer.from('MSH|tail'),
    ]);
    expect(d.push(wire)).toEqual([
      { kind: 'garbage', bytes: 8, reason: 'unterminated-frame' },
      { kind: 'frame', payload: Buffer.from('MSH|whole\r') },
    ]);
    expect(d.pendingBytes).toBe(8);
    expect(d.end()).toEqual([{ kind: 'garbage', bytes: 8, reason: 'unterminated-frame' }]);
    expect(d.pendingBytes).toBe(0);
  });

  it('reports an oversize frame once, keeps its head, and resynchronises at the next start byte', () => {
    const limit = 1024;
    const big = 'MSH|^~\\&|GW|ICU|||20240101||ORU^R01|BIG1|P|2.6\r' + 'OBX|1|NA|x||' + '1^'.repeat(5000) + '\r';
    const wire = Buffer.concat([encodeMllp(big), encodeMllp('MSH|after\r')]);
    for (const sizes of [[wire.length], [100], [1], [1000, 7]]) {
      const d = new MllpDecoder({ maxFrameBytes: limit });
      const events = feedInPieces(d, wire, sizes);
      expect(events).toHaveLength(2);
      const [first, second] = events;
      expect(first?.kind).toBe('oversize');
      if (first?.kind === 'oversize') {
        expect(first.limit).toBe(limit);
        expect(first.head.toString('latin1').startsWith('MSH|^~\\&|GW|ICU|||20240101||ORU^R01|BIG1|')).toBe(true);
        expect(first.head.length).toBeLessThanOrEqual(2048);
      }
      expect(second).toEqual({ kind: 'frame', payload: Buffer.from('MSH|after\r') });
      expect(d.pendingBytes).toBe(0);
    }
  });

  it('accepts a frame of exactly the limit', () => {
    const payload = 'M'.repeat(64);
    expect(frames(new MllpDecoder({ maxFrameBytes: 64 }).push(encodeMllp(payload)))).toEqual([payload]);
    expect(new MllpDecoder({ maxFrameBytes: 63 }).push(encodeMllp(payload))[0]?.kind).toBe('oversize');
  });

  it('survives random bytes rich in framing characters without unbounded buffering', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const d = new MllpDecoder({ maxFrameBytes: 256 });
    for (let round = 0; round < 2000; round++) {
      const chunk = Buffer.alloc(1 + Math.floor(rand() * 300));
      for (let i = 0; i < chunk.length; i++) {
        const r = rand();
        chunk[i] = r < 0.02 ? 0x0b : r < 0.04 ? 0x1c : r < 0.06 ? 0x0d : Math.floor(rand() * 256);
      }
      for (const e of d.push(chunk)) {
        if (e.kind === 'frame') expect(e.payload.length).toBeLessThanOrEqual(256);
      }
      expect(d.pendingBytes).toBeLessThanOrEqual(256);
    }
  });
});

describe('encodeMllp', () => {
  it('wraps the payload in VT … FS CR', () => {
    expect([...encodeMllp('AB')]).toEqual([0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });
});
