import type { MessageKey } from '../i18n/nb.ts';
import { useI18n } from '../i18n/i18n.tsx';

export const MEASUREMENT_FIELDS = [
  { key: 'systolicMmHg', label: 'intake.systolic', step: 1 },
  { key: 'diastolicMmHg', label: 'intake.diastolic', step: 1 },
  { key: 'pulsePerMin', label: 'intake.pulse', step: 1 },
  { key: 'spo2Percent', label: 'intake.spo2', step: 1 },
  { key: 'temperatureCelsius', label: 'intake.temperature', step: 0.1 },
  { key: 'respirationPerMin', label: 'intake.respiration', step: 1 },
  { key: 'crpMgPerL', label: 'intake.crp', step: 1 },
  { key: 'glucoseMmolPerL', label: 'intake.glucose', step: 0.1 },
] as const satisfies readonly { key: string; label: MessageKey; step: number }[];

export type MeasurementKey = (typeof MEASUREMENT_FIELDS)[number]['key'];
export type MeasurementDraft = Partial<Record<MeasurementKey, string>>;

export function MeasurementFields({
  value,
  onChange,
}: {
  value: MeasurementDraft;
  onChange: (next: MeasurementDraft) => void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="grid gap-3 rounded-xl border border-slate-300 p-4 sm:grid-cols-2 lg:grid-cols-4">
      <legend className="px-1 text-xl font-semibold">{t('intake.measurements')}</legend>
      {MEASUREMENT_FIELDS.map((field) => (
        <label key={field.key} className="flex flex-col gap-1 text-base">
          {t(field.label)}
          <input
            className="min-h-12 rounded-lg border border-slate-500 px-3 text-lg"
            // Text, not type=number: Norwegian keyboards type a decimal comma ("37,4").
            type="text"
            inputMode="decimal"
            pattern="[0-9]+([.,][0-9]+)?"
            autoComplete="off"
            value={value[field.key] ?? ''}
            onChange={(e) => onChange({ ...value, [field.key]: e.target.value })}
          />
        </label>
      ))}
    </fieldset>
  );
}

/** Typed text to numbers; empty fields are left out (not measured). */
export function measurementsFromDraft(draft: MeasurementDraft): Partial<Record<MeasurementKey, number>> {
  const result: Partial<Record<MeasurementKey, number>> = {};
  for (const { key } of MEASUREMENT_FIELDS) {
    const raw = draft[key]?.trim().replace(',', '.');
    if (raw) result[key] = Number(raw);
  }
  return result;
}
