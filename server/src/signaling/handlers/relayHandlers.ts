import { decodeVitalsMessage, VITALS_RELAY_MAX_MESSAGE_BYTES, type Consult } from '@legevakt/shared';
import { AccessDeniedError } from '../../audit/accessDenied.ts';
import { audited } from '../../audit/audited.ts';
import { isRequestingSide } from '../../consults/consultAccess.ts';
import { DomainError } from '../../errors.ts';
import { newPeerId } from '../../media/room.ts';
import type { HandlerContext, HandlerTable, PeerSession } from '../handlerTypes.ts';

/**
 * Vitals from a source without a WebRTC stack: the monitor bridge beside a
 * satellite's patient monitor. It opens a relay for one consult and sends
 * batches of encoded vitals messages over this socket; the room produces them
 * from a server-side DataProducer, so the doctor consumes them like a browser
 * source's, VitalsService stores them and acknowledges (`vitalsAck`) here.
 *
 * Access log: opening the relay is the 'vitals.stream' entry (allowed or
 * denied). The batches that follow belong to that stream, as the messages of a
 * browser's data channel do, and are not logged one by one (a bridge sends
 * several a second); a batch refused because the consult is no longer the
 * user's to relay into is logged as a denial, and closes the relay.
 */

/**
 * Per relay: sustained bytes per second and the burst above it. A 12-lead ECG at
 * 500 Hz with pleth and numerics is ~10 kB/s; the burst lets a bridge empty a
 * few minutes of outbox at once after an outage, the rate the rest within
 * seconds, while a runaway client cannot flood the SFU or the database.
 */
export const RELAY_BYTES_PER_SECOND = 256 * 1024;
export const RELAY_BURST_BYTES = 4 * 1024 * 1024;
/** Per relay: messages per second and burst (storage does one transaction per message). */
export const RELAY_MESSAGES_PER_SECOND = 400;
export const RELAY_BURST_MESSAGES = 4000;

class TokenBucket {
  #bytes = RELAY_BURST_BYTES;
  #messages = RELAY_BURST_MESSAGES;
  #at = performance.now();
  lastWarnAt = -Infinity;

  #refill(): void {
    const now = performance.now();
    const seconds = (now - this.#at) / 1000;
    this.#at = now;
    this.#bytes = Math.min(RELAY_BURST_BYTES, this.#bytes + seconds * RELAY_BYTES_PER_SECOND);
    this.#messages = Math.min(RELAY_BURST_MESSAGES, this.#messages + seconds * RELAY_MESSAGES_PER_SECOND);
  }

