import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  MAX_SIGNALING_FRAME_BYTES,
  SIGNALING_PATH,
  SIGNALING_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  type AccessTokenClaims,
} from '@legevakt/shared';
import type { SessionService } from '../auth/sessionService.ts';
import { DomainError } from '../errors.ts';
import type { LiveUpdates } from '../live/liveUpdates.ts';
import type { Logger } from '../logger.ts';
import { SignalingConnection, type SocketLimits } from './connection.ts';
import type { HandlerTable, SignalingServices } from './handlerTypes.ts';

/**
 * The signaling endpoint on the HTTPS server's port. A socket must present a
 * valid access token (as the `bearer.<jwt>` subprotocol, since browsers cannot
 * set headers on a WebSocket) or the upgrade is refused with 401.
 */
export class SignalingServer {
  readonly #wss: WebSocketServer;
  readonly #sessions: SessionService;
  readonly #live: LiveUpdates;
  readonly #services: SignalingServices;
  readonly #handlers: HandlerTable;
  readonly #log: Logger;
  readonly #connections = new Set<SignalingConnection>();
  readonly #limits: SocketLimits | null;

  constructor(
    sessions: SessionService,
    live: LiveUpdates,
    services: SignalingServices,
    handlers: HandlerTable,
    log: Logger,
    limits: SocketLimits | null = null,
  ) {
    this.#limits = limits;
    this.#sessions = sessions;
    this.#live = live;
    this.#services = services;
    this.#handlers = handlers;
    this.#log = log.child({ component: 'signaling' });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_SIGNALING_FRAME_BYTES,
      handleProtocols: (protocols) => (protocols.has(SIGNALING_SUBPROTOCOL) ? SIGNALING_SUBPROTOCOL : false),
    });
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Wire to `server.on('upgrade', …)`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.#upgrade(request, socket, head);
  }

  async #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://localhost');
    if (url.pathname !== SIGNALING_PATH) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    let user: AccessTokenClaims;
    try {
      user = await this.#sessions.authenticate(tokenFromProtocols(request.headers['sec-websocket-protocol']));
    } catch (error) {
      const reason = error instanceof DomainError ? error.message : 'invalid access token';
      this.#log.warn({ address: request.socket.remoteAddress, reason }, 'signaling socket refused');
      refuse(socket, 401, 'Unauthorized', reason);
      return;
    }
    const address = request.socket.remoteAddress ?? null;
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, user, address));
  }

  #accept(ws: WebSocket, user: AccessTokenClaims, address: string | null): void {
    const connection = new SignalingConnection(
      ws,
      user,
      this.#services,
      this.#handlers,
      this.#log,
      address,
      this.#limits,
    );
    this.#connections.add(connection);
    this.#live.add(connection);
    ws.on('close', () => {
      this.#connections.delete(connection);
      this.#live.remove(connection);
    });
    ws.on('error', (error) => this.#log.warn({ err: error }, 'signaling socket error'));
  }

  /** Logging out or revoking a session also ends its open sockets. */
  closeSessions(match: (user: AccessTokenClaims) => boolean): void {
    for (const connection of this.#connections) {
      if (match(connection.user)) connection.close(4001, 'session revoked');
    }
  }

  close(): void {
    for (const client of this.#wss.clients) client.close(1001, 'server shutting down');
    this.#wss.close();
  }
}

function tokenFromProtocols(header: string | undefined): string {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  if (!bearer) throw new DomainError('UNAUTHENTICATED', 'no access token offered');
  return bearer.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
}

function refuse(socket: Duplex, status: number, statusText: string, reason?: string): void {
  const body = reason ? JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: reason } }) : '';
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      // Written by hand, outside express: the same transport headers as every other response.
      'Strict-Transport-Security: max-age=31536000\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
