// N two-party consults on the worker under test, wired as the app wires them: one
// router, one transport per participant carrying its two producers (VP8 + opus) and
// its two consumers of the other participant's media. PlainTransports stand in for
// WebRtcTransports: after DTLS, a WebRtcTransport's per-packet path is the same
// SRTP session + routing, and PlainTransports let the load side skip ICE/DTLS.
import type { types } from 'mediasoup';
import { LOOPBACK, MEDIA_CODECS, type MediaKind, type MediaSource, SRTP_SUITE } from './mediaSource.ts';
import { FanOut, Participant } from './participants.ts';

export interface ConsultSet {
  participants: Participant[];
  close(): void;
}

async function addParticipant(
  router: types.Router,
  source: MediaSource,
  phaseMs: number,
): Promise<{ participant: Participant; transport: types.PlainTransport; producers: types.Producer[] }> {
  const srtp = source.srtpParameters !== undefined;
  const participant = await Participant.create(phaseMs, source.log.end);
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOOPBACK },
    rtcpMux: true,
    comedia: false,
    ...(srtp ? { enableSrtp: true, srtpCryptoSuite: SRTP_SUITE } : {}),
  });
  await transport.connect({
    ip: LOOPBACK,
    port: participant.port,
    ...(source.srtpParameters ? { srtpParameters: source.srtpParameters } : {}),
  });
  const producers: types.Producer[] = [];
  for (const kind of ['video', 'audio'] as const satisfies MediaKind[]) {
    producers.push(await transport.produce({ kind, rtpParameters: source.rtpParameters[kind] }));
  }
  await participant.connect(transport.tuple.localPort);
  return { participant, transport, producers };
}

/** Creates `count` consults in a fresh router and starts their load through `fanOut`. */
export async function createConsults(
  worker: types.Worker,
  source: MediaSource,
  fanOut: FanOut,
  count: number,
): Promise<ConsultSet> {
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const participants: Participant[] = [];
  const total = count * 2;
  for (let c = 0; c < count; c++) {
    // Spread senders evenly over one video frame interval (33 ms).
    const phase = (i: number): number => ((i * 33) / total) % 33;
    const a = await addParticipant(router, source, phase(2 * c));
    const b = await addParticipant(router, source, phase(2 * c + 1));
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const producer of from.producers) {
        const consumer = await to.transport.consume({
          producerId: producer.id,
          rtpCapabilities: router.rtpCapabilities,
        });
        const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
        if (ssrc === undefined) throw new Error('consumer without an SSRC');
        to.participant.expect(ssrc);
      }
    }
    participants.push(a.participant, b.participant);
  }
  // Join the load all at once, "now": creating hundreds of transports takes a while,
  // and early participants must not first flush a backlog of the shared log.
  for (const p of participants) {
    p.cursor = source.log.end;
    fanOut.add(p);
  }
  return {
    participants,
    close(): void {
      for (const p of participants) {
        fanOut.remove(p);
        p.close();
      }
      router.close();
    },
  };
}
