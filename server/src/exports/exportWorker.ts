import { parentPort } from 'node:worker_threads';
import type { ConsultRecord, PhotoImage } from '@legevakt/shared';
import { consultRecordToFhirBundle } from './fhirBundle.ts';
import { consultRecordToPdf } from './pdfSummary.ts';

/**
 * The export thread: builds PDFs and FHIR documents off the main event loop,
 * which carries every consult's signaling and live vital signs (a 12-lead
 * strip takes pdfkit a good half second of CPU). One request at a time, in
 * the order they come; see ExportRunner for the other side.
 */

export type ExportRequest =
  | { id: number; kind: 'pdf'; record: ConsultRecord; generatedAt: number; images?: readonly PhotoImage[] }
  | { id: number; kind: 'fhir'; record: ConsultRecord; generatedAt: number; images?: readonly PhotoImage[] };

export type ExportReply =
  | { id: number; ok: true; kind: 'pdf'; bytes: Uint8Array }
  | { id: number; ok: true; kind: 'fhir'; json: string }
  | { id: number; ok: false; message: string };

const port = parentPort;
if (!port) throw new Error('exportWorker.ts runs as a worker thread (ExportRunner starts it)');

let queue = Promise.resolve();
port.on('message', (request: ExportRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: ExportRequest): Promise<void> {
  try {
    // The photos' bytes by id, embedded by both builders.
    const images = new Map((request.images ?? []).map((i) => [i.photoId, i.bytes]));
    if (request.kind === 'pdf') {
      const pdf = await consultRecordToPdf(request.record, { generatedAt: request.generatedAt, images });
      // A copy into its own ArrayBuffer, moved (not copied again) to the main thread.
      const bytes = new Uint8Array(pdf);
      port!.postMessage({ id: request.id, ok: true, kind: 'pdf', bytes } satisfies ExportReply, [bytes.buffer]);
    } else {
      const json = JSON.stringify(
        consultRecordToFhirBundle(request.record, { generatedAt: request.generatedAt, images }),
      );
      port!.postMessage({ id: request.id, ok: true, kind: 'fhir', json } satisfies ExportReply);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port!.postMessage({ id: request.id, ok: false, message } satisfies ExportReply);
  }
}
