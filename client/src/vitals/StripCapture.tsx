import { useEffect, useId, useRef, useState } from 'react';
import { EcgStrip } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { formatNumber } from '../format/format.ts';
import { useI18n, type Locale } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import { ApiError } from '../session/AuthSession.ts';
import { EcgStripView } from './EcgStripView.tsx';
import { windowOf } from './PopOut.tsx';
import {
  frozenSeconds,
  maxSecondsBack,
  pickWindow,
  sampleTime,
  windowEndTime,
  type FrozenTrace,
} from './stripWindow.ts';

/** The strip length the doctor captures (the server accepts 2–30 s). */
export const STRIP_SECONDS = 10;
const MIN_STRIP_SECONDS = 2;
const NOT_STORED_RETRY_MS = 1000;

/** The server's refusal reasons (stripService.ts), in the user's language. */
const REASONS: Record<string, MessageKey> = {
  'no-waveform': 'vitals.strip.reason.noWaveform',
  'unknown-stream': 'vitals.strip.reason.noWaveform',
  'not-ecg': 'vitals.strip.reason.notEcg',
  'not-stored-yet': 'vitals.strip.reason.notStoredYet',
  'not-recorded': 'vitals.strip.reason.notRecorded',
  'missing-samples': 'vitals.strip.reason.missingSamples',
  'stream-changed': 'vitals.strip.reason.streamChanged',
};

const clock = (ms: number, locale: Locale) =>
  new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'Europe/Oslo',
  }).format(ms);

