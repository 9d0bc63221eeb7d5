import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';
import { formatDemoUsers } from './tools/seedDemo.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);

try {
  const server = await startServer(config, log);
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
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
