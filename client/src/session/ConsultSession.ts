import { Device, type types } from 'mediasoup-client';
import type { DataProducerInfo, MediaKind, PeerInfo, ProducerInfo, TransportOptions } from '@legevakt/shared';
import type { SignalingClient } from './SignalingClient.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export type SessionPhase = 'idle' | 'connecting' | 'in-call' | 'ended' | 'failed';

export interface RemoteParticipant {
  readonly info: PeerInfo;
  readonly audio: MediaStreamTrack | null;
  readonly video: MediaStreamTrack | null;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}

/** An immutable picture of the session for renderers (React reads it with useSyncExternalStore). */
export interface SessionSnapshot {
  readonly phase: SessionPhase;
  readonly consultId: string;
  readonly self: PeerInfo | null;
  readonly localStream: MediaStream | null;
  readonly micEnabled: boolean;
  readonly cameraEnabled: boolean;
  readonly participants: readonly RemoteParticipant[];
  /** Why the session failed or ended other than by hang-up. */
  readonly problem: SessionProblem | null;
}

export type SessionProblem = 'connect-failed' | 'connection-lost' | 'media-server-restarted' | 'server-shutdown';

export interface SessionEvents {
  changed: [SessionSnapshot];
  /** A message on a vitals channel from the other side (the doctor's view). */
  vitalsData: [sourceId: string, payload: Uint8Array];
  /** The server has stored everything from this source up to seq (the source's outbox forgets it). */
  vitalsAck: [sourceId: string, seq: number];
  /** A vitals channel opened by this side is ready (again). */
  vitalsChannelOpen: [sourceId: string];
  /** Diagnostics for logs; the UI shows `snapshot.problem`. */
  error: [Error];
}

export interface ConsultSessionOptions {
  /** The workspace's socket: the call rides on it and leaves it open when it ends. */
  signaling: SignalingClient;
  consultId: string;
}

interface RemoteConsumer {
  readonly consumer: types.Consumer;
  readonly peerId: string;
  readonly kind: MediaKind;
}

/**
 * The framework-free core of a video consult: owns the signaling connection, the
 * mediasoup-client Device, one send and one receive transport, the local
 * producers and the remote consumers. React components only render snapshots
 * and call its methods.
 */
export class ConsultSession extends TypedEmitter<SessionEvents> {
  readonly #options: ConsultSessionOptions;
  #signaling: SignalingClient | null = null;
  readonly #unsubscribe: (() => void)[] = [];
  /**
   * Resolves once the receive transport exists. A producer announced between our
   * join and that moment is consumed after it, not lost.
   */
  #recvReady: Promise<void>;
  #markRecvReady: () => void = () => undefined;
  #device: Device | null = null;
  #sendTransport: types.Transport | null = null;
  #recvTransport: types.Transport | null = null;
  readonly #producers = new Map<MediaKind, types.Producer>();
  readonly #consumers = new Map<string, RemoteConsumer>();
  readonly #dataProducers = new Map<string, types.DataProducer>();
  readonly #dataConsumers = new Map<string, types.DataConsumer>();
  readonly #peers = new Map<string, PeerInfo>();
  readonly #pausedProducers = new Set<string>();
  #snapshot: SessionSnapshot;

