import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import type { types } from 'mediasoup';
import type {
  DataProducerInfo,
  DtlsParameters,
  NotificationData,
  NotificationMethod,
  PeerInfo,
  ProducerInfo,
  RequestData,
  ResponseData,
  RtpCapabilities,
  TransportDirection,
  TransportOptions,
} from '@legevakt/shared';
import { conflict, DomainError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { mediaCodecs } from './codecs.ts';
import { MediaPeer } from './mediaPeer.ts';
import type { MediaWorker, MediaWorkerPool } from './workerPool.ts';

export type RoomCloseReason = NotificationData<'roomClosed'>['reason'] | 'empty';

export interface RoomEvents {
  /** Something a peer must be told; the signaling layer delivers it. */
  notify: [peerId: string, method: NotificationMethod, data: NotificationData<NotificationMethod>];
  /**
   * A message on a vitals data channel, as the server's own consumer received it
   * through the SFU: what the vitals service stores and acknowledges.
   */
  dataMessage: [message: { peerId: string; sourceId: string; dataProducerId: string; payload: Buffer }];
  closed: [reason: RoomCloseReason];
  /** A peer's place was taken back by a new socket (`epoch`): the socket that held it before lets go. */
  resumed: [peerId: string, epoch: number];
}

/**
 * A vitals source relayed by the server itself (the monitor bridge has no WebRTC
 * stack): its messages arrive over signaling and leave from a DataProducer on the
 * room's DirectTransport, so doctors consume them like a browser source's.
 */
interface RelaySource {
  readonly relayId: string;
  readonly userId: string;
  readonly sourceId: string;
  readonly dataProducer: types.DataProducer;
}

export interface RoomOptions {
  initialOutgoingBitrate: number;
  /** How long a peer whose socket dropped keeps its place (transports, producers) for a `resume`. */
  resumeGraceMs: number;
}

/**
 * One consult's media: one mediasoup router and the peers in it. The Room knows
 * mediasoup and the consult's participants, nothing of sockets or HTTP; what a
 * peer must learn is emitted as `notify` events for the signaling layer.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly consultId: string;
  readonly #router: types.Router;
  readonly #host: MediaWorker;
  readonly #options: RoomOptions;
  readonly #log: Logger;
  readonly #peers = new Map<string, MediaPeer>();
  /** The server's own end of every data channel (a DirectTransport in the worker). */
  #direct: types.DirectTransport | null = null;
  /** Relayed vitals sources by relay id (a peer id that never joins the call). */
  readonly #relays = new Map<string, RelaySource>();
  #closed = false;

  private constructor(consultId: string, router: types.Router, host: MediaWorker, options: RoomOptions, log: Logger) {
    super();
    this.consultId = consultId;
    this.#router = router;
    this.#host = host;
    this.#options = options;
    this.#log = log.child({ consultId, routerId: router.id });
    // The worker died under us: every transport is gone, so the room is too.
    router.observer.once('close', () => {
      if (!this.#closed) this.#finish('media-server-restarted');
    });
  }

  static async create(consultId: string, pool: MediaWorkerPool, options: RoomOptions, log: Logger): Promise<Room> {
    const { router, host } = await pool.createRouter(mediaCodecs);
    return new Room(consultId, router, host, options, log);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get routerRtpCapabilities(): RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** The room's logger (consult and router ids bound), for handlers acting on it such as the vitals relay. */
  get log(): Logger {
    return this.#log;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  join(info: PeerInfo, rtpCapabilities: RtpCapabilities): ResponseData<'join'> {
    this.#assertOpen();
    if (this.#peers.has(info.peerId)) throw conflict('already joined');
    const peer = new MediaPeer(info, rtpCapabilities);
    const others = [...this.#peers.values()];
    this.#peers.set(peer.id, peer);
    for (const other of others) this.#notify(other.id, 'peerJoined', info);
    this.#log.info({ peerId: info.peerId, role: info.role }, 'peer joined');
    // The same user joining afresh (a reloaded page, a resume that came too late) replaces a dropped place.
    for (const old of others) {
      if (old.info.userId === info.userId && old.reconnecting) this.leave(old.id);
    }
    return { ...this.#view(peer), resumeToken: peer.resumeToken };
  }

  /**
   * The peer's socket dropped (not a hang-up): it keeps its place, transports
   * and producers for the grace period, the others are told it is reconnecting.
   * `epoch` is the socket's hold on the place: a socket that lost it to a
   * resume has nothing to drop. A relay has no resume: it leaves at once.
   */
  disconnect(peerId: string, epoch: number): void {
    if (this.#relays.has(peerId)) {
      this.leave(peerId);
      return;
    }
    const peer = this.#peers.get(peerId);
    if (!peer || peer.epoch !== epoch || peer.reconnecting || this.#closed) return;
    peer.graceTimer = setTimeout(() => {
      this.#log.info(
        { peerId, graceMs: this.#options.resumeGraceMs },
        'peer did not come back within its grace period',
      );
      this.leave(peerId);
    }, this.#options.resumeGraceMs);
    peer.graceTimer.unref();
    this.#log.info({ peerId, graceMs: this.#options.resumeGraceMs }, 'peer reconnecting: its place is kept');
    for (const other of this.#peers.values()) {
      if (other !== peer) this.#notify(other.id, 'peerReconnecting', { peerId });
    }
  }

  /**
   * Throws unless `userId` may take back `peerId`'s place with `token`: a
   * FORBIDDEN for the wrong user or token. False when there is no such place.
   */
  canResume(peerId: string, userId: string, token: string): boolean {
    const peer = this.#closed ? undefined : this.#peers.get(peerId);
    if (!peer) return false;
    // The token is checked even for the wrong user, so both refusals cost the same.
    const tokenOk = peer.resumableWith(token);
    if (peer.info.userId !== userId || !tokenOk) {
      this.#log.warn({ peerId, userId }, 'resume refused: wrong user or resume token');
      throw new DomainError('FORBIDDEN', 'this place in the call belongs to another session');
    }
    return true;
  }

  /** A new socket takes the place back (checked with canResume): returns its epoch and the room as it is now. */
  resume(peerId: string): { epoch: number; view: ResponseData<'resume'> } {
    const peer = this.#peer(peerId);
    const wasReconnecting = peer.reconnecting;
    if (peer.graceTimer) clearTimeout(peer.graceTimer);
    peer.graceTimer = null;
    peer.epoch += 1;
    this.emit('resumed', peerId, peer.epoch);
    this.#log.info({ peerId, wasReconnecting }, 'peer resumed');
    for (const other of this.#peers.values()) {
      if (other !== peer) this.#notify(other.id, 'peerResumed', { peerId });
    }
    const reconnecting = [...this.#peers.values()].filter((p) => p !== peer && p.reconnecting).map((p) => p.id);
    return { epoch: peer.epoch, view: { ...this.#view(peer), reconnecting } };
  }

  async restartIce(peerId: string, transportId: string): Promise<ResponseData<'restartIce'>> {
    const transport = this.#peer(peerId).transport(transportId);
    const iceParameters = await transport.restartIce();
    this.#log.info({ peerId, transportId }, 'ICE restarted');
    return { iceParameters };
  }

  /** What a peer sees of the room: itself, the others, and everything it can consume. */
  #view(peer: MediaPeer): Omit<ResponseData<'join'>, 'resumeToken'> {
    const others = [...this.#peers.values()].filter((other) => other !== peer);
    return {
      self: peer.info,
      peers: others.map((other) => other.info),
      producers: others.flatMap((other) => [...other.producers.values()].map((p) => producerInfo(other, p))),
      dataProducers: [
        ...others.flatMap((other) => [...other.dataProducers.values()].map((d) => dataProducerInfo(other, d))),
        ...[...this.#relays.values()].map(relayInfo),
      ],
    };
  }

  async createWebRtcTransport(peerId: string, direction: TransportDirection): Promise<TransportOptions> {
    const peer = this.#peer(peerId);
    const transport = await this.#router.createWebRtcTransport({
      webRtcServer: this.#host.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      // The data channel carries vital signs beside the video.
      enableSctp: true,
      initialAvailableOutgoingBitrate: this.#options.initialOutgoingBitrate,
      appData: { direction },
    });
    if (this.#closed || !this.#peers.has(peerId)) {
      // The peer left (or the room closed) while the worker was creating it.
      transport.close();
      throw notFound(`peer ${peerId}`);
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') {
        this.#log.warn({ peerId, transportId: transport.id, state }, 'transport DTLS state');
      }
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
    };
  }

  async connectWebRtcTransport(peerId: string, transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const transport = this.#peer(peerId).transport(transportId);
    await transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
  }

  async produce(peerId: string, data: RequestData<'produce'>): Promise<string> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(data.transportId);
    if (transport.appData['direction'] !== 'send') {
      throw new DomainError('BAD_REQUEST', 'produce needs a send transport');
    }
    const producer = await transport.produce({
      kind: data.kind,
      rtpParameters: data.rtpParameters as types.RtpParameters,
      appData: { source: data.appData?.source ?? (data.kind === 'audio' ? 'microphone' : 'camera') },
    });
    if (this.#closed || !this.#peers.has(peerId)) {
      producer.close();
      throw notFound(`peer ${peerId}`);
    }
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    const info = producerInfo(peer, producer);
    for (const other of this.#peers.values()) {
      if (other !== peer) this.#notify(other.id, 'newProducer', info);
    }
    return producer.id;
  }

  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void> {
    const peer = this.#peer(peerId);
    const producer = peer.producer(producerId);
    if (paused) await producer.pause();
    else await producer.resume();
    for (const other of this.#peers.values()) {
      if (other !== peer) this.#notify(other.id, paused ? 'producerPaused' : 'producerResumed', { producerId, peerId });
    }
  }

  closeProducer(peerId: string, producerId: string): void {
    // Closing the producer closes its consumers; their 'producerclose' tells the consumers' peers.
    this.#peer(peerId).producer(producerId).close();
  }

  async consume(peerId: string, transportId: string, producerId: string): Promise<ResponseData<'consume'>> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(transportId);
    if (transport.appData['direction'] !== 'recv') {
      throw new DomainError('BAD_REQUEST', 'consume needs a receive transport');
    }
    const owner = this.#producerOwner(producerId);
    if (owner === peer) throw new DomainError('BAD_REQUEST', 'a peer does not consume its own producer');
    if (!this.#router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
      throw new DomainError('CONFLICT', `this device cannot receive producer ${producerId}'s codec`);
    }
    const producer = owner.producer(producerId);
    // Paused until the client has its track wired up, so no keyframe is lost before it listens.
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities: peer.rtpCapabilities,
      paused: true,
    });
    if (this.#closed || !this.#peers.has(peerId)) {
      consumer.close();
      throw notFound(`peer ${peerId}`);
    }
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      consumer.close();
      this.#notify(peer.id, 'consumerClosed', { consumerId: consumer.id });
    });
    return {
      consumerId: consumer.id,
      producerId,
      peerId: owner.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      producerPaused: producer.paused,
    };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peer(peerId).consumer(consumerId);
    await consumer.resume();
    if (consumer.kind === 'video') await consumer.requestKeyFrame();
  }

  /**
   * A vitals data channel from a peer. The server consumes it too (through a
   * DirectTransport), so every message is stored whether or not a doctor is
   * watching, and the other peers are told they can consume it.
   */
  async produceData(peerId: string, data: RequestData<'produceData'>): Promise<string> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(data.transportId);
    if (transport.appData['direction'] !== 'send') {
      throw new DomainError('BAD_REQUEST', 'produceData needs a send transport');
    }
    const dataProducer = await transport.produceData({
      sctpStreamParameters: data.sctpStreamParameters,
      label: data.label,
      protocol: data.protocol,
      appData: { sourceId: data.appData.sourceId },
    });
    if (this.#closed || !this.#peers.has(peerId)) {
      dataProducer.close();
      throw notFound(`peer ${peerId}`);
    }
    peer.dataProducers.set(dataProducer.id, dataProducer);
    dataProducer.observer.once('close', () => peer.dataProducers.delete(dataProducer.id));
    await this.#consumeOnServer(peerId, data.appData.sourceId, dataProducer.id);
    const info = dataProducerInfo(peer, dataProducer);
    for (const other of this.#peers.values()) {
      if (other !== peer) this.#notify(other.id, 'newDataProducer', info);
    }
    return dataProducer.id;
  }

  async consumeData(peerId: string, transportId: string, dataProducerId: string): Promise<ResponseData<'consumeData'>> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(transportId);
    if (transport.appData['direction'] !== 'recv') {
      throw new DomainError('BAD_REQUEST', 'consumeData needs a receive transport');
    }
    const owner = [...this.#peers.values()].find((p) => p.dataProducers.has(dataProducerId));
    const relay = [...this.#relays.values()].find((r) => r.dataProducer.id === dataProducerId);
    if (!owner && !relay) throw notFound(`data producer ${dataProducerId}`);
    if (owner === peer) throw new DomainError('BAD_REQUEST', 'a peer does not consume its own data producer');
    const dataConsumer = await transport.consumeData({ dataProducerId });
    if (this.#closed || !this.#peers.has(peerId)) {
      dataConsumer.close();
      throw notFound(`peer ${peerId}`);
    }
    peer.dataConsumers.set(dataConsumer.id, dataConsumer);
    dataConsumer.observer.once('close', () => peer.dataConsumers.delete(dataConsumer.id));
    dataConsumer.on('dataproducerclose', () => {
      dataConsumer.close();
      this.#notify(peer.id, 'dataConsumerClosed', { dataConsumerId: dataConsumer.id });
    });
    const producer = relay?.dataProducer ?? owner!.dataProducers.get(dataProducerId)!;
    return {
      dataConsumerId: dataConsumer.id,
      dataProducerId,
      peerId: relay?.relayId ?? owner!.id,
      sctpStreamParameters: dataConsumer.sctpStreamParameters ?? { streamId: 0, ordered: true },
      label: dataConsumer.label,
      protocol: dataConsumer.protocol,
      sourceId: sourceIdOf(producer),
    };
  }

  /**
   * Attaches a relayed vitals source. A source has one relay: a bridge that
   * reconnects (its old socket not yet timed out) replaces its previous one.
   */
  async openRelay(relayId: string, userId: string, sourceId: string): Promise<{ dataProducerId: string }> {
    this.#assertOpen();
    if (this.#peers.has(relayId) || this.#relays.has(relayId)) throw conflict('relay id in use');
    for (const other of [...this.#relays.values()]) {
      if (other.sourceId === sourceId) {
        this.#log.info({ relayId: other.relayId, sourceId }, 'vitals relay replaced by a newer connection');
        this.#closeRelay(other.relayId);
      }
    }
    this.#direct ??= await this.#router.createDirectTransport();
    const dataProducer = await this.#direct.produceData({
      label: 'vitals',
      protocol: 'legevakt-vitals-v1',
      appData: { sourceId, relayId },
    });
    if (this.#closed) {
      dataProducer.close();
      throw notFound(`consult room ${this.consultId}`);
    }
    const relay: RelaySource = { relayId, userId, sourceId, dataProducer };
    this.#relays.set(relayId, relay);
    dataProducer.observer.once('close', () => {
      if (this.#relays.get(relayId) === relay) this.#relays.delete(relayId);
    });
    await this.#consumeOnServer(relayId, sourceId, dataProducer.id);
    for (const peer of this.#peers.values()) this.#notify(peer.id, 'newDataProducer', relayInfo(relay));
    this.#log.info({ relayId, sourceId, userId }, 'vitals relay opened');
    return { dataProducerId: dataProducer.id };
  }

  /** The relayed source of a relay id, if that relay is open. */
  relaySource(relayId: string): string | undefined {
    return this.#relays.get(relayId)?.sourceId;
  }

  /** Sends one encoded vitals message from a relay into the room (the server's consumer stores it). */
  relay(relayId: string, payload: Uint8Array): void {
    const relay = this.#relays.get(relayId);
    if (!relay || relay.dataProducer.closed) throw conflict('the vitals relay is closed; open it again');
    relay.dataProducer.send(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }

  #closeRelay(relayId: string): void {
    const relay = this.#relays.get(relayId);
    if (!relay) return;
    this.#relays.delete(relayId);
    // Closing the producer closes the doctors' consumers; their 'dataproducerclose' tells them.
    relay.dataProducer.close();
    this.#log.info({ relayId, sourceId: relay.sourceId }, 'vitals relay closed');
  }

  /** The server's own consumer of a vitals channel: what VitalsService stores and acknowledges. */
  async #consumeOnServer(peerId: string, sourceId: string, dataProducerId: string): Promise<void> {
    this.#direct ??= await this.#router.createDirectTransport();
    const serverSide = await this.#direct.consumeData({ dataProducerId });
    serverSide.on('message', (payload) => {
      this.emit('dataMessage', { peerId, sourceId, dataProducerId, payload });
    });
  }

  /**
   * The peer leaves (hang-up or dropped socket), or a relay closes; the room
   * closes when nobody is left in it and nothing is relayed into it.
   */
  leave(peerId: string): void {
    if (this.#relays.has(peerId)) {
      this.#closeRelay(peerId);
      if (this.#peers.size === 0 && this.#relays.size === 0) this.close('empty');
      return;
    }
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    peer.close();
    this.#log.info({ peerId }, 'peer left');
    for (const other of this.#peers.values()) this.#notify(other.id, 'peerLeft', { peerId });
    if (this.#peers.size === 0 && this.#relays.size === 0) this.close('empty');
  }

  hasPeer(peerId: string): boolean {
    return this.#peers.has(peerId);
  }

  /**
   * The host removed a participant (an invited guest; server/src/invites/):
   * each of the user's peers is told 'roomClosed' with reason 'removed', then
   * leaves as on hang-up, so the others get 'peerLeft'. Returns how many peers went.
   */
  removeUser(userId: string): number {
    const peers = [...this.#peers.values()].filter((peer) => peer.info.userId === userId);
    for (const peer of peers) {
      this.#notify(peer.id, 'roomClosed', { reason: 'removed' });
      this.leave(peer.id);
    }
    return peers.length;
  }

  close(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#finish(reason);
    this.#router.close();
  }

  #finish(reason: RoomCloseReason): void {
    this.#closed = true;
    if (reason !== 'empty') {
      for (const peer of this.#peers.values()) this.#notify(peer.id, 'roomClosed', { reason });
      for (const relayId of this.#relays.keys()) this.#notify(relayId, 'roomClosed', { reason });
    }
    this.#relays.clear();
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.#log.info({ reason }, 'room closed');
    this.emit('closed', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw notFound(`consult room ${this.consultId}`);
  }

  #peer(peerId: string): MediaPeer {
    this.#assertOpen();
    const peer = this.#peers.get(peerId);
    if (!peer) throw notFound(`peer ${peerId}`);
    return peer;
  }

  #producerOwner(producerId: string): MediaPeer {
    for (const peer of this.#peers.values()) if (peer.producers.has(producerId)) return peer;
    throw notFound(`producer ${producerId}`);
  }

  /** Tells every peer but one something on its behalf (e.g. that its link fell back to audio only). */
  notifyOthers<M extends NotificationMethod>(peerId: string, method: M, data: NotificationData<M>): void {
    for (const other of this.#peers.keys()) if (other !== peerId) this.#notify(other, method, data);
  }

  /** Tells one peer something on behalf of a service that follows the room (e.g. a vitals ack). */
  notifyPeer<M extends NotificationMethod>(peerId: string, method: M, data: NotificationData<M>): void {
    if (this.#peers.has(peerId) || this.#relays.has(peerId)) this.#notify(peerId, method, data);
  }

  #notify<M extends NotificationMethod>(peerId: string, method: M, data: NotificationData<M>): void {
    this.emit('notify', peerId, method, data);
  }
}

/** The vitals source a data channel carries, as given when it was produced (validated then). */
function sourceIdOf(dataProducer: types.DataProducer): string {
  const sourceId = dataProducer.appData['sourceId'];
  return typeof sourceId === 'string' ? sourceId : '';
}

function dataProducerInfo(peer: MediaPeer, dataProducer: types.DataProducer): DataProducerInfo {
  return {
    dataProducerId: dataProducer.id,
    peerId: peer.id,
    label: dataProducer.label,
    sourceId: sourceIdOf(dataProducer),
  };
}

function relayInfo(relay: RelaySource): DataProducerInfo {
  return {
    dataProducerId: relay.dataProducer.id,
    peerId: relay.relayId,
    label: relay.dataProducer.label,
    sourceId: relay.sourceId,
  };
}

function producerInfo(peer: MediaPeer, producer: types.Producer): ProducerInfo {
  return { producerId: producer.id, peerId: peer.id, kind: producer.kind, paused: producer.paused };
}

export function newPeerId(): string {
  return crypto.randomUUID();
}
