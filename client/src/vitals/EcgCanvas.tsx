import { useEffect, useRef } from 'react';
import type { VitalsStore, WaveformTrace } from './VitalsStore.ts';
import type { WaveformSignal } from '@legevakt/shared';

const SWEEP_MM_PER_S = 25;
const MM_PER_MV = 10;
/** CSS pixels per millimetre on a standard 96 dpi screen; the calibration factor corrects for the real screen. */
const CSS_PX_PER_MM = 96 / 25.4;

interface EcgCanvasProps {
  store: VitalsStore;
  signal: WaveformSignal;
  /** Measured screen correction (1 = the browser's idea of a millimetre is right). */
  calibration: number;
  heightMm?: number;
  widthMm?: number;
}

/**
 * A sweeping trace at true scale (25 mm/s, 10 mm/mV) on a millimetre grid, drawn
 * every animation frame from the store's ring buffer: the newest samples are
 * written at the sweep position, with a small gap ahead of it, like a monitor.
 */
export function EcgCanvas({ store, signal, calibration, heightMm = 30, widthMm = 120 }: EcgCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const context = canvas.getContext('2d');
    if (!context) return;
    const pxPerMm = CSS_PX_PER_MM * calibration;
    const dpr = window.devicePixelRatio || 1;
    const width = widthMm * pxPerMm;
    const height = heightMm * pxPerMm;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    let frame = 0;
    const draw = (): void => {
      context.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawGrid(context, width, height, pxPerMm);
      const trace = store.getSnapshot().traces.get(signal);
      if (trace && trace.received > 1) drawSweep(context, trace, width, height, pxPerMm);
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [store, signal, calibration, heightMm, widthMm]);

  return <canvas ref={canvasRef} role="img" aria-label={`EKG ${signal}`} className="block rounded bg-white" />;
}

function drawGrid(context: CanvasRenderingContext2D, width: number, height: number, pxPerMm: number): void {
  context.fillStyle = '#fff8f8';
  context.fillRect(0, 0, width, height);
  for (let mm = 0; mm * pxPerMm <= Math.max(width, height); mm++) {
    context.strokeStyle = mm % 5 === 0 ? '#f3a5a5' : '#fbdcdc';
    context.lineWidth = mm % 5 === 0 ? 1 : 0.5;
    const at = mm * pxPerMm;
    if (at <= width) {
      context.beginPath();
      context.moveTo(at, 0);
      context.lineTo(at, height);
      context.stroke();
    }
    if (at <= height) {
      context.beginPath();
      context.moveTo(0, at);
      context.lineTo(width, at);
      context.stroke();
    }
  }
}

function drawSweep(
  context: CanvasRenderingContext2D,
  trace: WaveformTrace,
  width: number,
  height: number,
  pxPerMm: number,
): void {
  const pxPerSample = (SWEEP_MM_PER_S * pxPerMm) / trace.rateHz;
  const visible = Math.min(trace.received, Math.floor(width / pxPerSample), trace.values.length);
  const sweepSamples = Math.floor(width / pxPerSample);
  const newest = trace.received - 1;
  const mid = height / 2;
  context.strokeStyle = '#0f172a';
  context.lineWidth = 1.3;
  context.beginPath();
  let pen = false;
  for (let k = visible - 1; k >= 0; k--) {
    const index = newest - k;
    const x = (index % sweepSamples) * pxPerSample;
    // Leave the gap ahead of the sweep: the oldest 3 % of the screen is blank.
    if (k > visible * 0.97) continue;
    const value = trace.values[index % trace.values.length]!;
    const y = mid - value * MM_PER_MV * pxPerMm;
    if (!pen || x < pxPerSample) {
      context.moveTo(x, y);
      pen = true;
    } else context.lineTo(x, y);
  }
  context.stroke();
}
