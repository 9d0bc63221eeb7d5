import { AccessDeniedError } from '../../audit/accessDenied.ts';
import { audited } from '../../audit/audited.ts';
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
    // One access-log entry ('call.join'), written before the room is entered.
    const consult = await audited(
      ctx.services.access,
      { user: ctx.user, action: 'call.join', address: ctx.address },
      async () => {
        const found = await ctx.services.consults.get(ctx.user, consultId, 'join-call');
        if (!canJoinCall(ctx.user, found)) {
          throw new AccessDeniedError(`the video call of this consult is not open to you (${found.status})`, found);
        }
        return found;
      },
      (c) => c,
    );
    const room = await ctx.services.rooms.getOrCreate(consultId);
    const self = {
      peerId: newPeerId(),
      userId: ctx.user.sub,
      role: ctx.user.role,
      displayName: ctx.user.name,
    };
    const joined = room.join(self, rtpCapabilities);
    ctx.enter({ room, peerId: self.peerId, consult });
    return joined;
  },

  leave(ctx) {
    ctx.exit();
    return {};
  },
};
