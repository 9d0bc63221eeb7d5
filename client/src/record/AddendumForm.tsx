import { useId, useState } from 'react';
import type { AddendumResponse } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError } from '../session/AuthSession.ts';

/** "Tillegg": a later addition to the closed consult's record; the signed note itself never changes. */
export function AddendumForm({
  consultId,
  onAdded,
}: {
  consultId: string;
  onAdded: (added: AddendumResponse) => void;
}) {
  const { t } = useI18n();
  const { auth } = useSession();
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  return (
    <form
      className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow"
      data-testid="addendum-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() === '') return;
        setBusy(true);
        setProblem(null);
        auth
          .api<AddendumResponse>(`/api/consults/${consultId}/addenda`, { method: 'POST', body: { text } })
          .then((added) => {
            setText('');
            onAdded(added);
          })
          .catch((error: unknown) => setProblem(error instanceof ApiError ? error.message : String(error)))
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor={`${id}-text`} className="text-lg font-semibold">
        {t('record.addendumText')}
      </label>
      <textarea
        id={`${id}-text`}
        className="min-h-24 rounded-lg border border-slate-500 p-3 text-lg"
        value={text}
        maxLength={8000}
        onChange={(e) => setText(e.target.value)}
      />
      {problem ? (
        <p role="alert" className="text-red-800">
          {problem}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={busy || text.trim() === ''}
        className="min-h-12 self-start rounded-xl border-2 border-sky-800 px-5 text-lg font-semibold text-sky-900 disabled:opacity-50"
      >
        {t('record.addAddendum')}
      </button>
    </form>
  );
}
