import { useId, useState } from 'react';
import { Decision, type ConsultView, type SignedNoteResponse } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError } from '../session/AuthSession.ts';
import { clearDraft, loadDraft, missingForSigning, saveDraft, type NoteDraft } from './noteDraft.ts';
import { decisionLabel } from './recordFormat.ts';

const FIELD = 'min-h-24 rounded-lg border border-slate-500 p-3 text-lg';

/**
 * The doctor's note: findings, assessment, plan, the decision and what the
 * nurse needs to know about it, then "Signer og lukk". Every keystroke is kept
 * as a draft in this browser (see noteDraft.ts), so it may be started during
 * the call and survives a reload; signing clears it.
 */
export function NoteForm({
  consult,
  onSigned,
}: {
  consult: ConsultView;
  onSigned: (signed: SignedNoteResponse) => void;
}) {
  const { t } = useI18n();
  const { auth } = useSession();
  const id = useId();
  const [draft, setDraft] = useState<NoteDraft>(() => loadDraft(localStorage, consult.id));
  const [kept, setKept] = useState(true);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const missing = missingForSigning(draft);

  const update = (patch: Partial<NoteDraft>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    setKept(saveDraft(localStorage, consult.id, next));
  };

  const sign = () => {
    setTried(true);
    if (missing.length > 0 || draft.decision === null) return;
    setBusy(true);
    setProblem(null);
    auth
      .api<SignedNoteResponse>(`/api/consults/${consult.id}/note`, {
        method: 'POST',
        body: {
          findings: draft.findings,
          assessment: draft.assessment,
          plan: draft.plan,
          decision: draft.decision,
          decisionDetail: draft.decisionDetail,
        },
      })
      .then((signed) => {
        clearDraft(localStorage, consult.id);
        onSigned(signed);
      })
      .catch((error: unknown) => {
        setProblem(error instanceof ApiError ? [error.message, ...error.issues].join(' · ') : String(error));
        setBusy(false);
      });
  };

  const text = (field: 'findings' | 'assessment' | 'plan' | 'decisionDetail', label: string, required: boolean) => (
    <label className="flex flex-col gap-1 text-lg font-semibold" htmlFor={`${id}-${field}`}>
      <span>
        {label}
        {required ? ' *' : ''}
      </span>
      <textarea
        id={`${id}-${field}`}
        className={`${FIELD} font-normal ${tried && required && draft[field].trim() === '' ? 'border-2 border-red-700' : ''}`}
        value={draft[field]}
        maxLength={field === 'decisionDetail' ? 2000 : 8000}
        aria-required={required}
        onChange={(e) => update({ [field]: e.target.value })}
      />
    </label>
  );

  return (
    <form
      className="flex flex-col gap-4 rounded-xl bg-white p-4 shadow"
      aria-labelledby={`${id}-heading`}
      data-testid="note-form"
      onSubmit={(e) => {
        e.preventDefault();
        sign();
      }}
    >
      <h3 id={`${id}-heading`} className="text-xl font-semibold">
        {t('record.noteHeading')}
      </h3>
      {consult.status === 'active' ? <p className="text-slate-700">{t('record.noteDuringCall')}</p> : null}
      {text('findings', t('record.findings'), false)}
      {text('assessment', t('record.assessment'), true)}
      {text('plan', t('record.plan'), true)}
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-lg font-semibold">{t('record.decision')} *</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {Decision.options.map((decision) => (
            <label
              key={decision}
              className={`flex min-h-14 cursor-pointer items-center gap-3 rounded-xl border-2 px-4 text-lg ${
                draft.decision === decision ? 'border-sky-800 bg-sky-100 font-semibold' : 'border-slate-400 bg-white'
              }`}
            >
              <input
                type="radio"
                className="size-6 shrink-0"
                name={`${id}-decision`}
                value={decision}
                checked={draft.decision === decision}
                onChange={() => update({ decision })}
              />
              {decisionLabel(decision, t)}
            </label>
          ))}
        </div>
      </fieldset>
      {text('decisionDetail', t('record.decisionDetail'), false)}
      {tried && missing.length > 0 ? (
        <p role="alert" className="text-lg text-red-800">
          {t('record.missing')}: {missing.map((m) => t(`record.${m}`)).join(', ')}
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="text-lg text-red-800">
          {problem}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-4">
        <button
          type="submit"
          disabled={busy}
          className="min-h-14 rounded-xl bg-sky-800 px-6 text-xl font-semibold text-white disabled:opacity-50"
        >
          {busy ? t('record.signing') : t('record.sign')}
        </button>
        <p className={`text-base ${kept ? 'text-slate-600' : 'font-semibold text-amber-900'}`}>
          {kept ? t('record.draftKept') : t('record.draftNotKept')}
        </p>
      </div>
    </form>
  );
}
