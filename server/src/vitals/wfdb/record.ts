import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseWfdbHeader, WfdbError, type WfdbHeader, type WfdbSignalSpec } from './header.ts';
import { decodeSignalGroup, framesInBytes, invalidSampleValue, wfdbChecksum } from './signalFormats.ts';

export interface WfdbSignal extends WfdbSignalSpec {
  /** `nSamples × samplesPerFrame` values in ADC units. */
  samples: Int16Array;
  computedChecksum: number;
  /** null when the header has no checksum or no sample count (header(5): verification disabled). */
  checksumOk: boolean | null;
  /** null when the header does not state an initial value or there are no samples. */
  initialValueOk: boolean | null;
}

export interface WfdbRecord extends Omit<WfdbHeader, 'signals' | 'nSamples'> {
  /** Frames read: the header's count, or what the files hold when it is unspecified. */
  nSamples: number;
  signals: WfdbSignal[];
}

export { WfdbError };

/** A header only names files beside it (or below it); refuse one that points elsewhere. */
function resolveSignalFile(dir: string, fileName: string): string {
  const full = path.resolve(dir, fileName);
  const rel = path.relative(dir, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new WfdbError(`signal file "${fileName}" lies outside the record's directory`);
  }
  return full;
}

/** Consecutive signals with the same file form a group (header(5)). */
function groupSignals(signals: readonly WfdbSignalSpec[]): { fileName: string; indices: number[] }[] {
  const groups: { fileName: string; indices: number[] }[] = [];
  signals.forEach((s, i) => {
    const last = groups.at(-1);
    if (last?.fileName === s.fileName) last.indices.push(i);
    else groups.push({ fileName: s.fileName, indices: [i] });
  });
  return groups;
}

/**
 * Reads a single-segment WFDB record: the header at `headerPath` and every
 * signal file it names (relative to the header's directory). Checksums and
 * initial values are verified and reported per signal, not thrown, so a caller
 * can decide whether a mismatch matters; use {@link assertWfdbRecordVerified}
 * to insist.
 */
export async function readWfdbRecord(headerPath: string): Promise<WfdbRecord> {
  const header = parseWfdbHeader(await readFile(headerPath, 'utf8'));
  const dir = path.dirname(headerPath);
  const groups = groupSignals(header.signals);

  for (const [i, s] of header.signals.entries()) {
    if (s.skew !== 0) throw new WfdbError(`signal ${i} (${s.description}): skew is not supported`);
  }
  const files = await Promise.all(
    groups.map(async (g) => {
      const file = resolveSignalFile(dir, g.fileName);
      try {
        return await readFile(file);
      } catch (err) {
        throw new WfdbError(`record ${header.name}: cannot read signal file ${file}: ${(err as Error).message}`);
      }
    }),
  );

  let nSamples = header.nSamples;
  if (nSamples === null) {
    // Unspecified length: read as many whole frames as the shortest group holds.
    nSamples = Math.min(
      ...groups.map((g, gi) => {
        const first = header.signals[g.indices[0]!]!;
        const spf = g.indices.map((i) => header.signals[i]!.samplesPerFrame);
        return framesInBytes(first.format, spf, Math.max(0, files[gi]!.length - first.byteOffset));
      }),
    );
    if (!Number.isFinite(nSamples)) nSamples = 0;
  }

  const samples: Int16Array[] = [];
  groups.forEach((g, gi) => {
    const first = header.signals[g.indices[0]!]!;
    const file = files[gi]!;
    if (file.length < first.byteOffset) {
      throw new WfdbError(`${g.fileName}: byte offset ${first.byteOffset} is past the end (${file.length} bytes)`);
    }
    const body = new Uint8Array(file.buffer, file.byteOffset + first.byteOffset, file.length - first.byteOffset);
    const spf = g.indices.map((i) => header.signals[i]!.samplesPerFrame);
    const decoded = decodeSignalGroup(body, first.format, spf, nSamples, g.fileName);
    g.indices.forEach((signalIndex, k) => (samples[signalIndex] = decoded[k]!));
  });

  const verifiable = header.nSamples !== null;
  const signals = header.signals.map((spec, i): WfdbSignal => {
    const s = samples[i]!;
    const computedChecksum = wfdbChecksum(s);
    return {
      ...spec,
      samples: s,
      computedChecksum,
      checksumOk: verifiable && spec.checksum !== null ? computedChecksum === spec.checksum : null,
      initialValueOk: spec.initialValueGiven && s.length > 0 ? s[0] === spec.initialValue : null,
    };
  });
  return { ...header, nSamples, signals };
}

/** Throws unless every signal's checksum and initial value that can be verified matched. */
export function assertWfdbRecordVerified(record: WfdbRecord): void {
  const bad = record.signals.flatMap((s, i) => [
    ...(s.checksumOk === false
      ? [`signal ${i} (${s.description}) checksum ${s.computedChecksum} ≠ ${s.checksum}`]
      : []),
    ...(s.initialValueOk === false
      ? [`signal ${i} (${s.description}) initial value ${s.samples[0]} ≠ ${s.initialValue}`]
      : []),
  ]);
  if (bad.length > 0) throw new WfdbError(`record ${record.name} failed verification: ${bad.join('; ')}`);
}

/**
 * Sample `i` in physical units: (value − baseline) / gain. The format's
 * invalid-sample marker (e.g. −32768 in format 16, where monitors record a
 * dropout) becomes NaN rather than a spike of −16 mV.
 */
export function toPhysical(signal: Pick<WfdbSignal, 'samples' | 'baseline' | 'gain' | 'format'>, i: number): number {
  const v = signal.samples[i];
  if (v === undefined) throw new RangeError(`sample ${i} is outside 0–${signal.samples.length - 1}`);
  if (v === invalidSampleValue(signal.format)) return NaN;
  return (v - signal.baseline) / signal.gain;
}
