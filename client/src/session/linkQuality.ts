/**
 * Connection quality from WebRTC statistics: what a participant's badge shows.
 * Everything here is pure (no timers, no RTCPeerConnection), so the thresholds
 * are unit-tested over plain stats objects.
 */

export type LinkQuality = 'good' | 'fair' | 'poor' | 'lost';

/** Cumulative counters read from one getStats() report, for one direction of one link. */
export interface RtpCounters {
  /** When the report was taken (ms). */
  readonly at: number;
  /** Sending: packets we sent. Receiving: packets received. */
  readonly packets: number;
  /** Sending: lost as the far end reports (remote-inbound-rtp). Receiving: lost on the way to us. */
  readonly packetsLost: number;
  readonly bytes: number;
  /** Seconds, as WebRTC reports it; null when not reported. */
  readonly jitterS: number | null;
  /** Seconds (remote-inbound-rtp or the candidate pair); null when not reported. */
  readonly rttS: number | null;
  /** The sender's bandwidth estimate (candidate pair), bits/s; null on the receiving side or before one exists. */
  readonly availableOutgoingBitrate: number | null;
}

/** What one sampling interval says about a link. */
export interface LinkMetrics {
  readonly lossPercent: number;
  readonly jitterMs: number | null;
  readonly rttMs: number | null;
  readonly bitrateKbps: number;
  readonly availableOutgoingKbps: number | null;
  /** Packets in the interval: none at all means the link carried nothing. */
  readonly packets: number;
}

type StatsEntry = Record<string, unknown>;

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Sums one direction's RTP counters from a stats report (every entry of
 * `RTCStatsReport.values()`): outbound-rtp with its remote-inbound-rtp for
 * 'send', inbound-rtp for 'recv'; RTT and the bandwidth estimate from the
 * nominated candidate pair when the RTP reports lack them.
 */
export function countersFromStats(entries: Iterable<StatsEntry>, direction: 'send' | 'recv', at: number): RtpCounters {
  let packets = 0;
  let packetsLost = 0;
  let bytes = 0;
  let jitter: number | null = null;
  let rtt: number | null = null;
  let pairRtt: number | null = null;
  let available: number | null = null;
  for (const entry of entries) {
    const type = entry['type'];
    if (direction === 'send' && type === 'outbound-rtp') {
      packets += num(entry['packetsSent']) ?? 0;
      bytes += num(entry['bytesSent']) ?? 0;
    } else if (direction === 'send' && type === 'remote-inbound-rtp') {
      packetsLost += Math.max(0, num(entry['packetsLost']) ?? 0);
      const j = num(entry['jitter']);
      if (j !== null) jitter = Math.max(jitter ?? 0, j);
      const r = num(entry['roundTripTime']);
      if (r !== null) rtt = Math.max(rtt ?? 0, r);
    } else if (direction === 'recv' && type === 'inbound-rtp') {
      packets += num(entry['packetsReceived']) ?? 0;
      packetsLost += Math.max(0, num(entry['packetsLost']) ?? 0);
      bytes += num(entry['bytesReceived']) ?? 0;
      const j = num(entry['jitter']);
      if (j !== null) jitter = Math.max(jitter ?? 0, j);
    } else if (type === 'candidate-pair' && (entry['nominated'] === true || entry['selected'] === true)) {
      if (entry['state'] !== undefined && entry['state'] !== 'succeeded') continue;
      const r = num(entry['currentRoundTripTime']);
      if (r !== null) pairRtt = r;
      const a = num(entry['availableOutgoingBitrate']);
      if (a !== null) available = a;
    }
  }
  return {
    at,
    packets,
    packetsLost,
    bytes,
    jitterS: jitter,
    rttS: rtt ?? pairRtt,
    availableOutgoingBitrate: direction === 'send' ? available : null,
  };
}

/** The interval between two readings of the same link. A counter reset (a new transport) counts from zero. */
export function metricsBetween(previous: RtpCounters | null, current: RtpCounters): LinkMetrics {
  const reset =
    previous === null ||
    current.packets < previous.packets ||
    current.bytes < previous.bytes ||
    current.packetsLost < previous.packetsLost;
  const base = reset ? { at: current.at, packets: 0, packetsLost: 0, bytes: current.bytes } : previous;
  const packets = current.packets - base.packets;
  const lost = current.packetsLost - base.packetsLost;
  // A first reading has no interval: its loss is the total so far, its bitrate unknown (0).
  const seconds = Math.max(0.001, (current.at - base.at) / 1000);
  // Receiving: lost / (received + lost). Sending: lost at the far end / sent.
  const expected = packets + lost;
  const lossPercent = expected > 0 ? (100 * lost) / expected : 0;
  return {
    lossPercent,
    jitterMs: current.jitterS === null ? null : current.jitterS * 1000,
    rttMs: current.rttS === null ? null : current.rttS * 1000,
    bitrateKbps: ((current.bytes - base.bytes) * 8) / 1000 / seconds,
    availableOutgoingKbps: current.availableOutgoingBitrate === null ? null : current.availableOutgoingBitrate / 1000,
    packets,
  };
}

/**
 * The thresholds, in one place. ITU-T G.114 puts one-way delay above 150 ms as
 * noticeable (RTT 300 ms); a few per cent loss is what FEC and NACK still hide.
 */
export const QUALITY_THRESHOLDS = {
  fair: { lossPercent: 2, rttMs: 300, jitterMs: 30 },
  poor: { lossPercent: 8, rttMs: 700, jitterMs: 80 },
} as const;

/**
 * good / fair / poor from loss, round trip and jitter (the worst of them
 * decides); lost when nothing arrived although something should have.
 */
export function classifyLink(metrics: LinkMetrics, expectTraffic = true): LinkQuality {
  if (expectTraffic && metrics.packets === 0) return 'lost';
  const { fair, poor } = QUALITY_THRESHOLDS;
  const rtt = metrics.rttMs ?? 0;
  const jitter = metrics.jitterMs ?? 0;
  if (metrics.lossPercent >= poor.lossPercent || rtt >= poor.rttMs || jitter >= poor.jitterMs) return 'poor';
  if (metrics.lossPercent >= fair.lossPercent || rtt >= fair.rttMs || jitter >= fair.jitterMs) return 'fair';
  return 'good';
}

const ORDER: readonly LinkQuality[] = ['good', 'fair', 'poor', 'lost'];

/** The worse of two verdicts (a participant's badge: what I receive from them and what they report sending). */
export function worseQuality(a: LinkQuality, b: LinkQuality | null): LinkQuality {
  if (b === null) return a;
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
