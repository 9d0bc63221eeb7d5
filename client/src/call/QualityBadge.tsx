import { formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { LinkView } from '../session/LinkMonitor.ts';

const BARS: Record<string, number> = { good: 4, fair: 3, poor: 1, lost: 0 };
const COLOUR: Record<string, string> = {
  good: 'bg-green-500',
  fair: 'bg-yellow-400',
  poor: 'bg-red-500',
  lost: 'bg-red-500',
};

/** Fills `{name}` placeholders of a message. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * A participant's connection quality: four bars and the words (read by screen
 * readers, and shown beside the bars so colour is never the only cue), with
 * loss, round trip, jitter and bitrate on hover.
 */
export function QualityBadge({ link, who, testId }: { link: LinkView | undefined; who: string; testId?: string }) {
  const { t, locale } = useI18n();
  const quality = link?.quality ?? null;
  const words = quality ? t(`link.quality.${quality}`) : t('link.quality.measuring');
  const m = link?.metrics ?? null;
  const details = m
    ? fill(t('link.details'), {
        loss: formatNumber(m.lossPercent, locale, 1),
        rtt: m.rttMs === null ? '–' : formatNumber(m.rttMs, locale, 0),
        jitter: m.jitterMs === null ? '–' : formatNumber(m.jitterMs, locale, 0),
        kbps: formatNumber(m.bitrateKbps, locale, 0),
      })
    : undefined;
  const lit = quality ? (BARS[quality] ?? 0) : 0;
  return (
    <span
      className="inline-flex items-center gap-2 rounded bg-slate-900/80 px-2 py-1 text-sm font-medium text-white"
      title={details}
      role="status"
      aria-label={fill(t('link.badge'), { who, quality: words })}
      data-testid={testId}
      data-quality={quality ?? 'measuring'}
      data-mode={link?.mode ?? 'video'}
    >
      <span className="flex h-4 items-end gap-0.5" aria-hidden="true">
        {[1, 2, 3, 4].map((bar) => (
          <span
            key={bar}
            className={`w-1 rounded-sm ${bar <= lit && quality ? COLOUR[quality] : 'bg-slate-500'}`}
            style={{ height: `${bar * 25}%` }}
          />
        ))}
      </span>
      <span aria-hidden="true">{words}</span>
    </span>
  );
}
