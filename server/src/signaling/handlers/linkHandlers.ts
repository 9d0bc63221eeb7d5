import { requireSession, type HandlerTable } from '../handlerTypes.ts';

/**
 * A peer's link state, passed on to the others in its room: the doctor's view says
 * "video off – the link is too weak" instead of a frozen picture. Carries no
 * patient data (mode and quality only), so there is nothing to access-log.
 */
export const linkHandlers: HandlerTable<'reportLink'> = {
  reportLink(ctx, { mode, quality }) {
    const { room, peerId } = requireSession(ctx);
    room.log.info({ peerId, mode, quality }, 'link state');
    room.notifyOthers(peerId, 'linkState', { peerId, mode, quality });
    return {};
  },
};
