import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpRelay, type LinkConditions } from './udpRelay.ts';

/** A UDP echo server: what the relay fronts in these tests. */
async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, from) => socket.send(message, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A client that stamps each packet with its number and records when each echo came back. */
async function client(relayPort: number) {
  const socket = dgram.createSocket('udp4');
  const received = new Map<number, number>();
  socket.on('message', (message) => received.set(message.readUInt32BE(0), performance.now()));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    received,
    port: socket.address().port,
    send(n: number, size: number) {
      const packet = Buffer.alloc(size);
      packet.writeUInt32BE(n, 0);
      socket.send(packet, relayPort, '127.0.0.1');
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setUp(conditions: Partial<LinkConditions> = {}, random?: () => number) {
  const echo = await echoServer();
  closers.push(echo.close);
  const relay = await UdpRelay.start({ conditions, ...(random ? { random } : {}) });
  closers.push(() => relay.close());
  relay.setTarget('127.0.0.1', echo.port);
  const c = await client(relay.port);
  closers.push(c.close);
  return { relay, c };
}

describe('UdpRelay', () => {
  it('forwards both ways unchanged on an open link, one upstream socket per client', async () => {
    const { relay, c } = await setUp();
    for (let n = 0; n < 50; n++) c.send(n, 200);
    await sleep(200);
    expect(c.received.size).toBe(50);
    expect(relay.counters()).toEqual({
      up: { packets: 50, bytes: 10_000, lost: 0, overflowed: 0 },
      down: { packets: 50, bytes: 10_000, lost: 0, overflowed: 0 },
    });
  });

  it('drops the configured share of packets in each direction', async () => {
    // Deterministic: every fifth draw is a loss (20 %).
    let draw = 0;
    const { relay, c } = await setUp({ lossPercent: 20 }, () => (draw++ % 5 === 0 ? 0.1 : 0.9));
    for (let n = 0; n < 100; n++) c.send(n, 100);
    await sleep(200);
    const { up, down } = relay.counters();
    // One draw per packet that reached the relay from either side; every fifth was a loss.
    expect(draw).toBe(100 + up.packets);
    expect(up.lost + down.lost).toBe(Math.ceil(draw / 5));
    expect(up.lost).toBeGreaterThanOrEqual(15);
    expect(down.lost).toBeGreaterThanOrEqual(10);
    expect(c.received.size).toBe(down.packets);
  });

  it('delays every packet by the configured time each way', async () => {
    const { c } = await setUp({ delayMs: 100 });
    const sentAt = performance.now();
    c.send(1, 100);
    await sleep(400);
    const back = c.received.get(1);
    expect(back).toBeDefined();
    expect(back! - sentAt).toBeGreaterThanOrEqual(195);
    expect(back! - sentAt).toBeLessThan(700);
  });

  it('caps the rate: what exceeds the queue is dropped, the rest arrives at the capped pace', async () => {
    const { relay, c } = await setUp({ rateBytesPerS: 20_000, maxQueueMs: 200 });
    // 100 kB offered at once against 20 kB/s with a 200 ms queue: about 5 kB gets through at once.
    const start = performance.now();
    for (let n = 0; n < 100; n++) c.send(n, 1000);
    await sleep(600);
    const { up } = relay.counters();
    // The kernel may drop a few of a burst before the relay reads them.
    expect(up.overflowed + up.packets).toBeLessThanOrEqual(100);
    expect(up.overflowed).toBeGreaterThan(70);
    expect(up.packets).toBeGreaterThanOrEqual(4);
    const times = [...c.received.values()].sort((x, y) => x - y);
    expect(times).toHaveLength(up.packets);
    // The accepted ones leave one per 50 ms (1000 B at 20 kB/s).
    expect(times.at(-1)! - start).toBeGreaterThanOrEqual((up.packets - 1) * 50 - 10);
  });

  it('measures the capped throughput over a sustained flow, and lifts the cap at run time', async () => {
    const { relay, c } = await setUp({ rateBytesPerS: 10_000 });
    let n = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 5; i++) c.send(n++, 500); // about 50 kB/s offered
    }, 50);
    closers.push(() => {
      clearInterval(pump);
      return Promise.resolve();
    });
    // Rates over the time that really passed (timers run late on a busy machine).
    const rate = async (ms: number): Promise<{ passed: number; offered: number }> => {
      const [bytes, sent, t0] = [relay.counters().up.bytes, n, performance.now()];
      await sleep(ms);
      const seconds = (performance.now() - t0) / 1000;
      return { passed: (relay.counters().up.bytes - bytes) / seconds, offered: ((n - sent) * 500) / seconds };
    };
    await sleep(300);
    const capped = await rate(1000);
    expect(capped.offered).toBeGreaterThan(20_000);
    expect(capped.passed).toBeGreaterThan(8_000);
    expect(capped.passed).toBeLessThan(11_000);
    relay.setConditions({ rateBytesPerS: null });
    await sleep(400); // the queue of the cap drains
    const open = await rate(1000);
    // Uncapped, what is offered passes (the kernel may drop a little on a busy machine).
    expect(open.passed).toBeGreaterThan(open.offered * 0.9);
    expect(open.passed).toBeGreaterThan(2 * capped.passed);
  });

  it('constrains only the clients chosen, each on a link of its own', async () => {
    const { relay, c } = await setUp({ lossPercent: 100 });
    const other = await client(relay.port);
    closers.push(other.close);
    other.send(1, 100);
    c.send(1, 100);
    await sleep(100);
    const [first, second] = relay.clients();
    expect(second).toBeDefined();
    // Only the second client (c2's port) is constrained from now on.
    relay.constrain((x) => x.port === second!.port);
    for (let n = 2; n < 12; n++) {
      other.send(n, 100);
      c.send(n, 100);
    }
    await sleep(200);
    const constrainedIsOther = second!.port !== first!.port;
    expect(constrainedIsOther).toBe(true);
    const receivedByFirst = first!.port === c.port ? c.received.size : other.received.size;
    const receivedBySecond = second!.port === c.port ? c.received.size : other.received.size;
    expect(receivedByFirst).toBe(10);
    expect(receivedBySecond).toBe(0);
    // The counters cover the constrained client only.
    expect(relay.counters().up.lost).toBe(11);
  });

  it('refuses nonsense conditions and keeps the ones it had', async () => {
    const { relay } = await setUp({ lossPercent: 5 });
    expect(() => relay.setConditions({ lossPercent: 120 })).toThrow(RangeError);
    expect(() => relay.setConditions({ rateBytesPerS: 0 })).toThrow(RangeError);
    expect(relay.conditions.lossPercent).toBe(5);
  });
});
