import type { RequestHandler } from 'express';
import type { SessionService } from '../auth/sessionService.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Every /api route but login and refresh needs `Authorization: Bearer <access token>` of a live session. */
export function requireUser(sessions: SessionService, log: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!token) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'no access token' } });
      return;
    }
    sessions
      .authenticate(token)
      .then((user) => {
        res.locals['user'] = user;
        next();
      })
      .catch((error: unknown) => {
        const message = error instanceof DomainError ? error.message : 'invalid access token';
        log.warn({ path: req.path, address: req.ip, reason: message }, 'API request refused');
        res.status(401).json({ error: { code: 'UNAUTHENTICATED', message } });
      });
  };
}
