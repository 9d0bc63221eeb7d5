import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { AccessLog } from './audit/accessLog.ts';
import { PasswordIdentityProvider } from './auth/passwordIdentityProvider.ts';
import { SessionService } from './auth/sessionService.ts';
import { loadOrCreateSecret, TokenService } from './auth/tokens.ts';
import { systemClock, type Clock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import { ConsultService } from './consults/consultService.ts';
import { DocumentationService } from './consults/documentationService.ts';
import { RecordService } from './consults/recordService.ts';
import { ExportRunner } from './exports/exportRunner.ts';
import { EventLoopDelay } from './health/eventLoopDelay.ts';
import { assertPdfFontsAvailable } from './exports/pdfSummary.ts';
import { createApp } from './http/app.ts';
import { LiveUpdates } from './live/liveUpdates.ts';
import type { Logger } from './logger.ts';
import { RoomRegistry } from './media/roomRegistry.ts';
import { MediaWorkerPool } from './media/workerPool.ts';
import { OrganisationDirectory } from './organisation/organisationDirectory.ts';
import { OpenConsults } from './queue/openConsults.ts';
import { OverflowScheduler } from './queue/overflowScheduler.ts';
import { PresenceRegistry } from './queue/presence.ts';
import { WorkQueue } from './queue/workQueue.ts';
import { handlers } from './signaling/handlers/index.ts';
import { SignalingServer } from './signaling/socketServer.ts';
import { seedDemo, type DemoUser } from './storage/seed.ts';
import { createStorage, type Storage } from './storage/storage.ts';
import { VitalsService } from './vitals/vitalsService.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly storage: Storage;
  readonly pool: MediaWorkerPool;
  readonly rooms: RoomRegistry;
  readonly tokens: TokenService;
  readonly sessions: SessionService;
  readonly consults: ConsultService;
  readonly queue: WorkQueue;
  readonly vitals: VitalsService;
  readonly access: AccessLog;
  readonly signaling: SignalingServer;
  readonly demoUsers: DemoUser[];
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
}

/** Wires the layers together: HTTP/WebSocket → services → storage and media. */
export async function startServer(
  config: ServerConfig,
  log: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const storage = await createStorage({
    url: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, 'legevakt.sqlite'),
    log: log.child({ component: 'storage' }),
  });
  const cleanup: (() => Promise<void> | void)[] = [() => storage.close()];
  try {
    const demoUsers = config.seedDemo ? await seedDemo(storage, { now: clock.now() }) : [];
    const org = new OrganisationDirectory({
      districts: await storage.organisation.listDistricts(),
      virtualLvs: await storage.organisation.listVirtualLvs(),
      lvsSites: await storage.organisation.listLvsSites(),
      satellites: await storage.organisation.listSatellites(),
      ambulanceUnits: await storage.organisation.listAmbulanceUnits(),
    });

    const tokens = new TokenService({
      secret: config.auth.jwtSecret ?? loadOrCreateSecret(config.dataDir),
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
    });
    const sessions = new SessionService(storage, tokens, org, clock, log, { refreshTtlMs: config.auth.refreshTtlMs });
    const passwords = new PasswordIdentityProvider(storage);
    const access = new AccessLog(storage, clock, log.child({ component: 'access-log' }));
    // Runs before storage.close (cleanup runs front to back): pending access entries are written first.
    cleanup.unshift(() => access.settled());
    const consults = new ConsultService(storage, org, clock, log);
    const presence = new PresenceRegistry();
    const open = await OpenConsults.load(storage, consults);
    cleanup.unshift(() => open.stop());
    const queue = new WorkQueue(storage, open, org, presence, clock);
    const documentation = new DocumentationService(storage, consults, clock, log);
    const records = new RecordService(storage, org, log);
    const overflow = new OverflowScheduler(storage, consults, clock, config.queue.overflowAfterMs, log);
    await overflow.start();
    cleanup.unshift(() => overflow.stop());
    const live = new LiveUpdates(queue, consults, org, presence, clock, access, log);
    live.start();
    cleanup.unshift(() => live.stop());

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
    cleanup.unshift(() => pool.close());
    const rooms = new RoomRegistry(pool, { initialOutgoingBitrate: config.media.initialOutgoingBitrate }, log);
    const vitals = new VitalsService(storage, rooms, clock, log);
    const signaling = new SignalingServer(sessions, live, { rooms, consults, vitals, access }, handlers, log, {
      perSocket: config.limits.signalingPerSocket,
      refusedBeforeClose: config.limits.signalingRefusedBeforeClose,
    });
    sessions.on('revoked', (scope) =>
      signaling.closeSessions((user) =>
        'sessionId' in scope ? user.sid === scope.sessionId : user.sub === scope.userId,
      ),
    );
    // The PDF export needs its fonts: a missing package is reported at start, not at the first download.
    assertPdfFontsAvailable();
    // PDF and FHIR are built on a worker thread, so an export never stalls signaling and live vitals.
    const exports = new ExportRunner(log.child({ component: 'exports' }));
    cleanup.unshift(() => exports.close());
    const loopDelay = new EventLoopDelay();
    cleanup.unshift(() => loopDelay.stop());
    const app = createApp({
      storage,
      org,
      passwords,
      sessions,
      consults,
      queue,
      presence,
      access,
      clock,
      documentation,
      records,
      exports,
      loopDelay,
      pool,
      rooms,
      log,
      clientDistDir: config.clientDistDir,
      limits: config.limits,
    });

    const server = https.createServer(
      { cert: fs.readFileSync(config.tlsCertFile), key: fs.readFileSync(config.tlsKeyFile) },
      app,
    );
    server.on('upgrade', (request, socket, head) => signaling.handleUpgrade(request, socket, head));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;

    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        rooms.closeAll('server-shutdown');
        signaling.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await vitals.settled();
        for (const step of cleanup) await step();
      })();
      return closing;
    };
    return {
      url: `https://localhost:${port}`,
      port,
      storage,
      pool,
      rooms,
      tokens,
      sessions,
      consults,
      queue,
      vitals,
      access,
      signaling,
      demoUsers,
      close,
    };
  } catch (error) {
    for (const step of cleanup) await step();
    throw error;
  }
}
