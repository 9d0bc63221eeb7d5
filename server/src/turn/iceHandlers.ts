import type { HandlerTable } from '../signaling/handlerTypes.ts';

/**
 * ICE servers over the signaling socket the call itself uses: the client asks
 * right before it creates its transports, already authenticated, in parallel
 * with the transport requests (no extra HTTP round trip or token handling).
 */
export const iceHandlers: HandlerTable<'getIceServers'> = {
  getIceServers(ctx) {
    return ctx.services.turn.iceServersFor(ctx.user);
  },
};
