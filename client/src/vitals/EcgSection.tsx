import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EcgLead, EcgStrip } from '@legevakt/shared';
import { matchShortcut, shortcutKeys } from '../app/shortcuts.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { CalibrationDialog } from './CalibrationDialog.tsx';
import { EcgCanvas } from './EcgCanvas.tsx';
import {
  autoLayout,
  availableLayouts,
  ecgLeadsOf,
  pageLayout,
  SWEEP_MM_PER_S,
  threeLeads,
  TWELVE_LEAD_SECONDS,
  type EcgLayoutKind,
} from './ecgLayout.ts';
import { windowOf } from './PopOut.tsx';
import { StripList, StripPicker } from './StripCapture.tsx';
import { freezeTrace, type FrozenTrace } from './stripWindow.ts';
import { useScreenCalibration } from './useScreenCalibration.ts';
import type { VitalsSnapshot, VitalsStore } from './VitalsStore.ts';

const MIN_SWEEP_MM = 50;
const MAX_SWEEP_MM = 300;

/**
 * The ECG part of the vitals panel: the live sweep in the layout the
 * stream's leads call for (switchable), screen calibration, and strip
 * capture ("Ta strimmel" or Alt+S: freeze, pick 10 s, save) with the
 * consult's captured strips below.
 */
export function EcgSection(props: { store: VitalsStore; snapshot: VitalsSnapshot; consultId: string }) {
  const { store, snapshot, consultId } = props;
  const { t } = useI18n();
  const { pxPerMm, calibration } = useScreenCalibration();
  const leadsKey = ecgLeadsOf(snapshot.traces.keys()).join(',');
  const leads = useMemo(() => (leadsKey === '' ? [] : (leadsKey.split(',') as EcgLead[])), [leadsKey]);
  const [choice, setChoice] = useState<EcgLayoutKind | null>(null);
  const [singleLead, setSingleLead] = useState<EcgLead | null>(null);
  const [frozen, setFrozen] = useState<FrozenTrace | null>(null);
  const [captured, setCaptured] = useState<EcgStrip[]>([]);
  const [calibrating, setCalibrating] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const containerRef = useRef<HTMLDivElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const [containerPx, setContainerPx] = useState(480);

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const observer = new (windowOf(element).ResizeObserver)(([entry]) => {
      if (entry) setContainerPx(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [leadsKey]);

  const available = availableLayouts(leads);
  const kind = choice && available.includes(choice) ? choice : autoLayout(leads);
  const widthMm =
    kind === 'twelve'
      ? TWELVE_LEAD_SECONDS * SWEEP_MM_PER_S
      : Math.max(MIN_SWEEP_MM, Math.min(MAX_SWEEP_MM, Math.floor(containerPx / pxPerMm) - 1));
  const page = useMemo(
    () => (kind ? pageLayout(kind, leads, widthMm, singleLead ?? undefined) : null),
    [kind, leads, widthMm, singleLead],
  );

  const freeze = useCallback(() => {
    if (!page) return;
    const lead = page.leads.includes('II') ? 'II' : page.leads[0];
    const trace = lead ? store.getSnapshot().traces.get(lead) : undefined;
    if (!trace || trace.received < 2) return;
    setAnnouncement('');
    setFrozen(freezeTrace(trace));
  }, [store, page]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // One matcher for every shortcut (app/shortcuts.ts): Alt+S also as "ß" on a Mac, never while typing.
      if (matchShortcut(event) === 'captureStrip') {
        event.preventDefault();
        freeze();
      }
    };
    // The panel's own window: Alt+S works where the panel is, also popped out.
    const view = windowOf(sectionRef.current);
    view.addEventListener('keydown', onKey);
    return () => view.removeEventListener('keydown', onKey);
  }, [freeze]);

  if (!page || !kind) return null;
  const layoutLabel = (k: EcgLayoutKind): string => {
    if (k === 'twelve') return t('vitals.ecg.layout.twelve');
    const count = k === 'single' ? 1 : threeLeads(leads).length;
    return `${count} ${count === 1 ? t('vitals.ecg.lead') : t('vitals.ecg.leads')}`;
  };
  const description = `${t('vitals.ecg')} ${page.leads.join(', ')}, ${t('vitals.scale')}`;

  return (
    <figure ref={sectionRef} className="flex flex-col gap-2" data-testid="ecg-section">
      <figcaption className="text-sm">
        {t('vitals.ecg')} {kind === 'twelve' ? t('vitals.ecg.layout.twelve') : page.leads.join(', ')} ·{' '}
        {t('vitals.scale')} ·{' '}
        <span className={calibration ? '' : 'text-amber-300'}>
          {calibration ? t('vitals.calibration.calibrated') : t('vitals.calibration.uncalibrated')}
        </span>
      </figcaption>
      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label={t('vitals.ecg.layout')} className="flex gap-1">
          {available.map((k) => (
            <button
              key={k}
              type="button"
              aria-pressed={k === kind}
              className="min-h-12 rounded-lg border-2 border-slate-400 px-3 font-semibold aria-pressed:border-white aria-pressed:bg-white aria-pressed:text-slate-900"
              onClick={() => setChoice(k)}
            >
              {layoutLabel(k)}
            </button>
          ))}
        </div>
        {kind === 'single' && leads.length > 1 ? (
          <label className="flex items-center gap-2">
            {t('vitals.ecg.singleLead')}
            <select
              className="min-h-12 rounded-lg border-2 border-slate-400 bg-slate-900 px-2"
              value={page.leads[0]}
              onChange={(e) => setSingleLead(e.target.value as EcgLead)}
            >
              {leads.map((lead) => (
                <option key={lead} value={lead}>
                  {lead}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button
          type="button"
          aria-keyshortcuts={shortcutKeys('captureStrip')}
          disabled={frozen !== null}
          className="min-h-12 rounded-lg bg-sky-300 px-4 font-semibold text-slate-900 disabled:opacity-50"
          onClick={freeze}
        >
          {t('vitals.strip.take')} <span className="text-sm font-normal">({shortcutKeys('captureStrip')})</span>
        </button>
        <button
          type="button"
          className="min-h-12 rounded-lg border-2 border-slate-400 px-3 font-semibold"
          onClick={() => setCalibrating(true)}
        >
          {t('vitals.calibration.button')}
        </button>
      </div>
      <div ref={containerRef} className="overflow-x-auto">
        <EcgCanvas store={store} page={page} pxPerMm={pxPerMm} frozen={frozen !== null} label={description} />
      </div>
      {frozen ? (
        <StripPicker
          consultId={consultId}
          frozen={frozen}
          onCancel={() => setFrozen(null)}
          onCaptured={(strip) => {
            setCaptured((list) => [...list, strip]);
            setFrozen(null);
            setAnnouncement(t('vitals.strip.saved'));
          }}
        />
      ) : null}
      <p role="status" className="text-sm font-semibold">
        {announcement}
      </p>
      <StripList consultId={consultId} added={captured} />
      {calibrating ? <CalibrationDialog onClose={() => setCalibrating(false)} /> : null}
    </figure>
  );
}
