import { useCallback, useEffect, useState } from 'react';
import type { ConsultView, QueueEntry, SignedNoteResponse } from '@legevakt/shared';
import { ShortcutHelp } from '../app/ShortcutHelp.tsx';
import { useShortcut } from '../app/shortcuts.ts';
import { Shell } from '../app/Shell.tsx';
import { useSession, useWorkspaceSnapshot } from '../app/SessionContext.tsx';
import { ActiveConsultPanel } from '../doctor/ActiveConsultPanel.tsx';
import { ColleagueInvitation } from '../invite/ColleagueInvitation.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { playQueueChime } from '../queue/alertSound.ts';
import { QueuePanel } from '../queue/QueuePanel.tsx';
import { DocumentationPanel } from '../record/DocumentationPanel.tsx';
import { SignedRecordPanel } from '../record/SignedRecordPanel.tsx';
import { ApiError } from '../session/AuthSession.ts';

/** The LVS doctor's workstation: the live queue on the left, the consult in hand on the right. */
export function DoctorWorkstation() {
  const { t } = useI18n();
  const { auth, workspace } = useSession();
  const snapshot = useWorkspaceSnapshot();
  const [highlight, setHighlight] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // The consult just taken, from the claim's own answer: the call starts without waiting for the next snapshot.
  const [justTaken, setJustTaken] = useState<ConsultView | null>(null);
  // The consult just signed: its record and the addendum form stay on screen until dismissed.
  const [signed, setSigned] = useState<ConsultView | null>(null);
  const onSigned = useCallback((response: SignedNoteResponse) => setSigned(response.consult), []);

  // A new request: a chime, a highlighted row and the tab title, so it is noticed from another window.
  useEffect(
    () =>
      workspace.on('alert', (alert) => {
        playQueueChime(alert.triage === 'red' || alert.origin === 'ambulance');
        setHighlight(alert.consultId);
        document.title = `● ${t('queue.newRequest')}`;
        setTimeout(() => {
          setHighlight((current) => (current === alert.consultId ? null : current));
          document.title = t('app.title');
        }, 8000);
      }),
    [workspace, t],
  );

  const take = useCallback(
    (entry: QueueEntry) => {
      setBusy(true);
      setProblem(null);
      auth
        .api<ConsultView>(`/api/consults/${entry.id}/claim`, { method: 'POST' })
        .then(setJustTaken)
        .catch((error: unknown) => {
          setProblem(
            error instanceof ApiError && error.status === 409 ? `${t('queue.taken')}: ${error.message}` : String(error),
          );
        })
        .finally(() => setBusy(false));
    },
    [auth, t],
  );

  const mine = snapshot.queue?.mine ?? [];
  const snapshotActive = mine.find((c) => c.status === 'active');
  // Until a snapshot newer than the claim arrives, the claim's answer stands in for it.
  const active =
    snapshotActive ?? (justTaken && (snapshot.queue?.at ?? 0) < justTaken.claimedAt! ? justTaken : undefined);
  // Until the next snapshot, the one just signed may still be listed as documenting.
  const documentation = mine.filter((c) => c.status === 'documentation' && c.id !== signed?.id);

  useShortcut('takeNext', () => {
    const first = snapshot.queue?.entries[0];
    if (first && !active && !busy) take(first);
  });

  return (
    <Shell user={auth.user} connection={snapshot.connection} onLogout={() => void auth.logout()}>
      <div className="grid gap-6 lg:grid-cols-[minmax(20rem,1fr)_2fr]">
        <div className="flex flex-col gap-3">
          <ShortcutHelp />
          <ColleagueInvitation />
          {highlight ? (
            <p role="status" className="rounded-lg bg-sky-100 p-3 text-lg font-semibold text-sky-950">
              {t('queue.newRequest')}
            </p>
          ) : null}
          {problem ? (
            <p role="alert" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950">
              {problem}
            </p>
          ) : null}
          <QueuePanel
            queue={snapshot.queue}
            highlightId={highlight}
            busy={busy || active !== undefined}
            onTake={take}
          />
        </div>
        <div className="flex flex-col gap-4">
          {active && active.id !== signed?.id ? (
            <ActiveConsultPanel key={active.id} consult={active} onSigned={onSigned} />
          ) : null}
          {documentation.length > 0 ? (
            <section className="flex flex-col gap-2" aria-labelledby="documentation-heading">
              <h2 id="documentation-heading" className="text-xl font-semibold">
                {t('queue.documentation')}
              </h2>
              {documentation.map((c) => (
                <div key={c.id} data-testid="documentation-consult">
                  <DocumentationPanel consult={c} onSigned={onSigned} />
                </div>
              ))}
            </section>
          ) : null}
          {signed ? (
            <SignedRecordPanel
              key={signed.id}
              consultId={signed.id}
              version={signed.version}
              onDismiss={() => setSigned(null)}
            />
          ) : null}
        </div>
      </div>
    </Shell>
  );
}
