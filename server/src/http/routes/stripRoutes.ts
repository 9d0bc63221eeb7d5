import { Router, type Request } from 'express';
import type { AccessRecorder } from '../../audit/accessEvents.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import type { Storage } from '../../storage/storage.ts';
import { StripService } from '../../vitals/stripService.ts';
import { route, userOf } from '../respond.ts';

/**
 * ECG strips of a consult (mounted under /api/consults):
 * `POST /:id/strips` cuts a strip out of the stored waveform (body
 * CaptureStripRequest) and returns the EcgStrip; `GET /:id/strips` lists them.
 * Who may do what, and the access log, are the StripService's.
 */
export function stripRoutes(deps: { storage: Storage; access: AccessRecorder; clock: Clock; log: Logger }): Router {
  const { log } = deps;
  const strips = new StripService(deps.storage, deps.access, deps.clock, log);
  const router = Router();
  const id = (req: Request): string => String(req.params['id']);
  const address = (req: Request): string | null => req.socket.remoteAddress ?? null;

  router.post(
    '/:id/strips',
    route(log, async (req, res) => {
      const strip = await strips.capture(userOf(res), id(req), req.body, address(req));
      res.status(201);
      return strip;
    }),
  );
  router.get(
    '/:id/strips',
    route(log, async (req, res) => strips.list(userOf(res), id(req), address(req))),
  );
  return router;
}
