import { useState, useSyncExternalStore, type ReactNode } from 'react';
import { news2, type NumericKind } from '@legevakt/shared';
import { useNow } from '../app/useNow.ts';
import { formatDuration, formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import { ALARM_PARAMETERS, defaultLimits, type AlarmParameter, type AlarmState, type Limits } from './alarms.ts';
import { EcgSection } from './EcgSection.tsx';
import { LimitsDialog } from './LimitsDialog.tsx';
import { TrendView } from './TrendView.tsx';
import type { VitalsAlarms } from './VitalsAlarms.ts';
import { isStale } from './vitalsLimits.ts';
import type { VitalsSnapshot, VitalsStore } from './VitalsStore.ts';

const TILES: { label: MessageKey; parameter: AlarmParameter; unit: string; digits?: number }[] = [
  { label: 'vitals.hr', parameter: 'heartRate', unit: '/min' },
  { label: 'vitals.spo2', parameter: 'spo2', unit: '%' },
  { label: 'vitals.rr', parameter: 'respirationRate', unit: '/min' },
  { label: 'vitals.temp', parameter: 'temperature', unit: '°C', digits: 1 },
];

/**
 * The doctor's live vitals: numeric tiles with their age and alarms (limits
 * per consult, visual and audible, silence for two minutes), NIBP, NEWS2,
 * trends of the consult so far, and the ECG with strip capture.
 */
export function VitalsPanel({
  store,
  alarms,
  consultId,
  actions,
}: {
  store: VitalsStore;
  alarms: VitalsAlarms;
  consultId: string;
  /** Extra controls in the header (the pop-out button). */
  actions?: ReactNode;
}) {
  const { t, locale } = useI18n();
  const now = useNow();
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const alarmSnapshot = useSyncExternalStore(alarms.subscribe, alarms.getSnapshot);
  const [view, setView] = useState<'now' | 'trends'>('now');
  const [editing, setEditing] = useState<{ parameter: AlarmParameter; label: string } | null>(null);
  const hasAnything = Object.keys(snapshot.latest).length > 0 || snapshot.traces.size > 0;
  const sounding = TILES.map((tile) => tile.parameter)
    .concat('systolic')
    .filter((p) => alarmSnapshot.states[p].status === 'alarm');

  const tileProps = (parameter: AlarmParameter, label: string) => ({
    alarm: alarmSnapshot.states[parameter],
    limits: alarmSnapshot.limits[parameter],
    now,
    onEditLimits: () => setEditing({ parameter, label }),
    onSilence: () => alarms.silence(parameter),
  });

  return (
    <section
      // @container: the tiles follow the panel's width (it sits in a narrow column or a window of its own),
      // and its inline-size containment keeps a wide 12-lead page or strip from widening the page around it.
      className="@container flex min-w-0 flex-col gap-3 rounded-xl bg-slate-900 p-3 text-white"
      aria-label={t('vitals.heading')}
      data-testid="vitals-panel"
      {...streamAttributes(snapshot)}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">{t('vitals.heading')}</h2>
        <div className="flex flex-wrap items-center gap-2">
          <div role="group" aria-label={t('vitals.view.label')} className="flex gap-1">
            {(['now', 'trends'] as const).map((v) => (
              <button
                key={v}
                type="button"
                aria-pressed={view === v}
                className="min-h-12 rounded-lg border-2 border-slate-400 px-4 font-semibold aria-pressed:border-white aria-pressed:bg-white aria-pressed:text-slate-900"
                onClick={() => setView(v)}
              >
                {t(v === 'now' ? 'vitals.view.now' : 'vitals.view.trends')}
              </button>
            ))}
          </div>
          {actions}
        </div>
      </div>
      {!hasAnything ? <p>{t('vitals.none')}</p> : null}
      {snapshot.heldBack > 0 ? (
        <p role="status" className="rounded bg-amber-300 px-2 py-1 text-slate-900">
          {t('vitals.lagging')}
        </p>
      ) : null}
      {/* Read out when an alarm starts sounding (the tiles carry the details). */}
      <p role="alert" className="sr-only">
        {sounding.length > 0 ? `${t('vitals.alarm')}: ${sounding.map((p) => t(TILE_LABEL[p])).join(', ')}` : ''}
      </p>
      {view === 'now' ? (
        <div className="grid grid-cols-2 gap-2 @xl:grid-cols-3 @4xl:grid-cols-5">
          {TILES.map((tile) => {
            const sample = ALARM_PARAMETERS[tile.parameter].kinds
              .map((k) => snapshot.latest[k])
              .find((s) => s !== undefined);
            return (
              <NumericTile
                key={tile.label}
                parameter={tile.parameter}
                label={t(tile.label)}
                value={sample ? formatNumber(sample.value, locale, tile.digits ?? 0) : '–'}
                unit={tile.unit}
                age={sample ? now - sample.measuredAt : null}
                stale={sample ? isStale(sample.kind, sample.measuredAt, now) : false}
                {...tileProps(tile.parameter, t(tile.label))}
              />
            );
          })}
          <BloodPressureTile snapshot={snapshot} {...tileProps('systolic', t('vitals.bp'))} />
        </div>
      ) : (
        <TrendView snapshot={snapshot} limits={alarmSnapshot.limits} now={now} />
      )}
      <News2Box snapshot={snapshot} />
      <EcgSection store={store} snapshot={snapshot} consultId={consultId} />
      {editing ? (
        <LimitsDialog
          parameter={editing.parameter}
          label={editing.label}
          limits={alarmSnapshot.limits[editing.parameter]}
          onSave={(limits) => alarms.setLimits(editing.parameter, limits)}
          onReset={() => alarms.resetLimits(editing.parameter)}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </section>
  );
}

const TILE_LABEL: Record<AlarmParameter, MessageKey> = {
  heartRate: 'vitals.hr',
  spo2: 'vitals.spo2',
  respirationRate: 'vitals.rr',
  temperature: 'vitals.temp',
  systolic: 'vitals.bp',
};

function streamAttributes(snapshot: VitalsSnapshot): Record<string, string> {
  // Diagnostics for the browser test: what arrived, per stream, and a hash of it.
  return { 'data-streams': JSON.stringify(Object.fromEntries(snapshot.streams)) };
}

/** "40–130", or "≥ 90" / "≤ 130" when one side has no limit. */
function limitsText(limits: Limits, decimals: number, locale: 'nb' | 'en'): string {
  const f = (v: number) => formatNumber(v, locale, decimals);
  if (limits.low !== null && limits.high !== null) return `${f(limits.low)}–${f(limits.high)}`;
  if (limits.low !== null) return `≥ ${f(limits.low)}`;
  return limits.high !== null ? `≤ ${f(limits.high)}` : '–';
}

function NumericTile(props: {
  parameter: AlarmParameter;
  label: string;
  value: string;
  unit: string;
  age: number | null;
  stale: boolean;
  alarm: AlarmState;
  limits: Limits;
  now: number;
  onEditLimits: () => void;
  onSilence: () => void;
}) {
  const { t, locale } = useI18n();
  const spec = ALARM_PARAMETERS[props.parameter];
  const defaults = defaultLimits()[props.parameter];
  const custom = props.limits.low !== defaults.low || props.limits.high !== defaults.high;
  const status = props.stale ? 'normal' : props.alarm.status;
  // Not colour alone: a thick border that flashes (once a second) while sounding, and the words.
  const flash = Math.floor(props.now / 1000) % 2 === 0;
  const look = props.stale
    ? 'bg-slate-700 text-slate-300 border-slate-600'
    : status === 'alarm'
      ? `bg-red-700 text-white ${flash ? 'border-yellow-300' : 'border-red-950'}`
      : status === 'silenced'
        ? 'bg-red-900 text-white border-red-300'
        : 'bg-slate-800 text-green-300 border-transparent';
  const breach =
    props.alarm.breach === 'low'
      ? `${t('vitals.alarm.low')} (< ${formatNumber(props.limits.low ?? 0, locale, spec.decimals)})`
      : `${t('vitals.alarm.high')} (> ${formatNumber(props.limits.high ?? 0, locale, spec.decimals)})`;
  return (
    <div
      className={`flex flex-col gap-1 rounded-lg border-4 p-2 ${look}`}
      data-stale={props.stale}
      data-alarm={status}
      data-testid={`tile-${props.parameter}`}
    >
      <p className="text-sm text-white">{props.label}</p>
      <p className={`text-3xl font-bold tabular-nums ${props.stale ? 'line-through' : ''}`}>
        {props.value} <span className="text-base font-normal">{props.unit}</span>
      </p>
      {status !== 'normal' ? (
        <p className="text-sm font-bold text-white">
          ⚠ {t('vitals.alarm')}: {breach}
          {status === 'silenced' && props.alarm.silencedUntil !== null
            ? ` · ${t('vitals.alarm.silenced')} ${formatDuration(props.alarm.silencedUntil - props.now)}`
            : ''}
        </p>
      ) : null}
      <p className="text-xs text-slate-200">
        {props.age === null
          ? ''
          : props.stale
            ? `${t('vitals.stale')} · ${formatDuration(props.age)} ${t('vitals.ago')}`
            : `${formatDuration(props.age)} ${t('vitals.ago')}`}
      </p>
      <div className="mt-auto flex flex-wrap gap-1">
        {status !== 'normal' ? (
          <button
            type="button"
            className="min-h-10 rounded-md bg-white px-2 text-sm font-semibold text-slate-900"
            onClick={props.onSilence}
          >
            {t('vitals.alarm.silence')}
          </button>
        ) : null}
        <button
          type="button"
          className="min-h-10 rounded-md border border-slate-300 px-2 text-xs text-white"
          onClick={props.onEditLimits}
        >
          {/* The name starts with what the button does and contains what it shows (WCAG 2.5.3). */}
          <span className="sr-only">
            {t('vitals.limits.edit')} {props.label}:{' '}
          </span>
          {t('vitals.limits.button')} {limitsText(props.limits, spec.decimals, locale)}
          {custom ? ` · ${t('vitals.limits.custom')}` : ''}
        </button>
      </div>
    </div>
  );
}

function BloodPressureTile({
  snapshot,
  ...alarm
}: { snapshot: VitalsSnapshot } & Omit<
  Parameters<typeof NumericTile>[0],
  'parameter' | 'label' | 'value' | 'unit' | 'age' | 'stale'
>) {
  const { t } = useI18n();
  const sys = snapshot.latest.systolic;
  const dia = snapshot.latest.diastolic;
  const mean = snapshot.latest.meanPressure;
  const value = sys && dia ? `${sys.value}/${dia.value}${mean ? ` (${mean.value})` : ''}` : '–';
  return (
    <NumericTile
      {...alarm}
      parameter="systolic"
      label={t('vitals.bp')}
      value={value}
      unit="mmHg"
      age={sys ? alarm.now - sys.measuredAt : null}
      stale={sys ? isStale('systolic' satisfies NumericKind, sys.measuredAt, alarm.now) : false}
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