  constructor(options: ConsultSessionOptions) {
    super();
    this.#options = options;
    this.#recvReady = new Promise((resolve) => (this.#markRecvReady = resolve));
    this.#snapshot = {
      phase: 'idle',
      consultId: options.consultId,
      self: null,
      localStream: null,
      micEnabled: true,
      cameraEnabled: true,
      participants: [],
      problem: null,
    };
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  /** For React's useSyncExternalStore. */
  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): SessionSnapshot => this.#snapshot;

  /** Connect, join the consult, send the local stream and receive everyone else's. */
  async start(localStream: MediaStream): Promise<void> {
    if (this.#snapshot.phase !== 'idle') throw new Error('a session starts once');
    this.#update({ phase: 'connecting', localStream });
    try {
      const signaling = this.#options.signaling;
      this.#signaling = signaling;
      this.#listen(signaling);
      const { routerRtpCapabilities } = await signaling.request('getRouterRtpCapabilities', {});
      const device = await Device.factory();
      await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
      this.#device = device;
      const joined = await signaling.request('join', {
        consultId: this.#options.consultId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      for (const peer of joined.peers) this.#peers.set(peer.peerId, peer);
      this.#update({ self: joined.self, phase: 'in-call' });
      this.#sendTransport = await this.#createTransport('send');
      this.#recvTransport = await this.#createTransport('recv');
      this.#markRecvReady();
      for (const track of localStream.getTracks()) await this.#produce(track);
      for (const producer of joined.producers) await this.#consume(producer);
      for (const dataProducer of joined.dataProducers) await this.#consumeData(dataProducer);
      this.#publishParticipants();
    } catch (error) {
      this.emit('error', toError(error));
      this.#teardown();
      this.#update({ phase: 'failed', problem: 'connect-failed' });
      throw error;
    }
  }

  async setMicEnabled(enabled: boolean): Promise<void> {
    await this.#setSending('audio', enabled);
    this.#update({ micEnabled: enabled });
  }

  async setCameraEnabled(enabled: boolean): Promise<void> {
    await this.#setSending('video', enabled);
    this.#update({ cameraEnabled: enabled });
  }

  /** Leave the consult and release camera and microphone. */
  async hangUp(): Promise<void> {
    if (this.#snapshot.phase === 'ended') return;
    try {
      if (this.#signaling?.open) await this.#signaling.request('leave', {});
    } catch (error) {
      this.emit('error', toError(error));
    }
    this.#teardown();
    this.#update({ phase: 'ended', participants: [] });
  }

  /**
   * Opens a reliable, ordered data channel for a vitals source. `send` returns
   * false when the channel cannot take the message now (the outbox keeps it).
   */
  async openVitalsChannel(sourceId: string): Promise<{ send: (payload: Uint8Array) => boolean }> {
    const transport = this.#sendTransport;
    if (!transport) throw new Error('not in a call');
    const dataProducer = await transport.produceData({
      ordered: true,
      label: 'vitals',
      protocol: 'legevakt-vitals-v1',
      appData: { sourceId },
    });
    this.#dataProducers.set(sourceId, dataProducer);
    const announceOpen = (): void => this.emit('vitalsChannelOpen', sourceId);
    if (dataProducer.readyState === 'open') announceOpen();
    else dataProducer.on('open', announceOpen);
    return {
      send: (payload) => {
        if (dataProducer.closed || dataProducer.readyState !== 'open') return false;
        dataProducer.send(payload);
        return true;
      },
    };
  }

  /** Stored messages of a vitals source, to fill a gap in what this side received. */
  async fetchVitals(sourceId: string, fromSeq: number, toSeq: number): Promise<{ seq: number; payload: Uint8Array }[]> {
    const { messages } = await this.#requireSignaling().request('fetchVitals', { sourceId, fromSeq, toSeq });
    return messages.map((m) => ({ seq: m.seq, payload: Uint8Array.from(atob(m.payload), (c) => c.charCodeAt(0)) }));
  }

  async #setSending(kind: MediaKind, enabled: boolean): Promise<void> {
    const producer = this.#producers.get(kind);
    const track = this.#snapshot.localStream?.getTracks().find((t) => t.kind === kind);
    if (track) track.enabled = enabled;
    if (!producer || !this.#signaling) return;
    // Pausing at the SFU too stops forwarding, and tells the other side it is muted.
    if (enabled) {
      producer.resume();
      await this.#signaling.request('resumeProducer', { producerId: producer.id });
    } else {
      producer.pause();
      await this.#signaling.request('pauseProducer', { producerId: producer.id });
    }
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const signaling = this.#requireSignaling();
    const device = this.#device!;
    const options: TransportOptions = await signaling.request('createWebRtcTransport', { direction });
    const params = options as unknown as types.TransportOptions;
    const transport = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signaling
        .request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('producedata', ({ sctpStreamParameters, protocol, appData }, callback, errback) => {
        signaling
          .request('produceData', {
            transportId: transport.id,
            sctpStreamParameters: { ...sctpStreamParameters, streamId: sctpStreamParameters.streamId ?? 0 },
            label: 'vitals',
            protocol: protocol ?? '',
            appData: { sourceId: String(appData['sourceId']) },
          })
          .then(({ dataProducerId }) => callback({ id: dataProducerId }), errback);
      });
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = appData['source'] === 'microphone' ? 'microphone' : 'camera';
        signaling
          .request('produce', {
            transportId: transport.id,
            kind,
            // mediasoup-client's own type is looser than the wire schema; the server validates it.
            rtpParameters: rtpParameters,
            appData: { source },
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') this.emit('error', new Error(`${direction} transport failed`));
    });
    return transport;
  }

  async #produce(track: MediaStreamTrack): Promise<void> {
    const kind = track.kind as MediaKind;
    const producer = await this.#sendTransport!.produce({
      track,
      appData: { source: kind === 'audio' ? 'microphone' : 'camera' },
      ...(kind === 'audio' ? { codecOptions: { opusDtx: true, opusFec: true } } : {}),
    });
    this.#producers.set(kind, producer);
  }

  async #consume(producer: ProducerInfo): Promise<void> {
    await this.#recvReady;
    if (!this.#recvTransport) return; // torn down meanwhile
    const signaling = this.#requireSignaling();
    const answer = await signaling.request('consume', {
      transportId: this.#recvTransport.id,
      producerId: producer.producerId,
    });
    const consumer = await this.#recvTransport.consume({
      id: answer.consumerId,
      producerId: answer.producerId,
      kind: answer.kind,
      rtpParameters: answer.rtpParameters as types.RtpParameters,
    });
    this.#consumers.set(consumer.id, { consumer, peerId: answer.peerId, kind: answer.kind });
    if (answer.producerPaused) this.#pausedProducers.add(answer.producerId);
    // The server created it paused; resume now that the track exists and is wired.
    await signaling.request('resumeConsumer', { consumerId: consumer.id });
    this.#publishParticipants();
  }

  async #consumeData(info: DataProducerInfo): Promise<void> {
    await this.#recvReady;
    if (!this.#recvTransport) return; // torn down meanwhile
    const answer = await this.#requireSignaling().request('consumeData', {
      transportId: this.#recvTransport.id,
      dataProducerId: info.dataProducerId,
    });
    const dataConsumer = await this.#recvTransport.consumeData({
      id: answer.dataConsumerId,
      dataProducerId: answer.dataProducerId,
      sctpStreamParameters: answer.sctpStreamParameters,
      label: answer.label,
      protocol: answer.protocol,
    });
    dataConsumer.binaryType = 'arraybuffer';
    this.#dataConsumers.set(dataConsumer.id, dataConsumer);
    dataConsumer.on('message', (data: unknown) => {
      if (data instanceof ArrayBuffer) this.emit('vitalsData', answer.sourceId, new Uint8Array(data));
    });
  }

  #listen(signaling: SignalingClient): void {
    const on: SignalingClient['on'] = (event, listener) => {
      const off = signaling.on(event, listener);
      this.#unsubscribe.push(off);
      return off;
    };
    on('peerJoined', (peer) => {
      this.#peers.set(peer.peerId, peer);
      this.#publishParticipants();
    });
    on('peerLeft', ({ peerId }) => {
      this.#peers.delete(peerId);
      for (const [id, remote] of this.#consumers) {
        if (remote.peerId === peerId) {
          remote.consumer.close();
          this.#consumers.delete(id);
        }
      }
      this.#publishParticipants();
    });
    on('newProducer', (producer) => {
      if (producer.paused) this.#pausedProducers.add(producer.producerId);
      this.#consume(producer).catch((error: unknown) => this.emit('error', toError(error)));
    });
    on('consumerClosed', ({ consumerId }) => {
      this.#consumers.get(consumerId)?.consumer.close();
      this.#consumers.delete(consumerId);
      this.#publishParticipants();
    });
    on('producerPaused', ({ producerId }) => {
      this.#pausedProducers.add(producerId);
      this.#publishParticipants();
    });
    on('producerResumed', ({ producerId }) => {
      this.#pausedProducers.delete(producerId);
      this.#publishParticipants();
    });
    on('newDataProducer', (info) => {
      this.#consumeData(info).catch((error: unknown) => this.emit('error', toError(error)));
    });
    on('dataConsumerClosed', ({ dataConsumerId }) => {
      this.#dataConsumers.get(dataConsumerId)?.close();
      this.#dataConsumers.delete(dataConsumerId);
    });
    on('vitalsAck', ({ sourceId, seq }) => this.emit('vitalsAck', sourceId, seq));
    on('roomClosed', ({ reason }) => {
      this.#teardown();
      this.#update({ phase: 'ended', problem: reason, participants: [] });
    });
    on('close', () => {
      if (this.#snapshot.phase === 'in-call') {
        this.#teardown();
        this.#update({ phase: 'failed', problem: 'connection-lost', participants: [] });
      }
    });
  }

  #publishParticipants(): void {
    const participants = [...this.#peers.values()].map((info): RemoteParticipant => {
      const mine = [...this.#consumers.values()].filter((c) => c.peerId === info.peerId);
      const audio = mine.find((c) => c.kind === 'audio')?.consumer;
      const video = mine.find((c) => c.kind === 'video')?.consumer;
      return {
        info,
        audio: audio?.track ?? null,
        video: video?.track ?? null,
        audioMuted: audio ? this.#pausedProducers.has(audio.producerId) : true,
        videoMuted: video ? this.#pausedProducers.has(video.producerId) : true,
      };
    });
    this.#update({ participants });
  }

  #teardown(): void {
    for (const { consumer } of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    for (const producer of this.#producers.values()) producer.close();
    this.#producers.clear();
    for (const dataProducer of this.#dataProducers.values()) dataProducer.close();
    this.#dataProducers.clear();
    for (const dataConsumer of this.#dataConsumers.values()) dataConsumer.close();
    this.#dataConsumers.clear();
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#sendTransport = null;
    this.#recvTransport = null;
    this.#markRecvReady(); // releases consumes still waiting; they find no transport and stop
    for (const track of this.#snapshot.localStream?.getTracks() ?? []) track.stop();
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#signaling = null;
    this.#peers.clear();
  }

  #requireSignaling(): SignalingClient {
    if (!this.#signaling) throw new Error('not connected');
    return this.#signaling;
  }

  #update(patch: Partial<SessionSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    this.emit('changed', this.#snapshot);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
