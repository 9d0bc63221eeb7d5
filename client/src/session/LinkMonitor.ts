import type { types } from 'mediasoup-client';
import type { LinkMode } from '@legevakt/shared';
import type { ConsultSession } from './ConsultSession.ts';
import { adapt, DEFAULT_ADAPTATION, initialAdaptation, restartRamp, type AdaptationState } from './LinkAdaptation.ts';
import {
  classifyLink,
  countersFromStats,
  metricsBetween,
  worseQuality,
  type LinkMetrics,
  type LinkQuality,
  type RtpCounters,
} from './linkQuality.ts';
import type { SignalingClient } from './SignalingClient.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export interface LinkView {
  /** Null until the first interval has been measured. */
  readonly quality: LinkQuality | null;
  readonly mode: LinkMode;
  readonly metrics: LinkMetrics | null;
}

export interface LinkSnapshot {
  /** This side's upload (what it sends and the far end's reports of it). */
  readonly self: LinkView;
  /** Per remote peer: what arrives from them here, worsened by what they report of their own upload. */
  readonly peers: ReadonlyMap<string, LinkView>;
}

export interface LinkMonitorOptions {
  /** The socket the call rides on; read at each tick (it may be replaced after a reconnect). */
  readonly signaling: () => SignalingClient | null;
  /** Adapt this side's outgoing video to its link (caps, audio only and back). */
  readonly adaptVideo?: boolean;
  readonly intervalMs?: number;
}

const EMPTY: LinkSnapshot = { self: { quality: null, mode: 'video', metrics: null }, peers: new Map() };

/**
 * Samples the call's WebRTC statistics every ~2 s through mediasoup-client,
 * classifies each link (linkQuality.ts), runs the adaptation policy on this
 * side's video (LinkAdaptation.ts) and tells the other side when this side's
 * video goes off for the link's sake and comes back. The other side's badge
 * combines what arrives here from them (loss, jitter on our consumers: their
 * upload and our download together) with what they report of their upload.
 */
export class LinkMonitor extends TypedEmitter<{ changed: [LinkSnapshot] }> {
  readonly #session: ConsultSession;
  readonly #options: LinkMonitorOptions;
  #timer: ReturnType<typeof setInterval> | null = null;
  #snapshot: LinkSnapshot = EMPTY;
  #sendCounters: RtpCounters | null = null;
  readonly #recvCounters = new Map<string, RtpCounters>();
  /** What each peer reports of its own link (`linkState`). */
  readonly #reported = new Map<string, { mode: LinkMode; quality: LinkQuality }>();
  #adaptation: AdaptationState = initialAdaptation(Date.now());
  /** The video producer the current caps were applied to (a re-join makes a new one). */
  #cappedProducer: types.Producer | null = null;
  #lastReport: string | null = null;
  #listeningOn: SignalingClient | null = null;
  readonly #unsubscribe: (() => void)[] = [];
  #busy = false;
  /** Video was not being sent (standby, camera off): its start is a ramp, not a verdict on the link. */
  #idle = true;

  constructor(session: ConsultSession, options: LinkMonitorOptions) {
    super();
    this.#session = session;
    this.#options = options;
  }

