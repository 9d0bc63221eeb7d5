/**
 * Trend charts of the consult so far: point reduction for long consults,
 * value and time scales, and time ticks for a Norwegian HH:MM axis.
 */
export interface TrendPoint {
  readonly at: number;
  readonly value: number;
}

/** Points in time order (the store's history is in arrival order, which a gap fill may have shuffled). */
export function inTimeOrder(points: readonly TrendPoint[]): readonly TrendPoint[] {
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.at < points[i - 1]!.at) return [...points].sort((a, b) => a.at - b.at);
  }
  return points;
}

/**
 * At most about 2 × `buckets` points: per time bucket its lowest and highest
 * value, in time order, so a short desaturation survives the reduction.
 */
export function downsample(points: readonly TrendPoint[], buckets: number): TrendPoint[] {
  if (points.length <= buckets * 2) return [...points];
  const from = points[0]!.at;
  const span = Math.max(1, points.at(-1)!.at - from);
  const out: TrendPoint[] = [];
  let current = -1;
  let low: TrendPoint | null = null;
  let high: TrendPoint | null = null;
  const flush = () => {
    if (!low || !high) return;
    if (low === high) out.push(low);
    else if (low.at <= high.at) out.push(low, high);
    else out.push(high, low);
  };
  for (const p of points) {
    const bucket = Math.min(buckets - 1, Math.floor(((p.at - from) / span) * buckets));
    if (bucket !== current) {
      flush();
      current = bucket;
      low = p;
      high = p;
    } else {
      if (p.value < low!.value) low = p;
      if (p.value > high!.value) high = p;
    }
  }
  flush();
  return out;
}

/** The y range: the data padded by 10 %, at least `minSpan` wide (a steady SpO₂ is not drawn as noise). */
export function valueRange(points: readonly TrendPoint[], minSpan: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    min = Math.min(min, p.value);
    max = Math.max(max, p.value);
  }
  if (!Number.isFinite(min)) return { min: 0, max: minSpan };
  const pad = Math.max((max - min) * 0.1, (minSpan - (max - min)) / 2, 0);
  return { min: min - pad, max: max + pad };
}

const MINUTE = 60_000;
const STEPS = [
  10_000,
  15_000,
  30_000,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  60 * MINUTE,
];

/**
 * Tick times between from and to, at most `maxTicks`, on round clock times
 * (whole 10 s … whole hours; Norway's offsets are whole hours, so epoch
 * multiples are round local times too).
 */
export function timeTicks(from: number, to: number, maxTicks: number): { step: number; ticks: number[] } {
  const span = Math.max(0, to - from);
  const step = STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / (60 * MINUTE)) * 60 * MINUTE;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return { step, ticks };
}

/** x/y in a w × h box for a point, given the time and value ranges. */
export function project(
  p: TrendPoint,
  time: { from: number; to: number },
  range: { min: number; max: number },
  box: { width: number; height: number },
): { x: number; y: number } {
  const span = Math.max(1, time.to - time.from);
  return {
    x: ((p.at - time.from) / span) * box.width,
    y: box.height - ((p.value - range.min) / (range.max - range.min)) * box.height,
  };
}
