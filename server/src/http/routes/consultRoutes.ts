import { Router } from 'express';
import { ConsultId, TransferRequest, type AccessTokenClaims, type Consult } from '@legevakt/shared';
import type { AccessLog, LoggedWrite } from '../../audit/accessLog.ts';
import { accessReasonOf, audited, requestAddress } from '../../audit/audited.ts';
import { DomainError } from '../../errors.ts';
import type { ConsultService } from '../../consults/consultService.ts';
import { notOwn } from '../../live/liveUpdates.ts';
import type { Logger } from '../../logger.ts';
import type { WorkQueue } from '../../queue/workQueue.ts';
import { route, userOf } from '../respond.ts';
import { parseBody } from './parseBody.ts';

/**
 * Consults: intake, the record, and the queue transitions (claim, cancel, transfer, return, end of call).
 * Every request that reaches patient data writes one access-log entry before it answers (see audit/audited.ts).
 */
export function consultRoutes(consults: ConsultService, queue: WorkQueue, access: AccessLog, log: Logger): Router {
  const router = Router();
  const id = (raw: unknown): string => {
    const parsed = ConsultId.safeParse(raw);
    if (!parsed.success) throw new DomainError('NOT_FOUND', 'no such consult');
    return parsed.data;
  };

  router.post(
    '/',
    route(log, async (req, res) => {
      const user = userOf(res);
      // The new consult and its access-log entry commit together (one transaction).
      const consult = await access.auditedWrite(
        { user, action: 'consult.request', address: requestAddress(req) },
        (within) => consults.request(user, req.body, within),
        (c) => c,
      );
      res.status(201);
      return queue.view(consult);
    }),
  );

  /**
   * The requesting place's open consults (nurse, ambulance crew). A list the
   * station reloads again and again: each consult is logged the first time
   * it is shown to this user ('consult.view', see AccessLog.recordShown), not
   * on every reload; her own requests not at all (logged at intake).
   */
  router.get(
    '/mine',
    route(log, async (req, res) => {
      const user = userOf(res);
      const views = await queue.openForPlace(user);
      await access.recordShown(user, 'consult.view', notOwn(user, views), requestAddress(req));
      return views;
    }),
  );

  /**
   * One consult with its timeline. Break-the-glass: an LVS doctor outside the
   * consult's district may open it with a typed reason in X-Access-Reason;
   * the entry then carries the reason.
   */
  router.get(
    '/:id',
    route(log, async (req, res) => {
      const user = userOf(res);
      const reason = accessReasonOf(req);
      const consult = await audited(
        access,
        { user, action: 'consult.view', address: requestAddress(req), reason },
        () => consults.get(user, id(req.params['id']), 'view', reason),
        (c) => c,
        // An allowed entry carries the reason only where it was needed: such an entry is a break-the-glass access.
        (c) => (consults.breaksGlass(user, c) ? reason : null),
      );
      return queue.detail(consult);
    }),
  );

  type Act = (user: AccessTokenClaims, consultId: string, body: unknown, within: LoggedWrite) => Promise<Consult>;
  /** A transition whose act writes through `within` commits its access-log entry with the change (claim). */
  const transition = (path: string, act: Act) =>
    router.post(
      `/:id/${path}`,
      route(log, async (req, res) => {
        const user = userOf(res);
        const consult = await access.auditedWrite(
          { user, action: 'consult.transition', address: requestAddress(req) },
          async (within) => act(user, id(req.params['id']), req.body, within),
          (c) => c,
        );
        return queue.view(consult);
      }),
    );

  transition('claim', (user, consultId, _body, within) => consults.claim(user, consultId, within));
  transition('cancel', (user, consultId) => consults.cancel(user, consultId));
  transition('return', (user, consultId) => consults.returnToQueue(user, consultId));
  transition('end-call', (user, consultId) => consults.endCall(user, consultId));
  transition('transfer', (user, consultId, body) =>
    consults.transfer(user, consultId, parseBody(TransferRequest, body).toDoctorId),
  );

  return router;
}
