import { Router } from 'express';
import { z } from 'zod';
import type { Colleague } from '@legevakt/shared';
import type { AccessLog } from '../../audit/accessLog.ts';
import { requestAddress } from '../../audit/audited.ts';
import { DomainError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { OrganisationDirectory } from '../../organisation/organisationDirectory.ts';
import type { PresenceRegistry } from '../../queue/presence.ts';
import type { WorkQueue } from '../../queue/workQueue.ts';
import type { Storage } from '../../storage/storage.ts';
import { route, userOf } from '../respond.ts';

const SlaQuery = z.object({
  from: z.coerce.number().int().nonnegative(),
  to: z.coerce.number().int().nonnegative(),
  site: z.string().max(64).optional(),
});

/** The doctor's work queue, SLA figures and colleagues (for transfer). */
export function queueRoutes(
  queue: WorkQueue,
  storage: Storage,
  org: OrganisationDirectory,
  presence: PresenceRegistry,
  access: AccessLog,
  log: Logger,
): Router {
  const router = Router();

  /**
   * The queue shows every waiting patient's name and age to every doctor of
   * the district: each patient is logged ('queue.view') the first time it is
   * shown to a doctor, here or in a live snapshot, not on every read.
   */
  router.get(
    '/queue',
    route(log, async (req, res) => {
      const user = userOf(res);
      const address = requestAddress(req);
      if (user.role !== 'doctor') {
        const error = forbidden(log, user.sub, 'queue');
        await access.record({ user, action: 'queue.view', consult: null, outcome: 'denied', address });
        throw error;
      }
      const { snapshot, json } = await queue.servedSnapshotFor(user);
      await access.recordShown(user, 'queue.view', queue.shownIn(snapshot), address);
      res.type('application/json').send(json);
      return undefined;
    }),
  );

  /** Share answered within two minutes (the 80 % rule) for a site, or all sites for an admin. */
  router.get(
    '/sla',
    route(log, async (req, res) => {
      const user = userOf(res);
      const query = SlaQuery.safeParse(req.query);
      if (!query.success) throw new DomainError('BAD_REQUEST', 'from and to are epoch milliseconds');
      const { from, to, site } = query.data;
      if (to <= from || to - from > 366 * 86_400_000)
        throw new DomainError('BAD_REQUEST', 'the range must be 1 ms to a year');
      const place = user.workplace;
      if (user.role === 'doctor' && place.kind === 'lvs') {
        if (site !== undefined && site !== place.lvsSiteId) throw forbidden(log, user.sub, 'sla of another site');
        return queue.sla(place.lvsSiteId, from, to);
      }
      if (user.role === 'admin' && place.kind === 'administration') {
        if (site !== undefined && place.districtId !== null && org.site(site)?.districtId !== place.districtId) {
          throw forbidden(log, user.sub, 'sla of another district');
        }
        return queue.sla(site ?? null, from, to);
      }
      throw forbidden(log, user.sub, 'sla');
    }),
  );

  /** Doctors a consult can be transferred to: the district's sites and those sharing its virtual LVS. */
  router.get(
    '/colleagues',
    route(log, async (_req, res) => {
      const user = userOf(res);
      const place = user.workplace;
      if (user.role !== 'doctor' || place.kind !== 'lvs') throw forbidden(log, user.sub, 'colleagues');
      const siteIds = [...org.homeSiteIds(place.districtId), ...org.overflowSiteIds(place.districtId)];
      const doctors = await storage.users.list({ role: 'doctor' });
      return doctors
        .filter((d) => d.id !== user.sub && d.disabledAt === null)
        .filter((d) => d.workplace.kind === 'lvs' && siteIds.includes(d.workplace.lvsSiteId))
        .map((d): Colleague => ({
          id: d.id,
          displayName: d.displayName,
          siteId: d.workplace.kind === 'lvs' ? d.workplace.lvsSiteId : '',
          siteName: org.placeName(d.workplace),
          online: presence.isOnline(d.id),
        }));
    }),
  );

  return router;
}

function forbidden(log: Logger, userId: string, what: string): DomainError {
  log.warn({ userId, action: what }, 'access denied');
  return new DomainError('FORBIDDEN', `not allowed: ${what}`);
}
