import { useEffect, useRef } from 'react';
import type { EcgLead } from '@legevakt/shared';
import { drawColumnMarks, drawGrid, prepareCanvas, TRACE_COLOUR, TRACE_WIDTH } from './ecgDraw.ts';
import { leadAt, MM_PER_MV, SWEEP_MM_PER_S, type EcgPage, type Lane } from './ecgLayout.ts';
import { windowOf } from './PopOut.tsx';
import { SweepClock, sweepX, type SweepSlice } from './sweepClock.ts';
import type { VitalsStore, WaveformTrace } from './VitalsStore.ts';

interface EcgCanvasProps {
  store: VitalsStore;
  page: EcgPage;
  /** CSS pixels per real millimetre (the screen calibration). */
  pxPerMm: number;
  /** Freeze: the sweep stops where it is (the store goes on receiving). */
  frozen: boolean;
  label: string;
}

/** Blank space kept ahead of the sweep, like a monitor's erase bar. */
const GAP_MM = 4;

/**
 * The live ECG at true scale (25 mm/s, 10 mm/mV) on a millimetre grid, in
 * any page layout (one lead, stacked leads, 12-lead 3×4 + rhythm strip).
 *
 * Two canvases: the grid, drawn once per size, and the trace above it. Each
 * animation frame draws only the new slice of the sweep (SweepClock) and
 * clears the few millimetres ahead of it; nothing else is redrawn, so a
 * frame costs a few dozen line segments and holds 60 fps.
 */
export function EcgCanvas({ store, page, pxPerMm, frozen, label }: EcgCanvasProps) {
  const gridRef = useRef<HTMLCanvasElement>(null);
  const traceRef = useRef<HTMLCanvasElement>(null);
  const widthPx = page.widthMm * pxPerMm;
  const heightPx = page.heightMm * pxPerMm;

  useEffect(() => {
    const canvas = gridRef.current;
    if (!canvas) return;
    const context = prepareCanvas(canvas, widthPx, heightPx);
    if (!context) return;
    drawGrid(context, widthPx, heightPx, pxPerMm);
    if (page.kind === 'twelve') drawColumnMarks(context, page, pxPerMm);
  }, [page, pxPerMm, widthPx, heightPx]);

  useEffect(() => {
    const canvas = traceRef.current;
    if (!canvas || frozen) return;
    // Sizing the canvas also clears it: unfreezing starts a fresh page.
    const context = prepareCanvas(canvas, widthPx, heightPx);
    if (!context) return;
    // The canvas's own window paces the frames: a popped-out panel keeps its 60 fps when the opener is hidden.
    const view = windowOf(canvas);
    const clock = new SweepClock();
    const pageMs = (page.widthMm / SWEEP_MM_PER_S) * 1000;
    let shown: (WaveformTrace | undefined)[] = [];
    let frame = view.requestAnimationFrame(function draw(wallNow: number) {
      frame = view.requestAnimationFrame(draw);
      const all = store.getSnapshot().traces;
      const traces = page.leads.map((lead) => all.get(lead));
      if (traces.some((t) => !t || t.received < 2)) return;
      // A trace replaced (another stream, or a source started again): a new page.
      if (traces.some((t, i) => t !== shown[i])) {
        shown = traces;
        clock.restart();
      }
      const byLead = new Map<EcgLead, WaveformTrace>(page.leads.map((lead, i) => [lead, traces[i]!]));
      const newest = Math.min(...traces.map((t) => t!.newestAt));
      const slice = clock.advance(wallNow, newest, pageMs);
      if (slice.reset) {
        context.clearRect(0, 0, widthPx, heightPx);
        return;
      }
      if (slice.to <= slice.from) return;
      clearAhead(context, slice, clock.origin, page, pxPerMm, heightPx);
      context.strokeStyle = TRACE_COLOUR;
      context.lineWidth = TRACE_WIDTH;
      context.lineJoin = 'round';
      for (const lane of page.lanes) drawLane(context, lane, byLead, slice, clock.origin, page.widthMm, pxPerMm);
    });
    return () => view.cancelAnimationFrame(frame);
  }, [store, page, pxPerMm, frozen, widthPx, heightPx]);

  return (
    <div
      role="img"
      aria-label={label}
      className="relative rounded bg-white"
      style={{ width: `${widthPx}px`, height: `${heightPx}px` }}
      data-testid="ecg-sweep"
      data-layout={page.kind}
      data-frozen={frozen}
    >
      <canvas ref={gridRef} className="absolute inset-0" />
      <canvas ref={traceRef} className="absolute inset-0" />
      {page.lanes.flatMap((lane, l) =>
        lane.segments.map((segment) => (
          <span
            key={`${l}-${segment.fromMm}`}
            aria-hidden="true"
            className="absolute rounded bg-white/80 px-0.5 text-xs font-semibold text-slate-900"
            style={{ left: `${(segment.fromMm + 1) * pxPerMm}px`, top: `${(lane.topMm + 0.5) * pxPerMm}px` }}
          >
            {segment.lead}
          </span>
        )),
      )}
    </div>
  );
}

