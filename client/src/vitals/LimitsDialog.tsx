import { useId, useState, type SyntheticEvent } from 'react';
import { formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import {
  ALARM_PARAMETERS,
  defaultLimits,
  validateLimits,
  type AlarmParameter,
  type LimitProblem,
  type Limits,
} from './alarms.ts';
import { Modal } from './Modal.tsx';

const PROBLEM_KEYS = {
  'not-a-number': 'vitals.limits.problem.notANumber',
  'too-many-decimals': 'vitals.limits.problem.decimals',
  'out-of-range': 'vitals.limits.problem.range',
  'low-not-below-high': 'vitals.limits.problem.order',
  'no-limit': 'vitals.limits.problem.none',
} as const satisfies Record<LimitProblem, string>;

/** The alarm limits of one tile for this consult: low/high, validated, or back to the defaults. */
export function LimitsDialog(props: {
  parameter: AlarmParameter;
  label: string;
  limits: Limits;
  onSave: (limits: Limits) => void;
  onReset: () => void;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const spec = ALARM_PARAMETERS[props.parameter];
  const show = (v: number | null) => (v === null ? '' : formatNumber(v, locale, spec.decimals));
  const [low, setLow] = useState(show(props.limits.low));
  const [high, setHigh] = useState(show(props.limits.high));
  const [checked, setChecked] = useState<ReturnType<typeof validateLimits> | null>(null);
  const id = useId();
  const defaults = defaultLimits()[props.parameter];
  const problem = (p: LimitProblem | null) => (p ? t(PROBLEM_KEYS[p]) : null);
  const lowProblem = checked && !checked.ok ? problem(checked.low) : null;
  const highProblem = checked && !checked.ok ? problem(checked.high) : null;
  const bothProblem = checked && !checked.ok ? problem(checked.both) : null;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const result = validateLimits(props.parameter, low, high);
    setChecked(result);
    if (!result.ok) return;
    props.onSave(result.limits);
    props.onClose();
  };

  const field = (which: 'low' | 'high', value: string, set: (v: string) => void, error: string | null) => (
    <label className="flex flex-col gap-1">
      <span className="font-semibold">
        {t(which === 'low' ? 'vitals.limits.low' : 'vitals.limits.high')} ({spec.unit})
      </span>
      <input
        type="text"
        inputMode="decimal"
        autoComplete="off"
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={error !== null}
        aria-describedby={`${id}-${which} ${id}-hint`}
        className="min-h-12 w-40 rounded-lg border-2 border-slate-500 px-3 text-xl tabular-nums aria-[invalid=true]:border-red-700"
      />
      <span id={`${id}-${which}`} className="min-h-5 text-sm text-red-800" role={error ? 'alert' : undefined}>
        {error}
      </span>
    </label>
  );

  return (
    <Modal title={`${t('vitals.limits.title')}: ${props.label}`} onClose={props.onClose}>
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <div className="flex flex-wrap gap-4">
          {field('low', low, setLow, lowProblem)}
          {field('high', high, setHigh, highProblem)}
        </div>
        <p id={`${id}-hint`} className="text-sm text-slate-700">
          {t('vitals.limits.hint')} {formatNumber(spec.min, locale, spec.decimals)}–
          {formatNumber(spec.max, locale, spec.decimals)} {spec.unit}. {t('vitals.limits.defaults')}:{' '}
          {show(defaults.low) || '–'}
          {' / '}
          {show(defaults.high) || '–'}.
        </p>
        {bothProblem ? (
          <p role="alert" className="font-semibold text-red-800">
            {bothProblem}
          </p>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <button type="submit" className="min-h-12 rounded-xl bg-sky-800 px-5 font-semibold text-white">
            {t('vitals.limits.save')}
          </button>
          <button
            type="button"
            className="min-h-12 rounded-xl border-2 border-slate-700 px-5 font-semibold"
            onClick={() => {
              props.onReset();
              props.onClose();
            }}
          >
            {t('vitals.limits.reset')}
          </button>
          <button type="button" className="min-h-12 rounded-xl px-5 font-semibold underline" onClick={props.onClose}>
            {t('vitals.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
