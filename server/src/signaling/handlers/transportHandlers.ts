import { requireSession, type HandlerTable } from '../handlerTypes.ts';

export const transportHandlers: HandlerTable<'createWebRtcTransport' | 'connectWebRtcTransport' | 'restartIce'> = {
  createWebRtcTransport(ctx, { direction }) {
    const { room, peerId } = requireSession(ctx);
    return room.createWebRtcTransport(peerId, direction);
  },

  async connectWebRtcTransport(ctx, { transportId, dtlsParameters }) {
    const { room, peerId } = requireSession(ctx);
    await room.connectWebRtcTransport(peerId, transportId, dtlsParameters);
    return {};
  },

  restartIce(ctx, { transportId }) {
    const { room, peerId } = requireSession(ctx);
    return room.restartIce(peerId, transportId);
  },
};
