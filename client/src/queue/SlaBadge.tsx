import type { SlaFigures } from '@legevakt/shared';
import { formatDuration, formatPercent } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** Today's share answered within two minutes against the 80 % requirement. */
export function SlaBadge({ sla }: { sla: SlaFigures }) {
  const { t, locale } = useI18n();
  const colour =
    sla.targetMet === null
      ? 'bg-slate-200 text-slate-900'
      : sla.targetMet
        ? 'bg-green-100 text-green-900'
        : 'bg-red-100 text-red-900';
  return (
    <div className={`rounded-xl p-3 ${colour}`} data-testid="sla-today">
      <p className="text-sm font-semibold">{t('sla.heading')}</p>
      {sla.share === null ? (
        <p className="text-lg">{t('sla.none')}</p>
      ) : (
        <p className="text-lg">
          <strong className="text-2xl">{formatPercent(sla.share, locale)}</strong> {t('sla.share')} (
          {sla.answeredWithinTarget}/{sla.requested})
        </p>
      )}
      <p className="text-sm">
        {t('sla.target')}
        {sla.medianAnswerMs === null ? '' : ` · ${t('sla.median')} ${formatDuration(sla.medianAnswerMs)}`}
      </p>
    </div>
  );
}
