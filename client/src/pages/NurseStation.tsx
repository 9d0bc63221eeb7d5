import { useEffect, useState } from 'react';
import type { ConsultView } from '@legevakt/shared';
import { Shell } from '../app/Shell.tsx';
import { useSession, useWorkspaceSnapshot } from '../app/SessionContext.tsx';
import { IntakeForm } from '../intake/IntakeForm.tsx';
import { RequestStatus } from '../intake/RequestStatus.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';

/** The satellite nurse's (or ambulance crew's) station: intake, then the request's live status, the call and the decision. */
export function NurseStation() {
  const { t } = useI18n();
  const { auth, workspace } = useSession();
  const snapshot = useWorkspaceSnapshot();
  // A signed consult leaves the place's open list; the ones closed while this page is open stay
  // (from their 'closed'/'addendum' notifications) so the nurse sees the decision and can print it.
  const [closed, setClosed] = useState<readonly ConsultView[]>([]);
  const open = snapshot.placeConsults ?? [];
  const consults = [...open, ...closed.filter((c) => !open.some((o) => o.id === c.id))];
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [composing, setComposing] = useState(false);
  const [notice, setNotice] = useState<MessageKey | null>(null);

  useEffect(
    () =>
      workspace.on('consultChanged', ({ consult }) => {
        if (consult.status !== 'closed') return;
        setClosed((list) =>
          list.some((c) => c.id === consult.id)
            ? list.map((c) => (c.id === consult.id && c.version < consult.version ? consult : c))
            : [...list, consult],
        );
      }),
    [workspace],
  );

  useEffect(
    () =>
      workspace.on('consultChanged', ({ change }) => {
        if (change === 'returned') setNotice('request.returned');
        else if (change === 'transferred') setNotice('request.transferred');
        else setNotice(null);
      }),
    [workspace],
  );

  const selected = consults.find((c) => c.id === selectedId) ?? (composing ? undefined : consults[consults.length - 1]);

  return (
    <Shell user={auth.user} connection={snapshot.connection} onLogout={() => void auth.logout()}>
      <div className="flex flex-col gap-4">
        {consults.length > 0 ? (
          <nav aria-label={t('request.open')} className="flex flex-wrap items-center gap-2">
            {consults.map((c) => (
              <button
                key={c.id}
                type="button"
                aria-current={selected?.id === c.id}
                onClick={() => {
                  setSelectedId(c.id);
                  setComposing(false);
                }}
                className={`min-h-12 rounded-xl border-2 px-4 text-lg ${selected?.id === c.id ? 'border-sky-800 bg-sky-100' : 'border-slate-400 bg-white'}`}
              >
                {c.patient.kind === 'known' ? c.patient.name : t('consult.unknownPatient')} · {t(`triage.${c.triage}`)}
              </button>
            ))}
            <button
              type="button"
              onClick={() => {
                setComposing(true);
                setSelectedId(null);
              }}
              className="min-h-12 rounded-xl bg-sky-800 px-4 text-lg font-semibold text-white"
            >
              {t('request.new')}
            </button>
          </nav>
        ) : null}
        {notice ? (
          <p role="status" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950">
            {t(notice)}
          </p>
        ) : null}
        {selected ? (
          <RequestStatus consult={selected} />
        ) : (
          <IntakeForm
            onSent={(consult) => {
              setComposing(false);
              setSelectedId(consult.id);
            }}
          />
        )}
      </div>
    </Shell>
  );
}
