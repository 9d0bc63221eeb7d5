import type { ReactNode } from 'react';
import { useI18n, type Locale } from '../i18n/i18n.tsx';

export function Shell({ children, user, onLogout }: { children: ReactNode; user?: string; onLogout?: () => void }) {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="min-h-screen">
      <header className="flex flex-wrap items-center justify-between gap-3 bg-sky-900 px-6 py-3 text-white">
        <div>
          <h1 className="text-xl font-bold">
            <a href="/">{t('app.title')}</a>
          </h1>
          <p className="text-sm text-sky-100">{t('app.tagline')}</p>
        </div>
        <div className="flex items-center gap-4">
          {user ? <span className="text-base">{user}</span> : null}
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
      <main className="mx-auto max-w-6xl p-6">{children}</main>
    </div>
  );
}
