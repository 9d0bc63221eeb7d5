import { Router } from 'express';
import { accessLogCsv, accessLogFileName } from '../../audit/accessLogCsv.ts';
import type { AccessLogService } from '../../audit/accessLogService.ts';
import { requestAddress } from '../../audit/audited.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import { route, userOf } from '../respond.ts';

/**
 * The patient-data access log: `GET /api/access-log?nationalId=…|consultId=…[&format=csv]`
 * and `GET /api/admin/access-log/verify`. Mounted under /api.
 */
export function accessLogRoutes(service: AccessLogService, clock: Clock, log: Logger): Router {
  const router = Router();

  router.get(
    '/access-log',
    route(log, async (req, res) => {
      const user = userOf(res);
      const query = service.parseQuery(req.query);
      const listing = await service.list(user, query, requestAddress(req));
      res.setHeader('Cache-Control', 'no-store');
      if (query.format === 'csv') {
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${accessLogFileName(clock.now())}"`);
        res.send(accessLogCsv(listing));
        return undefined;
      }
      return listing;
    }),
  );

  router.get(
    '/admin/access-log/verify',
    route(log, async (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return service.verify(userOf(res));
    }),
  );

  return router;
}
