import { Router, type Request, type RequestHandler } from 'express';
import {
  CreateInviteRequest,
  InviteColleagueRequest,
  InviteToken,
  RedeemInviteRequest,
  type ConsultView,
  type InvitableColleagueList,
} from '@legevakt/shared';
import { DomainError } from '../../errors.ts';
import type { InviteService } from '../../invites/inviteService.ts';
import type { Logger } from '../../logger.ts';
import type { WorkQueue } from '../../queue/workQueue.ts';
import { route, userOf } from '../respond.ts';
import { parseBody } from './parseBody.ts';

const address = (req: Request): string | null => req.socket.remoteAddress ?? null;

function tokenParam(req: Request): string {
  const parsed = InviteToken.safeParse(req.params['token']);
  if (!parsed.success) throw new DomainError('NOT_FOUND', 'invite not found');
  return parsed.data;
}

/**
 * The invite link's endpoints, before login (mounted at /api/invites behind the
 * anonymous per-address rate limit): `GET /:token` says who is invited and
 * whether the link still works (no patient data); `POST /redeem`
 * ({token, pin}) trades a right PIN for the guest's access token.
 */
export function inviteLinkRoutes(invites: InviteService, log: Logger): Router {
  const router = Router();
  router.get(
    '/:token',
    route(log, async (req) => invites.linkInfo(tokenParam(req))),
  );
  router.post(
    '/redeem',
    route(log, async (req) => {
      const { token, pin } = parseBody(RedeemInviteRequest, req.body);
      return invites.redeem(token, pin, address(req));
    }),
  );
  return router;
}

/**
 * The host's side (mounted at /api/consults): `POST /:id/invites`
 * ({displayName}) creates a link invite and returns the link and PIN once;
 * `GET /:id/invites` lists the consult's invites; `DELETE /:id/invites/:inviteId`
 * removes the participant. Only the consult's doctor (InviteService).
 */
export function inviteRoutes(invites: InviteService, log: Logger): Router {
  const router = Router();
  const id = (req: Request): string => String(req.params['id']);
  router.post(
    '/:id/invites',
    route(log, async (req, res) => {
      const { displayName } = parseBody(CreateInviteRequest, req.body);
      const created = await invites.createLinkInvite(userOf(res), id(req), displayName, address(req));
      res.status(201);
      return created;
    }),
  );
  router.get(
    '/:id/invites',
    route(log, async (req, res) => ({ invites: await invites.list(userOf(res), id(req), address(req)) })),
  );
  // A district doctor who is online, invited by name: `GET` lists who may be, `POST` ({userId}) invites him.
  router.get(
    '/:id/invites/colleagues',
    route(log, async (req, res): Promise<InvitableColleagueList> => ({
      colleagues: await invites.invitableColleagues(userOf(res), id(req), address(req)),
    })),
  );
  router.post(
    '/:id/invites/colleague',
    route(log, async (req, res) => {
      const { userId } = parseBody(InviteColleagueRequest, req.body);
      const invite = await invites.inviteColleague(userOf(res), id(req), userId, address(req));
      res.status(201);
      return invite;
    }),
  );
  router.delete(
    '/:id/invites/:inviteId',
    route(log, async (req, res) => invites.remove(userOf(res), id(req), String(req.params['inviteId']), address(req))),
  );
  return router;
}

/**
 * The guest's own endpoints (mounted at /api/guest): `GET /consult` is the
 * consult it was invited to, with its intake (a 'consult.view' access entry);
 * `POST /token` renews its access token while its session holds.
 */
export function guestRoutes(invites: InviteService, queue: WorkQueue, log: Logger): Router {
  const router = Router();
  router.get(
    '/consult',
    route(log, async (req, res): Promise<ConsultView> =>
      queue.view(await invites.guestConsult(userOf(res), address(req))),
    ),
  );
  router.post(
    '/token',
    route(log, async (_req, res) => invites.renew(userOf(res))),
  );
  return router;
}

/**
 * Mounted right after requireUser: a guest token opens /api/guest/* and
 * nothing else of the HTTP API (no queue, no other consult, no record or
 * export, not even its own consult's full record), whatever a route's own
 * check would say. Its call goes over the signaling socket (canJoinCall).
 */
export function guestFence(log: Logger): RequestHandler {
  return (req, res, next) => {
    const user = userOf(res);
    if (user.role !== 'guest' || req.path.startsWith('/guest/')) {
      next();
      return;
    }
    log.warn({ userId: user.sub, path: req.path, method: req.method }, 'guest refused outside /api/guest');
    res.status(403).json({ error: { code: 'FORBIDDEN', message: 'an invited guest has access to its call only' } });
  };
}
