import { Router } from 'express';
import { ConsultId, TransferRequest, type AccessTokenClaims, type Consult } from '@legevakt/shared';
import { DomainError } from '../../errors.ts';
import type { ConsultService } from '../../consults/consultService.ts';
import type { Logger } from '../../logger.ts';
import type { WorkQueue } from '../../queue/workQueue.ts';
import { route, userOf } from '../respond.ts';
import { parseBody } from './parseBody.ts';

/** Consults: intake, the record, and the queue transitions (claim, cancel, transfer, return, end of call). */
export function consultRoutes(consults: ConsultService, queue: WorkQueue, log: Logger): Router {
  const router = Router();
  const id = (raw: unknown): string => {
    const parsed = ConsultId.safeParse(raw);
    if (!parsed.success) throw new DomainError('NOT_FOUND', 'no such consult');
    return parsed.data;
  };

  router.post(
    '/',
    route(log, async (req, res) => {
      const consult = await consults.request(userOf(res), req.body);
      res.status(201);
      return queue.view(consult);
    }),
  );

  /** The requesting place's open consults (nurse, ambulance crew). */
  router.get(
    '/mine',
    route(log, async (_req, res) => queue.openForPlace(userOf(res))),
  );

  router.get(
    '/:id',
    route(log, async (req, res) => queue.detail(await consults.get(userOf(res), id(req.params['id'])))),
  );

  type Act = (user: AccessTokenClaims, consultId: string, body: unknown) => Promise<Consult>;
  const transition = (path: string, act: Act) =>
    router.post(
      `/:id/${path}`,
      route(log, async (req, res) => queue.view(await act(userOf(res), id(req.params['id']), req.body))),
    );

  transition('claim', (user, consultId) => consults.claim(user, consultId));
  transition('cancel', (user, consultId) => consults.cancel(user, consultId));
  transition('return', (user, consultId) => consults.returnToQueue(user, consultId));
  transition('end-call', (user, consultId) => consults.endCall(user, consultId));
  transition('transfer', (user, consultId, body) =>
    consults.transfer(user, consultId, parseBody(TransferRequest, body).toDoctorId),
  );

  return router;
}
