// Synthetic RTP media with the shape a browser sends in a 2-party consult, so the
// worker under test parses, routes and encrypts packets as it would in production:
// VP8 at ~1.2 Mbit/s in ~1100-byte packets with real VP8 payload descriptors
// (PictureID, start-of-partition, marker on the last packet of a frame) and a
// keyframe every few seconds, and opus in 20 ms frames at ~40 kbit/s.

export const VP8_PAYLOAD_TYPE = 96;
export const OPUS_PAYLOAD_TYPE = 111;
export const VIDEO_SSRC = 0x11110000;
export const AUDIO_SSRC = 0x22220000;

// 30 fps; delta frames of 4 packets and a 40-packet keyframe every 3 s average
// (89 × 4 + 40) / 3 s ≈ 132 packets/s × 1100 B ≈ 1.16 Mbit/s.
const VIDEO_FPS = 30;
const VIDEO_PACKETS_PER_DELTA_FRAME = 4;
const VIDEO_PACKETS_PER_KEYFRAME = 40;
const VIDEO_KEYFRAME_INTERVAL_FRAMES = 90;
const VIDEO_PACKET_BYTES = 1100;
// 20 ms opus frames of 100 bytes: 50 packets/s, 40 kbit/s of payload.
const AUDIO_FRAME_MS = 20;
const AUDIO_PAYLOAD_BYTES = 100;

const RTP_HEADER_BYTES = 12;
// VP8 payload descriptor with X=1, I=1, M=1: 1 + 1 + 2 bytes (RFC 7741 §4.2).
const VP8_DESCRIPTOR_BYTES = 4;

/** Average packets/s of one participant's video + audio, for reporting rates. */
export const PACKETS_PER_SECOND_PER_PARTICIPANT =
  (((VIDEO_KEYFRAME_INTERVAL_FRAMES - 1) * VIDEO_PACKETS_PER_DELTA_FRAME + VIDEO_PACKETS_PER_KEYFRAME) * VIDEO_FPS) /
    VIDEO_KEYFRAME_INTERVAL_FRAMES +
  1000 / AUDIO_FRAME_MS;

export interface RtpPacketFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
}

export function buildRtpPacket(f: RtpPacketFields): Buffer {
  const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + f.payload.length);
  packet[0] = 0x80; // V=2, no padding/extension/CSRC
  packet[1] = (f.marker ? 0x80 : 0) | f.payloadType;
  packet.writeUInt16BE(f.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(f.timestamp >>> 0, 4);
  packet.writeUInt32BE(f.ssrc >>> 0, 8);
  f.payload.copy(packet, RTP_HEADER_BYTES);
  return packet;
}

/**
 * One VP8 RTP payload: descriptor + (for the first packet of a frame) the VP8 frame
 * header. mediasoup reads the descriptor to find keyframes (consumers only start
 * forwarding on one) and to rewrite PictureID, so both must be well formed.
 */
export function vp8Payload(opts: {
  pictureId: number;
  startOfFrame: boolean;
  keyframe: boolean;
  size: number;
}): Buffer {
  const payload = Buffer.alloc(opts.size, 0x5a);
  payload[0] = 0x80 | (opts.startOfFrame ? 0x10 : 0); // X=1, S, PID=0
  payload[1] = 0x80; // I=1: PictureID present
  payload.writeUInt16BE(0x8000 | (opts.pictureId & 0x7fff), 2); // M=1: 15-bit PictureID
  if (opts.startOfFrame) {
    const h = VP8_DESCRIPTOR_BYTES;
    // Frame tag: bit 0 is P (0 = keyframe), show_frame set; keyframes carry the
    // start code and a 640×480 size (RFC 6386 §9.1).
    payload[h] = opts.keyframe ? 0x10 : 0x11;
    payload[h + 1] = 0x02;
    payload[h + 2] = 0x00;
    if (opts.keyframe) {
      payload[h + 3] = 0x9d;
      payload[h + 4] = 0x01;
      payload[h + 5] = 0x2a;
      payload.writeUInt16LE(640, h + 6);
      payload.writeUInt16LE(480, h + 8);
    }
  }
  return payload;
}

/** A packet and when (ms from the generator's start) it is due. */
export interface TimedPacket {
  dueMs: number;
  kind: 'video' | 'audio';
  packet: Buffer;
}

/**
 * Generates one participant's video + audio packets in time order. Pull-based:
 * `until(ms)` returns every packet due up to that time, so the caller owns the clock.
 */
export class MediaGenerator {
  #videoFrame = 0;
  #videoSeq = 1000;
  #audioFrame = 0;
  #audioSeq = 5000;

  until(nowMs: number): TimedPacket[] {
    const out: TimedPacket[] = [];
    for (;;) {
      const videoDue = (this.#videoFrame * 1000) / VIDEO_FPS;
      const audioDue = this.#audioFrame * AUDIO_FRAME_MS;
      const nextDue = Math.min(videoDue, audioDue);
      if (nextDue > nowMs) break;
      if (videoDue <= audioDue) out.push(...this.#videoFramePackets(videoDue));
      else out.push(this.#audioPacket(audioDue));
    }
    return out;
  }

  #videoFramePackets(dueMs: number): TimedPacket[] {
    const frame = this.#videoFrame++;
    const keyframe = frame % VIDEO_KEYFRAME_INTERVAL_FRAMES === 0;
    const count = keyframe ? VIDEO_PACKETS_PER_KEYFRAME : VIDEO_PACKETS_PER_DELTA_FRAME;
    const timestamp = frame * (90000 / VIDEO_FPS);
    const packets: TimedPacket[] = [];
    for (let i = 0; i < count; i++) {
      const payload = vp8Payload({
        pictureId: frame,
        startOfFrame: i === 0,
        keyframe,
        size: VIDEO_PACKET_BYTES - RTP_HEADER_BYTES,
      });
      const packet = buildRtpPacket({
        payloadType: VP8_PAYLOAD_TYPE,
        sequenceNumber: this.#videoSeq++,
        timestamp,
        ssrc: VIDEO_SSRC,
        marker: i === count - 1,
        payload,
      });
      packets.push({ dueMs, kind: 'video', packet });
    }
    return packets;
  }

  #audioPacket(dueMs: number): TimedPacket {
    const frame = this.#audioFrame++;
    // TOC byte: config 15 (CELT FB 20 ms), mono, one frame; the rest is filler.
    const payload = Buffer.alloc(AUDIO_PAYLOAD_BYTES, 0x11);
    payload[0] = 0x78;
    const packet = buildRtpPacket({
      payloadType: OPUS_PAYLOAD_TYPE,
      sequenceNumber: this.#audioSeq++,
      timestamp: frame * 960,
      ssrc: AUDIO_SSRC,
      marker: false,
      payload,
    });
    return { dueMs, kind: 'audio', packet };
  }
}
