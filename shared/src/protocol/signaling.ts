import { z } from 'zod';
import { ConsultId, TriageColour, ConsultOrigin } from '../domain/consult.ts';
import { ConsultView, QueueSnapshot } from './consults.ts';
import { DisplayName, Role } from './auth.ts';
import { DtlsParameters, EntityId, MediaKind, RtpCapabilities, RtpParameters, TransportOptions } from './media.ts';

/**
 * Every request the signaling socket accepts, with the schema of its data and
 * of its response. Server handlers and the client's typed `request()` are both
 * derived from this one table, so the two ends cannot drift apart.
 */
export const PeerInfo = z.object({
  peerId: EntityId,
  userId: z.string(),
  role: Role,
  displayName: DisplayName,
});
export type PeerInfo = z.infer<typeof PeerInfo>;

export const ProducerInfo = z.object({
  producerId: EntityId,
  peerId: EntityId,
  kind: MediaKind,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;

export const DataProducerInfo = z.object({
  dataProducerId: EntityId,
  peerId: EntityId,
  label: z.string().max(64),
  /** The vitals source this channel carries (stable across reconnects, for resend and dedupe). */
  sourceId: z.string().max(64),
});
export type DataProducerInfo = z.infer<typeof DataProducerInfo>;

export const SctpStreamParameters = z.looseObject({
  streamId: z.number().int().min(0).max(65535),
  ordered: z.boolean().optional(),
  maxPacketLifeTime: z.number().int().optional(),
  maxRetransmits: z.number().int().optional(),
});

export const TransportDirection = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof TransportDirection>;

const Empty = z.strictObject({});

/** One entry of RTCConfiguration.iceServers (what getIceServers hands the browser). */
export const IceServer = z.object({
  urls: z.array(z.string().regex(/^(stun|turns?):/)).min(1),
  username: z.string().max(256).optional(),
  credential: z.string().max(256).optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/** 32 random bytes, base64url: a secret, compared in constant time by the server. */
export const ResumeToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/**
 * Vitals relayed over the signaling socket by a source without a WebRTC stack
 * (the monitor bridge). Each message is one encoded vitals message (see
 * vitals/vitalsMessage.ts), base64. A batch must fit a signaling frame (64 KiB):
 * 48 KiB of base64 leaves room for the envelope.
 */
export const VITALS_RELAY_MAX_BATCH = 64;
export const VITALS_RELAY_MAX_MESSAGE_BYTES = 32 * 1024;
export const VITALS_RELAY_MAX_BATCH_BASE64_CHARS = 48 * 1024;
export const VitalsSourceId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

/** 'audio-only': the sender's video is off because its link cannot carry it (audio and vitals continue). */
export const LinkMode = z.enum(['video', 'audio-only']);
export type LinkMode = z.infer<typeof LinkMode>;
/** A connection-quality verdict from WebRTC statistics (loss, jitter, round trip). */
export const LinkQualityLevel = z.enum(['good', 'fair', 'poor', 'lost']);
export type LinkQualityLevel = z.infer<typeof LinkQualityLevel>;

export const requests = {
  /** Step 1: what consult routers can do, to load the mediasoup-client Device. */
  getRouterRtpCapabilities: {
    request: Empty,
    response: z.object({ routerRtpCapabilities: RtpCapabilities }),
  },
  /** Step 2: enter the consult with what this device can receive. */
  join: {
    request: z.strictObject({ consultId: ConsultId, rtpCapabilities: RtpCapabilities }),
    response: z.object({
      self: PeerInfo,
      peers: z.array(PeerInfo),
      producers: z.array(ProducerInfo),
      dataProducers: z.array(DataProducerInfo),
      /** The secret that lets this user's next socket take this place back after a drop (`resume`). */
      resumeToken: ResumeToken,
    }),
  },
  /**
   * After a dropped socket: take back the place kept in the room (same user,
   * the token `join` gave). Answers what the room holds now, so the client can
   * catch up on what it missed. NOT_FOUND: the place is gone (grace expired,
   * server restarted): join again.
   */
  resume: {
    request: z.strictObject({ consultId: ConsultId, peerId: EntityId, resumeToken: ResumeToken }),
    response: z.object({
      self: PeerInfo,
      peers: z.array(PeerInfo),
      producers: z.array(ProducerInfo),
      dataProducers: z.array(DataProducerInfo),
      /** The peers whose sockets are down right now (kept for their grace period). */
      reconnecting: z.array(EntityId),
    }),
  },
  /** New ICE credentials for a transport whose path broke (network change, long cut). */
  restartIce: {
    request: z.strictObject({ transportId: EntityId }),
    response: z.object({ iceParameters: TransportOptions.shape.iceParameters }),
  },
  /** A liveness probe: a cut link does not close a WebSocket, an unanswered ping tells the client. */
  ping: { request: Empty, response: Empty },
  createWebRtcTransport: {
    request: z.strictObject({ direction: TransportDirection }),
    response: TransportOptions,
  },
  connectWebRtcTransport: {
    request: z.strictObject({ transportId: EntityId, dtlsParameters: DtlsParameters }),
    response: Empty,
  },
  produce: {
    request: z.strictObject({
      transportId: EntityId,
      kind: MediaKind,
      rtpParameters: RtpParameters,
      appData: z.strictObject({ source: z.enum(['camera', 'microphone']) }).optional(),
    }),
    response: z.object({ producerId: EntityId }),
  },
  pauseProducer: { request: z.strictObject({ producerId: EntityId }), response: Empty },
  resumeProducer: { request: z.strictObject({ producerId: EntityId }), response: Empty },
  closeProducer: { request: z.strictObject({ producerId: EntityId }), response: Empty },
  /** Consumers are created paused; the client resumes once its track is wired up. */
  consume: {
    request: z.strictObject({ transportId: EntityId, producerId: EntityId }),
    response: z.object({
      consumerId: EntityId,
      producerId: EntityId,
      peerId: EntityId,
      kind: MediaKind,
      rtpParameters: RtpParameters,
      producerPaused: z.boolean(),
    }),
  },
  resumeConsumer: { request: z.strictObject({ consumerId: EntityId }), response: Empty },
  /**
   * A vitals source (the nurse's browser: Bluetooth devices or the simulator)
   * opens a reliable, ordered SCTP data channel in the consult's room.
   */
  produceData: {
    request: z.strictObject({
      transportId: EntityId,
      sctpStreamParameters: SctpStreamParameters,
      label: z.literal('vitals'),
      protocol: z.string().max(64),
      appData: z.strictObject({ sourceId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/) }),
    }),
    response: z.object({ dataProducerId: EntityId }),
  },
  /** The stored messages of a vitals source in a range: how a viewer fills a gap after a drop. */
  fetchVitals: {
    request: z.strictObject({
      sourceId: z.string().max(64),
      fromSeq: z.number().int().positive(),
      toSeq: z.number().int().positive(),
    }),
    response: z.object({ messages: z.array(z.object({ seq: z.number().int(), payload: z.base64() })) }),
  },
  consumeData: {
    request: z.strictObject({ transportId: EntityId, dataProducerId: EntityId }),
    response: z.object({
      dataConsumerId: EntityId,
      dataProducerId: EntityId,
      peerId: EntityId,
      sctpStreamParameters: SctpStreamParameters,
      label: z.string(),
      protocol: z.string(),
      sourceId: z.string(),
    }),
  },
  leave: { request: Empty, response: Empty },
  /**
   * A vitals source without WebRTC (the monitor bridge) attaches to an active
   * consult it is the requesting side of. The server produces its messages into
   * the consult's room from a DataProducer of its own, so the doctor consumes
   * them like a browser source's, and acknowledges them with `vitalsAck` on this
   * socket. `storedSeq`: the source's messages 1..storedSeq are already stored.
   */
  openVitalsRelay: {
    request: z.strictObject({ consultId: ConsultId, sourceId: VitalsSourceId }),
    response: z.object({ dataProducerId: EntityId, storedSeq: z.number().int().nonnegative() }),
  },
  /**
   * A batch of encoded vitals messages (seq increasing) for the open relay. The
   * server takes a prefix of at most `accepted` messages; when it throttles it
   * says how long to wait before sending the rest.
   */
  relayVitals: {
    request: z.strictObject({
      messages: z
        .array(
          z
            .base64()
            .min(1)
            .max(Math.ceil(VITALS_RELAY_MAX_MESSAGE_BYTES / 3) * 4),
        )
        .min(1)
        .max(VITALS_RELAY_MAX_BATCH)
        .refine((messages) => messages.reduce((n, m) => n + m.length, 0) <= VITALS_RELAY_MAX_BATCH_BASE64_CHARS, {
          message: `a batch carries at most ${VITALS_RELAY_MAX_BATCH_BASE64_CHARS} base64 characters`,
        }),
    }),
    response: z.object({
      accepted: z.number().int().nonnegative(),
      retryAfterMs: z.number().int().positive().optional(),
    }),
  },
  closeVitalsRelay: { request: Empty, response: Empty },
  /**
   * STUN/TURN servers for this user's next call, with a fresh time-limited TURN
   * credential (the TURN REST scheme); an empty list when the server has no
   * TURN configured (direct UDP and ICE over TCP still work). Not for admins.
   */
  getIceServers: {
    request: Empty,
    response: z.object({ iceServers: z.array(IceServer), expiresAt: z.iso.datetime().nullable() }),
  },
  /**
   * The consult's doctor asks the nurse side for a still photo from her camera.
   * The nurse side is told by `consultChanged` with change 'photo-requested'
   * (the live layer reaches every station of the requesting place, whether or
   * not its socket is in the call's room); the photo comes back as an upload.
   */
  requestPhoto: {
    request: z.strictObject({ consultId: ConsultId }),
    response: Empty,
  },
  /**
   * This side's link as it measures it: whether its video is off because the link
   * cannot carry it, and the quality of its upload. The room's other peers are
   * told with `linkState`.
   */
  reportLink: {
    request: z.strictObject({ mode: LinkMode, quality: LinkQualityLevel }),
    response: Empty,
  },
} as const;

export type RequestMethod = keyof typeof requests;
export type RequestData<M extends RequestMethod> = z.infer<(typeof requests)[M]['request']>;
export type ResponseData<M extends RequestMethod> = z.infer<(typeof requests)[M]['response']>;

export const ConsultChange = z.enum([
  'requested',
  'claimed',
  'transferred',
  'returned',
  'cancelled',
  'overflowed',
  'call-ended',
  /** The doctor signed the note: the decision and plan are on the record. */
  'closed',
  /** A doctor added an addendum to the closed consult's record. */
  'addendum',
  /** The nurse side added a still photo to the consult (GET /api/consults/:id/photos lists it). */
  'photo',
  /** The doctor asks the nurse side for a photo from her camera (signaling `requestPhoto`). */
  'photo-requested',
]);
export type ConsultChange = z.infer<typeof ConsultChange>;

/** 'removed': the host removed this participant (an invited guest) from the call. */
export const RoomClosedReason = z.enum(['media-server-restarted', 'server-shutdown', 'removed']);

export const notifications = {
  peerJoined: PeerInfo,
  peerLeft: z.object({ peerId: EntityId }),
  newProducer: ProducerInfo,
  producerPaused: z.object({ producerId: EntityId, peerId: EntityId }),
  producerResumed: z.object({ producerId: EntityId, peerId: EntityId }),
  /** The consumer's producer went away (its peer left or stopped sending). */
  consumerClosed: z.object({ consumerId: EntityId }),
  roomClosed: z.object({ reason: RoomClosedReason }),
  /** The peer's socket dropped: it keeps its place for a grace period and may come back (`peerResumed`). */
  peerReconnecting: z.object({ peerId: EntityId }),
  /** A reconnecting peer is back on a new socket; its media continues. */
  peerResumed: z.object({ peerId: EntityId }),
  newDataProducer: DataProducerInfo,
  dataConsumerClosed: z.object({ dataConsumerId: EntityId }),
  /** To a vitals source: everything up to and including `seq` is stored; forget it. */
  vitalsAck: z.object({ sourceId: z.string(), seq: z.number().int().nonnegative() }),

  // Live work-queue state. Snapshots, not deltas: after any reconnect the next
  // snapshot is the whole truth, and a lost one is repaired by the following.
  /** To doctors: their ordered queue, SLA today and their own open consults. */
  queueSnapshot: QueueSnapshot,
  /** To a satellite's nurses or an ambulance crew: their open consults with place in line. */
  placeConsults: z.object({ consults: z.array(ConsultView) }),
  /** To doctors: a request has just become theirs to take (sound and visual cue). */
  queueAlert: z.object({ consultId: ConsultId, triage: TriageColour, origin: ConsultOrigin, overflow: z.boolean() }),
  /** To a consult's participants: what just happened to it. */
  consultChanged: z.object({ consult: ConsultView, change: ConsultChange }),
  /** A peer's link as it reports it (`reportLink`): audio-only means its video is off for the link's sake. */
  linkState: z.object({ peerId: EntityId, mode: LinkMode, quality: LinkQualityLevel }),
  /**
   * To a district doctor the consult's doctor invited into the running call ("Bli med"): he may
   * join it (`join` with this consultId) while the invitation stands; no patient data here.
   */
  callInvitation: z.object({
    consultId: ConsultId,
    inviteId: z.string(),
    invitedByName: DisplayName,
    placeName: z.string(),
    expiresAt: z.number().int(),
  }),
} as const;

export type NotificationMethod = keyof typeof notifications;
export type NotificationData<M extends NotificationMethod> = z.infer<(typeof notifications)[M]>;

export function isRequestMethod(method: string): method is RequestMethod {
  return Object.hasOwn(requests, method);
}
export function isNotificationMethod(method: string): method is NotificationMethod {
  return Object.hasOwn(notifications, method);
}
