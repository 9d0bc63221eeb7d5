import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaCodecs } from './codecs.ts';

/**
 * The offline-built worker's SRTP, per crypto suite: synthetic VP8 RTP enters
 * a plain ingest, crosses an SRTP hop (consumer on one PlainTransport → producer
 * on another, both ends encrypting and decrypting with the suite) and must come
 * out the other side. Guards the libsrtp/OpenSSL build (issue 7).
 */
const IP = '127.0.0.1';
const SUITES: types.SrtpCryptoSuite[] = [
  'AEAD_AES_256_GCM',
  'AEAD_AES_128_GCM',
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
];

let worker: types.Worker;
beforeAll(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'error' });
});
afterAll(() => {
  worker.close();
});

function vp8Packet(seq: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 211);
  packet[0] = 0x80;
  packet[1] = 0x80 | 96; // marker + VP8 payload type
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(90000 + seq * 3000, 4);
  packet.writeUInt32BE(ssrc, 8);
  // VP8 payload descriptor (S=1), a key frame tag, the start code and a 16x16 size.
  Buffer.from([0x10, seq === 0 ? 0x50 : 0x51, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00]).copy(packet, 12);
  return packet;
}

describe('SRTP through the worker', () => {
  it.each(SUITES)('forwards RTP over an SRTP hop with %s', async (suite) => {
    const router = await worker.createRouter({ mediaCodecs });
    const ingest = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: IP },
      rtcpMux: true,
      comedia: true,
    });
    const producer = await ingest.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
        encodings: [{ ssrc: 4242 }],
      },
    });
    const a = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: IP },
      rtcpMux: true,
      enableSrtp: true,
      srtpCryptoSuite: suite,
    });
    const b = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: IP },
      rtcpMux: true,
      enableSrtp: true,
      srtpCryptoSuite: suite,
    });
    await a.connect({ ip: IP, port: b.tuple.localPort, srtpParameters: b.srtpParameters! });
    await b.connect({ ip: IP, port: a.tuple.localPort, srtpParameters: a.srtpParameters! });
    const hopConsumer = await a.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    const decrypted = await b.produce({ kind: 'video', rtpParameters: hopConsumer.rtpParameters });

    const sender = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, IP, resolve));
    for (let seq = 0; seq < 50; seq++) {
      sender.send(vp8Packet(seq, 4242), ingest.tuple.localPort, IP);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect
      .poll(async () => (await decrypted.getStats())[0]?.packetCount ?? 0, { timeout: 5000 })
      .toBeGreaterThanOrEqual(45);
    expect(a.srtpParameters!.cryptoSuite).toBe(suite);
    sender.close();
    router.close();
  });
});
