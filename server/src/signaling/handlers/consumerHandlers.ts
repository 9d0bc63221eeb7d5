import { requireSession, type HandlerTable } from '../handlerTypes.ts';

export const consumerHandlers: HandlerTable<'consume' | 'resumeConsumer'> = {
  consume(ctx, { transportId, producerId }) {
    const { room, peerId } = requireSession(ctx);
    return room.consume(peerId, transportId, producerId);
  },

  async resumeConsumer(ctx, { consumerId }) {
    const { room, peerId } = requireSession(ctx);
    await room.resumeConsumer(peerId, consumerId);
    return {};
  },
};
