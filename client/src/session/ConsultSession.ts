import type { Device, types } from 'mediasoup-client';
import type { DataProducerInfo, MediaKind, PeerInfo, ProducerInfo, TransportOptions } from '@legevakt/shared';
import { mediaDeviceFor } from './mediaDevice.ts';
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
  /**
   * Ready in the room but sending nothing: the requesting side while its request
   * waits for a doctor. `goLive()` starts sending.
   */
  readonly standby: boolean;
  /** Why the session failed or ended other than by hang-up. */
  readonly problem: SessionProblem | null;
}

export type SessionProblem =
  'connect-failed' | 'media-denied' | 'connection-lost' | 'media-server-restarted' | 'server-shutdown';

/** Camera or microphone could not be opened (denied, missing, in use). */
class MediaUnavailableError extends Error {}

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
  /** The camera and microphone, once asked for: kept across a re-join. */
  #localMedia: Promise<MediaStream> | null = null;
  /** Vitals sources that send on this session; re-opened after a re-join. */
  readonly #vitalsSources = new Set<string>();
  /** Producers consumed or being consumed. */
  readonly #consuming = new Set<string>();
  /** Consumers the server closed before their consume finished here. */
  readonly #closedBeforeReady = new Set<string>();
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
      standby: false,
      problem: null,
    };
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  /** For React's useSyncExternalStore. */
  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): SessionSnapshot => this.#snapshot;

  /**
   * Connect, join the consult, send the local stream and receive everyone else's.
   * With `standby`, everything is set up but camera and microphone stay paused
   * (no RTP leaves the browser) until `goLive()`.
   */
  async start(media: MediaStream | Promise<MediaStream>, options: { standby?: boolean } = {}): Promise<void> {
    if (this.#snapshot.phase !== 'idle') throw new Error('a session starts once');
    this.#update({ phase: 'connecting', standby: options.standby === true });
    // Camera and microphone may still be opening: joining and receiving do not wait for them.
    const localMedia = Promise.resolve(media).then(
      (stream) => {
        if (this.#snapshot.phase === 'ended' || this.#snapshot.phase === 'failed') {
          for (const track of stream.getTracks()) track.stop();
          throw new Error('the session ended before the camera opened');
        }
        this.#update({ localStream: stream });
        return stream;
      },
      (error: unknown) => {
        throw new MediaUnavailableError(toError(error).message);
      },
    );
    localMedia.catch(() => undefined); // handled where it is awaited
    this.#localMedia = localMedia;
    try {
      const signaling = this.#options.signaling;
      this.#signaling = signaling;
      this.#listen(signaling);
      mark('start');
      this.#device = await mediaDeviceFor(signaling);
      mark('device');
      await this.#enterRoom(localMedia);
    } catch (error) {
      this.emit('error', toError(error));
      this.#teardown();
      this.#update({
        phase: 'failed',
        problem: error instanceof MediaUnavailableError ? 'media-denied' : 'connect-failed',
      });
      throw error;
    }
  }

  /** Joins the room and sets up all media: at start, and again when the room was lost. */
  async #enterRoom(localMedia: Promise<MediaStream>): Promise<void> {
    const signaling = this.#requireSignaling();
    const device = this.#device!;
    const joined = await signaling.request('join', {
      consultId: this.#options.consultId,
      rtpCapabilities: device.recvRtpCapabilities,
    });
    mark('joined');
    this.#peers.clear();
    for (const peer of joined.peers) this.#peers.set(peer.peerId, peer);
    this.#update({ self: joined.self, phase: 'in-call' });
    [this.#sendTransport, this.#recvTransport] = await Promise.all([
      this.#createTransport('send'),
      this.#createTransport('recv'),
    ]);
    this.#markRecvReady();
    mark('transports');
    // What the user joined to see comes first: the doctor's first sight of the patient must
    // not wait behind his own camera. The consumes run at once (mediasoup-client folds
    // consumers created together into one SDP renegotiation); then this side sends.
    await Promise.all([
      ...joined.producers.map((producer) => this.#consume(producer)),
      ...joined.dataProducers.map((dataProducer) => this.#consumeData(dataProducer)),
    ]);
    mark('consumed');
    const tracks = (await localMedia).getTracks();
    // Video first: the patient's picture matters more than the first syllable.
    const videoFirst = tracks.sort((a, b) => (a.kind === 'video' ? -1 : b.kind === 'video' ? 1 : 0));
    for (const track of videoFirst) await this.#produce(track);
    mark('produced');
    // Vitals sources opened before the room was lost continue on new channels (their outboxes resend).
    for (const sourceId of this.#vitalsSources) await this.#produceVitals(sourceId);
    this.#publishParticipants();
  }

  /**
   * The room is gone but the consult is not (its media worker died; the server
   * replaces the worker): join again on fresh transports, with the same camera,
   * microphone and vitals sources, retrying with backoff until a deadline.
   */
  async #recover(): Promise<void> {
    const localMedia = this.#localMedia;
    if (!localMedia) return;
    this.#closeMedia();
    this.#update({ phase: 'connecting', participants: [] });
    mark('recovering');
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      if (this.#snapshot.phase !== 'connecting' || !this.#signaling?.open) return; // hung up or socket gone
      try {
        await this.#enterRoom(localMedia);
        mark('recovered');
        return;
      } catch (error) {
        this.emit('error', toError(error));
        if (this.#isOver()) return; // hung up meanwhile
        this.#closeMedia();
        this.#update({ phase: 'connecting', participants: [] });
        // A half-made entry (joined, then a step failed) must be left before the next try.
        await this.#currentSignaling()
          ?.request('leave', {})
          .catch(() => undefined);
        if (Date.now() > deadline) {
          this.#teardown();
          this.#update({ phase: 'failed', problem: 'media-server-restarted', participants: [] });
          return;
        }
        const ceiling = Math.min(RECOVERY_BACKOFF_MAX_MS, RECOVERY_BACKOFF_MIN_MS * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
      }
    }
  }

  /** Leaves standby: sends camera and microphone (those the user has not muted). */
  async goLive(): Promise<void> {
    if (!this.#snapshot.standby) return;
    this.#update({ standby: false });
    mark('live');
    const wanted: [MediaKind, boolean][] = [
      ['video', this.#snapshot.cameraEnabled],
      ['audio', this.#snapshot.micEnabled],
    ];
    await Promise.all(wanted.filter(([, on]) => on).map(([kind]) => this.#setProducerPaused(kind, false)));
  }

  /** Back to standby (the request was put back in the queue): stop sending, stay ready. */
  async standBy(): Promise<void> {
    if (this.#snapshot.standby || this.#snapshot.phase === 'ended' || this.#snapshot.phase === 'failed') return;
    const kinds = [...this.#producers.keys()];
    await Promise.all(kinds.map((kind) => this.#setProducerPaused(kind, true)));
    this.#update({ standby: true });
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
    if (!this.#sendTransport) throw new Error('not in a call');
    this.#vitalsSources.add(sourceId);
    await this.#produceVitals(sourceId);
    return {
      // Whatever channel is current: after a re-join the source's messages go on the new one.
      send: (payload) => {
        const dataProducer = this.#dataProducers.get(sourceId);
        if (!dataProducer || dataProducer.closed || dataProducer.readyState !== 'open') return false;
        dataProducer.send(payload);
        return true;
      },
    };
  }

  async #produceVitals(sourceId: string): Promise<void> {
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
  }

  /** Stored messages of a vitals source, to fill a gap in what this side received. */
  async fetchVitals(sourceId: string, fromSeq: number, toSeq: number): Promise<{ seq: number; payload: Uint8Array }[]> {
    const { messages } = await this.#requireSignaling().request('fetchVitals', { sourceId, fromSeq, toSeq });
    return messages.map((m) => ({ seq: m.seq, payload: Uint8Array.from(atob(m.payload), (c) => c.charCodeAt(0)) }));
  }

  async #setSending(kind: MediaKind, enabled: boolean): Promise<void> {
    const track = this.#snapshot.localStream?.getTracks().find((t) => t.kind === kind);
    if (track) track.enabled = enabled;
    // In standby the producers stay paused whatever the buttons say; goLive() applies them.
    if (this.#snapshot.standby) return;
    await this.#setProducerPaused(kind, !enabled);
  }

  async #setProducerPaused(kind: MediaKind, paused: boolean): Promise<void> {
    const producer = this.#producers.get(kind);
    if (!producer || !this.#signaling) return;
    // Pausing at the SFU too stops forwarding, and tells the other side it is muted.
    if (paused) {
      producer.pause();
      await this.#signaling.request('pauseProducer', { producerId: producer.id });
    } else {
      producer.resume();
      await this.#signaling.request('resumeProducer', { producerId: producer.id });
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
      // Paused means nothing on the wire (a mobile link's bytes matter), and the
      // track itself stays on: the nurse's own preview keeps showing the patient.
      zeroRtpOnPause: true,
      disableTrackOnPause: false,
      // The tracks outlive a producer: after a re-join they are sent again (hang-up stops them).
      stopTracks: false,
      ...(kind === 'audio' ? { codecOptions: { opusDtx: true, opusFec: true } } : {}),
    });
    this.#producers.set(kind, producer);
    const muted = kind === 'audio' ? !this.#snapshot.micEnabled : !this.#snapshot.cameraEnabled;
    if (this.#snapshot.standby || muted) {
      producer.pause();
      await this.#requireSignaling().request('pauseProducer', { producerId: producer.id });
    }
  }

  async #consume(producer: ProducerInfo): Promise<void> {
    // Announced twice (in the join answer and as new, around the moment of joining): consume it once.
    if (this.#consuming.has(producer.producerId)) return;
    this.#consuming.add(producer.producerId);
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
    if (this.#closedBeforeReady.delete(consumer.id)) {
      consumer.close();
      return;
    }
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
      const remote = this.#consumers.get(consumerId);
      // Closed while our consume was still on its way: close it the moment it arrives.
      if (!remote) this.#closedBeforeReady.add(consumerId);
      remote?.consumer.close();
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
      if (reason === 'media-server-restarted' && this.#snapshot.phase === 'in-call') {
        void this.#recover();
        return;
      }
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

  /** Read through a method: a hang-up may drop the signaling while #recover awaits. */
  #currentSignaling(): SignalingClient | null {
    return this.#signaling;
  }

  /** Read through a method: the phase changes while #recover awaits. */
  #isOver(): boolean {
    return this.#snapshot.phase === 'ended' || this.#snapshot.phase === 'failed';
  }

  /** Closes every transport, producer and consumer; the local tracks and the signaling stay. */
  #closeMedia(): void {
    for (const { consumer } of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#consuming.clear();
    this.#closedBeforeReady.clear();
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
    this.#recvReady = new Promise((resolve) => (this.#markRecvReady = resolve));
    this.#peers.clear();
    this.#pausedProducers.clear();
  }

  #teardown(): void {
    this.#closeMedia();
    this.#markRecvReady();
    for (const track of this.#snapshot.localStream?.getTracks() ?? []) track.stop();
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#signaling = null;
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

const RECOVERY_DEADLINE_MS = 60_000;
const RECOVERY_BACKOFF_MIN_MS = 250;
const RECOVERY_BACKOFF_MAX_MS = 5_000;

/** Timing marks of a call's start (read by the first-frame benchmark and visible in DevTools). */
function mark(step: string): void {
  performance.mark(`consult:${step}`);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
