/**
 * MLLP (Minimal Lower Layer Protocol) framing: <VT> payload <FS><CR>.
 * The decoder is fed raw TCP chunks and yields whole frames, however the
 * frames are split across or joined within chunks.
 */

export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

/**
 * 128 KiB: about four seconds of a 12-lead ECG at 500 Hz in µV, more than any
 * monitor puts in one ORU^R01. The limit is about time, not memory: the HL7
 * parse is synchronous and grows with the frame (measured here: ~4 ms for a
 * 3 KiB message, 0.2–0.3 s at 128 KiB, 1.7–2 s at 1 MiB), and while it runs
 * the bridge or server answers nothing else, so a 1 MiB frame would stall every
 * other monitor's ACK and the relay for seconds.
 */
export const DEFAULT_MAX_FRAME_BYTES = 128 * 1024;
/** How much of an oversize frame is kept so a NAK can still quote its MSH. */
export const OVERSIZE_HEAD_BYTES = 2048;

export type MllpEvent =
  | { kind: 'frame'; payload: Buffer }
  /**
   * A frame grew past the limit. Reported once, as soon as the limit is passed;
   * the rest of it is discarded up to the next start byte. `head` holds its first
   * bytes (normally the MSH segment) for the NAK.
   */
  | { kind: 'oversize'; head: Buffer; limit: number }
  /**
   * Bytes that are not part of any frame: `between-frames` for bytes outside a
   * frame, `unterminated-frame` for a frame cut off by a new start byte (or by the
   * end of the stream).
   */
  | { kind: 'garbage'; bytes: number; reason: 'between-frames' | 'unterminated-frame' };

export interface MllpDecoderOptions {
  maxFrameBytes?: number;
}

type State = 'idle' | 'frame' | 'afterEnd' | 'discard';

export class MllpDecoder {
  readonly maxFrameBytes: number;
  private state: State = 'idle';
  private parts: Buffer[] = [];
  private partsLength = 0;
  private garbageRun = 0;

  constructor(options: MllpDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < 16) throw new RangeError('maxFrameBytes must be an integer >= 16');
    this.maxFrameBytes = max;
  }

  /** Bytes of the frame currently being assembled. */
  get pendingBytes(): number {
    return this.partsLength;
  }

  /** Feeds one chunk; returns the events it completes, in stream order. */
  push(chunk: Uint8Array): MllpEvent[] {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const events: MllpEvent[] = [];
    let i = 0;
    while (i < data.length) {
      switch (this.state) {
        case 'afterEnd': {
          // The CR after FS. Tolerate its absence (some senders end with FS only).
          if (data[i] === MLLP_CR) i++;
          this.state = 'idle';
          break;
        }
        case 'idle': {
          const start = data.indexOf(MLLP_START, i);
          const stop = start < 0 ? data.length : start;
          this.garbageRun += stop - i;
          if (start < 0) {
            i = data.length;
            break;
          }
          this.flushGarbage(events);
          this.state = 'frame';
          i = start + 1;
          break;
        }
        case 'discard': {
          const start = data.indexOf(MLLP_START, i);
          if (start < 0) {
            i = data.length;
            break;
          }
          this.state = 'frame';
          i = start + 1;
          break;
        }
        case 'frame': {
          const end = data.indexOf(MLLP_END, i);
          const restart = data.indexOf(MLLP_START, i);
          if (restart >= 0 && (end < 0 || restart < end)) {
            // A new frame starts before this one ended: drop the partial frame.
            const dropped = this.partsLength + (restart - i);
            this.resetParts();
            events.push({ kind: 'garbage', bytes: dropped, reason: 'unterminated-frame' });
            i = restart + 1;
            break;
          }
          const stop = end < 0 ? data.length : end;
          if (this.partsLength + (stop - i) > this.maxFrameBytes) {
            this.appendPart(data.subarray(i, Math.min(stop, i + OVERSIZE_HEAD_BYTES)));
            const head = Buffer.concat(this.parts, this.partsLength).subarray(0, OVERSIZE_HEAD_BYTES);
            events.push({ kind: 'oversize', head: Buffer.from(head), limit: this.maxFrameBytes });
            this.resetParts();
            this.state = 'discard';
            i = stop;
            if (end >= 0) {
              i = end + 1;
              this.state = 'afterEnd';
            }
            break;
          }
          if (stop > i) this.appendPart(Buffer.from(data.subarray(i, stop)));
          if (end < 0) {
            i = data.length;
            break;
          }
          events.push({ kind: 'frame', payload: Buffer.concat(this.parts, this.partsLength) });
          this.resetParts();
          this.state = 'afterEnd';
          i = end + 1;
          break;
        }
      }
    }
    if (this.state === 'idle' || this.state === 'afterEnd') this.flushGarbage(events);
    return events;
  }

  /** The stream ended: reports a frame left unfinished. */
  end(): MllpEvent[] {
    const events: MllpEvent[] = [];
    this.flushGarbage(events);
    if (this.state === 'frame') {
      events.push({ kind: 'garbage', bytes: this.partsLength, reason: 'unterminated-frame' });
    }
    this.resetParts();
    this.state = 'idle';
    return events;
  }

  private appendPart(part: Buffer): void {
    this.parts.push(part);
    this.partsLength += part.length;
  }

  private resetParts(): void {
    this.parts = [];
    this.partsLength = 0;
  }

  private flushGarbage(events: MllpEvent[]): void {
    if (this.garbageRun > 0) {
      events.push({ kind: 'garbage', bytes: this.garbageRun, reason: 'between-frames' });
      this.garbageRun = 0;
    }
  }
}

/** Wraps a payload in an MLLP frame. */
export function encodeMllp(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = MLLP_START;
  body.copy(out, 1);
  out[body.length + 1] = MLLP_END;
  out[body.length + 2] = MLLP_CR;
  return out;
}
