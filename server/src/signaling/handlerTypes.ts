import type { AccessTokenClaims, RequestData, RequestMethod, ResponseData } from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import type { ConsultService } from '../consults/consultService.ts';
import type { VitalsService } from '../vitals/vitalsService.ts';
import type { Room } from '../media/room.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';

/** Where a connection stands in a consult once it has joined. */
export interface PeerSession {
  readonly room: Room;
  readonly peerId: string;
}

export interface SignalingServices {
  readonly rooms: RoomRegistry;
  readonly consults: ConsultService;
  readonly vitals: VitalsService;
}

export interface HandlerContext {
  readonly user: AccessTokenClaims;
  readonly services: SignalingServices;
  readonly session: PeerSession | null;
  /** Enter a room: routes the room's notifications for this peer to this connection. */
  enter(session: PeerSession): void;
  /** Leave the current room, if any. */
  exit(): void;
}

export type Handler<M extends RequestMethod> = (
  ctx: HandlerContext,
  data: RequestData<M>,
) => Promise<ResponseData<M>> | ResponseData<M>;

export type HandlerTable<K extends RequestMethod = RequestMethod> = { [M in K]: Handler<M> };

export function requireSession(ctx: HandlerContext): PeerSession {
  if (!ctx.session || ctx.session.room.closed) {
    throw new DomainError('CONFLICT', 'join a consult first');
  }
  return ctx.session;
}
