import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import { detectAnnouncedAddress } from '../config.ts';
import { coturnConfig, startCoturn, type CoturnProcess } from './coturn.ts';
import { TurnCredentials, turnRestCredential } from './turnCredentials.ts';

/*
 * A real coturn (Debian's package) with the config our launcher writes, spoken
 * to with a minimal TURN client (RFC 5766/8656 Allocate and CreatePermission
 * over UDP with the long-term credential mechanism): credentials our server
 * issues are accepted, expired or forged ones refused, and it relays to the
 * media server's address only.
 */

const MAGIC = 0x2112a442;
const SECRET = randomBytes(18).toString('base64url');
/**
 * The machine's own external address, as the media server announces it: coturn
 * never relays to loopback peers unless told to, and we do not tell it to.
 */
const MEDIA_IP = detectAnnouncedAddress();

interface StunResponse {
  readonly type: number;
  readonly attributes: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function xorPeerAddress(ip: string, port: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1); // IPv4
  value.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const octets = ip.split('.').map(Number);
  // >>> 0: JavaScript's bitwise operators are signed 32-bit.
  value.writeUInt32BE((((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) ^ MAGIC) >>> 0, 4);
  return value;
}

/** A STUN message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over the message with its length covering the MI). */
function stunMessage(type: number, attributes: Buffer[], key?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, attribute(0x0008, mac)]);
}

function parse(message: Buffer): StunResponse {
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  while (offset + 4 <= message.length) {
    const type = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    attributes.set(type, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: message.readUInt16BE(0), attributes };
}

function errorCode(response: StunResponse): number | null {
  const value = response.attributes.get(0x0009);
  return value ? value.readUInt8(2) * 100 + value.readUInt8(3) : null;
}

/** One TURN client socket (one 5-tuple, so one allocation). */
class TurnClient {
  readonly #socket = dgram.createSocket('udp4');
  readonly #port: number;
  readonly #host: string;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  async transact(message: Buffer): Promise<StunResponse> {
    const reply = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no TURN response within 3 s')), 3000);
      this.#socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(data);
      });
    });
    this.#socket.send(message, this.#port, this.#host);
    return parse(await reply);
  }

  /** Allocate with the long-term credential; resolves with the final response and the key for later requests. */
  async allocate(username: string, password: string): Promise<{ response: StunResponse; key: Buffer; auth: Buffer[] }> {
    const transport = attribute(0x0019, Buffer.from([17, 0, 0, 0])); // REQUESTED-TRANSPORT: UDP
    const challenge = await this.transact(stunMessage(0x0003, [transport]));
    expect(errorCode(challenge)).toBe(401);
    const realm = challenge.attributes.get(0x0014)!;
    const nonce = challenge.attributes.get(0x0015)!;
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const auth = [attribute(0x0006, Buffer.from(username)), attribute(0x0014, realm), attribute(0x0015, nonce)];
    const response = await this.transact(stunMessage(0x0003, [transport, ...auth], key));
    return { response, key, auth };
  }

  close(): void {
    this.#socket.close();
  }
}

describe('coturn with the generated config and our credentials', () => {
  let coturn: CoturnProcess | undefined;
  const clients: TurnClient[] = [];
  const client = (): TurnClient => {
    const made = new TurnClient(MEDIA_IP, coturn!.port);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    coturn = await startCoturn({ listenIp: MEDIA_IP, secret: SECRET, allowedPeerIps: [MEDIA_IP] });
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    await coturn?.stop();
  });

  it('allocates a relay for a credential our server issued, and relays to the media server only', async () => {
    const turn = new TurnCredentials({ urls: coturn!.urls, secret: SECRET, ttlSeconds: 600 }, systemClock);
    const server = turn.iceServersFor({ sub: 'nurse-user-id', role: 'nurse' }).iceServers[0]!;
    expect(server.urls).toEqual([
      `turn:${MEDIA_IP}:${coturn!.port}?transport=udp`,
      `turn:${MEDIA_IP}:${coturn!.port}?transport=tcp`,
    ]);
    const turnClient = client();
    const { response, key, auth } = await turnClient.allocate(server.username!, server.credential!);
    expect(errorCode(response)).toBeNull();
    expect(response.type).toBe(0x0103); // Allocate success
    expect(response.attributes.has(0x0016)).toBe(true); // XOR-RELAYED-ADDRESS

    const permit = (ip: string): Promise<StunResponse> =>
      turnClient.transact(stunMessage(0x0008, [attribute(0x0012, xorPeerAddress(ip, 40000)), ...auth], key));
    expect((await permit(MEDIA_IP)).type).toBe(0x0108); // CreatePermission success
    const elsewhere = await permit('192.168.7.7');
    expect(elsewhere.type).toBe(0x0118);
    expect(errorCode(elsewhere)).toBe(403); // Forbidden IP: not the media server
  });

  it('refuses an expired credential and one signed with another secret', async () => {
    const past = Math.floor(Date.now() / 1000) - 5;
    const expired = turnRestCredential(SECRET, 'nurse-user-id', past);
    expect(errorCode((await client().allocate(expired.username, expired.credential)).response)).toBe(401);

    const forged = turnRestCredential(`${SECRET}-not`, 'nurse-user-id', past + 3600);
    expect(errorCode((await client().allocate(forged.username, forged.credential)).response)).toBe(401);

    const valid = turnRestCredential(SECRET, 'nurse-user-id', past + 3600);
    expect(errorCode((await client().allocate(valid.username, valid.credential)).response)).toBeNull();
  });
});

describe('the generated turnserver.conf', () => {
  it('takes the shared secret, denies every peer but the media server, and has no admin console', () => {
    const text = coturnConfig({
      listenIp: '10.0.0.1',
      port: 3479,
      tlsPort: null,
      dir: '/tmp/x',
      relayPorts: [30000, 30099],
      secret: 's',
      allowedPeerIps: ['10.0.0.1'],
    });
    const lines = text.split('\n');
    for (const line of [
      'use-auth-secret',
      'static-auth-secret=s',
      'denied-peer-ip=0.0.0.0-255.255.255.255',
      'allowed-peer-ip=10.0.0.1',
      'no-cli',
      'no-tls',
      'listening-port=3479',
      'min-port=30000',
      'max-port=30099',
      'pidfile=/tmp/x/turnserver.pid',
    ]) {
      expect(lines).toContain(line);
    }
    expect(text).not.toContain('allow-loopback-peers');
  });
});
