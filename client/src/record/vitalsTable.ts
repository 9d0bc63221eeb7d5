import { NUMERIC_KINDS, type NumericKind, type VitalSample, type VitalsSourceKind } from '@legevakt/shared';

/**
 * The record's vital signs as an observation chart: one row per minute (the
 * last value of each kind in that minute), one column per kind measured. A
 * monitor sends numerics every second or so; a row per sample would bury the
 * trend in hundreds of lines. Typed-in values keep rows of their own, so a
 * hand measurement is never mixed with a device's in one cell.
 */
export interface VitalsRow {
  /** Start of the minute (epoch ms), or the exact time of a typed-in value. */
  readonly at: number;
  readonly manual: boolean;
  readonly values: Partial<Record<NumericKind, number>>;
  readonly sources: readonly VitalsSourceKind[];
  /** Samples folded into this row. */
  readonly count: number;
}

export interface VitalsTable {
  readonly columns: readonly NumericKind[];
  readonly rows: readonly VitalsRow[];
  /** Rows left out at the start (only the newest `maxRows` are kept). */
  readonly omitted: number;
}

const MINUTE_MS = 60_000;
/** The chart's column order: as a nurse reads an observation chart. */
const ORDER = Object.keys(NUMERIC_KINDS) as NumericKind[];

export function vitalsTable(samples: readonly VitalSample[], maxRows = 120): VitalsTable {
  const rows = new Map<
    string,
    {
      at: number;
      manual: boolean;
      values: Partial<Record<NumericKind, number>>;
      sources: Set<VitalsSourceKind>;
      count: number;
      last: Partial<Record<NumericKind, number>>;
    }
  >();
  const seen = new Set<NumericKind>();
  for (const s of samples) {
    const manual = s.source === 'manual';
    const at = manual ? s.measuredAt : Math.floor(s.measuredAt / MINUTE_MS) * MINUTE_MS;
    const key = `${manual ? 'm' : 'd'}:${at}`;
    let row = rows.get(key);
    if (!row) {
      row = { at, manual, values: {}, sources: new Set(), count: 0, last: {} };
      rows.set(key, row);
    }
    // The newest measurement of the minute wins, whatever order the samples came in.
    const lastAt = row.last[s.kind];
    if (lastAt === undefined || s.measuredAt >= lastAt) {
      row.values[s.kind] = s.value;
      row.last[s.kind] = s.measuredAt;
    }
    row.sources.add(s.source);
    row.count += 1;
    seen.add(s.kind);
  }
  const all = [...rows.values()]
    .sort((a, b) => a.at - b.at || Number(b.manual) - Number(a.manual))
    .map(({ at, manual, values, sources, count }) => ({ at, manual, values, sources: [...sources].sort(), count }));
  const omitted = Math.max(0, all.length - maxRows);
  return { columns: ORDER.filter((k) => seen.has(k)), rows: all.slice(omitted), omitted };
}
