import { canJoinCall } from '../../consults/consultAccess.ts';
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
    // The call is part of the consult: only its two sides, and only while it is active.
    const consult = await ctx.services.consults.get(ctx.user, consultId, 'join-call');
    if (!canJoinCall(ctx.user, consult)) {
      throw new DomainError('FORBIDDEN', `the video call of this consult is not open to you (${consult.status})`);
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
