import { useState } from 'react';
import type { LoginResponse, Role } from '@legevakt/shared';
import { useI18n } from '../i18n/i18n.tsx';
import { devLogin } from '../session/auth.ts';

export function LoginCard({ role, onLoggedIn }: { role: Role; onLoggedIn: (login: LoginResponse) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setFailed(false);
    try {
      onLoggedIn(await devLogin(role, name));
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      className="mx-auto flex max-w-md flex-col gap-4 rounded-xl bg-white p-8 shadow"
    >
      <h2 className="text-2xl font-semibold">{t(`login.heading.${role}`)}</h2>
      <label className="flex flex-col gap-1 text-lg">
        {t('login.name')}
        <input
          className="min-h-12 rounded-lg border border-slate-400 px-3 text-lg"
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoComplete="name"
          required
          maxLength={80}
        />
      </label>
      <button
        type="submit"
        disabled={busy}
        className="min-h-12 rounded-xl bg-sky-700 text-lg font-semibold text-white disabled:opacity-60"
      >
        {t('login.submit')}
      </button>
      {failed ? (
        <p role="alert" className="text-red-700">
          {t('login.failed')}
        </p>
      ) : null}
      <p className="text-sm text-slate-600">{t('login.devNotice')}</p>
    </form>
  );
}
