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
import { drainGate } from './http/drainGate.ts';
import { handlers } from './signaling/handlers/index.ts';
import { InviteService, inviteOptionsFromEnv } from './invites/inviteService.ts';
import { SignalingServer } from './signaling/socketServer.ts';
import { seedDemo, type DemoUser } from './storage/seed.ts';
import { createStorage, type Storage } from './storage/storage.ts';
import { VitalsService } from './vitals/vitalsService.ts';
import { TurnCredentials } from './turn/turnCredentials.ts';

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

/** How long a shutdown waits for requests already being answered. */
const DRAIN_REQUESTS_MS = 5_000;

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
      stations: await storage.organisation.listStations(),
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
    const rooms = new RoomRegistry(
      pool,
      { initialOutgoingBitrate: config.media.initialOutgoingBitrate, resumeGraceMs: config.media.resumeGraceMs },
      log,
    );
    const vitals = new VitalsService(storage, rooms, clock, log);
    const turn = new TurnCredentials(config.turn, clock);
    // The secret is never logged; the URLs tell an operator which relay browsers are sent to.
    if (turn.configured) log.info({ urls: config.turn.urls, ttlSeconds: config.turn.ttlSeconds }, 'TURN configured');
    else log.info('no TURN server configured (LEGEVAKT_TURN_URLS): calls use direct UDP or ICE over TCP');
    const signaling = new SignalingServer(sessions, live, { rooms, consults, vitals, access, turn }, handlers, log, {
      perSocket: config.limits.signalingPerSocket,
      refusedBeforeClose: config.limits.signalingRefusedBeforeClose,
    });
    sessions.on('revoked', (scope) =>
      signaling.closeSessions((user) =>
        'sessionId' in scope ? user.sid === scope.sessionId : user.sub === scope.userId,
      ),
    );
    // Invited guests (server/src/invites/): their sessions are the invite service's, checked by `sessions`.
    const invites = new InviteService(
      {
        storage,
        tokens,
        sessions,
        rooms,
        access,
        clock,
        log,
        // Inviting a district doctor who is online: told on his live sockets ('callInvitation').
        colleagues: { presence, org, notify: (userId, data) => live.notifyUser(userId, 'callInvitation', data) },
      },
      inviteOptionsFromEnv(process.env),
    );
    consults.useCallInvitations((user, consult) => invites.invitedToCall(user, consult));
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
      photoMaxBytes: config.photoMaxBytes,
      invites,
    });

    // Set by close(): no new consult work is taken while the server drains (http/drainGate.ts).
    let draining = false;
    const server = https.createServer(
      { cert: fs.readFileSync(config.tlsCertFile), key: fs.readFileSync(config.tlsKeyFile) },
      drainGate(app, () => draining, log),
    );
    server.on('upgrade', (request, socket, head) => {
      // A client reconnecting to a server on its way down would only be cut off again: it retries.
      if (draining) socket.destroy();
      else signaling.handleUpgrade(request, socket, head);
    });
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
        draining = true;
        // Tells every call (roomClosed 'server-shutdown': the clients rejoin once the server is back)...
        rooms.closeAll('server-shutdown');
        // ...and every socket (1001), then lets in-flight requests finish, for a bounded time.
        await signaling.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, DRAIN_REQUESTS_MS).unref())]);
        server.closeAllConnections();
        await stopped;
        // What arrived is stored before storage closes (cleanup: access log first, then storage).
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
