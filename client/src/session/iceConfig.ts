import type { IceServer } from '@legevakt/shared';
import type { SignalingClient } from './SignalingClient.ts';

/** localStorage key that forces relay-only ICE in this browser ('relay'); `?relay=1` in the URL does the same. */
export const ICE_POLICY_STORAGE_KEY = 'legevakt.iceTransportPolicy';

export interface IceConfig {
  readonly iceServers: IceServer[];
  readonly iceTransportPolicy: RTCIceTransportPolicy;
}

/**
 * Relay-only (every packet through TURN) when asked for: to prove a site's
 * TURN path works, or for a network where only the relay is reachable. Off by
 * default, since a relay adds a hop and needs TURN configured on the server.
 */
export function iceTransportPolicy(
  search: string = typeof location === 'undefined' ? '' : location.search,
  stored: string | null = readStored(),
): RTCIceTransportPolicy {
  const flag = new URLSearchParams(search).get('relay');
  if (flag === '1' || flag === 'true') return 'relay';
  if (flag === '0' || flag === 'false') return 'all';
  return stored === 'relay' ? 'relay' : 'all';
}

function readStored(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(ICE_POLICY_STORAGE_KEY);
  } catch {
    return null; // storage blocked (privacy settings): the default policy
  }
}

/**
 * The ICE servers for a call's transports, with a fresh TURN credential from
 * the server. The send and receive transports are created together and share
 * one request; the next call asks again, so a credential never outlives its TTL.
 */
const pending = new WeakMap<SignalingClient, Promise<IceConfig>>();

export function iceConfigFor(signaling: SignalingClient): Promise<IceConfig> {
  let config = pending.get(signaling);
  if (!config) {
    config = signaling.request('getIceServers', {}).then(({ iceServers }) => {
      const policy = iceTransportPolicy();
      // Relay-only without a relay could never connect: say why instead of timing out.
      if (policy === 'relay' && iceServers.every((server) => !server.urls.some((url) => url.startsWith('turn')))) {
        throw new Error('relay-only ICE is forced in this browser, but the server has no TURN server configured');
      }
      return { iceServers, iceTransportPolicy: policy };
    });
    pending.set(signaling, config);
    // Shared only by the requests made together (one transport pair); forgotten once settled.
    const forget = (): void => {
      if (pending.get(signaling) === config) pending.delete(signaling);
    };
    config.then(forget, forget);
  }
  return config;
}
