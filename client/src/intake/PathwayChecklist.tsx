import { PATHWAYS, pathwayById, redFlagsRaised } from '@legevakt/shared';
import { useI18n } from '../i18n/i18n.tsx';

interface PathwayChecklistProps {
  pathwayId: string;
  answers: Record<string, boolean>;
  onPathway: (id: string) => void;
  onAnswer: (id: string, value: boolean) => void;
}

/** The pathway template: its checklist, and its red flags each answered yes or no. */
export function PathwayChecklist({ pathwayId, answers, onPathway, onAnswer }: PathwayChecklistProps) {
  const { t, locale } = useI18n();
  const pathway = pathwayById(pathwayId);
  const raised = pathway ? redFlagsRaised(pathway, answers) : [];

  return (
    <fieldset className="flex flex-col gap-3 rounded-xl border border-slate-300 p-4">
      <legend className="px-1 text-xl font-semibold">{t('intake.pathway')}</legend>
      <select
        aria-label={t('intake.pathway')}
        className="min-h-12 rounded-lg border border-slate-500 px-3 text-lg"
        value={pathwayId}
        onChange={(e) => onPathway(e.target.value)}
      >
        <option value="">{t('intake.pathwayNone')}</option>
        {PATHWAYS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.title[locale]}
          </option>
        ))}
      </select>
      {pathway ? (
        <>
          <h3 className="text-lg font-semibold">{t('intake.checklist')}</h3>
          <ul className="flex flex-col gap-2">
            {pathway.items.map((item) => (
              <li key={item.id}>
                <label className="flex items-center gap-3 text-lg">
                  <input
                    type="checkbox"
                    className="size-5"
                    checked={answers[item.id] === true}
                    onChange={(e) => onAnswer(item.id, e.target.checked)}
                  />
                  {item.label[locale]}
                </label>
              </li>
            ))}
          </ul>
          <h3 className="text-lg font-semibold">{t('intake.redFlags')}</h3>
          <ul className="flex flex-col gap-2">
            {pathway.redFlags.map((flag) => (
              <li key={flag.id} className="flex flex-wrap items-center gap-4 text-lg">
                <span className="min-w-64 flex-1">{flag.label[locale]}</span>
                <label className="flex items-center gap-1">
                  <input
                    type="radio"
                    name={flag.id}
                    checked={answers[flag.id] === true}
                    onChange={() => onAnswer(flag.id, true)}
                    required
                    className="size-5"
                  />
                  {t('consult.yes')}
                </label>
                <label className="flex items-center gap-1">
                  <input
                    type="radio"
                    name={flag.id}
                    checked={answers[flag.id] === false}
                    onChange={() => onAnswer(flag.id, false)}
                    className="size-5"
                  />
                  {t('consult.no')}
                </label>
              </li>
            ))}
          </ul>
          {raised.length > 0 ? (
            <p role="alert" className="rounded-lg bg-red-100 p-3 text-lg font-semibold text-red-900">
              {t('intake.redFlagRaised')}: {raised.map((f) => f.label[locale]).join(', ')}
            </p>
          ) : null}
        </>
      ) : null}
    </fieldset>
  );
}
