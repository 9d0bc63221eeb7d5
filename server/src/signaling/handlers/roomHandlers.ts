import { DomainError } from '../../errors.ts';
import { newPeerId } from '../../media/room.ts';
import type { HandlerTable } from '../handlerTypes.ts';

/** Entering and leaving a consult's room. */
export const roomHandlers: HandlerTable<'getRouterRtpCapabilities' | 'join' | 'leave'> = {
  async getRouterRtpCapabilities(ctx) {
    return { routerRtpCapabilities: await ctx.services.rooms.routerRtpCapabilities() };
  },

  async join(ctx, { consultId, rtpCapabilities }) {
    if (ctx.session && !ctx.session.room.closed) {
      throw new DomainError('CONFLICT', `already in consult ${ctx.session.room.consultId}; leave first`);
    }
    const room = await ctx.services.rooms.getOrCreate(consultId);
    const self = {
      peerId: newPeerId(),
      userId: ctx.user.sub,
      role: ctx.user.role,
      displayName: ctx.user.name,
    };
    const joined = room.join(self, rtpCapabilities);
    ctx.enter({ room, peerId: self.peerId });
    return joined;
  },

  leave(ctx) {
    ctx.exit();
    return {};
  },
};
