import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { decodeVitalsMessage, type VitalSample, type WaveformChunk } from '@legevakt/shared';
import type { StoredVitalsMessage } from '../../storage/vitalsRepository.ts';
import { loadRecording } from '../../vitals/simulator/recordings.ts';
import type { BuiltOru } from './oruRecording.ts';

export const DEV_CERT = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'certs', 'dev-cert.pem');

/** The 12-lead stream of PTB s0010 (500 Hz). */
export async function twelveLeadStream(): Promise<
  NonNullable<Awaited<ReturnType<typeof loadRecording>>>['streams'][number]
> {
  const recording = await loadRecording('ptbdb-s0010_re');
  const stream = recording?.streams.find((s) => s.signals.length === 12);
  if (!stream) throw new Error('PTB s0010 has no 12-lead stream');
  return stream;
}

/** A logger that keeps every line (tests assert on what was logged). */
export function capturingLogger(level = 'debug'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino({ level }, sink), lines };
}

export interface DecodedRecord {
  seqs: number[];
  chunks: WaveformChunk[];
  numerics: VitalSample[];
}

export function decodeStored(stored: readonly StoredVitalsMessage[]): DecodedRecord {
  const out: DecodedRecord = { seqs: [], chunks: [], numerics: [] };
  for (const m of stored) {
    out.seqs.push(m.seq);
    const { seq, message } = decodeVitalsMessage(m.payload);
    if (seq !== m.seq) throw new Error(`stored seq ${m.seq} carries seq ${seq}`);
    if (message.type === 'waveform') out.chunks.push(message.chunk);
    else out.numerics.push(...message.samples);
  }
  return out;
}

/**
 * Checks that the chunks are one gap-free, duplicate-free run and returns their
 * samples concatenated (interleaved).
 */
export function contiguousSamples(chunks: readonly WaveformChunk[]): { samples: Int16Array; problems: string[] } {
  const problems: string[] = [];
  let expected = chunks[0]?.firstSample ?? 0;
  let total = 0;
  for (const [i, chunk] of chunks.entries()) {
    const frames = chunk.samples.length / chunk.signals.length;
    if (chunk.firstSample !== expected)
      problems.push(`chunk ${i}: firstSample ${chunk.firstSample}, expected ${expected}`);
    expected = chunk.firstSample + frames;
    total += chunk.samples.length;
  }
  const samples = new Int16Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk.samples, offset);
    offset += chunk.samples.length;
  }
  return { samples, problems };
}

export function sentSamples(messages: readonly BuiltOru[]): Int16Array {
  const total = messages.reduce((n, m) => n + m.microvolts.length, 0);
  const out = new Int16Array(total);
  let offset = 0;
  for (const m of messages) {
    out.set(m.microvolts, offset);
    offset += m.microvolts.length;
  }
  return out;
}

/** First index where two sample runs differ, or -1. */
export function firstDifference(a: Int16Array, b: Int16Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const made: string[] = [];

/** A fresh directory under /tmp; `removeTempDirs` deletes every one made so far. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
