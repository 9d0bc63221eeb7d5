import { describe, expect, it } from 'vitest';
import { EventLoopDelay } from './eventLoopDelay.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventLoopDelay', () => {
  it('reports a stall of the loop, and each reading covers only the time since the previous one', async () => {
    const loop = new EventLoopDelay();
    try {
      await tick(50);
      loop.take();
      const until = performance.now() + 250;
      while (performance.now() < until) {
        // Block the loop, as a long synchronous task would.
      }
      await tick(50);
      expect(loop.take().maxMs).toBeGreaterThanOrEqual(200);
      await tick(50);
      expect(loop.take().maxMs).toBeLessThan(200);
    } finally {
      loop.stop();
    }
  });
});
