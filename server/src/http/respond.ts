import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessTokenClaims, ErrorCode } from '@legevakt/shared';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNKNOWN_METHOD: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/** The authenticated user of a request; set by requireUser. */
export function userOf(res: Response): AccessTokenClaims {
  const user = res.locals['user'] as AccessTokenClaims | undefined;
  if (!user) throw new DomainError('UNAUTHENTICATED', 'not logged in');
  return user;
}

/**
 * Wraps an async route: DomainErrors become their HTTP status with a JSON body
 * `{ error: { code, message, issues? } }`; anything else is a logged 500.
 */
export function route(log: Logger, handler: (req: Request, res: Response) => Promise<unknown>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res)
      .then((body) => {
        if (!res.headersSent) res.json(body ?? {});
      })
      .catch((error: unknown) => {
        if (error instanceof DomainError) {
          // Refusals are logged like the signaling socket's: bad input leaves a trace, not only a 4xx.
          log.info(
            { path: req.path, code: error.code, reason: error.message, issues: error.issues },
            'request refused',
          );
          res.status(STATUS[error.code]).json({
            error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
          });
          return;
        }
        log.error({ err: error, path: req.path }, 'request failed');
        next(error);
      });
  };
}
