import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { missingServerNodeFlags } from './runtime/nodeFlags.ts';
import { startServer } from './server.ts';
import { formatDemoUsers } from './tools/seedDemo.ts';

/** The longest a graceful shutdown may take before the process exits regardless. */
const DRAIN_LIMIT_MS = 15_000;

const config = loadConfig();
const log = createLogger(config.logLevel);
const missingFlags = missingServerNodeFlags();
if (missingFlags.length > 0) {
  log.warn(
    { missing: missingFlags },
    'started without the server’s Node flags (see server/src/runtime/nodeFlags.ts): longer garbage-collection pauses under load',
  );
}

try {
  const server = await startServer(config, log);
  // Graceful: new consult work refused (503), every call and socket told (clients rejoin when the
  // server is back), in-flight requests, vitals and access-log entries written, then exit. Bounded:
  // a drain that hangs is cut off, as a SIGKILL would (everything stored so far is kept).
  const shutdown = (signal: string): void => {
    log.info({ signal, drainMs: DRAIN_LIMIT_MS }, 'shutting down');
    setTimeout(() => {
      log.error({ drainMs: DRAIN_LIMIT_MS }, 'shutdown did not finish in time: exiting anyway');
      process.exit(1);
    }, DRAIN_LIMIT_MS).unref();
    server.close().then(
      () => {
        log.info({ signal }, 'shut down');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // First in line: mediasoup closes its workers on these signals too, and the calls must be told
  // 'server-shutdown' (come back shortly) before their rooms die as 'media-server-restarted'.
  process.prependOnceListener('SIGINT', () => shutdown('SIGINT'));
  process.prependOnceListener('SIGTERM', () => shutdown('SIGTERM'));
  const lan = `https://${config.media.announcedAddress}:${server.port}`;
  console.log(
    [
      '',
      'Legevakt Video is running.',
      `  Open:                ${server.url}    (on the LAN: ${lan})`,
      `  Media (UDP+TCP):     ports ${config.media.webRtcServerBasePort}-${config.media.webRtcServerBasePort + config.media.numWorkers - 1}, announced as ${config.media.announcedAddress}`,
      '  The certificate is self-signed for development: accept it once in the browser.',
      '',
      ...(server.demoUsers.length > 0 ? [formatDemoUsers(server.demoUsers), ''] : []),
    ].join('\n'),
  );
} catch (error) {
  log.fatal({ err: error }, 'could not start');
  process.exit(1);
}
