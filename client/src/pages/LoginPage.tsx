import { useState } from 'react';
import { Shell } from '../app/Shell.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError, AuthSession } from '../session/AuthSession.ts';
import { isRateLimited } from '../session/rateLimit.ts';

export function LoginPage({ onLoggedIn }: { onLoggedIn: (auth: AuthSession) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<'failed' | 'rate-limited' | 'error' | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      onLoggedIn(await AuthSession.login(username, password));
    } catch (error) {
      if (isRateLimited(error)) setProblem('rate-limited');
      else setProblem(error instanceof ApiError && error.status === 401 ? 'failed' : 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Shell>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        className="mx-auto flex max-w-md flex-col gap-4 rounded-xl bg-white p-8 shadow"
      >
        <h2 className="text-2xl font-semibold">{t('login.heading')}</h2>
        <label className="flex flex-col gap-1 text-lg">
          {t('login.username')}
          <input
            className="min-h-12 rounded-lg border border-slate-500 px-3 text-lg"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            required
          />
        </label>
        <label className="flex flex-col gap-1 text-lg">
          {t('login.password')}
          <input
            className="min-h-12 rounded-lg border border-slate-500 px-3 text-lg"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
          />
        </label>
        <button
          type="submit"
          disabled={busy}
          className="min-h-12 rounded-xl bg-sky-800 text-lg font-semibold text-white disabled:opacity-60"
        >
          {t('login.submit')}
        </button>
        {problem ? (
          <p role="alert" className="text-red-800">
            {t(
              problem === 'failed' ? 'login.failed' : problem === 'rate-limited' ? 'error.rateLimited' : 'login.error',
            )}
          </p>
        ) : null}
        <p className="text-sm text-slate-700">{t('login.demoHint')}</p>
      </form>
    </Shell>
  );
}
