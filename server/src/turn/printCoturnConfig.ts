import { coturnConfig } from './coturn.ts';

/**
 * Prints the turnserver.conf for scripts/coturn.sh, so the script and the tests
 * run coturn with one and the same configuration (coturn.ts). Arguments come
 * from the environment the script sets.
 */
const env = process.env;
const need = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const port = (name: string): number => {
  const value = Number(need(name));
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name} must be a port, got ${env[name]}`);
  return value;
};
const tls = env['COTURN_CERT'] && env['COTURN_KEY'] ? { certFile: env['COTURN_CERT'], keyFile: env['COTURN_KEY'] } : {};
const relayBase = port('COTURN_RELAY_MIN_PORT');
process.stdout.write(
  coturnConfig({
    listenIp: need('COTURN_LISTEN_IP'),
    port: port('COTURN_PORT'),
    tlsPort: 'certFile' in tls ? port('COTURN_TLS_PORT') : null,
    ...tls,
    secret: need('COTURN_SECRET'),
    allowedPeerIps: need('COTURN_ALLOWED_PEER_IPS').split(','),
    dir: need('COTURN_DIR'),
    relayPorts: [relayBase, relayBase + 99],
  }),
);
