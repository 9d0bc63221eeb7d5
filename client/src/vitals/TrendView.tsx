import { useEffect, useRef, useState } from 'react';
import type { NumericKind } from '@legevakt/shared';
import { formatNumber } from '../format/format.ts';
import { useI18n, type Locale } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import type { AlarmLimits, AlarmParameter } from './alarms.ts';
import { windowOf } from './PopOut.tsx';
import { downsample, inTimeOrder, project, timeTicks, valueRange, type TrendPoint } from './trends.ts';
import type { VitalsSnapshot } from './VitalsStore.ts';

interface TrendSpec {
  readonly label: MessageKey;
  readonly parameter: AlarmParameter;
  /** One line per entry: the first of its kinds that has values. */
  readonly series: readonly (readonly NumericKind[])[];
  readonly unit: string;
  readonly decimals: number;
  /** Smallest y span drawn, so a steady value is not blown up into noise. */
  readonly minSpan: number;
}

const TRENDS: readonly TrendSpec[] = [
  {
    label: 'vitals.hr',
    parameter: 'heartRate',
    series: [['heartRateEcg', 'pulseRate', 'pulseRateOximetry']],
    unit: '/min',
    decimals: 0,
    minSpan: 10,
  },
  { label: 'vitals.spo2', parameter: 'spo2', series: [['spo2']], unit: '%', decimals: 0, minSpan: 4 },
  {
    label: 'vitals.rr',
    parameter: 'respirationRate',
    series: [['respirationRate']],
    unit: '/min',
    decimals: 0,
    minSpan: 6,
  },
  { label: 'vitals.temp', parameter: 'temperature', series: [['temperature']], unit: '°C', decimals: 1, minSpan: 1 },
  {
    label: 'vitals.bp',
    parameter: 'systolic',
    series: [['systolic'], ['diastolic']],
    unit: 'mmHg',
    decimals: 0,
    minSpan: 20,
  },
];

/** Chart height in CSS px; the width is the container's, measured, so the text is drawn at its real size. */
const H = 110;
const LEFT = 40;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 20;
const MAX_POINTS = 300;
/** Half the width of a "12:34:56" tick label at 11 px. */
const LABEL_HALF_WIDTH = 26;
/** Up to this many points a series is also drawn as dots: an NIBP every few minutes is a handful of readings. */
const DOTS_UP_TO = 60;
/** The time axis spans at least this much, ending now: a new consult's first values are not stretched. */
const MIN_SPAN_MS = 2 * 60_000;

function clock(ms: number, locale: Locale, seconds: boolean): string {
  return new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    timeZone: 'Europe/Oslo',
  }).format(ms);
}

/**
 * The consult's trends so far: one small chart per numeric on a shared time
 * axis (Norwegian clock times), with the alarm limits dashed. From the
 * store's history: every sample received, including those fetched to fill a
 * gap.
 */
