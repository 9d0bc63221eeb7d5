import type { AmbulanceDetails } from '@legevakt/shared';
import { fill } from '../call/QualityBadge.tsx';
import { formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';

const URGENCY_BADGE: Record<AmbulanceDetails['urgency'], string> = {
  acute: 'bg-red-800 text-white',
  urgent: 'bg-orange-600 text-white',
  'non-urgent': 'bg-slate-600 text-white',
};

/** An ambulance request's urgency, location and 12-lead flag, for the queue row and the consult summary. */
export function AmbulanceLine({ details }: { details: AmbulanceDetails }) {
  const { t, locale } = useI18n();
  const { location } = details;
  const hasFix = location.lat !== null && location.lon !== null;
  return (
    <span className="flex flex-wrap items-center gap-2" data-testid="ambulance-line">
      <span
        className={`rounded px-2 text-sm font-bold ${URGENCY_BADGE[details.urgency]}`}
        data-testid="ambulance-urgency"
      >
        {t(`ambulance.urgency.${details.urgency}`)}
      </span>
      <span data-testid="ambulance-location">
        {location.text}
        {hasFix ? (
          <>
            {location.text ? ' · ' : ''}
            <a
              className="text-sky-800 underline"
              target="_blank"
              rel="noreferrer"
              title={t('ambulance.map')}
              href={`https://www.openstreetmap.org/?mlat=${location.lat}&mlon=${location.lon}#map=14/${location.lat}/${location.lon}`}
            >
              {fill(t('ambulance.fix'), {
                lat: formatNumber(location.lat ?? 0, locale, 4),
                lon: formatNumber(location.lon ?? 0, locale, 4),
                accuracy: location.accuracyM === null ? '?' : formatNumber(location.accuracyM, locale, 0),
              })}
            </a>
          </>
        ) : null}
      </span>
      {details.ecg12Lead ? (
        <span className="rounded bg-sky-800 px-2 text-sm font-bold text-white">{t('ambulance.ecg12Attached')}</span>
      ) : null}
    </span>
  );
}
