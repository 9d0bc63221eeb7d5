import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import { Modal } from '../vitals/Modal.tsx';
import { SHORTCUTS, shortcutKeys, useShortcut, type ShortcutId } from './shortcuts.ts';

const DESCRIPTION: Record<ShortcutId, MessageKey> = {
  takeNext: 'shortcuts.takeNext',
  mute: 'shortcuts.mute',
  camera: 'shortcuts.camera',
  captureStrip: 'shortcuts.captureStrip',
  endCall: 'shortcuts.endCall',
  help: 'shortcuts.help',
};

/** The "Hurtigtaster" button and its list (also opened with Alt+?), generated from the one shortcut table. */
export function ShortcutHelp() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  useShortcut('help', () => setOpen(true));
  return (
    <>
      <button
        type="button"
        className="min-h-12 self-start rounded-xl border-2 border-slate-600 bg-white px-4 font-semibold text-slate-900"
        aria-keyshortcuts={shortcutKeys('help')}
        title={`${t('shortcuts.help')} (${shortcutKeys('help')})`}
        onClick={() => setOpen(true)}
      >
        {t('shortcuts.button')}
      </button>
      {open ? (
        <Modal title={t('shortcuts.heading')} onClose={() => setOpen(false)}>
          <table className="mb-3 text-lg" data-testid="shortcut-list">
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.id}>
                  <th scope="row" className="py-1 pr-6 text-left font-mono font-semibold whitespace-nowrap">
                    <kbd>{s.keys}</kbd>
                  </th>
                  <td className="py-1">{t(DESCRIPTION[s.id])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mb-3 text-slate-700">{t('shortcuts.notWhileTyping')}</p>
          <button
            type="button"
            className="min-h-12 rounded-xl bg-sky-800 px-5 font-semibold text-white"
            onClick={() => setOpen(false)}
          >
            {t('shortcuts.close')}
          </button>
        </Modal>
      ) : null}
    </>
  );
}
