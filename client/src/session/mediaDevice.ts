import { Device, type types } from 'mediasoup-client';
import type { SignalingClient } from './SignalingClient.ts';

const devices = new WeakMap<SignalingClient, Promise<Device>>();

/**
 * The mediasoup-client Device, loaded with the server's router capabilities,
 * once per signaling connection. Loading probes the browser's own codecs with a
 * throw-away peer connection and asks the server for its capabilities: tens of
 * milliseconds that would otherwise sit between the doctor taking a request and
 * the first video frame. The workspace loads it as soon as its socket is up; a
 * new connection (possibly to an upgraded server) loads it afresh.
 */
export function mediaDeviceFor(signaling: SignalingClient): Promise<Device> {
  let device = devices.get(signaling);
  if (!device) {
    device = load(signaling);
    devices.set(signaling, device);
    // A failed load is not cached: the next call tries again.
    device.catch(() => devices.delete(signaling));
  }
  return device;
}

async function load(signaling: SignalingClient): Promise<Device> {
  const [{ routerRtpCapabilities }, device] = await Promise.all([
    signaling.request('getRouterRtpCapabilities', {}),
    Device.factory(),
  ]);
  await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
  return device;
}
