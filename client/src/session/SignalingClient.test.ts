import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalingClient } from './SignalingClient.ts';

/** A WebSocket the test drives: it opens, answers and falls silent when told to. */
class FakeSocket extends EventTarget {
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static last: FakeSocket | null = null;
  readyState = 0;
  readonly sent: { id: number; method: string }[] = [];
  closedWith: number | null = null;

  readonly url: URL;
  readonly protocols: string[];

  constructor(url: URL, protocols: string[]) {
    super();
    this.url = url;
    this.protocols = protocols;
    FakeSocket.last = this;
  }

  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text) as { id: number; method: string });
  }

  /** The server's answer to a request, as a message event. */
  answer(id: number): void {
    const event = new MessageEvent('message', { data: JSON.stringify({ kind: 'response', id, ok: true, data: {} }) });
    this.dispatchEvent(event);
  }

  close(code = 1000): void {
    // A cut link never delivers the closing handshake: no close event here, as in the browser meanwhile.
    this.closedWith = code;
    this.readyState = FakeSocket.CLOSED;
  }
}

async function connected(): Promise<{ client: SignalingClient; socket: FakeSocket }> {
  const connecting = SignalingClient.connect('token', 'https://legevakt.test');
  const socket = FakeSocket.last!;
  socket.open();
  return { client: await connecting, socket };
}

const pings = (socket: FakeSocket) => socket.sent.filter((frame) => frame.method === 'ping');

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeSocket);
  FakeSocket.last = null;
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('SignalingClient liveness', () => {
  it('connects to the signaling path over wss with the token as a subprotocol', async () => {
    const { socket } = await connected();
    expect(socket.url.href).toMatch(/^wss:\/\/legevakt\.test\//);
    expect(socket.protocols.some((p) => p.endsWith('token'))).toBe(true);
  });

  it('gives up on a socket that does not open within 5 s (a link that is down hangs far longer)', async () => {
    const connecting = SignalingClient.connect('token', 'https://legevakt.test');
    const rejected = expect(connecting).rejects.toThrow(/did not open within 5000 ms/);
    await vi.advanceTimersByTimeAsync(5_000);
    await rejected;
    expect(FakeSocket.last!.closedWith).not.toBeNull();
  });

  it('probes a quiet socket with a ping, and an answered ping keeps it alive', async () => {
    const { client, socket } = await connected();
    const closed = vi.fn();
    client.on('close', closed);
    await vi.advanceTimersByTimeAsync(1_900);
    expect(pings(socket)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(pings(socket)).toHaveLength(1);
    // Every probe answered: a minute of a quiet server is no reason to drop the call.
    for (let i = 0; i < 30; i++) {
      for (const ping of pings(socket)) socket.answer(ping.id);
      socket.sent.length = 0;
      await vi.advanceTimersByTimeAsync(2_000);
    }
    expect(closed).not.toHaveBeenCalled();
    expect(client.open).toBe(true);
  });

  it('takes a socket that answers nothing for 6 s for dead: closes it, fails what waits, tells the workspace', async () => {
    const { client, socket } = await connected();
    const closed = vi.fn();
    client.on('close', closed);
    const waiting = client.request('ping', {});
    const failed = expect(waiting).rejects.toThrow(/connection closed/);
    await vi.advanceTimersByTimeAsync(5_500);
    expect(closed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(closed.mock.calls[0]![0]).toBe(4000);
    expect(socket.closedWith).toBe(4000);
    await failed;
    expect(client.open).toBe(false);
    await expect(client.request('ping', {})).rejects.toThrow(/not connected/);
  });
});
