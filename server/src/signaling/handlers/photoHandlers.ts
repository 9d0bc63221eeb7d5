import { AccessDeniedError } from '../../audit/accessDenied.ts';
import { audited } from '../../audit/audited.ts';
import { DomainError } from '../../errors.ts';
import type { HandlerTable } from '../handlerTypes.ts';

/**
 * The doctor asks for a still photo. Only the consult's doctor, only during
 * the call (the photo comes from the nurse's camera in it). The nurse side
 * hears it as `consultChanged` 'photo-requested' from the live layer, which
 * already reaches each of the requesting place's stations; the photo comes
 * back as an upload (POST /api/consults/:id/photos, PhotoService).
 * One access-log entry ('consult.transition'), allowed or denied.
 */
export const photoHandlers: HandlerTable<'requestPhoto'> = {
  async requestPhoto(ctx, { consultId }) {
    const consult = await audited(
      ctx.services.access,
      { user: ctx.user, action: 'consult.transition', address: ctx.address },
      async () => {
        const found = await ctx.services.consults.get(ctx.user, consultId, 'request-photo');
        if (ctx.user.role !== 'doctor' || found.claimedBy !== ctx.user.sub) {
          throw new AccessDeniedError('only the consult’s doctor asks for a photo', found);
        }
        return found;
      },
      (c) => c,
    );
    if (consult.status !== 'active') {
      throw new DomainError('CONFLICT', `a photo is asked for during the call; the consult is ${consult.status}`);
    }
    ctx.services.consults.emit('changed', consult, 'photo-requested');
    return {};
  },
};
