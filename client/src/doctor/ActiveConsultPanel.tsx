import { useEffect, useState } from 'react';
import type { Colleague, ConsultView, SignedNoteResponse } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { ConsultCall } from '../call/ConsultCall.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { NoteForm } from '../record/NoteForm.tsx';
import { ApiError } from '../session/AuthSession.ts';
import { VitalsForSession } from '../vitals/VitalsForSession.tsx';
import { ConsultSummary } from './ConsultSummary.tsx';
import { InvitePanel } from '../invite/InvitePanel.tsx';
import { DoctorPhotos } from '../photo/DoctorPhotos.tsx';

/**
 * The consult the doctor has taken: the call with the nurse beside the intake,
 * what to do with it, and the note, which may be started during the call
 * (signing it ends the call and closes the consult).
 */
export function ActiveConsultPanel({
  consult,
  onSigned,
}: {
  consult: ConsultView;
  onSigned?: (signed: SignedNoteResponse) => void;
}) {
  const { t } = useI18n();
  const { auth } = useSession();
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [target, setTarget] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    auth
      .api<Colleague[]>('/api/colleagues')
      .then(setColleagues)
      .catch(() => setColleagues([]));
  }, [auth]);

  const act = (path: string, body?: unknown) => {
    setProblem(null);
    auth
      .api(`/api/consults/${consult.id}/${path}`, { method: 'POST', body })
      .catch((error: unknown) => setProblem(error instanceof ApiError ? error.message : String(error)));
  };

  return (
    <div className="grid gap-4 xl:grid-cols-[2fr_1fr]">
      <div className="flex flex-col gap-3">
        <ConsultCall consultId={consult.id} onHangUp={() => act('end-call')}>
          {(session) => <VitalsForSession session={session} />}
        </ConsultCall>
        <DoctorPhotos consultId={consult.id} />
        <NoteForm consult={consult} onSigned={(signed) => onSigned?.(signed)} />
      </div>
      <div className="flex flex-col gap-3">
        <ConsultSummary consult={consult} />
        <InvitePanel consultId={consult.id} />
        <div className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow">
          <label className="flex flex-col gap-1">
            {t('consult.transferTo')}
            <select
              className="min-h-12 rounded-lg border border-slate-500 px-2"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
            >
              <option value="">–</option>
              {colleagues.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.displayName} ({c.siteName}, {c.online ? t('consult.online') : t('consult.offline')})
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={!target}
            className="min-h-12 rounded-xl border-2 border-sky-800 px-4 font-semibold text-sky-900 disabled:opacity-50"
            onClick={() => act('transfer', { toDoctorId: target })}
          >
            {t('consult.transfer')}
          </button>
          <button
            type="button"
            className="min-h-12 rounded-xl border-2 border-amber-700 px-4 font-semibold text-amber-900"
            onClick={() => act('return')}
          >
            {t('consult.return')}
          </button>
          {problem ? (
            <p role="alert" className="text-red-800">
              {problem}
            </p>
          ) : null}
        </div>
      </div>
    </div>
  );
}