export function TrendView({ snapshot, limits, now }: { snapshot: VitalsSnapshot; limits: AlarmLimits; now: number }) {
  const { t } = useI18n();
  const containerRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const observer = new (windowOf(element).ResizeObserver)(([entry]) => {
      if (entry) setWidth(Math.max(200, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const charts = TRENDS.map((spec) => ({
    spec,
    lines: spec.series.map((kinds) => {
      const kind = kinds.find((k) => (snapshot.history[k]?.length ?? 0) > 0);
      return kind ? inTimeOrder(snapshot.history[kind]!) : [];
    }),
  }));
  const present = charts.flatMap((c) => c.lines.filter((l) => l.length > 0));
  return (
    <div ref={containerRef} className="flex flex-col gap-2" data-testid="vitals-trends">
      {present.length === 0 ? (
        <p>{t('vitals.trends.none')}</p>
      ) : (
        <Charts charts={charts} present={present} limits={limits} now={now} width={width} />
      )}
    </div>
  );
}

function Charts(props: {
  charts: { spec: TrendSpec; lines: (readonly TrendPoint[])[] }[];
  present: (readonly TrendPoint[])[];
  limits: AlarmLimits;
  now: number;
  width: number;
}) {
  const { t, locale } = useI18n();
  const first = Math.min(...props.present.map((l) => l[0]!.at));
  const to = Math.max(props.now, ...props.present.map((l) => l.at(-1)!.at));
  const time = { from: Math.min(first, to - MIN_SPAN_MS), to };
  const { step, ticks } = timeTicks(time.from, time.to, Math.max(2, Math.floor(props.width / 90)));
  return (
    <>
      <p className="text-sm">
        {t('vitals.trends.span')} {clock(time.from, locale, false)}–{clock(time.to, locale, false)}
      </p>
      {props.charts.map(({ spec, lines }) => (
        <TrendChart
          key={spec.label}
          label={t(spec.label)}
          spec={spec}
          lines={lines}
          limits={props.limits[spec.parameter]}
          time={time}
          ticks={ticks}
          tickLabel={(ms) => clock(ms, locale, step < 60_000)}
          locale={locale}
          width={props.width - 16}
        />
      ))}
    </>
  );
}

function TrendChart(props: {
  label: string;
  spec: TrendSpec;
  lines: readonly (readonly TrendPoint[])[];
  limits: AlarmLimits[AlarmParameter];
  time: { from: number; to: number };
  ticks: number[];
  tickLabel: (ms: number) => string;
  locale: Locale;
  /** The chart's width in CSS px. */
  width: number;
}) {
  const { label, spec, lines, limits, time, locale } = props;
  const points = lines.flat();
  const latest = lines.map((l) => l.at(-1));
  const fmt = (v: number) => formatNumber(v, locale, spec.decimals);
  const latestText = latest.every((p) => p) ? latest.map((p) => fmt(p!.value)).join('/') : '–';
  if (points.length === 0) {
    return (
      <figure className="rounded-lg bg-slate-800 p-2">
        <figcaption className="text-sm">{label}: –</figcaption>
      </figure>
    );
  }
  const range = valueRange(points, spec.minSpan);
  const min = Math.min(...points.map((p) => p.value));
  const max = Math.max(...points.map((p) => p.value));
  const W = props.width;
  const box = { width: W - LEFT - RIGHT, height: H - TOP - BOTTOM };
  const at = (p: TrendPoint) => {
    const { x, y } = project(p, time, range, box);
    return `${(LEFT + x).toFixed(1)},${(TOP + y).toFixed(1)}`;
  };
  const yOf = (value: number) => TOP + project({ at: time.from, value }, time, range, box).y;
  const limitLines = [limits.low, limits.high].filter(
    (v): v is number => v !== null && v >= range.min && v <= range.max,
  );
  const description = `${label}: ${fmt(min)}–${fmt(max)} ${spec.unit}, ${props.tickLabel(time.from)}–${props.tickLabel(time.to)}, ${latestText} ${spec.unit}`;
  return (
    <figure className="rounded-lg bg-slate-800 p-2" data-testid={`trend-${spec.parameter}`} data-points={points.length}>
      <figcaption className="flex justify-between text-sm">
        <span>{label}</span>
        <span className="font-semibold tabular-nums">
          {latestText} {spec.unit}
        </span>
      </figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={description}>
        <rect x={LEFT} y={TOP} width={box.width} height={box.height} fill="#0f172a" />
        {props.ticks.map((tick) => {
          const x = LEFT + project({ at: tick, value: 0 }, time, range, box).x;
          return (
            <g key={tick}>
              <line x1={x} x2={x} y1={TOP} y2={TOP + box.height} stroke="#334155" strokeWidth={1} />
              {/* A label that would run off either edge is left out; its line stays. */}
              {x - LABEL_HALF_WIDTH >= 0 && x + LABEL_HALF_WIDTH <= W ? (
                <text x={x} y={H - 5} fill="#e2e8f0" fontSize={11} textAnchor="middle">
                  {props.tickLabel(tick)}
                </text>
              ) : null}
            </g>
          );
        })}
        {limitLines.map((value) => (
          <g key={value}>
            <line
              x1={LEFT}
              x2={LEFT + box.width}
              y1={yOf(value)}
              y2={yOf(value)}
              stroke="#f87171"
              strokeDasharray="6 4"
              strokeWidth={1.5}
            />
            <text x={LEFT + box.width - 2} y={yOf(value) - 3} fill="#fca5a5" fontSize={10} textAnchor="end">
              {fmt(value)}
            </text>
          </g>
        ))}
        {lines.map((line, i) => {
          const colour = i === 0 ? '#86efac' : '#93c5fd';
          const drawn = downsample(line, MAX_POINTS);
          return (
            <g key={i}>
              <polyline
                points={drawn.map(at).join(' ')}
                fill="none"
                stroke={colour}
                strokeWidth={2}
                strokeLinejoin="round"
              />
              {drawn.length <= DOTS_UP_TO
                ? drawn.map((p) => {
                    const [x, y] = at(p).split(',');
                    return <circle key={p.at} cx={x} cy={y} r={2.5} fill={colour} />;
                  })
                : null}
            </g>
          );
        })}
        {/* The highest and lowest value so far, level with where they are drawn. */}
        <text x={LEFT - 4} y={yOf(max) + 4} fill="#e2e8f0" fontSize={11} textAnchor="end">
          {fmt(max)}
        </text>
        {min !== max ? (
          <text x={LEFT - 4} y={yOf(min) + 4} fill="#e2e8f0" fontSize={11} textAnchor="end">
            {fmt(min)}
          </text>
        ) : null}
      </svg>
    </figure>
  );
}
