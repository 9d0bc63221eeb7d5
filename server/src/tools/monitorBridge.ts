// The monitor bridge (see server/src/bridge/monitorBridge.ts): npm run monitor-bridge -- --help
import { pino } from 'pino';
import { BridgeConfigError, parseBridgeArgs, USAGE } from '../bridge/config.ts';
import { startMonitorBridge } from '../bridge/monitorBridge.ts';

let parsed;
try {
  parsed = parseBridgeArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof BridgeConfigError)) throw error;
  process.stderr.write(`monitor-bridge: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.kind === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}

const log = pino({ level: parsed.logLevel, base: { service: 'legevakt-monitor-bridge' } });
// Bad input never gets here (it is NAKed or refused where it arrives). A rejection
// nobody handled is a bug: log it and keep relaying rather than drop the monitor.
process.on('unhandledRejection', (reason) => {
  log.error({ err: reason }, 'unhandled rejection');
});
// An exception that escaped is a bug that may have left state inconsistent: exit
// and let the supervisor restart us; the outbox makes a restart lose nothing.
process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception; exiting');
  process.exit(1);
});

let bridge;
try {
  bridge = await startMonitorBridge({ ...parsed.options, log });
} catch (error) {
  log.fatal({ err: error }, 'monitor bridge could not start');
  process.exit(1);
}
const running = bridge;
// Machine-readable for whoever started us (tests, a supervisor): the port actually bound.
log.info({ mllpPort: running.mllpPort, sourceId: running.outbox.sourceId }, 'ready');

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  running.close().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, 'stop failed');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
