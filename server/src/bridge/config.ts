import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConsultId } from '@legevakt/shared';
import { DEFAULT_RATE_LIMITS, parseRateLimit } from '../limits/limitsConfig.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../vitals/hl7/mllpFraming.ts';
import type { MonitorBridgeOptions } from './monitorBridge.ts';

export const USAGE = `Usage: npm run monitor-bridge -- --server URL --consult ID [options]

Relays HL7 v2 ORU^R01 (MLLP) from a patient monitor into one consult.

  --server URL              the Legevakt Video server, e.g. https://legevakt.example.no   [LEGEVAKT_BRIDGE_SERVER]
  --consult ID              the consult the monitor's patient is in                      [LEGEVAKT_BRIDGE_CONSULT]
Log in as the satellite's nurse (or the ambulance crew), one of:
  --username NAME           with the password in LEGEVAKT_BRIDGE_PASSWORD or --password-file   [LEGEVAKT_BRIDGE_USERNAME]
  --password-file FILE      first line is the password                                   [LEGEVAKT_BRIDGE_PASSWORD_FILE]
  --refresh-token-file FILE a refresh token; the rotated one is written back             [LEGEVAKT_BRIDGE_REFRESH_TOKEN_FILE]
Monitor side:
  --mllp-host HOST          listen address (default 127.0.0.1; 0.0.0.0 for a gateway on the LAN)  [LEGEVAKT_BRIDGE_MLLP_HOST]
  --mllp-port PORT          listen port (default 2575)                                   [LEGEVAKT_BRIDGE_MLLP_PORT]
  --max-frame-bytes N       largest HL7 message taken (default ${DEFAULT_MAX_FRAME_BYTES})
  --processing-ids LIST     MSH-11 values taken, comma-separated (default P)
  --outbox-dir DIR          where unsent vitals are kept (default data/monitor-bridge)   [LEGEVAKT_BRIDGE_OUTBOX_DIR]
  New MLLP connections per sender address: N/S (at most N per S seconds, default 30/60)
                                                                          [LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS]
TLS:
  --ca FILE                 PEM certificate(s) to trust besides the system's             [LEGEVAKT_BRIDGE_CA]
  --servername NAME         name the server certificate must carry (when --server is an IP)
  --insecure                do not check the certificate (development only)
  --log-level LEVEL         pino level (default info)                                    [LEGEVAKT_LOG_LEVEL]
`;

export class BridgeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BridgeConfigError';
  }
}

export type ParsedBridgeArgs =
  { kind: 'help' } | { kind: 'run'; options: Omit<MonitorBridgeOptions, 'log'>; logLevel: string };