/** Clears from the last drawn x to GAP_MM beyond the new one (wrapping at the page's right edge). */
function clearAhead(
  context: CanvasRenderingContext2D,
  slice: SweepSlice,
  origin: number,
  page: EcgPage,
  pxPerMm: number,
  heightPx: number,
): void {
  const width = page.widthMm;
  const span = ((slice.to - slice.from) / 1000) * SWEEP_MM_PER_S;
  if (span + GAP_MM >= width) {
    context.clearRect(0, 0, width * pxPerMm, heightPx);
    return;
  }
  // One CSS pixel past the last drawn x, so the end of the previous segment is not cut.
  const from = sweepX(slice.from, origin, SWEEP_MM_PER_S, width) + 1 / pxPerMm;
  const to = from + span + GAP_MM;
  const clear = (a: number, b: number) => context.clearRect(a * pxPerMm, 0, (b - a) * pxPerMm, heightPx);
  if (to <= width) clear(from, to);
  else {
    clear(from, width);
    clear(0, to - width);
  }
}

/** Draws one lane's samples with device times in (from, to], plus the one before to join the line. */
function drawLane(
  context: CanvasRenderingContext2D,
  lane: Lane,
  traces: ReadonlyMap<EcgLead, WaveformTrace>,
  slice: SweepSlice,
  origin: number,
  widthMm: number,
  pxPerMm: number,
): void {
  const reference = traces.get(lane.segments[0]!.lead);
  if (!reference) return;
  const rate = reference.rateHz;
  const newestIndex = reference.received - 1;
  const indexAt = (time: number) => newestIndex - ((reference.newestAt - time) * rate) / 1000;
  const oldest = Math.max(0, reference.received - reference.values.length);
  const first = Math.max(oldest, Math.ceil(indexAt(slice.from)) - 1);
  const last = Math.min(newestIndex, Math.floor(indexAt(slice.to)));
  const mid = (lane.topMm + lane.heightMm / 2) * pxPerMm;
  context.beginPath();
  let previousX = 0;
  let previousLead: EcgLead | null = null;
  for (let k = first; k <= last; k++) {
    const time = reference.newestAt - ((newestIndex - k) * 1000) / rate;
    const xMm = sweepX(time, origin, SWEEP_MM_PER_S, widthMm);
    const lead = leadAt(lane, xMm);
    const trace = traces.get(lead);
    if (!trace) continue;
    // The same instant on this lead's own ring (leads of one stream share their indices).
    const j =
      trace === reference ? k : Math.round(trace.received - 1 - ((trace.newestAt - time) * trace.rateHz) / 1000);
    if (j < Math.max(0, trace.received - trace.values.length) || j >= trace.received) continue;
    const x = xMm * pxPerMm;
    const y = mid - trace.values[j % trace.values.length]! * MM_PER_MV * pxPerMm;
    // Pen up where the sweep wraps to the left edge, and where a 12-lead row changes lead.
    if (previousLead === null || x < previousX || lead !== previousLead) context.moveTo(x, y);
    else context.lineTo(x, y);
    previousX = x;
    previousLead = lead;
  }
  context.stroke();
}
