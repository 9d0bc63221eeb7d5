import { useEffect, useRef, useState } from 'react';
import { ConsultView, GuestAccess, InviteLinkInfo } from '@legevakt/shared';
import { CallView } from '../call/CallView.tsx';
import { openCameraAndMicrophone } from '../call/media.ts';
import { ConsultSummary } from '../doctor/ConsultSummary.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ConsultSession } from '../session/ConsultSession.ts';
import { SignalingClient } from '../session/SignalingClient.ts';
import { CallSignalingContext } from './callSignaling.ts';

/** The guest's page lives at /invite/<token>; this is the token, or null for any other path. */
export function inviteTokenOf(pathname: string): string | null {
  const match = /^\/invite\/([A-Za-z0-9_-]{22})\/?$/.exec(pathname);
  return match?.[1] ?? null;
}

type Stage =
  | { kind: 'checking' }
  | { kind: 'not-found' }
  | { kind: 'pin'; info: InviteLinkInfo; wrongPinLeft: number | null; problem: string | null }
  | { kind: 'joining' }
  | { kind: 'call'; session: ConsultSession; signaling: SignalingClient; consult: ConsultView }
  | { kind: 'removed' }
  | { kind: 'left' }
  | { kind: 'ended' };

/**
 * An invited guest (a specialist on call) opens the one-time link: sees who
 * they are invited as, types the PIN the doctor read out, and joins the call
 * with camera and microphone beside the intake summary. No login, no other
 * page: the guest token opens this consult's call and intake only. Removed by
 * the host, the page says so (the server closes the socket with 4001).
 */
export function GuestPage({ token }: { token: string }) {
  const { t } = useI18n();
  const [stage, setStage] = useState<Stage>({ kind: 'checking' });
  const [pin, setPin] = useState('');
  /** Removed, hung up or ended: a closing socket must not join again (read by its close handler, not a render). */
  const over = useRef(false);
  const finish = (next: Stage) => {
    over.current = true;
    setStage(next);
  };

  useEffect(() => {
    let cancelled = false;
    void linkInfo(token).then((info) => {
      if (cancelled) return;
      setStage(info ? { kind: 'pin', info, wrongPinLeft: null, problem: null } : { kind: 'not-found' });
    });
    return () => {
      cancelled = true;
    };
  }, [token]);

  // The call's session is ended when the page goes away.
  const session = stage.kind === 'call' ? stage.session : null;
  useEffect(() => {
    if (!session) return;
    return () => void session.hangUp();
  }, [session]);

  /**
   * Joins the call on a socket of its own. A socket that drops (a cut or a
   * badly loaded link: the client closes one it has not heard from in 6 s) is
   * replaced with a renewed token and the call joined again, as the staff
   * workspace reconnects; 4001 is the host's removal and ends it.
   */
  const enterCall = async (access: GuestAccess, consult: ConsultView, attempt: number): Promise<void> => {
    const signaling = await SignalingClient.connect(access.accessToken);
    const started = new ConsultSession({ signaling, consultId: access.consultId });
    let joined = false;
    started.on('error', (error) => console.error('[guest call]', error));
    started.on('changed', (snapshot) => {
      if (snapshot.phase === 'in-call') joined = true;
      if (snapshot.problem === 'removed') finish({ kind: 'removed' });
    });
    signaling.on('close', (code) => {
      if (over.current) return;
      if (code === 4001) {
        finish({ kind: 'removed' });
        return;
      }
      const next = joined ? 0 : attempt + 1;
      if (next > 5) return; // the call view shows the session's failure
      void started.hangUp();
      setTimeout(
        () => {
          if (over.current) return;
          renewGuestToken(access)
            .then((renewed) => (renewed ? enterCall(renewed, consult, next) : finish({ kind: 'ended' })))
            .catch((error: unknown) => console.error('[guest call] rejoin failed', error));
        },
        Math.min(8000, 500 * 2 ** next),
      );
    });
    setStage({ kind: 'call', session: started, signaling, consult });
    void started.start(openCameraAndMicrophone()).catch(() => undefined);
  };

  const join = async () => {
    setStage({ kind: 'joining' });
    const response = await fetch('/api/invites/redeem', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token, pin }),
    });
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      // The link's state says why (wrong PIN and how many tries are left, or closed).
      const info = await linkInfo(token);
      if (!info) {
        setStage({ kind: 'not-found' });
        return;
      }
      const message = errorMessage(body);
      setPin('');
      setStage({
        kind: 'pin',
        info,
        wrongPinLeft: message.startsWith('wrong PIN') ? info.attemptsLeft : null,
        problem: message.startsWith('wrong PIN')
          ? null
          : message === 'the consultation is not running now'
            ? t('invite.guest.notRunning')
            : info.status === 'open'
              ? t('invite.guest.failed').replace('{message}', message)
              : null,
      });
      return;
    }
    const access = GuestAccess.parse(body);
    try {
      const consultResponse = await fetch('/api/guest/consult', {
        headers: { Authorization: `Bearer ${access.accessToken}` },
      });
      if (!consultResponse.ok) throw new Error(errorMessage(await consultResponse.json().catch(() => null)));
      const consult = ConsultView.parse(await consultResponse.json());
      await enterCall(access, consult, 0);
    } catch (error) {
      const info = await linkInfo(token);
      setStage(
        info
          ? {
              kind: 'pin',
              info,
              wrongPinLeft: null,
              problem: t('invite.guest.failed').replace('{message}', String(error)),
            }
          : { kind: 'not-found' },
      );
    }
  };

  return (
    <main className="mx-auto flex min-h-screen max-w-7xl flex-col gap-4 p-4" data-testid="guest-page">
      <h1 className="text-2xl font-semibold">{t('invite.guest.heading')}</h1>
      {stage.kind === 'checking' || stage.kind === 'joining' ? (
        <p role="status" className="text-lg">
          {stage.kind === 'checking' ? t('invite.guest.checking') : t('invite.guest.joining')}
        </p>
      ) : stage.kind === 'not-found' ? (
        <p role="alert" className="text-lg text-red-900">
          {t('invite.guest.notFound')}
        </p>
      ) : stage.kind === 'removed' || stage.kind === 'left' || stage.kind === 'ended' ? (
        <p role="status" className="rounded-xl bg-white p-6 text-xl shadow" data-testid="guest-ended">
          {stage.kind === 'removed'
            ? t('invite.guest.removed')
            : stage.kind === 'left'
              ? t('invite.guest.left')
              : t('call.ended')}
        </p>
      ) : stage.kind === 'pin' ? (
        <PinForm
          stage={stage}
          pin={pin}
          onPin={setPin}
          onSubmit={() => {
            if (/^\d{6}$/.test(pin)) void join();
          }}
        />
      ) : (
        <div className="grid gap-4 xl:grid-cols-[2fr_1fr]">
          <CallSignalingContext value={stage.signaling}>
            <CallView
              session={stage.session}
              onHangUp={() => {
                void stage.session.hangUp();
                finish({ kind: 'left' });
              }}
            />
          </CallSignalingContext>
          <div className="flex flex-col gap-2">
            <h2 className="text-xl font-semibold">{t('invite.guest.intake')}</h2>
            <ConsultSummary consult={stage.consult} />
          </div>
        </div>
      )}
    </main>
  );
}

