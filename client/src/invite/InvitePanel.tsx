import { useCallback, useEffect, useState } from 'react';
import type {
  CreatedInvite,
  InvitableColleague,
  InvitableColleagueList,
  InviteList,
  InviteView,
} from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { formatTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError } from '../session/AuthSession.ts';

/**
 * The consult's doctor invites a third party (a specialist on call) by a
 * one-time link and a PIN to read out by phone, and sees who is invited, with
 * "Fjern" to remove them (server/src/invites/). The link and PIN are shown
 * once: the server keeps only their hashes.
 */
export function InvitePanel({ consultId }: { consultId: string }) {
  const { t, locale } = useI18n();
  const { auth } = useSession();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [invites, setInvites] = useState<InviteView[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [colleagues, setColleagues] = useState<InvitableColleague[]>([]);

  const reload = useCallback(() => {
    auth
      .api<InviteList>(`/api/consults/${consultId}/invites`)
      .then((list) => setInvites(list.invites))
      .catch(() => undefined);
    // The district's doctors who are online now: who comes and goes changes on their side, so polled too.
    auth
      .api<InvitableColleagueList>(`/api/consults/${consultId}/invites/colleagues`)
      .then((list) => setColleagues(list.colleagues))
      .catch(() => undefined);
  }, [auth, consultId]);

  // The guest's status (waiting for the PIN → joined) changes on the guest's side: polled while shown.
  useEffect(() => {
    reload();
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);

  const fail = (error: unknown) => setProblem(error instanceof ApiError ? error.message : String(error));

  const create = () => {
    setProblem(null);
    setCopied(false);
    auth
      .api<CreatedInvite>(`/api/consults/${consultId}/invites`, { method: 'POST', body: { displayName: name.trim() } })
      .then((result) => {
        setCreated(result);
        setName('');
        reload();
      })
      .catch(fail);
  };

  const inviteColleague = (colleague: InvitableColleague) => {
    setProblem(null);
    auth
      .api<InviteView>(`/api/consults/${consultId}/invites/colleague`, {
        method: 'POST',
        body: { userId: colleague.id },
      })
      .then(() => reload())
      .catch(fail);
  };
  const standing = new Set(
    invites.filter((i) => i.kind === 'colleague' && i.status === 'open').map((i) => i.guestUserId),
  );

  const remove = (invite: InviteView) => {
    setProblem(null);
    auth
      .api(`/api/consults/${consultId}/invites/${invite.id}`, { method: 'DELETE' })
      .then(() => {
        if (created?.invite.id === invite.id) setCreated(null);
        reload();
      })
      .catch(fail);
  };

  const link = created ? `${location.origin}${created.path}` : '';
  return (
    <section className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow" aria-labelledby="invite-heading">
      <h2 id="invite-heading" className="text-xl font-semibold">
        {t('invite.heading')}
      </h2>
      <p className="text-slate-700">{t('invite.help')}</p>
      <form
        className="flex flex-col gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) create();
        }}
      >
        <label className="flex flex-col gap-1">
          {t('invite.name')}
          <input
            className="min-h-12 rounded-lg border border-slate-500 px-3 text-lg"
            value={name}
            maxLength={80}
            placeholder={t('invite.namePlaceholder')}
            onChange={(event) => setName(event.target.value)}
            data-testid="invite-name"
          />
        </label>
        <button
          type="submit"
          disabled={!name.trim()}
          className="min-h-12 rounded-xl bg-sky-800 px-4 text-lg font-semibold text-white disabled:opacity-50"
          data-testid="invite-create"
        >
          {t('invite.create')}
        </button>
      </form>
      {created ? (
        <div
          className="flex flex-col gap-2 rounded-lg border-2 border-sky-800 bg-sky-50 p-3"
          data-testid="invite-created"
        >
          <span className="font-semibold">{t('invite.link')}</span>
          <input
            readOnly
            value={link}
            aria-label={t('invite.link')}
            className="min-h-12 rounded border border-slate-400 bg-white px-2 font-mono text-sm"
            onFocus={(event) => event.target.select()}
            data-testid="invite-link"
          />
          <button
            type="button"
            className="min-h-12 rounded-xl border-2 border-sky-800 px-4 font-semibold text-sky-900"
            onClick={() => {
              void navigator.clipboard
                .writeText(link)
                .then(() => setCopied(true))
                .catch(() => undefined);
            }}
          >
            {copied ? t('invite.copied') : t('invite.copy')}
          </button>
          <span className="font-semibold">{t('invite.pin')}</span>
          <output className="font-mono text-4xl tracking-[0.3em]" aria-label={t('invite.pin')} data-testid="invite-pin">
            {created.pin}
          </output>
          <p className="text-sm">{t('invite.once').replace('{time}', formatTime(created.invite.expiresAt, locale))}</p>
        </div>
      ) : null}
      <h3 className="font-semibold">{t('colleagueInvite.panelHeading')}</h3>
      {colleagues.length === 0 ? (
        <p className="text-slate-600">{t('colleagueInvite.none')}</p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="colleague-list">
          {colleagues.map((colleague) => (
            <li key={colleague.id} className="flex items-center justify-between gap-2 rounded-lg bg-slate-100 p-2">
              <span>
                <span className="font-semibold">{colleague.displayName}</span>
                <br />
                <span className="text-sm">
                  {t(`role.${colleague.role}`)}, {colleague.placeName}
                </span>
              </span>
              <button
                type="button"
                disabled={standing.has(colleague.id)}
                className="min-h-12 rounded-xl bg-sky-800 px-4 font-semibold text-white disabled:opacity-50"
                aria-label={t('colleagueInvite.inviteLabel').replace('{name}', colleague.displayName)}
                onClick={() => inviteColleague(colleague)}
                data-testid="colleague-invite"
              >
                {t('colleagueInvite.invite')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3 className="font-semibold">{t('invite.participants')}</h3>
      {invites.length === 0 ? (
        <p className="text-slate-600">{t('invite.none')}</p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="invite-list">
          {invites.map((invite) => (
            <li
              key={invite.id}
              className="flex items-center justify-between gap-2 rounded-lg bg-slate-100 p-2"
              data-testid="invite-row"
              data-status={invite.status}
              data-invite-id={invite.id}
            >
              <span>
                <span className="font-semibold">{invite.displayName}</span>
                <br />
                <span className="text-sm">
                  {invite.kind === 'colleague' && invite.status === 'open'
                    ? t('colleagueInvite.status')
                    : t(`invite.status.${invite.status}`)}
                </span>
              </span>
              {invite.status === 'open' || invite.status === 'joined' ? (
                <button
                  type="button"
                  className="min-h-12 rounded-xl border-2 border-red-800 px-4 font-semibold text-red-900"
                  aria-label={t('invite.removeLabel').replace('{name}', invite.displayName)}
                  onClick={() => remove(invite)}
                  data-testid="invite-remove"
                >
                  {t('invite.remove')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {problem ? (
        <p role="alert" className="text-red-800">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
