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
  /** Sockets that answered (or sent anything) since the last heartbeat round. */
  readonly #alive = new WeakMap<WebSocket, boolean>();
  readonly #heartbeat: ReturnType<typeof setInterval>;

  constructor(
    sessions: SessionService,
    live: LiveUpdates,
    services: SignalingServices,
    handlers: HandlerTable,
    log: Logger,
    limits: SocketLimits | null = null,
    heartbeatMs: number = HEARTBEAT_MS,
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
    // A cut link closes no socket by itself: a socket silent for a whole round is taken for dead,
    // so its peer's grace period starts (and its place can be resumed) instead of hanging on.
    this.#heartbeat = setInterval(() => {
      for (const ws of this.#wss.clients) {
        if (this.#alive.get(ws) === false) {
          this.#log.info({ heartbeatMs }, 'signaling socket silent for a heartbeat round: dropped');
          ws.terminate();
          continue;
        }
        this.#alive.set(ws, false);
        ws.ping();
      }
    }, heartbeatMs);
    this.#heartbeat.unref();
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
    this.#alive.set(ws, true);
    ws.on('pong', () => this.#alive.set(ws, true));
    ws.on('message', () => this.#alive.set(ws, true));
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

  /**
   * Tells every socket the server is going away (1001: clients reconnect, to
   * this server once it is back) and waits, briefly, for the close handshakes,
   * so notifications sent just before (roomClosed) reach them.
   */
  async close(waitMs = 1_000): Promise<void> {
    clearInterval(this.#heartbeat);
    const clients = [...this.#wss.clients];
    const closed = clients.map((client) => new Promise<void>((resolve) => client.once('close', () => resolve())));
    for (const client of clients) client.close(1001, 'server shutting down');
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }
}

/** How often the server pings each signaling socket; one unanswered round drops it. */
const HEARTBEAT_MS = 10_000;

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