/** What a failed capture means for the doctor. */
export function captureProblem(error: unknown, t: (key: MessageKey) => string): string {
  if (error instanceof ApiError) {
    const reason = error.issues[0];
    const key = reason === undefined ? undefined : REASONS[reason];
    if (key) return t(key);
    if (error.status === 403) return t('vitals.strip.reason.forbidden');
    return `${t('vitals.strip.failed')}: ${error.message}`;
  }
  return `${t('vitals.strip.failed')}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * "Freeze and pick": the frozen trace as an overview (fitted to the width,
 * not to scale) with the 10 s window marked; the doctor moves the window
 * (slider, or a second at a time) and captures it. The server cuts the
 * window out of the stored record, so what is saved is exactly what was
 * recorded, not what this screen happened to draw.
 */
export function StripPicker(props: {
  consultId: string;
  frozen: FrozenTrace;
  onCaptured: (strip: EcgStrip) => void;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const { auth } = useSession();
  const { frozen } = props;
  const seconds = Math.max(MIN_STRIP_SECONDS, Math.min(STRIP_SECONDS, Math.floor(frozenSeconds(frozen))));
  const maxBack = maxSecondsBack(frozen, seconds);
  const [back, setBack] = useState(0);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const saveRef = useRef<HTMLButtonElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const id = useId();
  const picked = pickWindow(frozen, seconds, back);
  const startAt = sampleTime(frozen, picked.first);
  const endAt = sampleTime(frozen, picked.last);
  const tooShort = frozenSeconds(frozen) < MIN_STRIP_SECONDS;

  useEffect(() => saveRef.current?.focus(), []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const width = canvas.clientWidth || 600;
    const height = 80;
    const dpr = windowOf(canvas).devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const context = canvas.getContext('2d');
    if (!context) return;
    context.setTransform(dpr, 0, 0, dpr, 0, 0);
    const values = frozen.values;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const span = Math.max(0.5, max - min);
    context.fillStyle = '#f8fafc';
    context.fillRect(0, 0, width, height);
    const xOf = (i: number) => (i / Math.max(1, values.length - 1)) * width;
    context.fillStyle = 'rgba(14, 116, 144, 0.18)';
    context.fillRect(xOf(picked.first), 0, xOf(picked.last) - xOf(picked.first), height);
    context.strokeStyle = '#0e7490';
    context.lineWidth = 2;
    context.strokeRect(xOf(picked.first), 1, xOf(picked.last) - xOf(picked.first), height - 2);
    context.strokeStyle = '#0f172a';
    context.lineWidth = 1;
    context.beginPath();
    // One point per pixel column is plenty for an overview: its min and max.
    const perPx = Math.max(1, Math.floor(values.length / width));
    for (let i = 0; i < values.length; i += perPx) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = i; j < Math.min(values.length, i + perPx); j++) {
        lo = Math.min(lo, values[j]!);
        hi = Math.max(hi, values[j]!);
      }
      const y = (v: number) => height - 4 - ((v - min) / span) * (height - 8);
      if (i === 0) context.moveTo(xOf(i), y(lo));
      context.lineTo(xOf(i), y(lo));
      context.lineTo(xOf(i), y(hi));
    }
    context.stroke();
  }, [frozen, picked.first, picked.last]);

  const capture = () => {
    setBusy(true);
    setProblem(null);
    const request = () =>
      auth.api(`/api/consults/${props.consultId}/strips`, {
        method: 'POST',
        body: { streamId: frozen.streamId, endTime: windowEndTime(frozen, picked.last), seconds },
      });
    request()
      .catch(async (error: unknown) => {
        // The server stores each message a moment after relaying it: a window ending at the newest
        // sample may not be stored yet. One retry a second later; anything else is reported.
        if (!(error instanceof ApiError && error.issues[0] === 'not-stored-yet')) throw error;
        await new Promise((resolve) => setTimeout(resolve, NOT_STORED_RETRY_MS));
        return request();
      })
      .then((body) => props.onCaptured(EcgStrip.parse(body)))
      .catch((error: unknown) => setProblem(captureProblem(error, t)))
      .finally(() => setBusy(false));
  };

  return (
    <section
      className="flex flex-col gap-2 rounded-lg bg-white p-3 text-slate-900"
      aria-labelledby={`${id}-heading`}
      data-testid="strip-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onCancel();
      }}
    >
      <h3 id={`${id}-heading`} className="text-lg font-semibold">
        {t('vitals.strip.pickHeading')}
      </h3>
      <p>{t('vitals.strip.frozen')}</p>
      <canvas ref={canvasRef} className="h-20 w-full rounded border border-slate-300" aria-hidden="true" />
      <p className="text-sm text-slate-700">
        {t('vitals.strip.overview')} {frozen.signal}
      </p>
      <p className="font-semibold tabular-nums" aria-live="polite">
        {clock(startAt, locale)}–{clock(endAt, locale)} ({formatNumber(seconds, locale, 0)} s)
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled={back >= maxBack}
          className="min-h-12 rounded-xl border-2 border-slate-700 px-3 font-semibold disabled:opacity-40"
          onClick={() => setBack((b) => Math.min(maxBack, b + 1))}
        >
          ◀ {t('vitals.strip.earlier')}
        </button>
        <label className="flex items-center gap-2">
          <span className="sr-only">{t('vitals.strip.position')}</span>
          <input
            type="range"
            min={0}
            max={maxBack}
            step={0.1}
            // Right is later: the slider's value is the distance from the oldest possible end.
            value={maxBack - back}
            disabled={maxBack === 0}
            onChange={(e) => setBack(Math.round((maxBack - Number(e.target.value)) * 10) / 10)}
            aria-valuetext={clock(endAt, locale)}
            className="min-h-12 w-56"
          />
        </label>
        <button
          type="button"
          disabled={back <= 0}
          className="min-h-12 rounded-xl border-2 border-slate-700 px-3 font-semibold disabled:opacity-40"
          onClick={() => setBack((b) => Math.max(0, b - 1))}
        >
          {t('vitals.strip.later')} ▶
        </button>
      </div>
      {problem ? (
        <p role="alert" className="font-semibold text-red-800">
          {problem}
        </p>
      ) : null}
      {tooShort ? (
        <p role="alert" className="font-semibold text-red-800">
          {t('vitals.strip.reason.notRecorded')}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button
          ref={saveRef}
          type="button"
          disabled={busy || tooShort}
          className="min-h-12 rounded-xl bg-sky-800 px-5 font-semibold text-white disabled:opacity-50"
          onClick={capture}
        >
          {busy ? t('vitals.strip.saving') : t('vitals.strip.save')}
        </button>
        <button type="button" className="min-h-12 rounded-xl px-5 font-semibold underline" onClick={props.onCancel}>
          {t('vitals.cancel')}
        </button>
      </div>
    </section>
  );
}

/** The consult's captured strips, each at true scale; `added` are strips captured since (newest last). */
export function StripList({ consultId, added }: { consultId: string; added: readonly EcgStrip[] }) {
  const { t } = useI18n();
  const { auth } = useSession();
  const [loaded, setLoaded] = useState<EcgStrip[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    auth
      .api(`/api/consults/${consultId}/strips`)
      .then((body) => {
        if (live) setLoaded(EcgStrip.array().parse(body));
      })
      .catch((error: unknown) => {
        if (live)
          setProblem(`${t('vitals.strip.loadFailed')} (${error instanceof Error ? error.message : String(error)})`);
      });
    return () => {
      live = false;
    };
  }, [auth, consultId, t]);

  const known = new Set((loaded ?? []).map((s) => s.id));
  const strips = [...(loaded ?? []), ...added.filter((s) => !known.has(s.id))];
  return (
    <section className="flex flex-col gap-2" data-testid="strip-list" aria-label={t('vitals.strip.listHeading')}>
      <h3 className="text-lg font-semibold">{t('vitals.strip.listHeading')}</h3>
      {problem ? <p role="alert">{problem}</p> : null}
      {strips.length === 0 && !problem ? <p>{t('vitals.strip.none')}</p> : null}
      {[...strips].reverse().map((strip) => (
        <div key={strip.id} className="rounded-lg bg-white p-2 text-slate-900">
          <EcgStripView strip={strip} />
        </div>
      ))}
    </section>
  );
}
