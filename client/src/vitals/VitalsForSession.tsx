import { useCallback, useEffect, useMemo, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { AlarmTone } from './alarmSound.ts';
import { openPopOutWindow, PopOut } from './PopOut.tsx';
import { VitalsAlarms } from './VitalsAlarms.ts';
import { VitalsPanel } from './VitalsPanel.tsx';
import { VitalsStore } from './VitalsStore.ts';

/**
 * The vitals panel for a running call: one store and one set of alarms per
 * call session, disposed with it. The panel can be popped out into a window
 * of its own (and taken back); it is the same panel, fed by the same store.
 */
export function VitalsForSession({ session }: { session: ConsultSession }) {
  const { t } = useI18n();
  const consultId = session.getSnapshot().consultId;
  const store = useMemo(() => new VitalsStore(session), [session]);
  useEffect(() => () => store.dispose(), [store]);
  const tone = useMemo(() => new AlarmTone(), []);
  useEffect(() => () => tone.dispose(), [tone]);
  const alarms = useMemo(() => new VitalsAlarms(store, consultId, localStorage, tone), [store, consultId, tone]);
  useEffect(() => {
    alarms.start();
    return () => alarms.dispose();
  }, [alarms]);

  const [popup, setPopup] = useState<Window | null>(null);
  const [blocked, setBlocked] = useState(false);
  const popOut = () => {
    // Opened in the click itself: a popup blocker allows windows the user asked for.
    const opened = openPopOutWindow(`legevakt-vitals-${consultId}`, `${t('vitals.heading')} – ${t('app.title')}`);
    setBlocked(opened === null);
    setPopup(opened);
  };
  const takeBack = useCallback(() => setPopup(null), []);

  if (popup) {
    return (
      <div
        className="flex flex-wrap items-center gap-3 rounded-xl bg-slate-900 p-3 text-white"
        data-testid="vitals-popped-out"
      >
        <p>{t('vitals.popOut.elsewhere')}</p>
        <button
          type="button"
          className="min-h-12 rounded-lg bg-white px-4 font-semibold text-slate-900"
          onClick={takeBack}
        >
          {t('vitals.popOut.takeBack')}
        </button>
        <PopOut popup={popup} onClosed={takeBack}>
          <VitalsPanel store={store} alarms={alarms} consultId={consultId} />
        </PopOut>
      </div>
    );
  }
  return (
    <VitalsPanel
      store={store}
      alarms={alarms}
      consultId={consultId}
      actions={
        <>
          <button
            type="button"
            className="min-h-12 rounded-lg border-2 border-slate-400 px-3 font-semibold"
            onClick={popOut}
          >
            {t('vitals.popOut.open')}
          </button>
          {blocked ? (
            <p role="alert" className="text-sm text-amber-300">
              {t('vitals.popOut.blocked')}
            </p>
          ) : null}
        </>
      }
    />
  );
}
