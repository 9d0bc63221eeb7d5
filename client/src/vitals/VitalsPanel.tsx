import { useSyncExternalStore } from 'react';
import { news2, type NumericKind, type WaveformSignal } from '@legevakt/shared';
import { useNow } from '../app/useNow.ts';
import { formatDuration, formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import { EcgCanvas } from './EcgCanvas.tsx';
import { isStale, outsideLimits } from './vitalsLimits.ts';
import type { VitalsSnapshot, VitalsStore } from './VitalsStore.ts';

const TILES: { label: MessageKey; kinds: NumericKind[]; unit: string; digits?: number }[] = [
  { label: 'vitals.hr', kinds: ['heartRateEcg', 'pulseRate', 'pulseRateOximetry'], unit: '/min' },
  { label: 'vitals.spo2', kinds: ['spo2'], unit: '%' },
  { label: 'vitals.rr', kinds: ['respirationRate'], unit: '/min' },
  { label: 'vitals.temp', kinds: ['temperature'], unit: '°C', digits: 1 },
];
const ECG_PREFERENCE: WaveformSignal[] = ['II', 'I', 'V5', 'V1', 'III'];

/** The doctor's live vitals: numerics with their age, NIBP, NEWS2 and the ECG sweep. */
export function VitalsPanel({ store }: { store: VitalsStore }) {
  const { t, locale } = useI18n();
  const now = useNow();
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const ecgSignal = ECG_PREFERENCE.find((s) => snapshot.traces.has(s));
  const hasAnything = Object.keys(snapshot.latest).length > 0 || snapshot.traces.size > 0;

  return (
    <section
      className="flex flex-col gap-3 rounded-xl bg-slate-900 p-3 text-white"
      aria-label={t('vitals.heading')}
      data-testid="vitals-panel"
      {...streamAttributes(snapshot)}
    >
      <h2 className="text-lg font-semibold">{t('vitals.heading')}</h2>
      {!hasAnything ? <p>{t('vitals.none')}</p> : null}
      {snapshot.heldBack > 0 ? (
        <p role="status" className="rounded bg-amber-300 px-2 py-1 text-slate-900">
          {t('vitals.lagging')}
        </p>
      ) : null}
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-5">
        {TILES.map((tile) => {
          const sample = tile.kinds.map((k) => snapshot.latest[k]).find((s) => s !== undefined);
          return (
            <NumericTile
              key={tile.label}
              label={t(tile.label)}
              value={sample ? formatNumber(sample.value, locale, tile.digits ?? 0) : '–'}
              unit={tile.unit}
              age={sample ? now - sample.measuredAt : null}
              stale={sample ? isStale(sample.kind, sample.measuredAt, now) : false}
              alarm={sample ? outsideLimits(sample.kind, sample.value) : false}
            />
          );
        })}
        <BloodPressureTile snapshot={snapshot} now={now} />
      </div>
      <News2Box snapshot={snapshot} />
      {ecgSignal ? (
        <figure className="flex flex-col gap-1">
          <figcaption className="text-sm">
            {t('vitals.ecg')} {ecgSignal} · {t('vitals.scale')}
          </figcaption>
          <div className="overflow-x-auto">
            <EcgCanvas store={store} signal={ecgSignal} calibration={1} />
          </div>
        </figure>
      ) : null}
    </section>
  );
}

function streamAttributes(snapshot: VitalsSnapshot): Record<string, string> {
  // Diagnostics for the browser test: what arrived, per stream, and a hash of it.
  return { 'data-streams': JSON.stringify(Object.fromEntries(snapshot.streams)) };
}

function NumericTile(props: {
  label: string;
  value: string;
  unit: string;
  age: number | null;
  stale: boolean;
  alarm: boolean;
}) {
  const { t } = useI18n();
  const colour = props.stale
    ? 'bg-slate-700 text-slate-300'
    : props.alarm
      ? 'bg-red-700 text-white'
      : 'bg-slate-800 text-green-300';
  return (
    <div className={`rounded-lg p-2 ${colour}`} data-stale={props.stale}>
      <p className="text-sm text-white">
        {props.label}
        {props.alarm && !props.stale ? ` · ${t('vitals.alarm')}` : ''}
      </p>
      <p className={`text-3xl font-bold tabular-nums ${props.stale ? 'line-through' : ''}`}>
        {props.value} <span className="text-base font-normal">{props.unit}</span>
      </p>
      <p className="text-xs text-slate-200">
        {props.age === null
          ? ''
          : props.stale
            ? `${t('vitals.stale')} · ${formatDuration(props.age)} ${t('vitals.ago')}`
            : `${formatDuration(props.age)} ${t('vitals.ago')}`}
      </p>
    </div>
  );
}

function BloodPressureTile({ snapshot, now }: { snapshot: VitalsSnapshot; now: number }) {
  const { t } = useI18n();
  const sys = snapshot.latest.systolic;
  const dia = snapshot.latest.diastolic;
  const mean = snapshot.latest.meanPressure;
  const value = sys && dia ? `${sys.value}/${dia.value}${mean ? ` (${mean.value})` : ''}` : '–';
  return (
    <NumericTile
      label={t('vitals.bp')}
      value={value}
      unit="mmHg"
      age={sys ? now - sys.measuredAt : null}
      stale={sys ? isStale('systolic', sys.measuredAt, now) : false}
      alarm={sys ? outsideLimits('systolic', sys.value) : false}
    />
  );
}

function News2Box({ snapshot }: { snapshot: VitalsSnapshot }) {
  const { t } = useI18n();
  const latest = snapshot.latest;
  const pulse = latest.heartRateEcg ?? latest.pulseRate ?? latest.pulseRateOximetry;
  const score = news2({
    ...(latest.respirationRate ? { respirationRate: latest.respirationRate.value } : {}),
    ...(latest.spo2 ? { spo2: latest.spo2.value } : {}),
    ...(latest.systolic ? { systolic: latest.systolic.value } : {}),
    ...(pulse ? { pulse: pulse.value } : {}),
    ...(latest.temperature ? { temperature: latest.temperature.value } : {}),
  });
  if (score.missing.length === 7) return null;
  return (
    <div className={`rounded-lg p-2 ${score.escalate ? 'bg-red-800' : 'bg-slate-800'}`} data-testid="news2">
      <p className="text-lg font-semibold">
        {t('vitals.news2')}: {score.total}
        {score.escalate ? ` · ${t('vitals.news2Escalate')}` : ''}
      </p>
      {score.missing.length > 0 ? (
        <p className="text-sm">
          {t('vitals.news2Missing')}: {score.missing.map((p) => t(`vitals.param.${p}`)).join(', ')}
        </p>
      ) : null}
    </div>
  );
}
