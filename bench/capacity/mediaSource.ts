// The load's source: one synthetic participant's media, turned into (S)RTP by a
// peer mediasoup worker on the load core, and recorded as a timed packet log that
// the fan-out replays to every participant of the worker under test.
//
// Why one stream for all: encrypting ~45 k packets/s for 240 senders would cost the
// load core about as much as the worker under test spends, and a 2-core machine has
// one core for load. SSRCs are per transport in mediasoup and the SRTP key is the
// sender's choice, so every participant transport can be given the same key and the
// same packets; each transport still runs its own SRTP session (own replay window,
// own decryption), which is the cost being measured.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { types } from 'mediasoup';
import { AUDIO_SSRC, MediaGenerator, OPUS_PAYLOAD_TYPE, VIDEO_SSRC, VP8_PAYLOAD_TYPE } from './rtpGenerator.ts';

export const LOOPBACK = '127.0.0.1';
/** The suite browsers negotiate with mediasoup (DTLS-SRTP), so the one that matters. */
export const SRTP_SUITE: types.SrtpCryptoSuite = 'AEAD_AES_256_GCM';

export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: {} },
];

export type MediaKind = 'video' | 'audio';

export interface LoggedPacket {
  atMs: number;
  packet: Buffer;
}

/** Append-only log with a sliding start, so memory stays bounded during long runs. */
export class PacketLog {
  #entries: LoggedPacket[] = [];
  #base = 0; // absolute index of #entries[0]

  get end(): number {
    return this.#base + this.#entries.length;
  }

  push(entry: LoggedPacket): void {
    this.#entries.push(entry);
  }

  at(index: number): LoggedPacket | undefined {
    return this.#entries[index - this.#base];
  }

  /** Drops entries before `index` (every reader is past them). */
  trimBefore(index: number): void {
    const drop = index - this.#base;
    if (drop > 4096) {
      this.#entries = this.#entries.slice(drop);
      this.#base = index;
    }
  }
}

export interface MediaSource {
  /** What producers on the worker under test must declare (from the peer's consumers). */
  rtpParameters: Record<MediaKind, types.RtpParameters>;
  /** The peer's outbound SRTP key: what the worker under test decrypts with; undefined when SRTP is off. */
  srtpParameters: types.SrtpParameters | undefined;
  log: PacketLog;
  stop(): void;
}

function randomSrtpParameters(): types.SrtpParameters {
  // AEAD_AES_256_GCM: 32-byte master key + 12-byte master salt (RFC 7714 §12).
  return { cryptoSuite: SRTP_SUITE, keyBase64: randomBytes(44).toString('base64') };
}

export async function startMediaSource(peer: types.Worker, srtp: boolean): Promise<MediaSource> {
  const router = await peer.createRouter({ mediaCodecs: MEDIA_CODECS });
  const ingest = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOOPBACK },
    rtcpMux: true,
    comedia: true,
  });
  const producers = {
    video: await ingest.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PAYLOAD_TYPE, clockRate: 90000 }],
        encodings: [{ ssrc: VIDEO_SSRC }],
      },
    }),
    audio: await ingest.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PAYLOAD_TYPE, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: AUDIO_SSRC }],
      },
    }),
  };

  // The tap: the peer worker sends the (S)RTP it produces here, and it is logged.
  const tap = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => tap.bind(0, LOOPBACK, resolve));
  const egress = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOOPBACK },
    rtcpMux: true,
    comedia: false,
    ...(srtp ? { enableSrtp: true, srtpCryptoSuite: SRTP_SUITE } : {}),
  });
  await egress.connect({
    ip: LOOPBACK,
    port: tap.address().port,
    ...(srtp ? { srtpParameters: randomSrtpParameters() } : {}),
  });
  const rtpParameters = {} as Record<MediaKind, types.RtpParameters>;
  const mediaSsrcs = new Set<number>();
  for (const kind of ['video', 'audio'] as const) {
    const consumer = await egress.consume({ producerId: producers[kind].id, rtpCapabilities: router.rtpCapabilities });
    rtpParameters[kind] = consumer.rtpParameters;
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    if (ssrc !== undefined) mediaSsrcs.add(ssrc);
  }

  const log = new PacketLog();
  tap.on('message', (packet) => {
    // Media RTP only: not RTCP (packet types 192-223 fill the second byte's range there)
    // and not the peer's bandwidth-probation padding (its own SSRC), which the worker
    // under test would drop as unknown and so skew sent-vs-received.
    const b1 = packet[1] ?? 0;
    if (packet.length < 12 || (b1 >= 192 && b1 <= 223) || !mediaSsrcs.has(packet.readUInt32BE(8))) return;
    log.push({ atMs: performance.now(), packet });
  });

  // Feed the peer in real time; a 5 ms tick keeps frame timing within a few ms.
  const feeder = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => feeder.bind(0, LOOPBACK, resolve));
  const ingestPort = ingest.tuple.localPort;
  const generator = new MediaGenerator();
  const t0 = performance.now();
  const feed = (): void => {
    for (const { packet } of generator.until(performance.now() - t0)) feeder.send(packet, ingestPort, LOOPBACK);
  };
  feed();
  const timer = setInterval(feed, 5);

  return {
    rtpParameters,
    srtpParameters: srtp ? egress.srtpParameters : undefined,
    log,
    stop(): void {
      clearInterval(timer);
      feeder.close();
      tap.close();
      router.close();
    },
  };
}
