import { afterEach, describe, expect, it, vi } from 'vitest';
import { iceConfigFor, iceTransportPolicy } from './iceConfig.ts';
import type { SignalingClient } from './SignalingClient.ts';

/** The one request iceConfig makes, answered as the server would. */
function signalingAnswering(iceServers: { urls: string[]; username?: string; credential?: string }[]): {
  signaling: SignalingClient;
  calls: () => number;
} {
  let calls = 0;
  const signaling = {
    request: (method: string) => {
      calls += 1;
      expect(method).toBe('getIceServers');
      return Promise.resolve({ iceServers, expiresAt: null });
    },
  } as unknown as SignalingClient;
  return { signaling, calls: () => calls };
}

describe('the relay-only switch', () => {
  it('is off by default, on with ?relay=1 or the stored policy, and ?relay=0 overrides storage', () => {
    expect(iceTransportPolicy('', null)).toBe('all');
    expect(iceTransportPolicy('?relay=1', null)).toBe('relay');
    expect(iceTransportPolicy('?consult=x&relay=true', null)).toBe('relay');
    expect(iceTransportPolicy('', 'relay')).toBe('relay');
    expect(iceTransportPolicy('?relay=0', 'relay')).toBe('all');
    expect(iceTransportPolicy('', 'something-else')).toBe('all');
  });
});

describe('iceConfigFor', () => {
  it('asks once for the transports created together, and afresh for the next call', async () => {
    const turn = { urls: ['turn:192.0.2.1:3478?transport=tcp'], username: '1:u', credential: 'c' };
    const { signaling, calls } = signalingAnswering([turn]);
    const [send, recv] = await Promise.all([iceConfigFor(signaling), iceConfigFor(signaling)]);
    expect(calls()).toBe(1);
    expect(send).toBe(recv);
    expect(send.iceServers).toEqual([turn]);
    await iceConfigFor(signaling);
    expect(calls()).toBe(2);
  });

  it('refuses relay-only when the server has no TURN, instead of a call that never connects', async () => {
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => (key === 'legevakt.iceTransportPolicy' ? 'relay' : null),
    });
    await expect(iceConfigFor(signalingAnswering([]).signaling)).rejects.toThrow(/no TURN server configured/);
    await expect(iceConfigFor(signalingAnswering([{ urls: ['stun:192.0.2.1:3478'] }]).signaling)).rejects.toThrow(
      /no TURN server configured/,
    );
    const turn = { urls: ['turns:turn.example.no:443?transport=tcp'], username: '1:u', credential: 'c' };
    expect(await iceConfigFor(signalingAnswering([turn]).signaling)).toEqual({
      iceServers: [turn],
      iceTransportPolicy: 'relay',
    });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});
