import type { QueueEntry, QueueSnapshot, TriageColour } from '@legevakt/shared';
import { shortcutKeys } from '../app/shortcuts.ts';
import { useNow } from '../app/useNow.ts';
import { formatDuration } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { patientLabel } from './patientLabel.ts';
import { SlaBadge } from './SlaBadge.tsx';
import { AmbulanceLine } from '../ambulance/AmbulanceLine.tsx';

const TRIAGE_BAR: Record<TriageColour, string> = { red: 'bg-red-700', yellow: 'bg-yellow-400', green: 'bg-green-700' };

interface QueuePanelProps {
  queue: QueueSnapshot | null;
  highlightId: string | null;
  busy: boolean;
  onTake: (entry: QueueEntry) => void;
}

/** The live work queue, most urgent first, with today's SLA. */
export function QueuePanel({ queue, highlightId, busy, onTake }: QueuePanelProps) {
  const { t } = useI18n();
  const now = useNow();
  const entries = queue?.entries ?? [];
  return (
    <section className="flex flex-col gap-3" aria-labelledby="queue-heading">
      <div className="flex items-center justify-between gap-3">
        <h2 id="queue-heading" className="text-2xl font-semibold">
          {t('queue.heading')} ({entries.length})
        </h2>
        <button
          type="button"
          disabled={busy || entries.length === 0}
          onClick={() => entries[0] && onTake(entries[0])}
          className="min-h-12 rounded-xl bg-green-800 px-5 text-lg font-semibold text-white disabled:opacity-50"
          aria-keyshortcuts={shortcutKeys('takeNext')}
          title={`${t('queue.takeNext')} (${shortcutKeys('takeNext')})`}
        >
          {t('queue.takeNext')}
        </button>
      </div>
      {queue ? <SlaBadge sla={queue.slaToday} /> : null}
      {entries.length === 0 ? <p className="rounded-xl bg-white p-4 text-lg">{t('queue.empty')}</p> : null}
      <ol className="flex flex-col gap-2" data-testid="queue-list">
        {entries.map((entry) => (
          <li
            key={entry.id}
            data-testid="queue-entry"
            data-consult-id={entry.id}
            className={`flex overflow-hidden rounded-xl bg-white shadow ${entry.id === highlightId ? 'ring-4 ring-sky-500' : ''}`}
          >
            <span className={`w-3 shrink-0 ${TRIAGE_BAR[entry.triage]}`} aria-hidden />
            <div className="flex flex-1 flex-col gap-1 p-3">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-semibold">{t(`triage.${entry.triage}`)}</span>
                {entry.origin === 'ambulance' ? (
                  <span className="rounded bg-red-800 px-2 text-sm font-bold text-white">{t('origin.ambulance')}</span>
                ) : null}
                {entry.origin === 'station' ? (
                  <span
                    data-testid="backup-flag"
                    className="rounded bg-amber-300 px-2 text-sm font-bold text-amber-950"
                  >
                    {t('backup.flag')}
                  </span>
                ) : null}
                {entry.overflow ? (
                  <span className="rounded bg-purple-800 px-2 text-sm font-bold text-white">{t('queue.overflow')}</span>
                ) : null}
                <span className="text-slate-700">
                  {entry.placeName} · {t('queue.waited')} {formatDuration(now - entry.requestedAt)}
                </span>
              </div>
              <p className="text-lg">{patientLabel(entry.patient, t)}</p>
              {entry.ambulance ? <AmbulanceLine details={entry.ambulance} /> : null}
              <p className="line-clamp-2 text-slate-800">{entry.reason}</p>
            </div>
            <button
              type="button"
              disabled={busy}
              onClick={() => onTake(entry)}
              className="m-2 min-h-12 self-center rounded-xl bg-sky-800 px-5 text-lg font-semibold text-white disabled:opacity-50"
            >
              {t('queue.take')}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
