import { z } from 'zod';

/**
 * Structural schemas for the mediasoup objects that cross the wire. They check
 * shape and bounds (so garbage never reaches the worker); the worker itself
 * checks codec semantics. Unknown fields pass through: mediasoup adds fields
 * between versions and both ends use the same mediasoup major.
 */
const Id = z.string().min(1).max(128);
const Bounded = z.string().max(256);

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

// Values are opaque here (the worker validates them); the 64 KiB frame limit bounds their size.
const CodecParameters = z.record(z.string().max(64), z.unknown());
const RtcpFeedback = z.looseObject({ type: Bounded, parameter: Bounded.optional() });

export const RtpCodecCapability = z.looseObject({
  kind: MediaKind,
  mimeType: Bounded,
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().optional(),
  parameters: CodecParameters.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
});

export const RtpHeaderExtension = z.looseObject({
  kind: MediaKind,
  uri: Bounded,
  preferredId: z.number().int().min(1).max(255),
});

export const RtpCapabilities = z.looseObject({
  codecs: z.array(RtpCodecCapability).max(64).optional(),
  headerExtensions: z.array(RtpHeaderExtension).max(64).optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

export const RtpParameters = z.looseObject({
  mid: Bounded.optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType: Bounded,
        payloadType: z.number().int().min(0).max(127),
        clockRate: z.number().int().positive(),
        channels: z.number().int().positive().optional(),
        parameters: CodecParameters.optional(),
        rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
      }),
    )
    .min(1)
    .max(32),
  headerExtensions: z
    .array(z.looseObject({ uri: Bounded, id: z.number().int().min(1).max(255) }))
    .max(32)
    .optional(),
  encodings: z.array(z.looseObject({})).max(8).optional(),
  rtcp: z.looseObject({}).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const DtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.looseObject({ algorithm: Bounded, value: z.string().max(512) }))
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

export const IceParameters = z.looseObject({
  usernameFragment: Bounded,
  password: Bounded,
  iceLite: z.boolean().optional(),
});
export const IceCandidate = z.looseObject({
  foundation: Bounded,
  priority: z.number(),
  address: Bounded,
  protocol: z.enum(['udp', 'tcp']),
  port: z.number().int(),
  type: z.enum(['host', 'srflx', 'prflx', 'relay']),
  tcpType: z.enum(['passive', 'active', 'so']).optional(),
});
export const SctpParameters = z.looseObject({
  port: z.number().int(),
  OS: z.number().int(),
  MIS: z.number().int(),
  maxMessageSize: z.number().int(),
});

export const TransportOptions = z.object({
  id: Id,
  iceParameters: IceParameters,
  iceCandidates: z.array(IceCandidate),
  dtlsParameters: DtlsParameters,
  sctpParameters: SctpParameters.optional(),
});
export type TransportOptions = z.infer<typeof TransportOptions>;

export const EntityId = Id;
