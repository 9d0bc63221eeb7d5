import { Router, type Request } from 'express';
import { ConsultId, type AccessTokenClaims } from '@legevakt/shared';
import type { AccessAction } from '../../audit/accessEvents.ts';
import type { AccessLog } from '../../audit/accessLog.ts';
import { accessReasonOf, requestAddress } from '../../audit/audited.ts';
import type { DocumentationService } from '../../consults/documentationService.ts';
import type { AccessWitness } from '../../consults/recordAccess.ts';
import type { RecordService } from '../../consults/recordService.ts';
import { DomainError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { WorkQueue } from '../../queue/workQueue.ts';
import { route, userOf } from '../respond.ts';

export interface RecordRouteDeps {
  readonly records: RecordService;
  readonly documentation: DocumentationService;
  readonly queue: WorkQueue;
  readonly access: AccessLog;
  readonly log: Logger;
}

/**
 * The consult record: read it, sign the note (closes the consult), add an
 * addendum. Mounted under /api/consults. Every request writes exactly one
 * access-log entry, allowed or denied, before anything is returned: the
 * services tell the witness their access decision once.
 */
export function recordRoutes({ records, documentation, queue, access, log }: RecordRouteDeps): Router {
  const router = Router();

  /** The witness for one request; a malformed id is a denial without a consult, like one that does not exist. */
  const witnessFor =
    (req: Request, user: AccessTokenClaims, action: AccessAction): AccessWitness =>
    (consult, outcome, reason = null) =>
      access.record({ user, action, consult, outcome, address: req.socket.remoteAddress ?? null, reason });

  const consultId = async (req: Request, witness: AccessWitness): Promise<string> => {
    const parsed = ConsultId.safeParse(req.params['id']);
    if (parsed.success) return parsed.data;
    await witness(null, 'denied');
    throw new DomainError('NOT_FOUND', 'no such consult');
  };

  router.get(
    '/:id/record',
    route(log, async (req, res) => {
      const user = userOf(res);
      const witness = witnessFor(req, user, 'record.view');
      return records.record(user, await consultId(req, witness), witness, accessReasonOf(req));
    }),
  );

  router.post(
    '/:id/note',
    route(log, async (req, res) => {
      const user = userOf(res);
      // The note and its 'allowed' entry commit together (one transaction, one wait for the disk).
      const { within, logged } = access.loggedWriter({ user, action: 'record.note', address: requestAddress(req) });
      const recordEntry = witnessFor(req, user, 'record.note');
      const witness: AccessWitness = (consult, outcome, reason) =>
        outcome === 'allowed' && logged() ? Promise.resolve() : recordEntry(consult, outcome, reason);
      const { consult, note } = await documentation.sign(
        user,
        await consultId(req, witness),
        req.body,
        witness,
        within,
      );
      res.status(201);
      return { consult: await queue.view(consult), note };
    }),
  );

  router.post(
    '/:id/addenda',
    route(log, async (req, res) => {
      const user = userOf(res);
      const witness = witnessFor(req, user, 'record.addendum');
      const { consult, addendum } = await documentation.addAddendum(
        user,
        await consultId(req, witness),
        req.body,
        witness,
      );
      res.status(201);
      return { consult: await queue.view(consult), addendum };
    }),
  );

  return router;
}
