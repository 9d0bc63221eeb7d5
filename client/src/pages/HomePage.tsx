import { useI18n } from '../i18n/i18n.tsx';
import { Shell } from '../app/Shell.tsx';

export function HomePage() {
  const { t } = useI18n();
  const card =
    'flex flex-col gap-2 rounded-xl bg-white p-8 shadow hover:ring-4 hover:ring-sky-300 focus-visible:ring-4 focus-visible:ring-sky-500';
  return (
    <Shell>
      <nav className="grid gap-6 md:grid-cols-2">
        <a href="/nurse" className={card}>
          <span className="text-2xl font-semibold">{t('home.nurse')}</span>
          <span className="text-lg text-slate-700">{t('home.nurseHint')}</span>
        </a>
        <a href="/doctor" className={card}>
          <span className="text-2xl font-semibold">{t('home.doctor')}</span>
          <span className="text-lg text-slate-700">{t('home.doctorHint')}</span>
        </a>
      </nav>
    </Shell>
  );
}
