import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRateLimits, type RateLimits } from './limits/limitsConfig.ts';
import type { TurnConfig } from './turn/turnCredentials.ts';

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
    /** How long a peer whose signaling socket dropped keeps its place in the call (LEGEVAKT_RESUME_GRACE_MS). */
    readonly resumeGraceMs: number;
  };
  /** Rate limits of every entry point (LEGEVAKT_RATE_*, see limits/limitsConfig.ts). */
  readonly limits: RateLimits;
  /**
   * TURN for networks that block UDP (LEGEVAKT_TURN_URLS, LEGEVAKT_TURN_SECRET,
   * LEGEVAKT_TURN_TTL_S); no URLs means no TURN: browsers then connect over UDP or ICE over TCP.
   */
  readonly turn: TurnConfig;
  /** Largest still photo accepted from the nurse's camera, in bytes (LEGEVAKT_PHOTO_MAX_BYTES; default 8 MiB). */
  readonly photoMaxBytes: number;
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

/**
 * The TURN settings, checked at start: a typo in a URL or a missing secret would
 * otherwise surface only as calls failing on the one network that needs TURN.
 */
export function loadTurnConfig(env: NodeJS.ProcessEnv): TurnConfig {
  const urls = (env['LEGEVAKT_TURN_URLS'] ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    // RFC 7064/7065: stun:host[:port], turn(s):host[:port][?transport=udp|tcp]
    if (!/^(stun|turns?):(\[[0-9a-fA-F:.]+\]|[^\s?:[\]]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/.test(url)) {
      throw new Error(
        `LEGEVAKT_TURN_URLS: "${url}" is not a stun:, turn: or turns: URL (e.g. turns:turn.example.no:443?transport=tcp)`,
      );
    }
  }
  const secret = env['LEGEVAKT_TURN_SECRET'] || null;
  if (urls.some((url) => url.startsWith('turn')) && secret === null) {
    throw new Error(
      'LEGEVAKT_TURN_URLS names a TURN server but LEGEVAKT_TURN_SECRET (its static-auth-secret) is not set',
    );
  }
  const ttlSeconds = int(env, 'LEGEVAKT_TURN_TTL_S', 3600);
  if (ttlSeconds < 60 || ttlSeconds > 86_400) {
    throw new Error(`LEGEVAKT_TURN_TTL_S must be from 60 to 86400 seconds, got ${ttlSeconds}`);
  }
  return { urls, secret, ttlSeconds };
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
      resumeGraceMs: int(env, 'LEGEVAKT_RESUME_GRACE_MS', 45_000),
    },
    logLevel: env['LEGEVAKT_LOG_LEVEL'] ?? 'info',
    limits: loadRateLimits(env),
    turn: loadTurnConfig(env),
    photoMaxBytes: int(env, 'LEGEVAKT_PHOTO_MAX_BYTES', 8 * 1024 * 1024),
  };
}
