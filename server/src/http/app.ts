import fs from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { AccessLog } from '../audit/accessLog.ts';
import { AccessLogService } from '../audit/accessLogService.ts';
import type { Clock } from '../clock.ts';
import type { PasswordIdentityProvider } from '../auth/passwordIdentityProvider.ts';
import type { SessionService } from '../auth/sessionService.ts';
import type { ConsultService } from '../consults/consultService.ts';
import type { DocumentationService } from '../consults/documentationService.ts';
import type { RecordService } from '../consults/recordService.ts';
import type { Logger } from '../logger.ts';
import type { MediaWorkerPool } from '../media/workerPool.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { PresenceRegistry } from '../queue/presence.ts';
import type { WorkQueue } from '../queue/workQueue.ts';
import type { Storage } from '../storage/storage.ts';
import { httpRateLimiters } from '../limits/httpRateLimit.ts';
import type { RateLimits } from '../limits/limitsConfig.ts';
import { requireUser } from './authMiddleware.ts';
import { route, userOf } from './respond.ts';
import { accessLogRoutes } from './routes/accessLogRoutes.ts';
import { authRoutes } from './routes/authRoutes.ts';
import { consultRoutes } from './routes/consultRoutes.ts';
import { deviceCheckRoutes } from './routes/deviceCheckRoutes.ts';
import { queueRoutes } from './routes/queueRoutes.ts';
import type { ExportRunner } from '../exports/exportRunner.ts';
import type { EventLoopDelay } from '../health/eventLoopDelay.ts';
import { exportRoutes } from './routes/exportRoutes.ts';
import { photoRoutes } from './routes/photoRoutes.ts';
import { recordRoutes } from './routes/recordRoutes.ts';
import { simulatorRoutes } from './routes/simulatorRoutes.ts';
import { stripRoutes } from './routes/stripRoutes.ts';
import type { InviteService } from '../invites/inviteService.ts';
import { guestFence, guestRoutes, inviteLinkRoutes, inviteRoutes } from './routes/inviteRoutes.ts';

export interface AppDeps {
  storage: Storage;
  org: OrganisationDirectory;
  passwords: PasswordIdentityProvider;
  sessions: SessionService;
  consults: ConsultService;
  queue: WorkQueue;
  presence: PresenceRegistry;
  /** The patient-data access log: every read or write of patient data awaits `access.record(...)`. */
  access: AccessLog;
  /** Time for the access log's CSV file names. */
  clock: Clock;
  /** The doctor's note and addenda (sign closes the consult). */
  documentation: DocumentationService;
  /** The assembled consult record. */
  records: RecordService;
  /** The event loop's lateness since the previous health check. */
  loopDelay: EventLoopDelay;
  /** PDF and FHIR exports, built on a worker thread. */
  exports: ExportRunner;
  pool: MediaWorkerPool;
  rooms: RoomRegistry;
  log: Logger;
  clientDistDir: string | null;
  /** Per address, username and user (limits/httpRateLimit.ts). */
  limits: RateLimits;
  /** Invites of a third party into a consult's call, and the invited guests' own endpoints. */
  invites: InviteService;
  /** Largest still photo upload in bytes (default 8 MiB). */
  photoMaxBytes?: number;
}

const JSON_BODY_LIMIT = '32kb';

export function createApp(deps: AppDeps): Express {
  const { log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  const rateLimits = httpRateLimiters(deps.limits, log);
  app.get('/api/health', rateLimits.anonymous, async (_req, res) => {
    const workers = await deps.pool.census();
    res.json({
      status: workers.length === deps.pool.size ? 'ok' : 'degraded',
      workers,
      rooms: deps.rooms.size,
      eventLoopDelay: deps.loopDelay.take(),
    });
  });
  app.use('/api/auth', rateLimits.anonymous, authRoutes(deps.passwords, deps.sessions, log));

  // The invite link's page and PIN, before any login: limited per address like the login.
  app.use('/api/invites', rateLimits.anonymous, inviteLinkRoutes(deps.invites, log));

  app.use('/api', requireUser(deps.sessions, log), rateLimits.api);
  // An invited guest's token opens /api/guest/* only: fenced before any other route sees it.
  app.use('/api', guestFence(log));
  app.use('/api/guest', guestRoutes(deps.invites, deps.queue, log));
  app.use('/api/consults', inviteRoutes(deps.invites, log));
  app.get(
    '/api/me',
    route(log, async (_req, res) => {
      const user = await deps.storage.users.findById(userOf(res).sub);
      if (!user) throw new Error('authenticated user vanished');
      return deps.sessions.sessionUser(user);
    }),
  );
  app.use('/api/consults', stripRoutes(deps));
  app.use('/api/consults', photoRoutes(deps));
  app.use('/api/consults', recordRoutes(deps));
  app.use('/api/consults', exportRoutes(deps));
  app.use('/api/consults', consultRoutes(deps.consults, deps.queue, deps.access, log));
  app.use('/api/simulator', simulatorRoutes(log));
  // The nurse's device check: round trips and throughput to this server (no patient data).
  app.use('/api/device-check', deviceCheckRoutes(log));
  app.use('/api', accessLogRoutes(new AccessLogService(deps.storage, deps.org, deps.access, log), deps.clock, log));
  app.use('/api', queueRoutes(deps.queue, deps.storage, deps.org, deps.presence, deps.access, log));

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });

  const dist = deps.clientDistDir;
  if (dist && fs.existsSync(path.join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: false, maxAge: '1h' }));
    // The client routes itself (/nurse, /doctor, …): every other GET gets the app shell.
    app.get('/{*path}', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Legevakt Video server is running; the client is not built (npm run build -w client).');
    });
  }

  app.use(errorHandler(log));
  return app;
}

const securityHeaders: express.RequestHandler = (_req, res, next) => {
  res.setHeader('Strict-Transport-Security', 'max-age=31536000');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), geolocation=(self)');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; connect-src 'self' wss:; img-src 'self' data: blob:; media-src 'self' blob:; " +
      "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  next();
};

function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status >= 400 && status < 500) {
      log.warn({ status, reason: String(error) }, 'bad HTTP request');
      res.status(status).json({ error: { code: 'BAD_REQUEST', message: 'the request could not be read' } });
      return;
    }
    log.error({ err: error }, 'HTTP request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  };
}
