import { useEffect, useState } from 'react';
import { LoginCard } from '../app/LoginCard.tsx';
import { Shell } from '../app/Shell.tsx';
import { useLogin } from '../app/useLogin.ts';
import { CallView } from '../call/CallView.tsx';
import { newConsultCode } from '../call/consultCode.ts';
import { openCameraAndMicrophone } from '../call/media.ts';
import { useCall } from '../call/useCall.ts';
import { VideoTile } from '../call/VideoTile.tsx';
import { useI18n } from '../i18n/i18n.tsx';

export function NursePage() {
  const { t } = useI18n();
  const { login, setLogin, logout } = useLogin('nurse');
  const { session, start, reset } = useCall(login?.accessToken);
  const [code, setCode] = useState(newConsultCode);
  const [preview, setPreview] = useState<MediaStream | null>(null);
  const [mediaDenied, setMediaDenied] = useState(false);

  // Preview the camera before the call, so the nurse can aim it at the patient.
  useEffect(() => {
    if (!login || session || preview) return;
    let cancelled = false;
    openCameraAndMicrophone()
      .then((stream) => {
        if (cancelled) stream.getTracks().forEach((track) => track.stop());
        else setPreview(stream);
      })
      .catch(() => setMediaDenied(true));
    return () => {
      cancelled = true;
    };
  }, [login, session, preview]);

  const shell = (content: React.ReactNode) => (
    <Shell user={login?.user.name} onLogout={login ? logout : undefined}>
      {content}
    </Shell>
  );
  if (!login) return shell(<LoginCard role="nurse" onLoggedIn={setLogin} />);

  if (session) {
    return shell(
      <div className="flex flex-col gap-4">
        <p className="text-lg" aria-live="polite">
          {t('nurse.shareCode')}:{' '}
          <strong data-testid="consult-code" className="font-mono text-2xl tracking-widest">
            {session.snapshot.consultId}
          </strong>
        </p>
        <CallView
          session={session}
          onEnded={() => {
            reset();
            setPreview(null);
            setCode(newConsultCode());
          }}
        />
      </div>,
    );
  }

  return shell(
    <section className="grid gap-6 md:grid-cols-2">
      <div className="flex flex-col gap-4">
        <h2 className="text-2xl font-semibold">{t('nurse.heading')}</h2>
        <p className="text-lg">
          {t('nurse.shareCode')}: <strong className="font-mono text-2xl tracking-widest">{code}</strong>
        </p>
        {mediaDenied ? (
          <p role="alert" className="rounded-lg bg-red-100 p-3 text-red-800">
            {t('media.denied')}
          </p>
        ) : null}
        <button
          type="button"
          disabled={!preview}
          className="min-h-16 rounded-xl bg-green-700 px-6 text-xl font-semibold text-white disabled:opacity-60"
          onClick={() => {
            if (!preview) return;
            void start(code, preview);
          }}
        >
          {t('nurse.start')}
        </button>
      </div>
      <VideoTile
        video={preview?.getVideoTracks()[0] ?? null}
        label={t('nurse.preview')}
        placeholder={t('call.connecting')}
        mirrored
        className="aspect-video w-full"
      />
    </section>,
  );
}
