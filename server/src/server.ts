import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadOrCreateSecret, TokenService } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import { createApp } from './http/app.ts';
import type { Logger } from './logger.ts';
import { RoomRegistry } from './media/roomRegistry.ts';
import { MediaWorkerPool } from './media/workerPool.ts';
import { handlers } from './signaling/handlers/index.ts';
import { SignalingServer } from './signaling/socketServer.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly pool: MediaWorkerPool;
  readonly rooms: RoomRegistry;
  readonly tokens: TokenService;
  readonly signaling: SignalingServer;
  close(): Promise<void>;
}

/** Wires the layers together: HTTP/WebSocket → services → media. */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const tokens = new TokenService({
    secret: config.auth.jwtSecret ?? loadOrCreateSecret(config.dataDir),
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
  });
  const pool = await MediaWorkerPool.start(
    {
      numWorkers: config.media.numWorkers,
      workerBin: process.env['MEDIASOUP_WORKER_BIN'],
      logLevel: config.media.workerLogLevel,
      listenIp: config.media.listenIp,
      announcedAddress: config.media.announcedAddress,
      webRtcServerBasePort: config.media.webRtcServerBasePort,
    },
    log.child({ component: 'media' }),
  );
  const rooms = new RoomRegistry(pool, { initialOutgoingBitrate: config.media.initialOutgoingBitrate }, log);
  const signaling = new SignalingServer(tokens, { rooms }, handlers, log);
  const app = createApp({
    tokens,
    pool,
    rooms,
    log,
    devLoginEnabled: config.auth.devLoginEnabled,
    clientDistDir: config.clientDistDir,
  });

  const server = https.createServer(
    { cert: fs.readFileSync(config.tlsCertFile), key: fs.readFileSync(config.tlsKeyFile) },
    app,
  );
  server.on('upgrade', (request, socket, head) => signaling.handleUpgrade(request, socket, head));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    pool.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      rooms.closeAll('server-shutdown');
      signaling.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
    })();
    return closing;
  };
  return { url, port, pool, rooms, tokens, signaling, close };
}
