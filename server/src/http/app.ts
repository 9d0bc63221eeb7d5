import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { describeIssues, DevLoginRequest, type LoginResponse } from '@legevakt/shared';
import type { TokenService } from '../auth/tokens.ts';
import type { Logger } from '../logger.ts';
import type { MediaWorkerPool } from '../media/workerPool.ts';
import type { RoomRegistry } from '../media/roomRegistry.ts';

export interface AppDeps {
  tokens: TokenService;
  pool: MediaWorkerPool;
  rooms: RoomRegistry;
  log: Logger;
  devLoginEnabled: boolean;
  clientDistDir: string | null;
}

const JSON_BODY_LIMIT = '32kb';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  app.post('/api/auth/dev-login', (req, res) => {
    if (!deps.devLoginEnabled) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'development login is turned off' } });
      return;
    }
    const body = DevLoginRequest.safeParse(req.body);
    if (!body.success) {
      deps.log.warn({ issues: describeIssues(body.error) }, 'bad dev-login request');
      res
        .status(400)
        .json({ error: { code: 'BAD_REQUEST', message: 'invalid login', issues: describeIssues(body.error) } });
      return;
    }
    // A development identity: stable per role+name so a reload keeps the same user.
    const sub = `dev-${body.data.role}-${crypto.createHash('sha256').update(body.data.name).digest('hex').slice(0, 12)}`;
    const user = { sub, role: body.data.role, name: body.data.name };
    const { accessToken, expiresAt } = deps.tokens.issue(user);
    const response: LoginResponse = { accessToken, expiresAt: expiresAt.toISOString(), user };
    res.json(response);
  });

  app.get('/api/health', async (_req, res) => {
    const workers = await deps.pool.census();
    res.json({ status: workers.length === deps.pool.size ? 'ok' : 'degraded', workers, rooms: deps.rooms.size });
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });

  const dist = deps.clientDistDir;
  if (dist && fs.existsSync(path.join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: false, maxAge: '1h' }));
    // The client routes itself (/nurse, /doctor): every other GET gets the app shell.
    app.get('/{*path}', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Legevakt Video server is running; the client is not built (npm run build -w client).');
    });
  }

  app.use(errorHandler(deps.log));
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
