import { describe, expect, it } from 'vitest';
import type { ConsultOrigin, TriageColour } from './consult.ts';
import { compareQueueEntries, effectivePriority, sortQueue, type QueueOrderEntry } from './queueOrder.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 15, 18, 0, 0);

function entry(id: string, triage: TriageColour, origin: ConsultOrigin, waitedMs: number): QueueOrderEntry {
  return { id, triage, origin, requestedAt: NOW - waitedMs };
}

function ids(entries: readonly QueueOrderEntry[]): string[] {
  return entries.map((e) => e.id);
}

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLOURS = ['red', 'yellow', 'green'] as const;
const ORIGINS = ['satellite', 'ambulance'] as const;

function randomEntries(random: () => number, n: number): QueueOrderEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    // Few distinct ids and coarse times so that ties actually occur.
    id: `c${Math.floor(random() * n)}-${i % 3}`,
    triage: COLOURS[Math.floor(random() * 3)]!,
    origin: ORIGINS[Math.floor(random() * 2)]!,
    requestedAt: NOW - Math.floor(random() * 90) * MIN + (random() < 0.1 ? 5 * MIN : 0),
  }));
}

function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('queue order: the rules', () => {
  it('puts red before yellow before green when all are fresh', () => {
    const queue = [
      entry('g', 'green', 'satellite', 0),
      entry('y', 'yellow', 'satellite', 0),
      entry('r', 'red', 'satellite', 0),
    ];
    expect(ids(sortQueue(queue, NOW))).toEqual(['r', 'y', 'g']);
  });

  it('never lets a yellow or green overtake a fresh red, however long they waited', () => {
    const queue = [
      entry('y', 'yellow', 'ambulance', 24 * 60 * MIN),
      entry('g', 'green', 'ambulance', 24 * 60 * MIN),
      entry('r', 'red', 'satellite', 0),
    ];
    expect(ids(sortQueue(queue, NOW))[0]).toBe('r');
  });

  it('lets a green that has waited 20 minutes overtake a fresh yellow, but not at 19 minutes', () => {
    expect(
      ids(sortQueue([entry('y', 'yellow', 'satellite', 0), entry('g', 'green', 'satellite', 20 * MIN)], NOW)),
    ).toEqual(['g', 'y']);
    expect(
      ids(sortQueue([entry('y', 'yellow', 'satellite', 0), entry('g', 'green', 'satellite', 19 * MIN)], NOW)),
    ).toEqual(['y', 'g']);
  });

  it('ranks an ambulance ahead of a satellite request of the same colour unless that one waited 10 min longer', () => {
    const amb = entry('amb', 'yellow', 'ambulance', 0);
    expect(ids(sortQueue([entry('sat', 'yellow', 'satellite', 9 * MIN), amb], NOW))).toEqual(['amb', 'sat']);
    expect(ids(sortQueue([entry('sat', 'yellow', 'satellite', 10 * MIN), amb], NOW))).toEqual(['sat', 'amb']);
    // Red ambulances go ahead of red satellite requests, too.
    expect(ids(sortQueue([entry('rs', 'red', 'satellite', 5 * MIN), entry('ra', 'red', 'ambulance', 0)], NOW))).toEqual(
      ['ra', 'rs'],
    );
  });

  it('keeps a fresh green ambulance behind a fresh yellow satellite request', () => {
    expect(ids(sortQueue([entry('ga', 'green', 'ambulance', 0), entry('ys', 'yellow', 'satellite', 0)], NOW))).toEqual([
      'ys',
      'ga',
    ]);
  });

  it('breaks exact ties by request time, then by id', () => {
    const a = entry('a', 'green', 'satellite', 5 * MIN);
    const b = entry('b', 'green', 'satellite', 5 * MIN);
    expect(compareQueueEntries(a, b, NOW)).toBeLessThan(0);
    expect(compareQueueEntries(b, a, NOW)).toBeGreaterThan(0);
    expect(compareQueueEntries(a, { ...a }, NOW)).toBe(0);
  });

  it('gives a request stamped in the future (clock skew) no extra priority', () => {
    expect(effectivePriority(entry('f', 'green', 'satellite', -5 * MIN), NOW)).toBe(0);
    expect(effectivePriority(entry('y', 'yellow', 'ambulance', 3 * MIN), NOW)).toBe(33 * MIN);
  });

  it('returns a copy and leaves the input alone', () => {
    const queue = [entry('g', 'green', 'satellite', 0), entry('r', 'red', 'satellite', 0)];
    const sorted = sortQueue(queue, NOW);
    expect(ids(queue)).toEqual(['g', 'r']);
    expect(sorted).not.toBe(queue);
  });
});

describe('queue order: properties over random queues', () => {
  const random = rng(20260115);
  const samples = Array.from({ length: 200 }, () => randomEntries(random, 2 + Math.floor(random() * 30)));

  it('is antisymmetric and reflexive', () => {
    for (const queue of samples) {
      for (const a of queue) {
        expect(compareQueueEntries(a, a, NOW)).toBe(0);
        for (const b of queue) {
          expect(Math.sign(compareQueueEntries(a, b, NOW)) + Math.sign(compareQueueEntries(b, a, NOW))).toBe(0);
        }
      }
    }
  });

  it('is transitive', () => {
    for (const queue of samples.slice(0, 25)) {
      for (const a of queue)
        for (const b of queue)
          for (const c of queue) {
            if (compareQueueEntries(a, b, NOW) <= 0 && compareQueueEntries(b, c, NOW) <= 0) {
              expect(compareQueueEntries(a, c, NOW)).toBeLessThanOrEqual(0);
            }
          }
    }
  });

  it('sorts every permutation of a queue into the same order', () => {
    for (const queue of samples) {
      const expected = sortQueue(queue, NOW);
      for (let k = 0; k < 5; k++) expect(sortQueue(shuffle(random, queue), NOW)).toEqual(expected);
    }
  });

  it('never puts a later same-colour same-origin request ahead of an earlier one', () => {
    for (const queue of samples) {
      const sorted = sortQueue(queue, NOW);
      sorted.forEach((later, i) => {
        for (const earlier of sorted.slice(i + 1)) {
          if (earlier.triage === later.triage && earlier.origin === later.origin) {
            expect(later.requestedAt).toBeLessThanOrEqual(earlier.requestedAt);
          }
        }
      });
    }
  });

  it('puts every red before every non-red', () => {
    for (const queue of samples) {
      const colours = sortQueue(queue, NOW).map((e) => e.triage === 'red');
      expect(colours).toEqual([...colours].sort((x, y) => Number(y) - Number(x)));
    }
  });

  it('does not starve: a non-red request that has waited 30 minutes is ahead of every fresh non-red arrival', () => {
    // 30 = 20 (yellow over green) + 10 (ambulance bonus): the largest head start a newcomer can have.
    for (const queue of samples) {
      for (const old of queue.filter((e) => e.triage !== 'red' && NOW - e.requestedAt >= 30 * MIN)) {
        for (const triage of ['yellow', 'green'] as const) {
          for (const origin of ORIGINS) {
            expect(compareQueueEntries(old, entry('new', triage, origin, 0), NOW)).toBeLessThan(0);
          }
        }
      }
    }
  });

  it('keeps the relative order of waiting requests as time passes', () => {
    for (const queue of samples) {
      expect(sortQueue(queue, NOW + 45 * MIN)).toEqual(sortQueue(queue, NOW + 5 * MIN));
    }
  });
});
