import { useState } from 'react';
import type { ConsultView } from '@legevakt/shared';
import { AmbulanceEcg } from '../ambulance/AmbulanceEcg.tsx';
import { useNow } from '../app/useNow.ts';
import { useSession } from '../app/SessionContext.tsx';
import { ConsultCall } from '../call/ConsultCall.tsx';
import { MonitorControls } from '../vitals/MonitorControls.tsx';
import { PhotoCapture } from '../photo/PhotoCapture.tsx';
import { formatDuration } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { DecisionSheet } from '../record/DecisionSheet.tsx';
import { ApiError } from '../session/AuthSession.ts';

/** The requesting side's view of its consult: waiting in line, the call, documentation, then the decision. */
export function RequestStatus({ consult }: { consult: ConsultView }) {
  const { t } = useI18n();
  const { auth } = useSession();
  const now = useNow();
  const [problem, setProblem] = useState<string | null>(null);
  const live = consult.status === 'active';
  // Hanging up ends this claim's call only: put back in the queue and taken again, the call comes back.
  const claim = `${consult.claimedBy ?? ''}@${consult.claimedAt ?? ''}`;
  const [hungUpClaim, setHungUpClaim] = useState<string | null>(null);
  const hungUp = live && hungUpClaim === claim;

  if (consult.status === 'waiting' || consult.status === 'active') {
    // One layout for both states, with the call at the same place in the tree: the
    // session started while waiting (standby) is the one that goes live on claim.
    return (
      <div className={live ? 'flex flex-col gap-3' : 'grid gap-4 lg:grid-cols-[2fr_1fr]'}>
        {live ? (
          <p
            className="rounded-xl bg-green-100 p-4 text-2xl font-semibold text-green-900"
            role="status"
            data-testid="doctor-coming"
          >
            {t('request.doctorComing')}: {consult.claimedByName} ({consult.claimedSiteName})
          </p>
        ) : (
          <section
            className="flex flex-col gap-4 rounded-xl bg-white p-6 shadow"
            aria-live="polite"
            data-testid="request-waiting"
          >
            <h2 className="text-2xl font-semibold">{t('request.waiting')}</h2>
            <dl className="grid grid-cols-1 gap-4 text-lg sm:grid-cols-3">
              <div className="rounded-lg bg-slate-100 p-4">
                <dt className="text-slate-700">{t('request.position')}</dt>
                <dd className="text-4xl font-bold" data-testid="queue-position">
                  {consult.queuePosition ?? '–'}
                </dd>
              </div>
              <div className="rounded-lg bg-slate-100 p-4">
                <dt className="text-slate-700">{t('request.expectedWait')}</dt>
                <dd className="text-2xl font-semibold" data-testid="expected-wait">
                  {consult.expectedWaitMs === null
                    ? t('request.noEstimate')
                    : `≈ ${formatDuration(consult.expectedWaitMs)}`}
                </dd>
              </div>
              <div className="rounded-lg bg-slate-100 p-4">
                <dt className="text-slate-700">{t('request.waited')}</dt>
                <dd className="text-2xl font-semibold">{formatDuration(now - consult.requestedAt)}</dd>
              </div>
            </dl>
            <button
              type="button"
              className="min-h-12 self-start rounded-xl border-2 border-red-800 px-5 text-lg font-semibold text-red-800"
              onClick={() => {
                auth
                  .api(`/api/consults/${consult.id}/cancel`, { method: 'POST' })
                  .catch((error: unknown) => setProblem(error instanceof ApiError ? error.message : String(error)));
              }}
            >
              {t('request.cancel')}
            </button>
            {problem ? <p role="alert">{problem}</p> : null}
          </section>
        )}
        {hungUp ? (
          <p className="rounded-xl bg-white p-6 text-xl shadow">{t('call.ended')}</p>
        ) : (
          <ConsultCall key={consult.id} consultId={consult.id} live={live} onHangUp={() => setHungUpClaim(claim)}>
            {(session) => (
              <>
                {consult.ambulance?.ecg12Lead ? <AmbulanceEcg session={session} /> : null}
                <PhotoCapture session={session} consultId={consult.id} />
                <MonitorControls session={session} />
              </>
            )}
          </ConsultCall>
        )}
      </div>
    );
  }

  // Signed: the doctor's decision and plan, printable.
  if (consult.status === 'closed') return <DecisionSheet consult={consult} />;

  return (
    <section className="rounded-xl bg-white p-6 text-xl shadow" role="status" data-testid="request-documentation">
      {t('request.documentation')}
    </section>
  );
}
