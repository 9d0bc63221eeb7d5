import type { AccessTokenClaims, Consult, ConsultChange, NotificationData, NotificationMethod } from '@legevakt/shared';
import type { AccessLog } from '../audit/accessLog.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { canViewConsult, isRequestingSide } from '../consults/consultAccess.ts';
import type { ConsultService } from '../consults/consultService.ts';
import type { Logger } from '../logger.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { PresenceRegistry } from '../queue/presence.ts';
import type { WorkQueue } from '../queue/workQueue.ts';

/** A connected client as the live layer sees it: who, and a way to tell it something. */
export interface LiveSubscriber {
  readonly user: AccessTokenClaims;
  /** The client's address, for the access log. */
  readonly address?: string | null;
  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void;
}

const COALESCE_MS = 50;
/** Aging reorders the queue without any event; a periodic snapshot shows it. */
const REFRESH_MS = 15_000;

/**
 * Keeps every connected client's view of the queue current. On each consult
 * change it sends doctors their queue snapshot (plus an alert when a request
 * newly becomes theirs to take) and the requesting place its consults with
 * their place in line. Changes within a few milliseconds are coalesced.
 */
export class LiveUpdates {
  readonly #subscribers = new Set<LiveSubscriber>();
  readonly #queue: WorkQueue;
  readonly #consults: ConsultService;
  readonly #org: OrganisationDirectory;
  readonly #presence: PresenceRegistry;
  readonly #clock: Clock;
  readonly #access: AccessLog;
  readonly #log: Logger;
  #pending: TimerHandle | null = null;
  #refresh: TimerHandle | null = null;
  readonly #onChanged = (consult: Consult, change: ConsultChange): void => this.#changed(consult, change);

  constructor(
    queue: WorkQueue,
    consults: ConsultService,
    org: OrganisationDirectory,
    presence: PresenceRegistry,
    clock: Clock,
    access: AccessLog,
    log: Logger,
  ) {
    this.#access = access;
    this.#queue = queue;
    this.#consults = consults;
    this.#org = org;
    this.#presence = presence;
    this.#clock = clock;
    this.#log = log.child({ component: 'live' });
  }

  start(): void {
    this.#consults.on('changed', this.#onChanged);
    this.#scheduleRefresh();
  }

  stop(): void {
    this.#consults.off('changed', this.#onChanged);
    if (this.#pending) this.#clock.clearTimeout(this.#pending);
    if (this.#refresh) this.#clock.clearTimeout(this.#refresh);
  }

  /** A client connected: count it present and send it the current state at once. */
  add(subscriber: LiveSubscriber): void {
    this.#subscribers.add(subscriber);
    this.#presence.connected(subscriber.user);
    void this.#send(subscriber);
    // Others' expected waits depend on how many doctors are online.
    if (subscriber.user.role === 'doctor') this.#schedulePush();
  }

  /** A notification for every live socket of one user (a colleague's call invitation); how many got it. */
  notifyUser<M extends NotificationMethod>(userId: string, method: M, data: NotificationData<M>): number {
    let sent = 0;
    for (const subscriber of this.#subscribers) {
      if (subscriber.user.sub !== userId) continue;
      subscriber.notify(method, data);
      sent += 1;
    }
    return sent;
  }

  remove(subscriber: LiveSubscriber): void {
    if (!this.#subscribers.delete(subscriber)) return;
    this.#presence.disconnected(subscriber.user);
    if (subscriber.user.role === 'doctor') this.#schedulePush();
  }

  #changed(consult: Consult, change: ConsultChange): void {
    void (async () => {
      const view = await this.#queue.view(consult);
      for (const subscriber of this.#subscribers) {
        const { user } = subscriber;
        const participant =
          isRequestingSide(user, consult) ||
          consult.claimedBy === user.sub ||
          (change === 'transferred' && user.role === 'doctor' && canViewConsult(user, consult, this.#org));
        if (participant) {
          // Logged (once per consult and user) before the patient's details go out.
          await this.#access.recordShown(user, listAction(user), notOwn(user, [consult]), subscriber.address ?? null);
          subscriber.notify('consultChanged', { consult: view, change });
        }
        const newlyTakeable = change === 'requested' || change === 'overflowed' || change === 'returned';
        if (newlyTakeable && user.role === 'doctor' && canViewConsult(user, consult, this.#org)) {
          const overflow = user.workplace.kind === 'lvs' && user.workplace.districtId !== consult.districtId;
          // Overflow alerts go to the other sites only; the home sites were alerted at the request.
          if (change !== 'overflowed' || overflow) {
            subscriber.notify('queueAlert', {
              consultId: consult.id,
              triage: consult.triage,
              origin: consult.origin,
              overflow,
            });
          }
        }
      }
    })().catch((error: unknown) => this.#log.error({ err: error }, 'live consult notification failed'));
    this.#schedulePush();
  }

  #schedulePush(): void {
    if (this.#pending) return;
    this.#pending = this.#clock.setTimeout(() => {
      this.#pending = null;
      void this.#pushAll();
    }, COALESCE_MS);
  }

  #scheduleRefresh(): void {
    this.#refresh = this.#clock.setTimeout(() => {
      void this.#pushAll().finally(() => this.#scheduleRefresh());
    }, REFRESH_MS);
  }

  async #pushAll(): Promise<void> {
    await Promise.all([...this.#subscribers].map((s) => this.#send(s)));
  }

  async #send(subscriber: LiveSubscriber): Promise<void> {
    try {
      const { user } = subscriber;
      const address = subscriber.address ?? null;
      // Each patient is logged the first time it is shown to this user, before the snapshot goes out; a
      // snapshot whose entries cannot be logged is not sent.
      if (user.role === 'doctor') {
        const snapshot = await this.#queue.snapshotFor(user);
        await this.#access.recordShown(user, 'queue.view', this.#queue.shownIn(snapshot), address);
        subscriber.notify('queueSnapshot', snapshot);
      } else if (user.role === 'nurse' || user.role === 'ambulance' || user.role === 'station_doctor') {
        const consults = await this.#queue.openForPlace(user);
        await this.#access.recordShown(user, 'consult.view', notOwn(user, consults), address);
        subscriber.notify('placeConsults', { consults });
      }
    } catch (error) {
      this.#log.error({ err: error, userId: subscriber.user.sub }, 'live snapshot failed');
    }
  }
}

/** How a list showing patients is logged: the doctor's queue, or the requesting station's own consults. */
function listAction(user: AccessTokenClaims): 'queue.view' | 'consult.view' {
  return user.role === 'doctor' ? 'queue.view' : 'consult.view';
}

/** The requester's own request is logged at intake ('consult.request'); showing it back to her adds nothing. */
export function notOwn<C extends Pick<Consult, 'requestedBy'>>(user: AccessTokenClaims, consults: readonly C[]): C[] {
  return consults.filter((c) => c.requestedBy !== user.sub);
}
