import { useEffect, useState } from 'react';
import { SimulatorRecording } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { fill } from '../call/QualityBadge.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { MonitorSimulator } from '../vitals/MonitorSimulator.ts';
import { VitalsSource } from '../vitals/VitalsSource.ts';

/** The 12-lead recording the ambulance monitor stands in with (PTB Diagnostic ECG Database, s0010_re). */
export const TWELVE_LEAD_RECORDING = 'ptbdb-s0010_re';

/**
 * The attached 12-lead ECG: as soon as the call is live the monitor's 12 leads
 * stream to the doctor on the vitals channel (reliable, resent after a drop), so
 * the crew does not have to start anything with gloves on.
 */
export function AmbulanceEcg({ session }: { session: ConsultSession }) {
  const { t } = useI18n();
  const { auth } = useSession();
  const [state, setState] = useState<'starting' | 'streaming' | { failed: string }>('starting');

  useEffect(() => {
    // An object, not a let: the async steps read it after the cleanup may have set it.
    const life = { stopped: false };
    const stopped = (): boolean => life.stopped;
    let running: { simulator: MonitorSimulator; source: VitalsSource } | null = null;
    void (async () => {
      try {
        const data = SimulatorRecording.parse(await auth.api(`/api/simulator/recordings/${TWELVE_LEAD_RECORDING}`));
        if (stopped()) return;
        const source = new VitalsSource(session);
        await source.open();
        const simulator = new MonitorSimulator(data, (message) => source.push(message));
        if (stopped()) {
          source.close();
          return;
        }
        simulator.start();
        running = { simulator, source };
        setState('streaming');
      } catch (error) {
        if (!stopped()) setState({ failed: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => {
      life.stopped = true;
      running?.simulator.stop();
      running?.source.close();
    };
  }, [session, auth]);

  return (
    <p
      className={`rounded-xl p-3 text-lg ${typeof state === 'object' ? 'bg-red-100 text-red-900' : 'bg-sky-100 text-sky-950'}`}
      role="status"
      data-testid="ambulance-ecg"
      data-state={typeof state === 'object' ? 'failed' : state}
    >
      {state === 'streaming'
        ? t('ambulance.ecg12Streaming')
        : state === 'starting'
          ? t('ambulance.ecg12Starting')
          : fill(t('ambulance.ecg12Failed'), { reason: state.failed })}
    </p>
  );
}