/** Flags win over environment variables. Every problem is a BridgeConfigError naming the flag. */
export function parseBridgeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedBridgeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        server: { type: 'string' },
        consult: { type: 'string' },
        username: { type: 'string' },
        'password-file': { type: 'string' },
        'refresh-token-file': { type: 'string' },
        'mllp-host': { type: 'string' },
        'mllp-port': { type: 'string' },
        'max-frame-bytes': { type: 'string' },
        'processing-ids': { type: 'string' },
        'outbox-dir': { type: 'string' },
        ca: { type: 'string' },
        servername: { type: 'string' },
        insecure: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BridgeConfigError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: 'help' };
  const pick = (flag: string | undefined, name: string): string | undefined => {
    const value = flag ?? env[name];
    return value === undefined || value === '' ? undefined : value;
  };

  const serverText = pick(values.server, 'LEGEVAKT_BRIDGE_SERVER');
  if (serverText === undefined) throw new BridgeConfigError('--server is required (the server URL)');
  let server: URL;
  try {
    server = new URL(serverText);
  } catch {
    throw new BridgeConfigError(`--server "${serverText}" is not a URL`);
  }
  if (server.protocol !== 'https:') throw new BridgeConfigError('--server must be an https:// URL');

  const consultText = pick(values.consult, 'LEGEVAKT_BRIDGE_CONSULT');
  if (consultText === undefined) throw new BridgeConfigError('--consult is required (the consult id)');
  const consult = ConsultId.safeParse(consultText);
  if (!consult.success) throw new BridgeConfigError(`--consult "${consultText}" is not a consult id (a UUID)`);

  const refreshFile = pick(values['refresh-token-file'], 'LEGEVAKT_BRIDGE_REFRESH_TOKEN_FILE');
  const username = pick(values.username, 'LEGEVAKT_BRIDGE_USERNAME');
  let credentials: MonitorBridgeOptions['credentials'];
  if (refreshFile !== undefined) {
    if (!fs.existsSync(refreshFile)) throw new BridgeConfigError(`--refresh-token-file ${refreshFile} does not exist`);
    credentials = { kind: 'refresh-token-file', file: refreshFile };
  } else if (username !== undefined) {
    const passwordFile = pick(values['password-file'], 'LEGEVAKT_BRIDGE_PASSWORD_FILE');
    const password =
      passwordFile !== undefined ? readFirstLine(passwordFile, '--password-file') : env['LEGEVAKT_BRIDGE_PASSWORD'];
    if (password === undefined || password === '') {
      throw new BridgeConfigError('a password is required: LEGEVAKT_BRIDGE_PASSWORD or --password-file');
    }
    credentials = { kind: 'password', username, password };
  } else {
    throw new BridgeConfigError('log in with --username (and a password) or --refresh-token-file');
  }

  const port = integer(pick(values['mllp-port'], 'LEGEVAKT_BRIDGE_MLLP_PORT') ?? '2575', '--mllp-port', 0, 65535);
  const maxFrameBytes = integer(
    values['max-frame-bytes'] ?? String(DEFAULT_MAX_FRAME_BYTES),
    '--max-frame-bytes',
    1024,
    16 * 1024 * 1024,
  );
  const processingIds = (values['processing-ids'] ?? 'P')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (processingIds.length === 0 || !processingIds.every((p) => /^[A-Z]$/.test(p))) {
    throw new BridgeConfigError('--processing-ids takes one-letter MSH-11 codes, e.g. P or P,T');
  }
  // The same variable the server's limitsConfig names, so one setting governs every MLLP listener.
  const rateText = pick(undefined, 'LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS');
  let connectionsPerAddress = DEFAULT_RATE_LIMITS.mllpConnectionsPerAddress;
  if (rateText !== undefined) {
    try {
      connectionsPerAddress = parseRateLimit(rateText, 'LEGEVAKT_RATE_MLLP_CONNECTIONS_PER_ADDRESS');
    } catch (error) {
      throw new BridgeConfigError(error instanceof Error ? error.message : String(error));
    }
  }
  const caFile = pick(values.ca, 'LEGEVAKT_BRIDGE_CA');
  const tls: MonitorBridgeOptions['tls'] = {
    rejectUnauthorized: values.insecure !== true,
    ...(caFile !== undefined ? { ca: readFile(caFile, '--ca') } : {}),
    ...(values.servername !== undefined ? { servername: values.servername } : {}),
  };

  return {
    kind: 'run',
    logLevel: pick(values['log-level'], 'LEGEVAKT_LOG_LEVEL') ?? 'info',
    options: {
      server,
      consultId: consult.data,
      credentials,
      tls,
      mllp: {
        host: pick(values['mllp-host'], 'LEGEVAKT_BRIDGE_MLLP_HOST') ?? '127.0.0.1',
        port,
        maxFrameBytes,
        processingIds,
        connectionsPerAddress,
      },
      outboxDir: pick(values['outbox-dir'], 'LEGEVAKT_BRIDGE_OUTBOX_DIR') ?? 'data/monitor-bridge',
    },
  };
}

function integer(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BridgeConfigError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function readFile(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new BridgeConfigError(`${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readFirstLine(file: string, flag: string): string {
  return (readFile(file, flag).split(/\r?\n/)[0] ?? '').trim();
}
