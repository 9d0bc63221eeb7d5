import crypto from 'node:crypto';
import type { types } from 'mediasoup';
import type { PeerInfo, RtpCapabilities } from '@legevakt/shared';
import { notFound } from '../errors.ts';

/** One participant's mediasoup objects inside a Room. Closing the peer frees them all. */
export class MediaPeer {
  readonly info: PeerInfo;
  readonly rtpCapabilities: types.RtpCapabilities;
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, types.Producer>();
  readonly consumers = new Map<string, types.Consumer>();
  readonly dataProducers = new Map<string, types.DataProducer>();
  readonly dataConsumers = new Map<string, types.DataConsumer>();
  /** The secret a new socket of the same user presents to take this place back after a drop. */
  readonly resumeToken: string = crypto.randomBytes(32).toString('base64url');
  /** Which socket holds the place: bumped by every resume, so the old socket's late close is ignored. */
  epoch = 0;
  /** Set while the peer's socket is down: the grace period after which it leaves. */
  graceTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(info: PeerInfo, rtpCapabilities: RtpCapabilities) {
    this.info = info;
    // The schema checked the shape; mediasoup checks codec semantics in canConsume().
    this.rtpCapabilities = rtpCapabilities as types.RtpCapabilities;
  }

  get id(): string {
    return this.info.peerId;
  }

  transport(transportId: string): types.WebRtcTransport {
    const transport = this.transports.get(transportId);
    if (!transport) throw notFound(`transport ${transportId}`);
    return transport;
  }

  producer(producerId: string): types.Producer {
    const producer = this.producers.get(producerId);
    if (!producer) throw notFound(`producer ${producerId}`);
    return producer;
  }

  consumer(consumerId: string): types.Consumer {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw notFound(`consumer ${consumerId}`);
    return consumer;
  }

  dataConsumer(dataConsumerId: string): types.DataConsumer {
    const consumer = this.dataConsumers.get(dataConsumerId);
    if (!consumer) throw notFound(`data consumer ${dataConsumerId}`);
    return consumer;
  }

  /** Closing the transports closes their producers and consumers in the worker too. */
  get reconnecting(): boolean {
    return this.graceTimer !== null;
  }

  /** True when `token` is this place's resume token; constant time, so timing says nothing about it. */
  resumableWith(token: string): boolean {
    const given = Buffer.from(token);
    const expected = Buffer.from(this.resumeToken);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  close(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.dataProducers.clear();
    this.dataConsumers.clear();
  }
}
