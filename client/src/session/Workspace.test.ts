import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthSession } from './AuthSession.ts';
import type { SignalingClient } from './SignalingClient.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import { Workspace } from './Workspace.ts';

const connect = vi.hoisted(() => vi.fn<(token: string) => Promise<SignalingClient>>());
vi.mock('./SignalingClient.ts', () => ({ SignalingClient: { connect } }));
// The media device loads mediasoup-client against the socket; nothing of it matters to reconnecting.
vi.mock('./mediaDevice.ts', () => ({ mediaDeviceFor: () => Promise.resolve() }));

/** A socket as the workspace uses it: notifications and a close event. */
class FakeSignaling extends TypedEmitter<{ close: [number, string] }> {
  close(): void {
    this.emit('close', 1000, 'bye');
  }
  drop(): void {
    this.emit('close', 4000, 'nothing heard');
  }
}

const auth = { user: { role: 'nurse' }, accessToken: () => Promise.resolve('token') } as unknown as AuthSession;

/** When each connect attempt was made (fake ms), and what it answered. */
function scriptConnects(outcomes: ('fail' | FakeSignaling)[]): number[] {
  const at: number[] = [];
  connect.mockImplementation(() => {
    at.push(Date.now());
    const outcome = outcomes.shift() ?? 'fail';
    return outcome === 'fail'
      ? Promise.reject(new Error('could not open the signaling connection'))
      : Promise.resolve(outcome as unknown as SignalingClient);
  });
  return at;
}

/** The browser's window as far as the workspace listens to it (the 'online' event). */
const browser = new EventTarget();
const networkBack = (): boolean => browser.dispatchEvent(new Event('online'));

let workspace: Workspace | null = null;
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  vi.stubGlobal('addEventListener', browser.addEventListener.bind(browser));
  vi.stubGlobal('removeEventListener', browser.removeEventListener.bind(browser));
  connect.mockReset();
});
afterEach(() => {
  workspace?.stop();
  workspace = null;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('Workspace reconnect policy', () => {
  /** The waits between connect attempts that never succeed, over `ms`, with Math.random() fixed at `random`. */
  async function waitsWhileFailing(random: number, ms: number): Promise<number[]> {
    workspace?.stop();
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const at = scriptConnects([]);
    workspace = new Workspace(auth);
    workspace.start();
    await vi.advanceTimersByTimeAsync(ms);
    expect(workspace.getSnapshot().connection).toBe('offline');
    return at.slice(1).map((t, i) => t - at[i]!);
  }

  it('backs off 250 ms doubling to a 4 s ceiling, each wait between half the ceiling and all of it', async () => {
    // Math.random() = 1: every wait is its ceiling.
    expect((await waitsWhileFailing(1, 20_000)).slice(0, 7)).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    // Math.random() = 0: half the ceiling (full jitter between the two keeps clients from coming back at once).
    expect((await waitsWhileFailing(0, 10_000)).slice(0, 6)).toEqual([125, 250, 500, 1000, 2000, 2000]);
  });

  it('tries at once when the browser reports the network back, instead of waiting out the backoff', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const socket = new FakeSignaling();
    const at = scriptConnects(['fail', 'fail', 'fail', 'fail', socket]);
    workspace = new Workspace(auth);
    workspace.start();
    await vi.advanceTimersByTimeAsync(2_000); // attempts at 0, 250, 750, 1750 ms; the next would wait until 3750
    expect(at).toEqual([0, 250, 750, 1750]);
    networkBack();
    await vi.advanceTimersByTimeAsync(0);
    expect(at).toEqual([0, 250, 750, 1750, 2000]);
    expect(workspace.getSnapshot().connection).toBe('online');
    // The backoff's own timer was cancelled: no attempt at 3750.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(at).toHaveLength(5);
  });

  it('after a drop reconnects from the shortest wait again and hands the new socket on for the call', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const first = new FakeSignaling();
    const second = new FakeSignaling();
    const at = scriptConnects([first, 'fail', 'fail', second]);
    workspace = new Workspace(auth);
    const reconnected = vi.fn();
    workspace.on('reconnected', reconnected);
    workspace.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(workspace.getSnapshot().connection).toBe('online');
    // The first connection does not count as a reconnect.
    expect(reconnected).not.toHaveBeenCalled();

    vi.setSystemTime(10_000);
    first.drop();
    expect(workspace.getSnapshot().connection).toBe('offline');
    await vi.advanceTimersByTimeAsync(2_000);
    // Success reset the backoff: 250, then 500, then 1000 ms after the drop.
    expect(at.slice(1)).toEqual([10_250, 10_750, 11_750]);
    expect(workspace.getSnapshot().connection).toBe('online');
    expect(reconnected).toHaveBeenCalledExactlyOnceWith(second);
  });

  it('stops trying once stopped (logged out)', async () => {
    const at = scriptConnects([]);
    workspace = new Workspace(auth);
    workspace.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const tried = at.length;
    workspace.stop();
    networkBack();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(at).toHaveLength(tried);
  });
});
