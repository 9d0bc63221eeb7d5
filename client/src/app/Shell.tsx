import type { ReactNode } from 'react';
import { useI18n, type Locale } from '../i18n/i18n.tsx';
import type { ConnectionState } from '../session/Workspace.ts';

interface ShellProps {
  children: ReactNode;
  user?: { displayName: string; placeName: string } | undefined;
  connection?: ConnectionState | undefined;
  onLogout?: (() => void) | undefined;
}

const connectionStyle: Record<ConnectionState, string> = {
  online: 'bg-green-700',
  connecting: 'bg-amber-600',
  offline: 'bg-red-700',
};

export function Shell({ children, user, connection, onLogout }: ShellProps) {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="min-h-screen">
      <header className="flex flex-wrap items-center justify-between gap-3 bg-sky-900 px-6 py-3 text-white">
        <div>
          <h1 className="text-xl font-bold">{t('app.title')}</h1>
          <p className="text-sm text-sky-100">{t('app.tagline')}</p>
        </div>
        <div className="flex flex-wrap items-center gap-4">
          {connection ? (
            <span
              className={`rounded-full px-3 py-1 text-sm font-semibold ${connectionStyle[connection]}`}
              role="status"
              data-testid="connection"
            >
              {t(`app.connection.${connection}`)}
            </span>
          ) : null}
          {user ? (
            <span className="text-base">
              {user.displayName} · {user.placeName}
            </span>
          ) : null}
          {onLogout ? (
            <button type="button" className="rounded-lg border border-white px-3 py-2" onClick={onLogout}>
              {t('login.logout')}
            </button>
          ) : null}
          <label className="flex items-center gap-2">
            <span>{t('app.language')}</span>
            <select
              className="rounded-lg bg-white px-2 py-1 text-slate-900"
              value={locale}
              onChange={(e) => setLocale(e.target.value as Locale)}
            >
              <option value="nb">Norsk bokmål</option>
              <option value="en">English</option>
            </select>
          </label>
        </div>
      </header>
      <main className="mx-auto max-w-7xl p-4 md:p-6">{children}</main>
    </div>
  );
}
