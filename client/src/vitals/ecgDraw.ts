import { MM_PER_MV, type EcgPage } from './ecgLayout.ts';

/** ECG paper colours: light 1 mm squares, stronger 5 mm squares, as on print. */
const PAPER = '#fff8f8';
const MINOR = '#f8d4d4';
const MAJOR = '#eb9c9c';
export const TRACE_COLOUR = '#0f172a';
export const TRACE_WIDTH = 1.3;

/** Sizes a canvas for a CSS size at the device's pixel density; returns the context scaled to CSS px. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  widthPx: number,
  heightPx: number,
): CanvasRenderingContext2D | null {
  // The canvas's own window: it may be the popped-out one, on another screen.
  const dpr = (canvas.ownerDocument.defaultView ?? window).devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(widthPx * dpr));
  canvas.height = Math.max(1, Math.round(heightPx * dpr));
  canvas.style.width = `${widthPx}px`;
  canvas.style.height = `${heightPx}px`;
  const context = canvas.getContext('2d');
  context?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return context;
}

/** The millimetre grid over a whole canvas (CSS px). */
export function drawGrid(context: CanvasRenderingContext2D, widthPx: number, heightPx: number, pxPerMm: number): void {
  context.fillStyle = PAPER;
  context.fillRect(0, 0, widthPx, heightPx);
  const lines = (major: boolean) => {
    context.beginPath();
    for (let mm = 0; mm * pxPerMm <= widthPx + 0.5; mm++) {
      if ((mm % 5 === 0) !== major) continue;
      const x = Math.round(mm * pxPerMm) + 0.5;
      context.moveTo(x, 0);
      context.lineTo(x, heightPx);
    }
    for (let mm = 0; mm * pxPerMm <= heightPx + 0.5; mm++) {
      if ((mm % 5 === 0) !== major) continue;
      const y = Math.round(mm * pxPerMm) + 0.5;
      context.moveTo(0, y);
      context.lineTo(widthPx, y);
    }
    context.strokeStyle = major ? MAJOR : MINOR;
    context.lineWidth = major ? 1 : 0.5;
    context.stroke();
  };
  lines(false);
  lines(true);
}

/** Marks where a 12-lead page changes lead in a row (a short vertical tick, as printed). */
export function drawColumnMarks(context: CanvasRenderingContext2D, page: EcgPage, pxPerMm: number, offsetMm = 0): void {
  context.strokeStyle = TRACE_COLOUR;
  context.lineWidth = 1;
  context.beginPath();
  for (const lane of page.lanes) {
    const mid = (lane.topMm + lane.heightMm / 2) * pxPerMm;
    for (const segment of lane.segments.slice(1)) {
      const x = (offsetMm + segment.fromMm) * pxPerMm;
      context.moveTo(x, mid - 2.5 * pxPerMm);
      context.lineTo(x, mid + 2.5 * pxPerMm);
    }
  }
  context.stroke();
}

/** The 1 mV reference pulse (10 mm high, 5 mm = 0.2 s wide) at the start of each lane, within `widthMm`. */
export function drawCalibrationPulses(
  context: CanvasRenderingContext2D,
  page: EcgPage,
  pxPerMm: number,
  widthMm: number,
): void {
  context.strokeStyle = TRACE_COLOUR;
  context.lineWidth = TRACE_WIDTH;
  context.beginPath();
  const step = (widthMm - 5) / 2;
  for (const lane of page.lanes) {
    const base = (lane.topMm + lane.heightMm / 2) * pxPerMm;
    const top = base - MM_PER_MV * pxPerMm;
    context.moveTo(0, base);
    context.lineTo(step * pxPerMm, base);
    context.lineTo(step * pxPerMm, top);
    context.lineTo((step + 5) * pxPerMm, top);
    context.lineTo((step + 5) * pxPerMm, base);
    context.lineTo(widthMm * pxPerMm, base);
  }
  context.stroke();
}
