import { useId } from 'react';
import { validateNationalId, type Sex } from '@legevakt/shared';
import { useI18n } from '../i18n/i18n.tsx';

export interface PatientDraft {
  known: boolean;
  name: string;
  nationalId: string;
  description: string;
  sex: Sex;
  approximateAge: string;
}

const input = 'min-h-12 rounded-lg border border-slate-500 px-3 text-lg';

export function PatientFields({ value, onChange }: { value: PatientDraft; onChange: (next: PatientDraft) => void }) {
  const { t } = useI18n();
  const hintId = useId();
  const set = (patch: Partial<PatientDraft>) => onChange({ ...value, ...patch });
  const digits = value.nationalId.replace(/\s/g, '');
  const check = digits.length === 0 ? null : validateNationalId(digits);
  const hint = !check
    ? null
    : check.ok
      ? t('intake.nationalIdOk')
      : check.reason === 'format'
        ? t('intake.nationalIdFormat')
        : check.reason === 'date'
          ? t('intake.nationalIdDate')
          : t('intake.nationalIdInvalid');

  return (
    <fieldset className="flex flex-col gap-3 rounded-xl border border-slate-300 p-4">
      <legend className="px-1 text-xl font-semibold">{t('intake.patient')}</legend>
      <div className="flex gap-6 text-lg" role="radiogroup">
        <label className="flex items-center gap-2">
          <input type="radio" checked={value.known} onChange={() => set({ known: true })} className="size-5" />
          {t('intake.identityKnown')}
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" checked={!value.known} onChange={() => set({ known: false })} className="size-5" />
          {t('intake.identityUnknown')}
        </label>
      </div>
      {value.known ? (
        <div className="grid gap-3 md:grid-cols-2">
          <label className="flex flex-col gap-1 text-lg">
            {t('intake.name')}
            <input
              className={input}
              value={value.name}
              onChange={(e) => set({ name: e.target.value })}
              required
              maxLength={120}
            />
          </label>
          <label className="flex flex-col gap-1 text-lg">
            {t('intake.nationalId')}
            <input
              className={`${input} font-mono tracking-wider`}
              value={value.nationalId}
              onChange={(e) => set({ nationalId: e.target.value })}
              inputMode="numeric"
              autoComplete="off"
              required
              aria-invalid={check !== null && !check.ok}
              aria-describedby={hintId}
            />
            <span id={hintId} className={check?.ok ? 'text-green-800' : 'text-red-800'} aria-live="polite">
              {hint}
            </span>
          </label>
        </div>
      ) : (
        <div className="grid gap-3 md:grid-cols-3">
          <label className="flex flex-col gap-1 text-lg md:col-span-3">
            {t('intake.description')}
            <input
              className={input}
              value={value.description}
              onChange={(e) => set({ description: e.target.value })}
              maxLength={120}
            />
          </label>
          <label className="flex flex-col gap-1 text-lg">
            {t('intake.sex')}
            <select className={input} value={value.sex} onChange={(e) => set({ sex: e.target.value as Sex })}>
              <option value="female">{t('sex.female')}</option>
              <option value="male">{t('sex.male')}</option>
              <option value="unknown">{t('sex.unknown')}</option>
            </select>
          </label>
          <label className="flex flex-col gap-1 text-lg">
            {t('intake.approxAge')}
            <input
              className={input}
              type="number"
              min={0}
              max={125}
              value={value.approximateAge}
              onChange={(e) => set({ approximateAge: e.target.value })}
              required
            />
          </label>
        </div>
      )}
    </fieldset>
  );
}
