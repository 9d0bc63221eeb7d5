import { useCallback, useEffect, useState } from 'react';
import type { AmbulanceDetails, AmbulanceUrgency } from '@legevakt/shared';
import { formatNumber } from '../format/format.ts';
import { fill } from '../call/QualityBadge.tsx';
import { useI18n } from '../i18n/i18n.tsx';

const URGENCY_STYLE: Record<AmbulanceUrgency, string> = {
  acute: 'border-red-700 bg-red-100 text-red-900',
  urgent: 'border-orange-600 bg-orange-100 text-orange-950',
  'non-urgent': 'border-slate-500 bg-slate-100 text-slate-900',
};

export const EMPTY_AMBULANCE: AmbulanceDetails = {
  location: { lat: null, lon: null, accuracyM: null, text: '' },
  urgency: 'urgent',
  ecg12Lead: false,
};

/** Four decimals of a degree: about 10 m, finer than a phone's fix in a moving car. */
function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * The ambulance crew's additions to the intake: where they are (the device's
 * position, fetched at once and editable, and always a description the doctor
 * can read), how urgent, and whether the monitor's 12-lead ECG comes along.
 */
export function AmbulanceFields({
  value,
  onChange,
}: {
  value: AmbulanceDetails;
  onChange: (next: (current: AmbulanceDetails) => AmbulanceDetails) => void;
}) {
  const { t, locale } = useI18n();
  const [locating, setLocating] = useState(false);
  const [noFix, setNoFix] = useState<string | null>(null);

  const locate = useCallback(() => {
    if (!('geolocation' in navigator)) {
      setNoFix('geolocation unavailable');
      return;
    }
    setLocating(true);
    setNoFix(null);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        onChange((current) => ({
          ...current,
          location: {
            ...current.location,
            lat: round4(position.coords.latitude),
            lon: round4(position.coords.longitude),
            accuracyM: Math.round(position.coords.accuracy),
          },
        }));
      },
      (error) => {
        setLocating(false);
        setNoFix(error.message || `code ${error.code}`);
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  }, [onChange]);

  // The position is asked for as the form opens: in the ambulance there is no time to press for it.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => locate(), [locate]);

  const { location } = value;
  return (
    <fieldset className="flex flex-col gap-3 rounded-xl border-2 border-red-800 p-4" data-testid="ambulance-fields">
      <legend className="px-1 text-xl font-semibold">{t('ambulance.location')}</legend>
      <div className="flex flex-wrap items-center gap-3 text-lg" aria-live="polite">
        {locating ? (
          <span>{t('ambulance.locating')}</span>
        ) : location.lat !== null && location.lon !== null ? (
          <span data-testid="ambulance-fix">
            {fill(t('ambulance.fix'), {
              lat: formatNumber(location.lat, locale, 4),
              lon: formatNumber(location.lon, locale, 4),
              accuracy: location.accuracyM === null ? '?' : formatNumber(location.accuracyM, locale, 0),
            })}
          </span>
        ) : noFix ? (
          <span role="alert">{fill(t('ambulance.noFix'), { reason: noFix })}</span>
        ) : null}
        <button
          type="button"
          className="min-h-12 rounded-xl border-2 border-slate-600 px-4"
          onClick={locate}
          disabled={locating}
        >
          {t('ambulance.locate')}
        </button>
        {location.lat !== null ? (
          <button
            type="button"
            className="min-h-12 rounded-xl border-2 border-slate-400 px-4"
            onClick={() =>
              onChange((c) => ({ ...c, location: { ...c.location, lat: null, lon: null, accuracyM: null } }))
            }
          >
            {t('ambulance.clearFix')}
          </button>
        ) : null}
      </div>
      <label className="flex flex-col gap-1 text-lg">
        {t('ambulance.locationText')}
        <input
          className="min-h-12 rounded-lg border border-slate-500 px-3 text-lg"
          value={location.text}
          maxLength={200}
          required={location.lat === null}
          onChange={(e) => {
            const text = e.target.value;
            onChange((c) => ({ ...c, location: { ...c.location, text } }));
          }}
        />
      </label>
      <fieldset className="flex flex-col gap-2">
        <legend className="text-lg font-semibold">{t('ambulance.urgency')}</legend>
        <div className="flex flex-wrap gap-3">
          {(['acute', 'urgent', 'non-urgent'] as const).map((urgency) => (
            <label
              key={urgency}
              className={`flex min-h-12 items-center gap-2 rounded-xl border-2 px-4 text-lg font-semibold ${URGENCY_STYLE[urgency]}`}
            >
              <input
                type="radio"
                name="ambulance-urgency"
                checked={value.urgency === urgency}
                onChange={() => onChange((c) => ({ ...c, urgency }))}
                className="size-5"
              />
              {t(`ambulance.urgency.${urgency}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="flex min-h-12 items-center gap-3 text-lg">
        <input
          type="checkbox"
          className="size-6"
          checked={value.ecg12Lead}
          onChange={(e) => {
            const ecg12Lead = e.target.checked;
            onChange((c) => ({ ...c, ecg12Lead }));
          }}
        />
        <span>
          {t('ambulance.ecg12')}
          <span className="block text-base text-slate-700">{t('ambulance.ecg12Hint')}</span>
        </span>
      </label>
    </fieldset>
  );
}
