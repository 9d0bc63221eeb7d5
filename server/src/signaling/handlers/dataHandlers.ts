import { DomainError } from '../../errors.ts';
import { consultOfSession, requireSession, type HandlerTable } from '../handlerTypes.ts';

const MAX_FETCH = 2000;

/** The vitals data channels: a source produces, the other side consumes. */
export const dataHandlers: HandlerTable<'produceData' | 'consumeData' | 'fetchVitals'> = {
  async produceData(ctx, data) {
    const { room, peerId } = requireSession(ctx);
    return { dataProducerId: await room.produceData(peerId, data) };
  },

  async fetchVitals(ctx, { sourceId, fromSeq, toSeq }) {
    const session = requireSession(ctx);
    const { room } = session;
    if (toSeq < fromSeq || toSeq - fromSeq >= MAX_FETCH) {
      throw new DomainError('BAD_REQUEST', `fetch 1 to ${MAX_FETCH} messages at a time`);
    }
    const stored = await ctx.services.vitals.range(room.consultId, sourceId, fromSeq, toSeq);
    // Stored vitals leave the server only once logged (one entry per fetch: a fetch fills a gap, it is rare).
    await ctx.services.access.record({
      user: ctx.user,
      action: 'vitals.fetch',
      consult: await consultOfSession(ctx, session),
      outcome: 'allowed',
      address: ctx.address,
    });
    return { messages: stored.map((m) => ({ seq: m.seq, payload: Buffer.from(m.payload).toString('base64') })) };
  },

  async consumeData(ctx, { transportId, dataProducerId }) {
    const session = requireSession(ctx);
    const { room, peerId } = session;
    // Logged before the data consumer exists: if the entry cannot be written, no stream is opened.
    await ctx.services.access.record({
      user: ctx.user,
      action: 'vitals.stream',
      consult: await consultOfSession(ctx, session),
      outcome: 'allowed',
      address: ctx.address,
    });
    return room.consumeData(peerId, transportId, dataProducerId);
  },
};
