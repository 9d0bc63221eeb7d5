import type { ConsultView, NotificationData, QueueSnapshot } from '@legevakt/shared';
import type { AuthSession } from './AuthSession.ts';
import { mediaDeviceFor } from './mediaDevice.ts';
import { SignalingClient } from './SignalingClient.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface WorkspaceSnapshot {
  readonly connection: ConnectionState;
  /** Doctors: the live work queue. */
  readonly queue: QueueSnapshot | null;
  /** Nurses and ambulance crews: their place's open consults. */
  readonly placeConsults: readonly ConsultView[] | null;
}

export interface WorkspaceEvents {
  changed: [WorkspaceSnapshot];
  alert: [NotificationData<'queueAlert'>];
  consultChanged: [NotificationData<'consultChanged'>];
  /** The consult's doctor invites this doctor into a running call (client/src/invite/ColleagueInvitation.tsx). */
  callInvitation: [NotificationData<'callInvitation'>];
  /** A new socket is up (after a drop): a call in progress moves onto it (ConsultSession.attach). */
  reconnected: [SignalingClient];
}

// Fast at first (a cut of a few seconds should be back within a second or two of the link),
// capped low enough that a call still resumes within its server-side grace period.
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 4_000;

/**
 * The logged-in user's live connection: one signaling socket that carries the
 * queue snapshots and, during a consult, the call. It reconnects by itself with
 * exponential backoff and jitter; every (re)connect brings a full snapshot.
 */
export class Workspace extends TypedEmitter<WorkspaceEvents> {
  readonly #auth: AuthSession;
  #signaling: SignalingClient | null = null;
  #snapshot: WorkspaceSnapshot = { connection: 'connecting', queue: null, placeConsults: null };
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #connectedBefore = false;
  /** The browser saw a network come up: try now rather than at the end of the backoff. */
  readonly #onOnline = (): void => {
    if (this.#timer === null || this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    void this.#connect();
  };

  constructor(auth: AuthSession) {
    super();
    this.#auth = auth;
  }

  readonly subscribe = (onChange: () => void): (() => void) => this.on('changed', onChange);
  readonly getSnapshot = (): WorkspaceSnapshot => this.#snapshot;

  get signaling(): SignalingClient | null {
    return this.#signaling;
  }

  start(): void {
    globalThis.addEventListener('online', this.#onOnline);
    void this.#connect();
  }

  stop(): void {
    globalThis.removeEventListener('online', this.#onOnline);
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#signaling?.removeAllListeners();
    this.#signaling?.close();
    this.#signaling = null;
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    this.#update({ connection: 'connecting' });
    try {
      const signaling = await SignalingClient.connect(await this.#auth.accessToken());
      if (this.#isStopped()) {
        signaling.close();
        return;
      }
      this.#signaling = signaling;
      this.#attempt = 0;
      // Ready before the first call: taking a request then goes straight to joining the room.
      // Browsers without WebRTC (an admin's) just leave it unloaded; a call would report it.
      if (this.#auth.user.role !== 'admin') void mediaDeviceFor(signaling).catch(() => undefined);
      signaling.on('queueSnapshot', (queue) => this.#update({ queue }));
      signaling.on('placeConsults', ({ consults }) => this.#update({ placeConsults: consults }));
      signaling.on('queueAlert', (alert) => this.emit('alert', alert));
      signaling.on('consultChanged', (change) => this.emit('consultChanged', change));
      signaling.on('callInvitation', (invitation) => this.emit('callInvitation', invitation));
      signaling.on('close', () => {
        this.#signaling = null;
        this.#retry();
      });
      this.#update({ connection: 'online' });
      if (this.#connectedBefore) this.emit('reconnected', signaling);
      this.#connectedBefore = true;
    } catch {
      this.#retry();
    }
  }

  /** Read through a method: `stop()` may have run while `#connect` awaited. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  #retry(): void {
    if (this.#stopped) return;
    this.#update({ connection: 'offline' });
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    // Full jitter: many clients coming back after a server restart do not stampede.
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        void this.#connect();
      },
      ceiling / 2 + Math.random() * (ceiling / 2),
    );
  }

  #update(patch: Partial<WorkspaceSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    this.emit('changed', this.#snapshot);
  }
}
