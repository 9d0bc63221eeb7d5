import { useEffect, useState } from 'react';
import type { NotificationData } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { ConsultCall } from '../call/ConsultCall.tsx';
import { formatTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';

type Invitation = NotificationData<'callInvitation'>;

/**
 * A district doctor invited into a colleague's running call (InvitePanel →
 * 'callInvitation'): "Bli med" joins the call on the workspace's socket, the
 * server letting him in while the invitation stands; "Ikke nå" puts the notice
 * away. When the host removes him, the call view shows it and "Legg på" leaves.
 */
export function ColleagueInvitation() {
  const { t, locale } = useI18n();
  const { workspace } = useSession();
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const [joined, setJoined] = useState(false);

  useEffect(
    () =>
      workspace.on('callInvitation', (next) => {
        setInvitation(next);
        setJoined(false);
      }),
    [workspace],
  );

  if (!invitation) return null;
  const close = () => {
    setInvitation(null);
    setJoined(false);
  };
  return (
    <section
      className="flex flex-col gap-3 rounded-xl border-4 border-amber-500 bg-amber-50 p-4 shadow"
      aria-labelledby="colleague-invitation-heading"
      data-testid="colleague-invitation"
    >
      <h2 id="colleague-invitation-heading" className="text-xl font-semibold text-amber-950">
        {t('colleagueInvite.heading')
          .replace('{name}', invitation.invitedByName)
          .replace('{place}', invitation.placeName)}
      </h2>
      {joined ? (
        <ConsultCall consultId={invitation.consultId} onHangUp={close} />
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <p className="text-lg">
            {t('colleagueInvite.until').replace('{time}', formatTime(invitation.expiresAt, locale))}
          </p>
          <button
            type="button"
            onClick={() => setJoined(true)}
            className="min-h-12 rounded-xl bg-green-800 px-6 text-lg font-semibold text-white"
            data-testid="colleague-join"
          >
            {t('colleagueInvite.join')}
          </button>
          <button
            type="button"
            onClick={close}
            className="min-h-12 rounded-xl border-2 border-slate-600 px-4 text-lg font-semibold"
          >
            {t('colleagueInvite.dismiss')}
          </button>
        </div>
      )}
    </section>
  );
}
