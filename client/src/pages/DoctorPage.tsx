import { useState } from 'react';
import { LoginCard } from '../app/LoginCard.tsx';
import { Shell } from '../app/Shell.tsx';
import { useLogin } from '../app/useLogin.ts';
import { CallView } from '../call/CallView.tsx';
import { normaliseConsultCode } from '../call/consultCode.ts';
import { openCameraAndMicrophone } from '../call/media.ts';
import { useCall } from '../call/useCall.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function DoctorPage() {
  const { t } = useI18n();
  const { login, setLogin, logout } = useLogin('doctor');
  const { session, start, reset } = useCall(login?.accessToken);
  const [code, setCode] = useState(() =>
    normaliseConsultCode(new URLSearchParams(location.search).get('consult') ?? ''),
  );
  const [mediaDenied, setMediaDenied] = useState(false);

  const join = async () => {
    setMediaDenied(false);
    let stream: MediaStream;
    try {
      stream = await openCameraAndMicrophone();
    } catch {
      setMediaDenied(true);
      return;
    }
    await start(normaliseConsultCode(code), stream);
  };

  const shell = (content: React.ReactNode) => (
    <Shell user={login?.user.name} onLogout={login ? logout : undefined}>
      {content}
    </Shell>
  );
  if (!login) return shell(<LoginCard role="doctor" onLoggedIn={setLogin} />);
  if (session) return shell(<CallView session={session} onEnded={reset} />);

  return shell(
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void join();
      }}
      className="mx-auto flex max-w-md flex-col gap-4 rounded-xl bg-white p-8 shadow"
    >
      <h2 className="text-2xl font-semibold">{t('doctor.heading')}</h2>
      <label className="flex flex-col gap-1 text-lg">
        {t('doctor.code')}
        <input
          className="min-h-12 rounded-lg border border-slate-400 px-3 font-mono text-2xl tracking-widest uppercase"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          required
          maxLength={16}
          autoComplete="off"
        />
      </label>
      {mediaDenied ? (
        <p role="alert" className="rounded-lg bg-red-100 p-3 text-red-800">
          {t('media.denied')}
        </p>
      ) : null}
      <button type="submit" className="min-h-14 rounded-xl bg-green-700 text-xl font-semibold text-white">
        {t('doctor.join')}
      </button>
    </form>,
  );
}
