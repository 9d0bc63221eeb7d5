import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRateLimits, type RateLimits } from './limits/limitsConfig.ts';

/**
 * Every setting has an embedded default so `npm start` needs no configuration;
 * a deployment overrides them with LEGEVAKT_* environment variables.
 */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  readonly dataDir: string;
  /** postgres://… to use PostgreSQL; null for the embedded SQLite file in the data directory. */
  readonly databaseUrl: string | null;
  /** Seed the demo organisation and accounts (Molde and Førde) at start. */
  readonly seedDemo: boolean;
  readonly queue: {
    /** A request no home site has taken by then is also offered to the rest of the virtual LVS. */
    readonly overflowAfterMs: number;
  };
  /** Built client (Vite output) served as static files; absent in API-only tests. */
  readonly clientDistDir: string | null;
  readonly auth: {
    /** When null, a secret is generated once and kept in the data directory. */
    readonly jwtSecret: string | null;
    readonly accessTokenTtlSeconds: number;
    readonly issuer: string;
    readonly audience: string;
    readonly refreshTtlMs: number;
  };
  readonly media: {
    readonly numWorkers: number;
    readonly workerLogLevel: 'debug' | 'warn' | 'error' | 'none';
    readonly listenIp: string;
    /** Address given to browsers in ICE candidates: the public/NAT address in deployment. */
    readonly announcedAddress: string;
    /** Worker i's WebRtcServer listens on UDP and TCP port `webRtcServerBasePort + i`. */
    readonly webRtcServerBasePort: number;
    readonly initialOutgoingBitrate: number;
  };
  /** Rate limits of every entry point (LEGEVAKT_RATE_*, see limits/limitsConfig.ts). */
  readonly limits: RateLimits;
  readonly logLevel: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Chromium does not gather loopback candidates, so announcing 127.0.0.1 would
 * work only by accident; the first external IPv4 address is what a browser on
 * this machine or the LAN can reach.
 */
export function detectAnnouncedAddress(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function workerLogLevel(raw: string | undefined): ServerConfig['media']['workerLogLevel'] {
  const levels = ['debug', 'warn', 'error', 'none'] as const;
  const level = raw ?? 'warn';
  if (!(levels as readonly string[]).includes(level)) {
    throw new Error(`LEGEVAKT_WORKER_LOG_LEVEL must be one of ${levels.join(', ')}`);
  }
  return level as ServerConfig['media']['workerLogLevel'];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = path.resolve(env['LEGEVAKT_DATA_DIR'] ?? path.join(repoRoot, 'data'));
  return {
    host: env['LEGEVAKT_HOST'] ?? '0.0.0.0',
    port: int(env, 'LEGEVAKT_PORT', 8443),
    tlsCertFile: env['LEGEVAKT_TLS_CERT'] ?? path.join(repoRoot, 'certs', 'dev-cert.pem'),
    tlsKeyFile: env['LEGEVAKT_TLS_KEY'] ?? path.join(repoRoot, 'certs', 'dev-key.pem'),
    dataDir,
    databaseUrl: env['LEGEVAKT_DATABASE_URL'] || null,
    seedDemo: bool(env, 'LEGEVAKT_SEED_DEMO', true),
    queue: { overflowAfterMs: int(env, 'LEGEVAKT_OVERFLOW_SECONDS', 30) * 1000 },
    clientDistDir: env['LEGEVAKT_CLIENT_DIST'] ?? path.join(repoRoot, 'client', 'dist'),
    auth: {
      jwtSecret: env['LEGEVAKT_JWT_SECRET'] ?? null,
      accessTokenTtlSeconds: int(env, 'LEGEVAKT_ACCESS_TOKEN_TTL', 15 * 60),
      issuer: 'legevakt-video',
      audience: 'legevakt-video',
      refreshTtlMs: int(env, 'LEGEVAKT_SESSION_HOURS', 13) * 3600_000,
    },
    media: {
      numWorkers: int(env, 'LEGEVAKT_MEDIA_WORKERS', os.availableParallelism()),
      workerLogLevel: workerLogLevel(env['LEGEVAKT_WORKER_LOG_LEVEL']),
      listenIp: env['LEGEVAKT_MEDIA_LISTEN_IP'] ?? '0.0.0.0',
      announcedAddress: env['LEGEVAKT_ANNOUNCED_ADDRESS'] ?? detectAnnouncedAddress(),
      webRtcServerBasePort: int(env, 'LEGEVAKT_RTC_PORT', 44444),
      initialOutgoingBitrate: int(env, 'LEGEVAKT_INITIAL_BITRATE', 1_000_000),
    },
    logLevel: env['LEGEVAKT_LOG_LEVEL'] ?? 'info',
    limits: loadRateLimits(env),
  };
}
