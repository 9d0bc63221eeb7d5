import type { RtpParameters } from '@legevakt/shared';

/** What a browser would send for VP8 and opus: enough for the worker to accept a producer. */
export const vp8RtpParameters = (ssrc: number): RtpParameters => ({
  mid: '0',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    },
  ],
  encodings: [{ ssrc }],
  rtcp: { cname: 'test' },
});

export const opusRtpParameters = (ssrc: number): RtpParameters => ({
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
  rtcp: { cname: 'test' },
});

/** A fake but well-formed DTLS fingerprint: connect() accepts it without a peer. */
export const clientDtlsParameters = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
};
