import { Router } from 'express';
import { LogoutRequest, PasswordLoginRequest, RefreshRequest } from '@legevakt/shared';
import type { PasswordIdentityProvider } from '../../auth/passwordIdentityProvider.ts';
import type { SessionService } from '../../auth/sessionService.ts';
import { DomainError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { route } from '../respond.ts';
import { parseBody } from './parseBody.ts';

export function authRoutes(passwords: PasswordIdentityProvider, sessions: SessionService, log: Logger): Router {
  const router = Router();

  router.post(
    '/login',
    route(log, async (req) => {
      const body = parseBody(PasswordLoginRequest, req.body);
      try {
        const identity = await passwords.verify(body);
        return await sessions.start(identity, req.ip);
      } catch (error) {
        if (error instanceof DomainError) log.warn({ username: body.username, address: req.ip }, 'login failed');
        throw error;
      }
    }),
  );

  router.post(
    '/refresh',
    route(log, async (req) => sessions.refresh(parseBody(RefreshRequest, req.body).refreshToken)),
  );

  router.post(
    '/logout',
    route(log, async (req) => {
      await sessions.logout(parseBody(LogoutRequest, req.body).refreshToken);
      return {};
    }),
  );

  return router;
}