  /** How many of these message sizes fit now (taken), and, if not all, when the next one will. */
  take(sizes: readonly number[]): { count: number; retryAfterMs?: number } {
    this.#refill();
    let count = 0;
    for (const size of sizes) {
      if (size > this.#bytes || this.#messages < 1) break;
      this.#bytes -= size;
      this.#messages -= 1;
      count += 1;
    }
    if (count === sizes.length) return { count };
    const next = sizes[count]!;
    const waitBytes = Math.max(0, next - this.#bytes) / RELAY_BYTES_PER_SECOND;
    const waitMessages = Math.max(0, 1 - this.#messages) / RELAY_MESSAGES_PER_SECOND;
    return { count, retryAfterMs: Math.max(1, Math.ceil(Math.max(waitBytes, waitMessages) * 1000)) };
  }
}

/** A relay session's rate limiter; dropped with the session object when the connection leaves. */
const buckets = new WeakMap<PeerSession, TokenBucket>();

/** The consult as this user may relay into it, or an access-control refusal naming it. */
async function relayableConsult(ctx: HandlerContext, consultId: string): Promise<Consult> {
  const consult = await ctx.services.consults.get(ctx.user, consultId, 'relay-vitals');
  if (!isRequestingSide(ctx.user, consult)) {
    throw new AccessDeniedError('only the nurse or crew who requested the consult relays its vitals', consult);
  }
  if (consult.status !== 'active') {
    throw new AccessDeniedError(
      `vitals are relayed only into an active consult (this one is ${consult.status})`,
      consult,
    );
  }
  return consult;
}

/** The relay this connection has open, or a clear refusal. */
function requireRelay(ctx: HandlerContext): { session: PeerSession; sourceId: string } {
  const session = ctx.session;
  if (!session || session.room.closed) {
    throw new DomainError('CONFLICT', 'no open vitals relay on this connection; openVitalsRelay first');
  }
  const sourceId = session.room.relaySource(session.peerId);
  if (sourceId === undefined) {
    // In a call rather than relaying, or the relay was replaced by a newer connection of the same source.
    throw new DomainError('CONFLICT', 'no open vitals relay on this connection (a call, or a replaced relay)');
  }
  return { session, sourceId };
}

export const relayHandlers: HandlerTable<'openVitalsRelay' | 'relayVitals' | 'closeVitalsRelay'> = {
  async openVitalsRelay(ctx, { consultId, sourceId }) {
    if (ctx.session && !ctx.session.room.closed) {
      // A relay reopened on its own connection (the consult came back from the queue) replaces itself.
      if (ctx.session.room.relaySource(ctx.session.peerId) === undefined) {
        throw new DomainError('CONFLICT', `already in consult ${ctx.session.room.consultId}; leave it first`);
      }
      ctx.exit();
    }
    await audited(
      ctx.services.access,
      { user: ctx.user, action: 'vitals.stream', address: ctx.address },
      () => relayableConsult(ctx, consultId),
      (consult) => consult,
    );
    const room = await ctx.services.rooms.getOrCreate(consultId);
    const relayId = newPeerId();
    const { dataProducerId } = await room.openRelay(relayId, ctx.user.sub, sourceId);
    const session: PeerSession = { room, peerId: relayId };
    ctx.enter(session);
    buckets.set(session, new TokenBucket());
    return { dataProducerId, storedSeq: await ctx.services.vitals.storedEdge(consultId, sourceId) };
  },

  async relayVitals(ctx, { messages }) {
    const { session, sourceId } = requireRelay(ctx);
    const { room, peerId } = session;
    const log = { relayId: peerId, sourceId, userId: ctx.user.sub };

    // Every message is checked before any is relayed: a bad batch stores nothing.
    const payloads: Buffer[] = [];
    let previousSeq = 0;
    for (const [index, text] of messages.entries()) {
      const payload = Buffer.from(text, 'base64');
      let problem: string | null = null;
      if (payload.byteLength > VITALS_RELAY_MAX_MESSAGE_BYTES) {
        problem = `${payload.byteLength} bytes, more than ${VITALS_RELAY_MAX_MESSAGE_BYTES}`;
      } else {
        try {
          const { seq } = decodeVitalsMessage(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
          if (seq < 1) problem = 'seq must be 1 or more';
          else if (seq <= previousSeq) problem = `seq ${seq} does not follow ${previousSeq}`;
          previousSeq = seq;
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
        }
      }
      if (problem !== null) {
        room.log.warn({ ...log, index, bytes: payload.byteLength, reason: problem }, 'relayed vitals batch refused');
        throw new DomainError('BAD_REQUEST', `messages.${index}: ${problem}; nothing in this batch was relayed`);
      }
      payloads.push(payload);
    }

    try {
      await relayableConsult(ctx, room.consultId);
    } catch (error) {
      if (error instanceof AccessDeniedError) {
        room.log.info({ ...log, reason: error.message }, 'vitals relay ended: consult no longer relayable');
        await ctx.services.access.record({
          user: ctx.user,
          action: 'vitals.stream',
          consult: error.consult,
          outcome: 'denied',
          address: ctx.address,
          reason: null,
        });
        ctx.exit();
      }
      throw error;
    }

    let bucket = buckets.get(session);
    if (!bucket) {
      bucket = new TokenBucket();
      buckets.set(session, bucket);
    }
    const { count, retryAfterMs } = bucket.take(payloads.map((p) => p.byteLength));
    for (const payload of payloads.slice(0, count)) room.relay(peerId, payload);
    if (retryAfterMs !== undefined) {
      const now = performance.now();
      if (now - bucket.lastWarnAt > 10_000) {
        bucket.lastWarnAt = now;
        room.log.warn({ ...log, accepted: count, offered: payloads.length, retryAfterMs }, 'vitals relay throttled');
      }
      return { accepted: count, retryAfterMs };
    }
    return { accepted: count };
  },

  closeVitalsRelay(ctx) {
    requireRelay(ctx);
    ctx.exit();
    return {};
  },
};
