import type { AccessTokenClaims, Consult, RequestData, RequestMethod, ResponseData } from '@legevakt/shared';
import type { AccessLog } from '../audit/accessLog.ts';
import { DomainError } from '../errors.ts';
import type { ConsultService } from '../consults/consultService.ts';
import type { VitalsService } from '../vitals/vitalsService.ts';
import type { Room } from '../media/room.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';
import type { TurnCredentials } from '../turn/turnCredentials.ts';

/** Where a connection stands in a consult once it has joined. */
export interface PeerSession {
  readonly room: Room;
  readonly peerId: string;
  /** The consult joined, for the access-log entries of what is read in the room (vitals); see consultOfSession. */
  readonly consult?: Pick<Consult, 'id' | 'patient'>;
  /** The connection's hold on the peer's place (see Room.resume); 0 for the socket that joined. */
  readonly epoch?: number;
}

export interface SignalingServices {
  readonly rooms: RoomRegistry;
  readonly consults: ConsultService;
  readonly vitals: VitalsService;
  /** The patient-data access log (join, vitals). */
  readonly access: AccessLog;
  /** Time-limited TURN credentials for the call's ICE servers. */
  readonly turn: TurnCredentials;
}

export interface HandlerContext {
  readonly user: AccessTokenClaims;
  readonly services: SignalingServices;
  /** The client's address (the socket's remote address), for the access log. */
  readonly address: string | null;
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

/** The consult of the session, for an access-log entry: kept from the join, else read (with the access check). */
export async function consultOfSession(
  ctx: HandlerContext,
  session: PeerSession,
): Promise<Pick<Consult, 'id' | 'patient'>> {
  return session.consult ?? ctx.services.consults.get(ctx.user, session.room.consultId, 'vitals');
}
