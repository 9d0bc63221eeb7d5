import { Router, type Request } from 'express';
import { ConsultId, zonedParts, type AccessTokenClaims, type ConsultRecord } from '@legevakt/shared';
import type { AccessAction, AccessRecorder } from '../../audit/accessEvents.ts';
import { AccessDeniedError } from '../../audit/accessDenied.ts';
import type { Clock } from '../../clock.ts';
import type { AccessWitness } from '../../consults/recordAccess.ts';
import type { RecordService } from '../../consults/recordService.ts';
import { DomainError } from '../../errors.ts';
import type { ExportRunner } from '../../exports/exportRunner.ts';
import { OSLO } from '../../exports/recordFacts.ts';
import type { Logger } from '../../logger.ts';
import { route, userOf } from '../respond.ts';

export interface ExportRouteDeps {
  readonly records: RecordService;
  /** The export builders' thread; owned (and closed) by the server. */
  readonly exports: ExportRunner;
  readonly access: AccessRecorder;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Downloads of the consult record for the patient journal: the PDF summary and
 * the FHIR R4 document. Mounted under /api/consults.
 *
 * Who: whoever may read the record (the consult's doctor(s) and the doctors of
 * its district, the requesting satellite's nurses or unit's crew), except
 * administrators: an export is a copy of the clinical record leaving the
 * system, which is the clinicians' to make, not the district administration's.
 *
 * Each request writes exactly one access-log entry ('export.pdf' or
 * 'export.fhir'), allowed or denied, before any byte of the record is sent.
 */
export function exportRoutes({ records, exports: runner, access, clock, log }: ExportRouteDeps): Router {
  const router = Router();
  const exportLog = log.child({ component: 'exports' });

  /** The record, once this request's single access entry is written; throws the 403/404 otherwise. */
  async function exportable(req: Request, user: AccessTokenClaims, action: AccessAction): Promise<ConsultRecord> {
    const address = req.socket.remoteAddress ?? null;
    const parsed = ConsultId.safeParse(req.params['id']);
    if (!parsed.success) {
      await access.record({ user, action, consult: null, outcome: 'denied', address });
      throw new DomainError('NOT_FOUND', 'no such consult');
    }
    // The record service decides who may read the record and tells the witness once, before assembling it;
    // the export narrows that decision (no administrators) in the same single entry.
    const witness: AccessWitness = async (consult, outcome) => {
      const refused = outcome === 'allowed' && user.role === 'admin';
      await access.record({ user, action, consult, outcome: refused ? 'denied' : outcome, address });
      if (refused && consult) {
        exportLog.warn(
          { userId: user.sub, role: user.role, consultId: consult.id, action },
          'access denied: exports are for the consult’s clinicians',
        );
        throw new AccessDeniedError('exports are for the consult’s clinicians', consult);
      }
    };
    return records.record(user, parsed.data, witness);
  }

  /** One export download: the record (its access entry written), built on the worker, sent as a file. */
  const download = (
    action: 'export.pdf' | 'export.fhir',
    build: (record: ConsultRecord, now: number) => Promise<Buffer | string>,
    type: string,
    extension: 'pdf' | 'fhir.json',
  ) =>
    route(log, async (req, res) => {
      const user = userOf(res);
      const record = await exportable(req, user, action);
      const body = await build(record, clock.now());
      exportLog.info({ userId: user.sub, consultId: record.consult.id, bytes: body.length, action }, 'export');
      res
        .status(200)
        .set({
          'Content-Type': type,
          'Content-Disposition': `attachment; filename="${exportFileName(record, extension)}"`,
          'Cache-Control': 'no-store',
        })
        .end(body);
    });

  router.get(
    '/:id/export.pdf',
    download(
      'export.pdf',
      async (r, now) => runner.pdf(r, now, await records.photoImages(r)),
      'application/pdf',
      'pdf',
    ),
  );
  router.get(
    '/:id/export.fhir.json',
    download(
      'export.fhir',
      async (r, now) => runner.fhir(r, now, await records.photoImages(r)),
      'application/fhir+json; charset=utf-8',
      'fhir.json',
    ),
  );

  return router;
}

/**
 * "legevakt-konsultasjon-2025-01-14-5b0d7c8e.pdf": the consult's date in Oslo and
 * the start of its id. No patient name or number: file names end up in
 * download folders, mail attachments and logs.
 */
export function exportFileName(record: ConsultRecord, extension: 'pdf' | 'fhir.json'): string {
  const p = zonedParts(record.consult.requestedAt, OSLO);
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return `legevakt-konsultasjon-${date}-${record.consult.id.slice(0, 8)}.${extension}`;
}
