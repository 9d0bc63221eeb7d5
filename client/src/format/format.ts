import type { Locale } from '../i18n/i18n.tsx';

const intlLocale = (locale: Locale): string => (locale === 'nb' ? 'nb-NO' : 'en-GB');

/** "4 min 05 s" style durations: a nurse reads them at a glance. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes === 0) return `${seconds} s`;
  if (minutes >= 60) return `${Math.floor(minutes / 60)} t ${minutes % 60} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

export function formatTime(ms: number, locale: Locale): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Oslo',
  }).format(ms);
}

export function formatPercent(share: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale(locale), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

export function formatNumber(value: number, locale: Locale, digits = 1): string {
  return new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: digits }).format(value);
}
