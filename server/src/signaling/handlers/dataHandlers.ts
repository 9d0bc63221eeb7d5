import { DomainError } from '../../errors.ts';
import { requireSession, type HandlerTable } from '../handlerTypes.ts';

const MAX_FETCH = 2000;

/** The vitals data channels: a source produces, the other side consumes. */
export const dataHandlers: HandlerTable<'produceData' | 'consumeData' | 'fetchVitals'> = {
  async produceData(ctx, data) {
    const { room, peerId } = requireSession(ctx);
    return { dataProducerId: await room.produceData(peerId, data) };
  },

  async fetchVitals(ctx, { sourceId, fromSeq, toSeq }) {
    const { room } = requireSession(ctx);
    if (toSeq < fromSeq || toSeq - fromSeq >= MAX_FETCH) {
      throw new DomainError('BAD_REQUEST', `fetch 1 to ${MAX_FETCH} messages at a time`);
    }
    const stored = await ctx.services.vitals.range(room.consultId, sourceId, fromSeq, toSeq);
    return { messages: stored.map((m) => ({ seq: m.seq, payload: Buffer.from(m.payload).toString('base64') })) };
  },

  consumeData(ctx, { transportId, dataProducerId }) {
    const { room, peerId } = requireSession(ctx);
    return room.consumeData(peerId, transportId, dataProducerId);
  },
};
