import { AccessDeniedError } from '../../audit/accessDenied.ts';
import { audited } from '../../audit/audited.ts';
import { canJoinCall } from '../../consults/consultAccess.ts';
import { DomainError, notFound } from '../../errors.ts';
import { newPeerId } from '../../media/room.ts';
import type { Consult } from '@legevakt/shared';
import type { HandlerContext, HandlerTable } from '../handlerTypes.ts';

/** Entering and leaving a consult's room. */
export const roomHandlers: HandlerTable<'getRouterRtpCapabilities' | 'join' | 'resume' | 'leave' | 'ping'> = {
  async getRouterRtpCapabilities(ctx) {
    return { routerRtpCapabilities: await ctx.services.rooms.routerRtpCapabilities() };
  },

  async join(ctx, { consultId, rtpCapabilities }) {
    const consult = await enterableCall(ctx, consultId);
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

  /**
   * A new socket of the same user takes back a place kept after a drop. One
   * access-log entry ('call.join': the call is read again), allowed or denied;
   * a wrong user or token is denied (403). No place left: NOT_FOUND, join again.
   */
  async resume(ctx, { consultId, peerId, resumeToken }) {
    const consult = await enterableCall(ctx, consultId, (found) => {
      try {
        ctx.services.rooms.get(consultId)?.canResume(peerId, ctx.user.sub, resumeToken);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'FORBIDDEN')
          throw new AccessDeniedError(error.message, found);
        throw error;
      }
    });
    // Checked again after the awaits: the grace period may have run out meanwhile.
    const room = ctx.services.rooms.get(consultId);
    if (!room || room.closed || !room.hasPeer(peerId)) {
      throw notFound('your place in this call (it expired or the server restarted); join again');
    }
    room.canResume(peerId, ctx.user.sub, resumeToken);
    const { epoch, view } = room.resume(peerId);
    ctx.enter({ room, peerId, consult, epoch });
    return view;
  },

  ping() {
    return {};
  },

  leave(ctx) {
    ctx.exit();
    return {};
  },
};

/**
 * The call is part of the consult: only its two sides (and those invited), and
 * only while it is open to them. One access-log entry ('call.join'), allowed or
 * denied, written before the room is entered; `check` adds a refusal of its own
 * (a resume's wrong token) inside that same entry.
 */
async function enterableCall(
  ctx: HandlerContext,
  consultId: string,
  check: (consult: Consult) => void = () => undefined,
): Promise<Consult> {
  if (ctx.session && !ctx.session.room.closed) {
    throw new DomainError('CONFLICT', `already in consult ${ctx.session.room.consultId}; leave first`);
  }
  return audited(
    ctx.services.access,
    { user: ctx.user, action: 'call.join', address: ctx.address },
    async () => {
      const found = await ctx.services.consults.get(ctx.user, consultId, 'join-call');
      if (!canJoinCall(ctx.user, found, await ctx.services.consults.invitedToCall(ctx.user, found))) {
        throw new AccessDeniedError(`the video call of this consult is not open to you (${found.status})`, found);
      }
      check(found);
      return found;
    },
    (c) => c,
  );
}
