import { useEffect, useMemo, useRef } from 'react';
import type { EcgStrip } from '@legevakt/shared';
import { useI18n } from '../i18n/i18n.tsx';
import {
  drawCalibrationPulses,
  drawColumnMarks,
  drawGrid,
  prepareCanvas,
  TRACE_COLOUR,
  TRACE_WIDTH,
} from './ecgDraw.ts';
import { ecgLeadsOf, MM_PER_MV, stripPage, SWEEP_MM_PER_S } from './ecgLayout.ts';
import { stripSamples, stripSignal } from './stripWindow.ts';
import { useScreenCalibration } from './useScreenCalibration.ts';

/** Room for the 1 mV reference pulse at the left of each row. */
const MARGIN_MM = 10;

const stamp = (ms: number, locale: string) =>
  new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'Europe/Oslo',
  }).format(ms);

/**
 * A captured ECG strip at true scale: 25 mm/s and 10 mm/mV on a millimetre
 * grid, using the screen calibration (or `pxPerMm` when given, e.g. for a
 * print layout), with a 1 mV reference pulse per row. A 12-lead strip is
 * shown in the 3 × 4 + lead II rhythm format, any other strip one lead per
 * row. Non-ECG signals (a pleth on the same stream) are not drawn.
 */
export function EcgStripView({ strip, pxPerMm: override }: { strip: EcgStrip; pxPerMm?: number }) {
  const { t, locale } = useI18n();
  const { pxPerMm: calibrated } = useScreenCalibration();
  const pxPerMm = override ?? calibrated;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const seconds = strip.length / strip.sampleRateHz;
  // A strip never changes: its page is made once.
  const page = useMemo(
    () => stripPage(ecgLeadsOf(strip.signals), (strip.length / strip.sampleRateHz) * SWEEP_MM_PER_S),
    [strip],
  );
  const widthPx = (MARGIN_MM + page.widthMm) * pxPerMm;
  const heightPx = page.heightMm * pxPerMm;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const context = prepareCanvas(canvas, widthPx, heightPx);
    if (!context) return;
    drawGrid(context, widthPx, heightPx, pxPerMm);
    drawCalibrationPulses(context, page, pxPerMm, MARGIN_MM);
    if (page.kind === 'twelve') drawColumnMarks(context, page, pxPerMm, MARGIN_MM);
    const samples = stripSamples(strip);
    const signals = new Map(page.leads.map((lead) => [lead, stripSignal(strip, samples, lead)]));
    const mmPerSample = SWEEP_MM_PER_S / strip.sampleRateHz;
    context.strokeStyle = TRACE_COLOUR;
    context.lineWidth = TRACE_WIDTH;
    context.lineJoin = 'round';
    for (const lane of page.lanes) {
      const mid = (lane.topMm + lane.heightMm / 2) * pxPerMm;
      context.beginPath();
      for (const segment of lane.segments) {
        const values = signals.get(segment.lead);
        if (!values) continue;
        const from = Math.round(segment.fromMm / mmPerSample);
        const to = Math.min(strip.length, Math.round(segment.toMm / mmPerSample));
        for (let i = from; i < to; i++) {
          const x = (MARGIN_MM + i * mmPerSample) * pxPerMm;
          const y = mid - values[i]! * MM_PER_MV * pxPerMm;
          if (i === from) context.moveTo(x, y);
          else context.lineTo(x, y);
        }
      }
      context.stroke();
    }
  }, [strip, page, pxPerMm, widthPx, heightPx]);

  const leads = page.leads.join(', ');
  const description = `${t('vitals.strip.ecgStrip')} ${stamp(strip.startTime, locale)}, ${leads}, ${seconds.toLocaleString(
    locale === 'nb' ? 'nb-NO' : 'en-GB',
    { maximumFractionDigits: 1 },
  )} s, ${t('vitals.scale')}`;
  return (
    <figure className="flex flex-col gap-1" data-testid="ecg-strip" data-strip-id={strip.id}>
      <figcaption className="text-sm">
        {t('vitals.strip.ecgStrip')} · {stamp(strip.startTime, locale)} · {leads} ·{' '}
        {seconds.toLocaleString(locale === 'nb' ? 'nb-NO' : 'en-GB', { maximumFractionDigits: 1 })} s ·{' '}
        {t('vitals.scale')} · {t('vitals.strip.capturedBy')} {strip.capturedByName}
      </figcaption>
      <div className="overflow-x-auto">
        <div className="relative" style={{ width: `${widthPx}px`, height: `${heightPx}px` }}>
          <canvas ref={canvasRef} role="img" aria-label={description} className="absolute inset-0 rounded" />
          {page.lanes.flatMap((lane, l) =>
            lane.segments.map((segment) => (
              <span
                key={`${l}-${segment.fromMm}`}
                aria-hidden="true"
                className="absolute rounded bg-white/80 px-0.5 text-xs font-semibold text-slate-900"
                style={{
                  left: `${(MARGIN_MM + segment.fromMm + 1) * pxPerMm}px`,
                  top: `${(lane.topMm + 0.5) * pxPerMm}px`,
                }}
              >
                {segment.lead}
              </span>
            )),
          )}
        </div>
      </div>
    </figure>
  );
}
