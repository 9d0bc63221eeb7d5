import type { BrowserContext, Page } from 'playwright-core';

/** One vitals message as the doctor's browser received it on a data channel. */
export interface Received {
  seq: number;
  type: number;
  bytes: number;
  /** performance.timeOrigin + performance.now() in the page, at the 'message' event. */
  at: number;
}

interface ProbeWindow {
  __vitalsRx: Received[];
}

/**
 * Stamps every message of every data channel the page opens, before the app's
 * own listener runs: mediasoup-client opens a consumer's channel with
 * createDataChannel (negotiated), so wrapping it sees the bytes as they arrive.
 */
export async function armReceiveProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const rx: Received[] = [];
    (window as unknown as ProbeWindow).__vitalsRx = rx;
    const record = (data: ArrayBuffer, at: number): void => {
      if (data.byteLength < 9) return;
      const view = new DataView(data);
      rx.push({ seq: Number(view.getBigUint64(0, true)), type: view.getUint8(8), bytes: data.byteLength, at });
    };
    const native = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args) {
      const channel = native.apply(this, args);
      channel.addEventListener('message', (event: MessageEvent<unknown>) => {
        const at = performance.timeOrigin + performance.now();
        const data = event.data;
        if (data instanceof ArrayBuffer) record(data, at);
        else if (data instanceof Blob) void data.arrayBuffer().then((buffer) => record(buffer, at));
      });
      return channel;
    };
  });
}

export function takeReceived(page: Page): Promise<Received[]> {
  return page.evaluate(() => {
    const rx = (window as unknown as ProbeWindow).__vitalsRx;
    return rx.splice(0, rx.length);
  });
}

/**
 * The page's clock minus ours (both epoch ms with sub-ms resolution), from the
 * round trip with the smallest delay: the page read its clock within that window.
 */
export async function clockOffset(page: Page, rounds = 30): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < rounds; i++) {
    const before = performance.timeOrigin + performance.now();
    const pageAt = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = performance.timeOrigin + performance.now();
    const half = (after - before) / 2;
    if (half < best.uncertaintyMs) best = { offsetMs: pageAt - (before + half), uncertaintyMs: half };
  }
  return best;
}

/** Bytes the page's peer connections received at the transport (DTLS/SCTP) and data-channel level. */
export function transportBytes(page: Page): Promise<{ transportBytes: number; packets: number; channelBytes: number }> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    const totals = { transportBytes: 0, packets: 0, channelBytes: 0 };
    for (const pc of connections) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let hasChannel = false;
      stats.forEach((report: Record<string, unknown>) => {
        if (report['type'] === 'data-channel') {
          hasChannel = true;
          totals.channelBytes += Number(report['bytesReceived'] ?? 0);
        }
      });
      // Only the receiving connection (the one with data channels) carries the relayed vitals.
      if (!hasChannel) continue;
      stats.forEach((report: Record<string, unknown>) => {
        if (report['type'] === 'transport') {
          totals.transportBytes += Number(report['bytesReceived'] ?? 0);
          totals.packets += Number(report['packetsReceived'] ?? 0);
        }
      });
    }
    return totals;
  });
}
