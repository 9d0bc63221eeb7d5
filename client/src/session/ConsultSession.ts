import type { Device, types } from 'mediasoup-client';
import type { DataProducerInfo, MediaKind, PeerInfo, ProducerInfo, TransportOptions } from '@legevakt/shared';
import { iceConfigFor, type IceConfig } from './iceConfig.ts';
import { mediaDeviceFor } from './mediaDevice.ts';
import { SignalingError, type SignalingClient } from './SignalingClient.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export type SessionPhase = 'idle' | 'connecting' | 'in-call' | 'ended' | 'failed';

export interface RemoteParticipant {
  readonly info: PeerInfo;
  readonly audio: MediaStreamTrack | null;
  readonly video: MediaStreamTrack | null;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
  /** Their connection dropped (the server keeps their place) or their video stalled: shown, not ended. */
  readonly reconnecting: boolean;
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
  /**
   * This side lost its connection at this time (epoch ms) and is getting back
   * into the call by itself; null while connected. Past RESUME_DEADLINE_MS the
   * session fails with 'connection-lost'.
   */
  readonly reconnectingSince: number | null;
}

export type SessionProblem =
  | 'connect-failed'
  | 'media-denied'
  | 'connection-lost'
  | 'media-server-restarted'
  | 'server-shutdown'
  /** The host removed this (invited) participant from the call. */
  | 'removed';

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
  /** The secret of this side's place in the room, from `join`: a new socket takes the place back with it. */
  #resumeToken: string | null = null;
  #resuming = false;
  #resumeAgain = false;
  #recovering = false;
  /** Data producers consumed or being consumed (announced by a notification and a resume answer alike). */
  readonly #consumingData = new Set<string>();
  /** Fails the session if it is not back in the call in time. */
  #deadline: ReturnType<typeof setTimeout> | null = null;
  /** Remote peers whose sockets are down (the server keeps their places). */
  readonly #reconnectingPeers = new Set<string>();
  /** Remote peers whose video stopped arriving though it is not paused (a cut the server has not noticed yet). */
  readonly #stalledPeers = new Set<string>();
  #stallWatch: ReturnType<typeof setInterval> | null = null;
  readonly #restartingIce = new Set<types.Transport>();

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
      reconnectingSince: null,
    };
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  /** For React's useSyncExternalStore. */
  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): SessionSnapshot => this.#snapshot;

  /** For the link monitor (LinkMonitor.ts): the current transports, producers and consumers whose stats it reads. */
  mediaHandles(): {
    sendTransport: types.Transport | null;
    recvTransport: types.Transport | null;
    producers: ReadonlyMap<MediaKind, types.Producer>;
    consumers: readonly { consumer: types.Consumer; peerId: string; kind: MediaKind }[];
  } {
    return {
      sendTransport: this.#sendTransport,
      recvTransport: this.#recvTransport,
      producers: this.#producers,
      consumers: [...this.#consumers.values()],
    };
  }

  /** For the link monitor: video off (and on again) for the link's sake; the camera button and standby win. */
  async setLinkVideoPaused(paused: boolean): Promise<void> {
    if (this.#snapshot.standby || !this.#snapshot.cameraEnabled) return;
    await this.#setProducerPaused('video', paused);
  }

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
    this.#resumeToken = joined.resumeToken;
    this.#peers.clear();
    this.#reconnectingPeers.clear();
    for (const peer of joined.peers) this.#peers.set(peer.peerId, peer);
    this.#update({ self: joined.self, phase: 'in-call' });
    this.#watchStalls();
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
    this.#reconnected();
  }

  /**
   * The room is gone but the consult is not (its media worker died; the server
   * replaces the worker): join again on fresh transports, with the same camera,
   * microphone and vitals sources, retrying with backoff until a deadline.
   */
  async #recover(problem: SessionProblem = 'media-server-restarted'): Promise<void> {
    // One re-join at a time: a socket that comes back mid-way lets the running one go on.
    if (this.#recovering) return;
    this.#recovering = true;
    try {
      await this.#rejoin(problem);
    } finally {
      this.#recovering = false;
    }
  }

  async #rejoin(problem: SessionProblem): Promise<void> {
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
          this.#update({ phase: 'failed', problem, participants: [], reconnectingSince: null });
          return;
        }
        const ceiling = Math.min(RECOVERY_BACKOFF_MAX_MS, RECOVERY_BACKOFF_MIN_MS * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
      }
    }
  }

  /**
   * The workspace's socket is back (a new one): route the call over it and take
   * this side's place in the room back. If the server kept it (a drop within its
   * grace period), media continues on the same transports after an ICE restart;
   * if not (grace over, server restarted), this side joins afresh.
   */
  attach(signaling: SignalingClient): void {
    if (this.#isOver() || this.#snapshot.phase === 'idle' || signaling === this.#signaling) return;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#signaling = signaling;
    this.#listen(signaling);
    // Still starting: start() fails on the old socket and reports it.
    if (!this.#snapshot.self) return;
    void this.#resume();
  }

  async #resume(): Promise<void> {
    if (this.#resuming) {
      // A newer socket arrived while a resume ran on the previous one: go again on it afterwards.
      this.#resumeAgain = true;
      return;
    }
    this.#resuming = true;
    mark('resume-start');
    try {
      const self = this.#snapshot.self;
      if (this.#snapshot.phase !== 'in-call' || !self || !this.#resumeToken || !this.#sendTransport) {
        await this.#recover('connection-lost');
        return;
      }
      const signaling = this.#requireSignaling();
      mark('resuming');
      let view;
      try {
        view = await signaling.request('resume', {
          consultId: this.#options.consultId,
          peerId: self.peerId,
          resumeToken: this.#resumeToken,
        });
      } catch (error) {
        // Refused (the place is gone: grace over, or a new server process): join afresh.
        // Anything else is this socket failing too: the next one tries again.
        if (error instanceof SignalingError) {
          mark('resume-refused');
          await this.#recover('connection-lost');
        }
        return;
      }
      this.#reconcile(view);
      try {
        // The old paths may be dead (a long cut, a new address): new ICE credentials, new candidate pairs.
        const transports = [this.#sendTransport, this.#recvTransport].filter((t) => t !== null);
        await Promise.all(transports.map((t) => this.#restartIceNow(t)));
      } catch (error) {
        // The kept transports cannot be revived (or the socket went again: the re-join then waits for the next).
        this.emit('error', toError(error));
        await this.#recover('connection-lost');
        return;
      }
      mark('resumed');
      this.#reconnected();
    } finally {
      this.#resuming = false;
      if (this.#resumeAgain) {
        this.#resumeAgain = false;
        if (!this.#isOver() && this.#snapshot.reconnectingSince !== null) void this.#resume();
      }
    }
  }

  /** After a resume: what happened in the room while this side was away (its notifications were lost). */
  #reconcile(view: {
    peers: PeerInfo[];
    producers: ProducerInfo[];
    dataProducers: DataProducerInfo[];
    reconnecting: string[];
  }): void {
    this.#peers.clear();
    for (const peer of view.peers) this.#peers.set(peer.peerId, peer);
    this.#reconnectingPeers.clear();
    for (const peerId of view.reconnecting) this.#reconnectingPeers.add(peerId);
    const liveProducers = new Set(view.producers.map((p) => p.producerId));
    for (const [id, remote] of this.#consumers) {
      if (!liveProducers.has(remote.consumer.producerId)) {
        remote.consumer.close();
        this.#consumers.delete(id);
      }
    }
    this.#pausedProducers.clear();
    for (const producer of view.producers) if (producer.paused) this.#pausedProducers.add(producer.producerId);
    for (const producer of view.producers) {
      this.#consume(producer).catch((error: unknown) => this.emit('error', toError(error)));
    }
    const liveData = new Set(view.dataProducers.map((d) => d.dataProducerId));
    for (const [id, dataConsumer] of this.#dataConsumers) {
      if (!liveData.has(dataConsumer.dataProducerId)) {
        dataConsumer.close();
        this.#dataConsumers.delete(id);
        this.#consumingData.delete(dataConsumer.dataProducerId);
      }
    }
    for (const info of view.dataProducers) {
      this.#consumeData(info).catch((error: unknown) => this.emit('error', toError(error)));
    }
    this.#publishParticipants();
  }

  /** Socket lost: the call goes on trying; the UI says so; past the deadline the user is told plainly. */
  #lostConnection(): void {
    if (this.#snapshot.reconnectingSince === null) {
      mark('reconnecting');
      this.#update({ reconnectingSince: Date.now() });
    }
    this.#deadline ??= setTimeout(() => {
      this.#deadline = null;
      if (this.#isOver() || this.#snapshot.reconnectingSince === null) return;
      this.#teardown();
      this.#update({ phase: 'failed', problem: 'connection-lost', participants: [], reconnectingSince: null });
    }, RESUME_DEADLINE_MS);
  }

  #reconnected(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#deadline = null;
    if (this.#snapshot.reconnectingSince !== null) this.#update({ reconnectingSince: null });
  }

  /** ICE restart asked for by a transport's own state; with the socket down, the resume does it. */
  #restartIce(transport: types.Transport): void {
    if (transport.closed || !this.#signaling?.open || this.#resuming) return;
    this.#restartIceNow(transport).catch((error: unknown) => this.emit('error', toError(error)));
  }

  async #restartIceNow(transport: types.Transport): Promise<void> {
    if (transport.closed || this.#restartingIce.has(transport)) return;
    this.#restartingIce.add(transport);
    try {
      const { iceParameters } = await this.#requireSignaling().request('restartIce', { transportId: transport.id });
      // A transport closed meanwhile throws here: reported, and the resume falls back to a fresh join.
      await transport.restartIce({ iceParameters });
      mark('ice-restarted');
    } finally {
      this.#restartingIce.delete(transport);
    }
  }

  /**
   * The other side's video stopping (not paused) is the first sign of their
   * cut, seconds before the server notices their socket is gone: shown as
   * reconnecting too, and cleared by the next packet.
   */
  #watchStalls(): void {
    if (this.#stallWatch) return;
    const progress = new Map<string, { packets: number; at: number }>();
    let checking = false;
    this.#stallWatch = setInterval(() => {
      if (checking) return;
      checking = true;
      void this.#checkStalls(progress).finally(() => (checking = false));
    }, STALL_CHECK_MS);
  }

  async #checkStalls(progress: Map<string, { packets: number; at: number }>): Promise<void> {
    const now = Date.now();
    const stalled = new Set<string>();
    for (const { consumer, peerId, kind } of [...this.#consumers.values()]) {
      if (kind !== 'video' || consumer.closed || this.#pausedProducers.has(consumer.producerId)) {
        progress.delete(consumer.id);
        continue;
      }
      let packets = 0;
      try {
        (await consumer.getStats()).forEach((report: { type?: string; packetsReceived?: number }) => {
          if (report.type === 'inbound-rtp') packets += report.packetsReceived ?? 0;
        });
      } catch {
        continue; // closed meanwhile
      }
      const last = progress.get(consumer.id);
      if (!last || packets > last.packets) progress.set(consumer.id, { packets, at: now });
      else if (now - last.at > STALL_AFTER_MS) stalled.add(peerId);
    }
    const changed =
      stalled.size !== this.#stalledPeers.size || [...stalled].some((peerId) => !this.#stalledPeers.has(peerId));
    if (!changed || this.#isOver()) return;
    this.#stalledPeers.clear();
    for (const peerId of stalled) this.#stalledPeers.add(peerId);
    this.#publishParticipants();
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
    // The channel died under us (its SCTP association gave up in a long cut): only new transports bring
    // it back; the source's outbox resends what was not acknowledged once the new channel opens.
    dataProducer.on('close', () => {
      if (this.#dataProducers.get(sourceId) !== dataProducer || this.#snapshot.phase !== 'in-call') return;
      this.emit('error', new Error(`vitals channel of ${sourceId} closed`));
      void this.#recover('connection-lost');
    });
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
    // TURN servers (fresh credential) and the relay-only switch: see iceConfig.ts.
    const [options, ice]: [TransportOptions, IceConfig] = await Promise.all([
      signaling.request('createWebRtcTransport', { direction }),
      iceConfigFor(signaling),
    ]);
    const params = { ...(options as unknown as types.TransportOptions), ...ice };
    const transport = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
    // The handlers ask whichever socket is current: the transport outlives a socket that dropped.
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#requireSignaling()
        .request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('producedata', ({ sctpStreamParameters, protocol, appData }, callback, errback) => {
        this.#requireSignaling()
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
        this.#requireSignaling()
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
      if (state === 'failed') {
        this.emit('error', new Error(`${direction} transport failed`));
        this.#restartIce(transport);
      } else if (state === 'disconnected') {
        // Often a blip the ICE agent rides out; still down after a moment: new paths (a new address?).
        setTimeout(() => {
          if (transport.connectionState === 'disconnected') this.#restartIce(transport);
        }, ICE_DISCONNECTED_RESTART_MS);
      }
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
    if (this.#consumingData.has(info.dataProducerId)) return;
    this.#consumingData.add(info.dataProducerId);
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
    on('peerReconnecting', ({ peerId }) => {
      this.#reconnectingPeers.add(peerId);
      this.#publishParticipants();
    });
    on('peerResumed', ({ peerId }) => {
      this.#reconnectingPeers.delete(peerId);
      this.#publishParticipants();
    });
    on('peerLeft', ({ peerId }) => {
      this.#peers.delete(peerId);
      this.#reconnectingPeers.delete(peerId);
      this.#stalledPeers.delete(peerId);
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
      const dataConsumer = this.#dataConsumers.get(dataConsumerId);
      dataConsumer?.close();
      if (dataConsumer) this.#consumingData.delete(dataConsumer.dataProducerId);
      this.#dataConsumers.delete(dataConsumerId);
    });
    on('vitalsAck', ({ sourceId, seq }) => this.emit('vitalsAck', sourceId, seq));
    on('roomClosed', ({ reason }) => {
      if (reason === 'media-server-restarted' && this.#snapshot.phase === 'in-call') {
        void this.#recover();
        return;
      }
      if (reason === 'server-shutdown' && !this.#isOver()) {
        // The server is restarting, not ending the consult: the socket closes next, and once the
        // workspace is back on the new server this side joins again (attach → resume refused → join).
        mark('server-restarting');
        this.#closeMedia();
        this.#lostConnection();
        this.#update({ phase: 'connecting', participants: [] });
        return;
      }
      this.#teardown();
      this.#update({ phase: 'ended', problem: reason, participants: [] });
    });
    // A dropped socket does not end the call: the server keeps this side's place for a grace
    // period and the workspace reconnects; attach() then takes the place back.
    on('close', () => {
      if (!this.#isOver() && this.#snapshot.self) this.#lostConnection();
    });
  }

  #publishParticipants(): void {
    const participants = [...this.#peers.values()].map((info): RemoteParticipant => {
      const reconnecting = this.#reconnectingPeers.has(info.peerId) || this.#stalledPeers.has(info.peerId);
      const mine = [...this.#consumers.values()].filter((c) => c.peerId === info.peerId);
      const audio = mine.find((c) => c.kind === 'audio')?.consumer;
      const video = mine.find((c) => c.kind === 'video')?.consumer;
      return {
        info,
        audio: audio?.track ?? null,
        video: video?.track ?? null,
        audioMuted: audio ? this.#pausedProducers.has(audio.producerId) : true,
        videoMuted: video ? this.#pausedProducers.has(video.producerId) : true,
        reconnecting,
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
    this.#consumingData.clear();
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
    this.#reconnectingPeers.clear();
    this.#stalledPeers.clear();
  }

  #teardown(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#deadline = null;
    if (this.#stallWatch) clearInterval(this.#stallWatch);
    this.#stallWatch = null;
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
/** How long this side tries to get back into the call after losing its connection (the server's grace is 45 s). */
const RESUME_DEADLINE_MS = 60_000;
/** A transport 'disconnected' this long gets an ICE restart (new credentials, new candidate pairs). */
const ICE_DISCONNECTED_RESTART_MS = 2_000;
/** A remote video that decoded no frame for this long (not paused) is shown as reconnecting. */
const STALL_AFTER_MS = 2_500;
const STALL_CHECK_MS = 1_000;
const RECOVERY_BACKOFF_MIN_MS = 250;
const RECOVERY_BACKOFF_MAX_MS = 5_000;

/** Timing marks of a call's start (read by the first-frame benchmark and visible in DevTools). */
function mark(step: string): void {
  performance.mark(`consult:${step}`);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
