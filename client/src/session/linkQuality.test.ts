import { describe, expect, it } from 'vitest';
import { classifyLink, countersFromStats, metricsBetween, worseQuality, type RtpCounters } from './linkQuality.ts';

const counters = (patch: Partial<RtpCounters>): RtpCounters => ({
  at: 0,
  packets: 0,
  packetsLost: 0,
  bytes: 0,
  jitterS: null,
  rttS: null,
  availableOutgoingBitrate: null,
  ...patch,
});

describe('countersFromStats', () => {
  const report = [
    { type: 'outbound-rtp', kind: 'video', packetsSent: 1000, bytesSent: 900_000 },
    { type: 'outbound-rtp', kind: 'audio', packetsSent: 500, bytesSent: 40_000 },
    { type: 'remote-inbound-rtp', kind: 'video', packetsLost: 30, jitter: 0.012, roundTripTime: 0.08 },
    { type: 'remote-inbound-rtp', kind: 'audio', packetsLost: 5, jitter: 0.02, roundTripTime: 0.09 },
    {
      type: 'inbound-rtp',
      kind: 'video',
      packetsReceived: 2000,
      packetsLost: 10,
      bytesReceived: 1_500_000,
      jitter: 0.005,
    },
    { type: 'candidate-pair', nominated: false, state: 'succeeded', currentRoundTripTime: 9 },
    {
      type: 'candidate-pair',
      nominated: true,
      state: 'succeeded',
      currentRoundTripTime: 0.1,
      availableOutgoingBitrate: 640_000,
    },
  ];

  it('sums what this side sends with the losses the far end reports, and the worst jitter and RTT', () => {
    expect(countersFromStats(report, 'send', 5)).toEqual({
      at: 5,
      packets: 1500,
      packetsLost: 35,
      bytes: 940_000,
      jitterS: 0.02,
      rttS: 0.09,
      availableOutgoingBitrate: 640_000,
    });
  });

  it('reads what this side receives, with the nominated pair round trip and no outgoing estimate', () => {
    expect(countersFromStats(report, 'recv', 5)).toEqual({
      at: 5,
      packets: 2000,
      packetsLost: 10,
      bytes: 1_500_000,
      jitterS: 0.005,
      rttS: 0.1,
      availableOutgoingBitrate: null,
    });
  });
});

describe('metricsBetween', () => {
  it('gives the interval loss, bitrate and the latest jitter and RTT', () => {
    const a = counters({ at: 1000, packets: 1000, packetsLost: 10, bytes: 100_000 });
    const b = counters({ at: 3000, packets: 1180, packetsLost: 30, bytes: 350_000, jitterS: 0.015, rttS: 0.2 });
    const m = metricsBetween(a, b);
    expect(m.lossPercent).toBeCloseTo(10, 5); // 20 lost of 200 expected
    expect(m.bitrateKbps).toBeCloseTo(1000, 5); // 250 kB in 2 s
    expect(m.jitterMs).toBeCloseTo(15);
    expect(m.rttMs).toBeCloseTo(200);
    expect(m.packets).toBe(180);
  });

  it('starts over when the counters went backwards (a new transport after a re-join)', () => {
    const a = counters({ at: 1000, packets: 5000, packetsLost: 100, bytes: 900_000 });
    const b = counters({ at: 3000, packets: 100, packetsLost: 0, bytes: 10_000 });
    const m = metricsBetween(a, b);
    expect(m.lossPercent).toBe(0);
    expect(m.packets).toBe(100);
    expect(m.bitrateKbps).toBe(0);
  });
});

describe('classifyLink', () => {
  const base = { lossPercent: 0, jitterMs: 5, rttMs: 40, bitrateKbps: 500, availableOutgoingKbps: null, packets: 100 };
  it('is good on a clean link', () => expect(classifyLink(base)).toBe('good'));
  it('is fair from 2 % loss, 300 ms RTT or 30 ms jitter', () => {
    expect(classifyLink({ ...base, lossPercent: 1.9 })).toBe('good');
    expect(classifyLink({ ...base, lossPercent: 2 })).toBe('fair');
    expect(classifyLink({ ...base, rttMs: 300 })).toBe('fair');
    expect(classifyLink({ ...base, jitterMs: 30 })).toBe('fair');
  });
  it('is poor from 8 % loss, 700 ms RTT or 80 ms jitter', () => {
    expect(classifyLink({ ...base, lossPercent: 8 })).toBe('poor');
    expect(classifyLink({ ...base, rttMs: 700 })).toBe('poor');
    expect(classifyLink({ ...base, jitterMs: 80 })).toBe('poor');
  });
  it('is lost when nothing arrived that should have, not when nothing was expected', () => {
    expect(classifyLink({ ...base, packets: 0 })).toBe('lost');
    expect(classifyLink({ ...base, packets: 0 }, false)).toBe('good');
  });
  it('combines two verdicts by the worse', () => {
    expect(worseQuality('good', 'poor')).toBe('poor');
    expect(worseQuality('lost', 'fair')).toBe('lost');
    expect(worseQuality('fair', null)).toBe('fair');
  });
});
