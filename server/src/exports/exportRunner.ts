import { Worker } from 'node:worker_threads';
import type { ConsultRecord, PhotoImage } from '@legevakt/shared';
import type { Logger } from '../logger.ts';
import type { ExportReply, ExportRequest } from './exportWorker.ts';

type Pending = { resolve: (reply: ExportReply) => void; reject: (error: Error) => void };

interface Thread {
  worker: Worker;
  /** This thread's unanswered requests (a replaced thread fails only its own). */
  pending: Map<number, Pending>;
}

/**
 * Runs the export builders on one worker thread (started on first use), so a
 * PDF with ECG strips or a FHIR document with hours of numerics never stalls
 * the main event loop, which carries every consult's signaling and live vital
 * signs. A thread that dies fails the exports it had, is logged, and a new one
 * starts for the next export. Idle, it does not keep the process alive.
 */
export class ExportRunner {
  readonly #log: Logger;
  #thread: Thread | null = null;
  #nextId = 1;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** `images`: the record's photos' bytes (RecordService.photoImages), drawn in the PDF. */
  async pdf(record: ConsultRecord, generatedAt: number, images: readonly PhotoImage[] = []): Promise<Buffer> {
    const reply = await this.#run({ id: this.#nextId++, kind: 'pdf', record, generatedAt, images });
    if (!reply.ok || reply.kind !== 'pdf') throw new Error('export worker: unexpected reply to a PDF request');
    return Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength);
  }

  /** `images`: the record's photos' bytes, embedded in their Media resources. */
  async fhir(record: ConsultRecord, generatedAt: number, images: readonly PhotoImage[] = []): Promise<string> {
    const reply = await this.#run({ id: this.#nextId++, kind: 'fhir', record, generatedAt, images });
    if (!reply.ok || reply.kind !== 'fhir') throw new Error('export worker: unexpected reply to a FHIR request');
    return reply.json;
  }

  /** Stops the thread; exports still pending fail. */
  async close(): Promise<void> {
    const thread = this.#thread;
    this.#thread = null;
    if (thread) await thread.worker.terminate();
  }

  #run(request: ExportRequest): Promise<ExportReply> {
    const thread = this.#thread ?? this.#start();
    return new Promise<ExportReply>((resolve, reject) => {
      thread.pending.set(request.id, {
        resolve: (reply) => (reply.ok ? resolve(reply) : reject(new Error(reply.message))),
        reject,
      });
      thread.worker.ref(); // busy: the process waits for the answer
      thread.worker.postMessage(request);
    });
  }

  #start(): Thread {
    const thread: Thread = {
      worker: new Worker(new URL('./exportWorker.ts', import.meta.url)),
      pending: new Map(),
    };
    const { worker, pending } = thread;
    worker.unref();
    worker.on('message', (reply: ExportReply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (pending.size === 0) worker.unref();
      waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      if (this.#thread === thread) this.#thread = null;
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    worker.on('error', (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      this.#log.error({ err }, 'export worker failed');
      fail(err);
    });
    worker.on('exit', (code) => {
      if (pending.size > 0)
        this.#log.error({ code, pending: pending.size }, 'export worker exited with exports pending');
      fail(new Error(`export worker exited (code ${code})`));
    });
    this.#thread = thread;
    return thread;
  }
}