function PinForm({
  stage,
  pin,
  onPin,
  onSubmit,
}: {
  stage: Extract<Stage, { kind: 'pin' }>;
  pin: string;
  onPin: (pin: string) => void;
  onSubmit: () => void;
}) {
  const { t } = useI18n();
  const { info } = stage;
  if (info.status !== 'open') {
    return (
      <p role="alert" className="text-lg text-red-900" data-testid="guest-closed">
        {t(`invite.guest.closed.${info.status}`)}
      </p>
    );
  }
  return (
    <form
      className="flex max-w-md flex-col gap-3 rounded-xl bg-white p-6 shadow"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <p className="text-lg">{t('invite.guest.invitedAs').replace('{name}', info.displayName)}</p>
      <label className="flex flex-col gap-1 text-lg">
        {t('invite.guest.pin')}
        <input
          className="min-h-14 rounded-lg border border-slate-500 px-3 font-mono text-3xl tracking-[0.3em]"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          value={pin}
          autoFocus
          onChange={(event) => onPin(event.target.value.replace(/\D/g, '').slice(0, 6))}
          data-testid="guest-pin"
        />
      </label>
      {stage.wrongPinLeft !== null ? (
        <p role="alert" className="text-red-900">
          {t('invite.guest.wrongPin').replace('{n}', String(stage.wrongPinLeft))}
        </p>
      ) : null}
      {stage.problem ? (
        <p role="alert" className="text-red-900">
          {stage.problem}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={pin.length !== 6}
        className="min-h-14 rounded-xl bg-sky-800 px-4 text-lg font-semibold text-white disabled:opacity-50"
        data-testid="guest-join"
      >
        {t('invite.guest.join')}
      </button>
    </form>
  );
}

/** A fresh token while the guest's session holds; null once it has ended (removed, or the call is over). */
async function renewGuestToken(access: GuestAccess): Promise<GuestAccess | null> {
  const response = await fetch('/api/guest/token', {
    method: 'POST',
    headers: { Authorization: `Bearer ${access.accessToken}` },
  });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`renewing the guest token: HTTP ${response.status}`);
  return GuestAccess.parse(await response.json());
}

async function linkInfo(token: string): Promise<InviteLinkInfo | null> {
  const response = await fetch(`/api/invites/${token}`).catch(() => null);
  if (!response?.ok) return null;
  const parsed = InviteLinkInfo.safeParse(await response.json());
  return parsed.success ? parsed.data : null;
}

function errorMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: { message?: unknown } }).error;
    if (typeof error.message === 'string') return error.message;
  }
  return 'request failed';
}
