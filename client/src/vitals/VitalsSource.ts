import { encodeVitalsMessage, type VitalsMessage } from '@legevakt/shared';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { TypedEmitter } from '../session/TypedEmitter.ts';
import { VitalsOutbox } from './VitalsOutbox.ts';

export interface VitalsSourceEvents {
  changed: [{ sent: number; pending: number; dropped: number }];
}

/**
 * A vitals source in a consult (the simulator or Bluetooth devices): numbers
 * its messages, sends them on the consult's vitals channel, and keeps each
 * until the server has stored it (see VitalsOutbox).
 */
export class VitalsSource extends TypedEmitter<VitalsSourceEvents> {
  readonly sourceId: string;
  readonly #session: ConsultSession;
  readonly #outbox = new VitalsOutbox();
  readonly #unsubscribe: (() => void)[] = [];
  #sent = 0;

  constructor(session: ConsultSession, sourceId: string = `src-${crypto.randomUUID()}`) {
    super();
    this.#session = session;
    this.sourceId = sourceId;
  }

  async open(): Promise<void> {
    this.#unsubscribe.push(
      this.#session.on('vitalsAck', (sourceId, seq) => {
        if (sourceId !== this.sourceId) return;
        this.#outbox.acknowledge(seq);
        this.#changed();
      }),
    );
    const channel = await this.#session.openVitalsChannel(this.sourceId);
    const attach = (): void => this.#outbox.attach((_seq, payload) => channel.send(payload));
    this.#unsubscribe.push(
      this.#session.on('vitalsChannelOpen', (sourceId) => {
        if (sourceId === this.sourceId) attach();
      }),
    );
    attach();
  }

  push(message: VitalsMessage): void {
    this.#outbox.send((seq) => encodeVitalsMessage(seq, message));
    this.#sent += 1;
    this.#changed();
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#outbox.detach();
  }

  #changed(): void {
    this.emit('changed', { sent: this.#sent, pending: this.#outbox.pending, dropped: this.#outbox.dropped });
  }
}
