import { useEffect, useState } from 'react';
import { SimulatorRecording } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { connectBleVitals, webBluetooth, type BleVitalsConnection } from './ble/webBluetooth.ts';
import { MonitorSimulator } from './MonitorSimulator.ts';
import { VitalsSource } from './VitalsSource.ts';

const RECORDINGS = ['mitdb-100', 'ptbdb-s0010_re', 'challenge2015-a103l'] as const;

/**
 * The nurse's vitals sources during a consult: Bluetooth devices (pulse
 * oximeter, blood pressure cuff, thermometer) and, for demos and training, the
 * monitor simulator playing a real recording.
 */
export function MonitorControls({ session }: { session: ConsultSession }) {
  const { t } = useI18n();
  const { auth } = useSession();
  const [recording, setRecording] = useState<string>(RECORDINGS[0]);
  const [running, setRunning] = useState<{ simulator: MonitorSimulator; source: VitalsSource } | null>(null);
  const [status, setStatus] = useState({ sent: 0, pending: 0, dropped: 0 });
  const [bluetooth, setBluetooth] = useState<{ connection: BleVitalsConnection; source: VitalsSource } | null>(null);
  const [bluetoothProblem, setBluetoothProblem] = useState<string | null>(null);

  useEffect(
    () => () => {
      bluetooth?.connection.close();
      bluetooth?.source.close();
    },
    [bluetooth],
  );

  const connectBluetooth = async () => {
    setBluetoothProblem(null);
    try {
      const source = new VitalsSource(session);
      await source.open();
      const connection = await connectBleVitals({
        onSamples: (samples) => source.push({ type: 'numerics', samples }),
        onError: setBluetoothProblem,
      });
      setBluetooth({ connection, source });
    } catch (error) {
      setBluetoothProblem(error instanceof Error ? error.message : String(error));
    }
  };

  useEffect(
    () => () => {
      running?.simulator.stop();
      running?.source.close();
    },
    [running],
  );

  const start = async () => {
    const data = SimulatorRecording.parse(await auth.api(`/api/simulator/recordings/${recording}`));
    const source = new VitalsSource(session);
    source.on('changed', setStatus);
    await source.open();
    const simulator = new MonitorSimulator(data, (message) => source.push(message));
    simulator.start();
    setRunning({ simulator, source });
  };

  return (
    <section
      className="flex flex-wrap items-end gap-3 rounded-xl bg-white p-3 shadow"
      aria-label={t('monitor.heading')}
    >
      <label className="flex flex-col gap-1">
        {t('monitor.recording')}
        <select
          className="min-h-12 rounded-lg border border-slate-500 px-2"
          value={recording}
          onChange={(e) => setRecording(e.target.value)}
          disabled={running !== null}
        >
          {RECORDINGS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      {running ? (
        <button
          type="button"
          className="min-h-12 rounded-xl border-2 border-slate-700 px-4 font-semibold"
          onClick={() => setRunning(null)}
        >
          {t('monitor.stop')}
        </button>
      ) : (
        <button
          type="button"
          className="min-h-12 rounded-xl bg-sky-800 px-4 font-semibold text-white"
          onClick={() => void start()}
        >
          {t('monitor.start')}
        </button>
      )}
      {webBluetooth() ? (
        <button
          type="button"
          className="min-h-12 rounded-xl border-2 border-sky-800 px-4 font-semibold text-sky-900"
          disabled={bluetooth !== null}
          onClick={() => void connectBluetooth()}
        >
          {bluetooth ? t('monitor.bluetoothConnected') : t('monitor.bluetooth')}
        </button>
      ) : null}
      {bluetoothProblem ? <p role="alert">{bluetoothProblem}</p> : null}
      {running ? (
        <p role="status" data-testid="monitor-status">
          {t('monitor.sending')}: {status.sent} · {t('monitor.unconfirmed')}: {status.pending}
        </p>
      ) : null}
    </section>
  );
}
