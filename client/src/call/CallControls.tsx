import { shortcutKeys, useShortcut } from '../app/shortcuts.ts';
import { useI18n } from '../i18n/i18n.tsx';

interface CallControlsProps {
  micEnabled: boolean;
  cameraEnabled: boolean;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onHangUp: () => void;
}

const base =
  'min-h-14 rounded-xl px-6 text-lg font-semibold focus:outline-none focus-visible:ring-4 focus-visible:ring-sky-400';

export function CallControls({ micEnabled, cameraEnabled, onToggleMic, onToggleCamera, onHangUp }: CallControlsProps) {
  const { t } = useI18n();
  // Alt+M, Alt+V, Alt+E: the same as the buttons (no confirmation, as the button has none).
  useShortcut('mute', onToggleMic);
  useShortcut('camera', onToggleCamera);
  useShortcut('endCall', onHangUp);
  const hint = (label: string, id: 'mute' | 'camera' | 'endCall') => `${label} (${shortcutKeys(id)})`;
  return (
    <div className="flex flex-wrap justify-center gap-3" role="toolbar" aria-label={t('call.controls')}>
      <button
        type="button"
        className={`${base} ${micEnabled ? 'bg-slate-200 text-slate-900' : 'bg-amber-300 text-slate-900'}`}
        aria-pressed={!micEnabled}
        aria-keyshortcuts={shortcutKeys('mute')}
        title={hint(micEnabled ? t('call.mute') : t('call.unmute'), 'mute')}
        onClick={onToggleMic}
      >
        {micEnabled ? t('call.mute') : t('call.unmute')}
      </button>
      <button
        type="button"
        className={`${base} ${cameraEnabled ? 'bg-slate-200 text-slate-900' : 'bg-amber-300 text-slate-900'}`}
        aria-pressed={!cameraEnabled}
        aria-keyshortcuts={shortcutKeys('camera')}
        title={hint(cameraEnabled ? t('call.cameraOff') : t('call.cameraOn'), 'camera')}
        onClick={onToggleCamera}
      >
        {cameraEnabled ? t('call.cameraOff') : t('call.cameraOn')}
      </button>
      <button
        type="button"
        className={`${base} bg-red-700 text-white`}
        aria-keyshortcuts={shortcutKeys('endCall')}
        title={hint(t('call.hangUp'), 'endCall')}
        onClick={onHangUp}
      >
        {t('call.hangUp')}
      </button>
    </div>
  );
}