  get snapshot(): LinkSnapshot {
    return this.#snapshot;
  }

  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): LinkSnapshot => this.#snapshot;

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#tick(), this.#options.intervalMs ?? 2000);
    void this.#tick();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#listeningOn = null;
  }

  #listen(): void {
    const signaling = this.#options.signaling();
    if (signaling === this.#listeningOn) return;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#listeningOn = signaling;
    if (!signaling) return;
    this.#unsubscribe.push(
      signaling.on('linkState', ({ peerId, mode, quality }) => {
        this.#reported.set(peerId, { mode, quality });
        this.#publish({ ...this.#snapshot, peers: this.#mergePeers(this.#snapshot.peers) });
      }),
      // A peer that joins (or re-joins) has not heard our state: say it again.
      signaling.on('peerJoined', () => {
        this.#lastReport = null;
      }),
      signaling.on('peerLeft', ({ peerId }) => {
        this.#reported.delete(peerId);
        this.#recvCounters.delete(peerId);
      }),
    );
  }

  async #tick(): Promise<void> {
    if (this.#busy) return; // a slow getStats must not pile up
    this.#busy = true;
    try {
      this.#listen();
      const session = this.#session.snapshot;
      if (session.phase !== 'in-call') return;
      const { sendTransport, producers, consumers } = this.#session.mediaHandles();
      const now = Date.now();

      let self: LinkView = this.#snapshot.self;
      if (sendTransport && !sendTransport.closed) {
        const report = await sendTransport.getStats();
        const counters = countersFromStats(report.values() as Iterable<Record<string, unknown>>, 'send', now);
        const metrics = metricsBetween(this.#sendCounters, counters);
        this.#sendCounters = counters;
        const sending = [...producers.values()].some((p) => !p.closed && !p.paused);
        await this.#adapt(producers.get('video') ?? null, metrics, now, session.standby || !session.cameraEnabled);
        const mode = this.#adaptation.mode;
        const quality = classifyLink(metrics, sending);
        // Audio alone may flow cleanly, but a link that cannot carry video is not a good one.
        self = { quality: mode === 'audio-only' ? worseQuality(quality, 'poor') : quality, mode, metrics };
      }

      const peers = new Map<string, LinkView>();
      const byPeer = new Map<string, types.Consumer[]>();
      for (const { consumer, peerId } of consumers) {
        if (consumer.closed) continue;
        byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), consumer]);
      }
      for (const participant of session.participants) {
        const peerId = participant.info.peerId;
        const mine = byPeer.get(peerId) ?? [];
        if (mine.length === 0) continue;
        const entries: Record<string, unknown>[] = [];
        for (const consumer of mine) {
          const report = await consumer.getStats();
          for (const entry of report.values() as Iterable<Record<string, unknown>>) entries.push(entry);
        }
        const counters = countersFromStats(entries, 'recv', now);
        const metrics = metricsBetween(this.#recvCounters.get(peerId) ?? null, counters);
        this.#recvCounters.set(peerId, counters);
        // Traffic is due unless they paused everything (muted, or in standby).
        const expected = !(participant.audioMuted && participant.videoMuted);
        peers.set(peerId, { quality: classifyLink(metrics, expected), mode: 'video', metrics });
      }
      this.#publish({ self, peers: this.#mergePeers(peers) });
      await this.#report(self);
    } catch (error) {
      // Stats of a transport closed mid-read: the next tick reads the new one.
      console.warn('[link]', error);
    } finally {
      this.#busy = false;
    }
  }

  #mergePeers(measured: ReadonlyMap<string, LinkView>): Map<string, LinkView> {
    const merged = new Map<string, LinkView>();
    for (const [peerId, view] of measured) {
      const reported = this.#reported.get(peerId);
      const quality =
        view.quality === null ? (reported?.quality ?? null) : worseQuality(view.quality, reported?.quality ?? null);
      merged.set(peerId, { ...view, mode: reported?.mode ?? 'video', quality });
    }
    for (const [peerId, reported] of this.#reported) {
      if (!merged.has(peerId)) merged.set(peerId, { quality: reported.quality, mode: reported.mode, metrics: null });
    }
    return merged;
  }

  async #adapt(video: types.Producer | null, metrics: LinkMetrics, now: number, idle: boolean): Promise<void> {
    if (!this.#options.adaptVideo || !video || video.closed) return;
    const levels = DEFAULT_ADAPTATION.levels;
    if (video !== this.#cappedProducer) {
      // A new producer (first send, or after a re-join): it starts at the current level (or paused).
      this.#cappedProducer = video;
      this.#adaptation = restartRamp(this.#adaptation, now);
      await applyLevel(video, this.#adaptation.level);
      if (this.#adaptation.mode === 'audio-only') await this.#session.setLinkVideoPaused(true);
      return;
    }
    if (idle) {
      this.#idle = true; // nothing to judge while the camera is off or the request waits
      return;
    }
    if (this.#idle) {
      this.#idle = false;
      this.#adaptation = restartRamp(this.#adaptation, now);
    }
    const step = adapt(this.#adaptation, {
      at: now,
      lossPercent: metrics.lossPercent,
      rttMs: metrics.rttMs,
      availableOutgoingKbps: metrics.availableOutgoingKbps,
    });
    this.#adaptation = step.state;
    const action = step.action;
    if (action?.kind === 'level') await applyLevel(video, action.level);
    else if (action?.kind === 'audio-only') await this.#session.setLinkVideoPaused(true);
    else if (action?.kind === 'video') {
      await applyLevel(video, Math.min(action.level, levels.length - 1));
      await this.#session.setLinkVideoPaused(false);
    } else if (this.#adaptation.mode === 'audio-only' && !video.paused) {
      // The camera button turned video back on meanwhile: the link still cannot carry it.
      await this.#session.setLinkVideoPaused(true);
    }
    if (action) console.info(`[link] ${JSON.stringify(action)} ${JSON.stringify(metrics)}`);
  }

  async #report(self: LinkView): Promise<void> {
    if (self.quality === null) return;
    const signaling = this.#options.signaling();
    if (!signaling?.open) return;
    const key = `${self.mode}/${self.quality}`;
    if (key === this.#lastReport) return;
    this.#lastReport = key;
    await signaling.request('reportLink', { mode: self.mode, quality: self.quality }).catch((error: unknown) => {
      this.#lastReport = null; // say it again next time
      throw error;
    });
  }

  #publish(snapshot: LinkSnapshot): void {
    this.#snapshot = snapshot;
    this.emit('changed', snapshot);
  }
}

async function applyLevel(producer: types.Producer, index: number): Promise<void> {
  const level = DEFAULT_ADAPTATION.levels[index];
  if (!level || producer.closed) return;
  await producer.setRtpEncodingParameters({
    maxBitrate: level.maxBitrate,
    scaleResolutionDownBy: level.scaleResolutionDownBy,
    maxFramerate: level.maxFramerate,
  });
}
