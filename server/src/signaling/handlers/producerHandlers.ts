import { requireSession, type HandlerTable } from '../handlerTypes.ts';

export const producerHandlers: HandlerTable<'produce' | 'pauseProducer' | 'resumeProducer' | 'closeProducer'> = {
  async produce(ctx, data) {
    const { room, peerId } = requireSession(ctx);
    return { producerId: await room.produce(peerId, data) };
  },

  async pauseProducer(ctx, { producerId }) {
    const { room, peerId } = requireSession(ctx);
    await room.setProducerPaused(peerId, producerId, true);
    return {};
  },

  async resumeProducer(ctx, { producerId }) {
    const { room, peerId } = requireSession(ctx);
    await room.setProducerPaused(peerId, producerId, false);
    return {};
  },

  closeProducer(ctx, { producerId }) {
    const { room, peerId } = requireSession(ctx);
    room.closeProducer(peerId, producerId);
    return {};
  },
};
