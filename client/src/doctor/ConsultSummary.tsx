import { pathwayById, redFlagsRaised, type ConsultView } from '@legevakt/shared';
import { AmbulanceLine } from '../ambulance/AmbulanceLine.tsx';
import { formatNumber } from '../format/format.ts';
import { MEASUREMENT_FIELDS } from '../intake/MeasurementFields.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { patientLabel } from '../queue/patientLabel.ts';
import { patientOf } from './patientOf.ts';

/** What the nurse registered: patient, reason, triage, pathway answers and red flags, measured values. */
export function ConsultSummary({ consult }: { consult: ConsultView }) {
  const { t, locale } = useI18n();
  const pathway = consult.pathwayId ? pathwayById(consult.pathwayId) : undefined;
  const raised = pathway ? redFlagsRaised(pathway, consult.checklist) : [];
  const measured = MEASUREMENT_FIELDS.filter((f) => consult.measurements[f.key] !== undefined);
  return (
    <section className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow" aria-label={t('consult.patient')}>
      <p className="text-xl font-semibold" data-testid="consult-patient">
        {patientLabel(patientOf(consult), t)}
      </p>
      <p className="text-slate-700">
        {consult.placeName} · {t(`triage.${consult.triage}`)}
        {consult.origin === 'ambulance' ? ` · ${t('origin.ambulance')}` : ''}
        {consult.origin === 'station' ? ` · ${t('backup.flag')}` : ''}
      </p>
      {consult.ambulance ? <AmbulanceLine details={consult.ambulance} /> : null}
      <p>
        <strong>{t('consult.reason')}:</strong> {consult.reason}
      </p>
      {pathway ? (
        <div>
          <strong>{pathway.title[locale]}</strong>
          {raised.length > 0 ? (
            <p className="font-semibold text-red-800">
              {t('intake.redFlags')}: {raised.map((f) => f.label[locale]).join(', ')}
            </p>
          ) : null}
          <ul className="list-disc pl-6">
            {pathway.items
              .filter((item) => consult.checklist[item.id] === true)
              .map((item) => (
                <li key={item.id}>{item.label[locale]}</li>
              ))}
          </ul>
        </div>
      ) : null}
      {measured.length > 0 ? (
        <dl className="grid grid-cols-2 gap-x-4 text-base">
          {measured.map((f) => (
            <div key={f.key} className="contents">
              <dt>{t(f.label)}</dt>
              <dd className="font-semibold">{formatNumber(consult.measurements[f.key] ?? 0, locale)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}
