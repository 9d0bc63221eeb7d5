import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { ConsultView } from '@legevakt/shared';
import { Shell } from '../app/Shell.tsx';
import { useSession, useWorkspaceSnapshot } from '../app/SessionContext.tsx';
import { DeviceCheck } from '../devicecheck/DeviceCheck.tsx';
import { deviceCheckDue, markDeviceCheckDone } from '../devicecheck/shift.ts';
import { IntakeForm } from '../intake/IntakeForm.tsx';
import { RequestStatus } from '../intake/RequestStatus.tsx';
import { ColleagueInvitation } from '../invite/ColleagueInvitation.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';

/** The satellite nurse's (or ambulance crew's) station: intake, then the request's live status, the call and the decision. */
export function NurseStation({
  intakeForm = (onSent) => <IntakeForm onSent={onSent} />,
}: {
  /** The intake (the ambulance station adds location, urgency and the 12-lead; see AmbulanceStation). */
  intakeForm?: (onSent: (consult: ConsultView) => void) => ReactNode;
} = {}) {
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
  // The device check: offered before the first call of each shift, and at hand any time.
  const [checkDue, setCheckDue] = useState(() => deviceCheckDue(localStorage, auth.user.id, Date.now()));
  const [checking, setChecking] = useState(false);
  const checkDone = useCallback(() => {
    markDeviceCheckDone(localStorage, auth.user.id, Date.now());
    setCheckDue(false);
  }, [auth.user.id]);

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
        {/* A legevakt station's doctor may be invited into an LVS doctor's call (never a nurse). */}
        <ColleagueInvitation />
        {checking ? (
          <DeviceCheck auth={auth} onCompleted={checkDone} onClose={() => setChecking(false)} />
        ) : checkDue && consults.length === 0 ? (
          <div
            role="region"
            aria-label={t('deviceCheck.heading')}
            className="flex flex-wrap items-center gap-3 rounded-xl border-2 border-sky-800 bg-sky-50 p-4"
          >
            <p className="flex-1 text-lg font-semibold text-sky-950">{t('deviceCheck.offer')}</p>
            <button
              type="button"
              className="min-h-12 rounded-xl bg-sky-800 px-5 text-lg font-semibold text-white"
              onClick={() => setChecking(true)}
            >
              {t('deviceCheck.open')}
            </button>
            <button
              type="button"
              className="min-h-12 rounded-xl border-2 border-slate-600 bg-white px-5 text-lg font-semibold text-slate-900"
              onClick={checkDone}
            >
              {t('deviceCheck.skip')}
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="min-h-12 self-end rounded-xl border-2 border-slate-600 bg-white px-4 text-lg font-semibold text-slate-900"
            onClick={() => setChecking(true)}
          >
            {t('deviceCheck.open')}
          </button>
        )}
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
          intakeForm((consult) => {
            setComposing(false);
            setSelectedId(consult.id);
          })
        )}
      </div>
    </Shell>
  );
}
