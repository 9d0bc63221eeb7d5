import { normaliseNationalId, validateNationalId } from '@legevakt/shared';
import type { RateLimit } from '../limits/rateLimiter.ts';
import type { Logger } from '../logger.ts';
import type { Hl7IngestResult } from '../vitals/hl7/ingest.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../vitals/hl7/mllpFraming.ts';
import { Hl7Nak, startMllpListener, type MllpListener } from '../vitals/hl7/mllpServer.ts';
import { DEFAULT_MAX_CHUNK_BYTES, Hl7ToVitals } from './hl7ToVitals.ts';
import { DurableOutbox, OutboxFullError } from './outbox.ts';
import { RelayClient, type RelayTuning } from './relayClient.ts';
import { BridgeAuth, type BridgeCredentials, type BridgeTls } from './serverApi.ts';

/**
 * The monitor bridge: runs at a satellite beside its patient monitor (or the
 * monitor's HL7 gateway). It takes HL7 v2 ORU^R01 over MLLP, keeps each
 * message's vitals durably in its outbox before answering AA, and relays them
 * as the satellite's nurse into one consult (`--consult`), where the doctor
 * sees them live and the server stores them on the record.
 *
 * One consult per bridge run, named explicitly: the bridge cannot know which
 * patient is on the monitor, and following "the active consult of my
 * satellite" would put a monitor's numbers on the wrong record as soon as a
 * satellite has two active consults, or one ends and the next begins while the
 * monitor stays on the first patient.
 */

export interface MonitorBridgeOptions {
  server: URL;
  consultId: string;
  credentials: BridgeCredentials;
  tls: BridgeTls;
  mllp: {
    host: string;
    /** 0 picks a free port. */
    port: number;
    maxFrameBytes?: number;
    /** MSH-11 values accepted (default P). */
    processingIds?: readonly string[];
    /** New connections per sender address (LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS; default 30 a minute). */
    connectionsPerAddress?: RateLimit;
  };
  outboxDir: string;
  log: Logger;
  relay?: Partial<RelayTuning>;
  /** Waveform chunks larger than this (encoded) are cut in parts. */
  maxChunkBytes?: number;
  maxPendingBytes?: number;
}

export interface MonitorBridge {
  readonly mllpPort: number;
  readonly outbox: DurableOutbox;
  readonly relay: RelayClient;
  readonly auth: BridgeAuth;
  /** Whether PID-3 is checked against the consult's patient yet ('pending' until the consult has been read). */
  readonly patientCheck: 'pending' | 'armed' | 'unidentified-patient';
  close(): Promise<void>;
}

export async function startMonitorBridge(options: MonitorBridgeOptions): Promise<MonitorBridge> {
  const log = options.log.child({ component: 'monitor-bridge', consultId: options.consultId });
  if (!options.tls.rejectUnauthorized) {
    log.warn('TLS certificate checks are OFF (--insecure): for development only, never with patient data');
  }
  const auth = new BridgeAuth(options.server, options.tls, options.credentials, log);
  const outbox = await DurableOutbox.open({
    dir: options.outboxDir,
    consultId: options.consultId,
    log,
    ...(options.maxPendingBytes !== undefined ? { maxPendingBytes: options.maxPendingBytes } : {}),
  });
  const mapper = new Hl7ToVitals(outbox.streams, options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES);
  const relay = new RelayClient({
    server: options.server,
    consultId: options.consultId,
    auth,
    tls: options.tls,
    outbox,
    log,
    ...(options.relay ? { tuning: options.relay } : {}),
  });
  let ended: string | null = null;
  relay.on('ended', (status) => {
    ended = status;
  });
  // The consult's patient, learnt once the relay is up: a monitor still on the previous
  // patient must not write onto this record. null = the consult's patient is not identified.
  let consultPatient: string | null | undefined;
  relay.on('state', (state) => {
    if (state !== 'relaying' || consultPatient !== undefined) return;
    auth.consult(options.consultId).then(
      (consult) => {
        consultPatient = consult.patient.kind === 'known' ? consult.patient.nationalId : null;
      },
      (error: unknown) => log.warn({ err: error }, "could not read the consult's patient; PID-3 not checked yet"),
    );
  });

  // Messages from several monitor connections are taken one at a time: numbering
  // and waveform placement must see each message's predecessor committed.
  let queue: Promise<void> = Promise.resolve();
  const onMessage = (result: Hl7IngestResult): Promise<void> => {
    const run = queue.then(() => take(result));
    queue = run.catch(() => undefined);
    return run;
  };

  const take = async (result: Hl7IngestResult): Promise<void> => {
    if (ended !== null) {
      throw new Hl7Nak({
        code: 'AR',
        errorCode: 207,
        text: `Consult ${options.consultId} takes no more vitals (${ended}); observations not stored`,
      });
    }
    const key = `${result.sendingApplication}|${result.controlId}`;
    if (outbox.hasKey(key)) {
      // The gateway resent a message we took (our AA got lost): acknowledge it again, keep it once.
      log.info({ controlId: result.controlId }, 'hl7 message already taken; acknowledged again');
      return;
    }
    const pid = result.patient?.id;
    if (pid !== undefined && typeof consultPatient === 'string' && validateNationalId(pid).ok) {
      if (normaliseNationalId(pid) !== consultPatient) {
        throw new Hl7Nak({
          code: 'AR',
          errorCode: 207,
          text: `PID-3 names another patient than consult ${options.consultId}; observations not stored`,
          location: { segment: 'PID', field: 3 },
        });
      }
    }
    const mapped = mapper.map(result);
    if (mapped.messages.length === 0) {
      log.info(
        { controlId: result.controlId, notes: result.errors.slice(0, 5) },
        'hl7 message carried no usable vitals',
      );
      return;
    }
    try {
      await outbox.append(key, mapped.messages, mapped.streams);
    } catch (error) {
      if (error instanceof OutboxFullError) {
        throw new Hl7Nak({ code: 'AE', errorCode: 207, text: `Bridge outbox full; resend later (${error.message})` });
      }
      throw error;
    }
    mapper.commit(mapped.streams);
    relay.wake();
  };

  let listener: MllpListener;
  try {
    listener = await startMllpListener({
      host: options.mllp.host,
      port: options.mllp.port,
      maxFrameBytes: options.mllp.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      onMessage,
      log,
      ackEnvelope: { application: 'LEGEVAKT-BRIDGE' },
      ...(options.mllp.processingIds ? { ingest: { processingIds: options.mllp.processingIds } } : {}),
      ...(options.mllp.connectionsPerAddress ? { connectionsPerAddress: options.mllp.connectionsPerAddress } : {}),
    });
  } catch (error) {
    await outbox.close();
    throw error;
  }
  relay.start();
  log.info(
    { mllp: `${options.mllp.host}:${listener.port}`, server: options.server.origin, sourceId: outbox.sourceId },
    'monitor bridge running',
  );

  let closing: Promise<void> | null = null;
  return {
    mllpPort: listener.port,
    outbox,
    relay,
    auth,
    get patientCheck() {
      return consultPatient === undefined ? 'pending' : consultPatient === null ? 'unidentified-patient' : 'armed';
    },
    close: () => {
      closing ??= (async () => {
        await listener.close();
        await relay.close();
        await outbox.close();
        log.info({ unsent: outbox.pendingCount }, 'monitor bridge stopped');
      })();
      return closing;
    },
  };
}
