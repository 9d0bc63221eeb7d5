import { useId, useState } from 'react';
import { formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import {
  CARD_HEIGHT_MM,
  CARD_WIDTH_MM,
  calibrationFromCard,
  cardWidthCssPx,
  MAX_CSS_PX_PER_MM,
  MIN_CSS_PX_PER_MM,
  NOMINAL_CSS_PX_PER_MM,
} from './calibration.ts';
import { Modal } from './Modal.tsx';
import { saveScreenCalibration, useScreenCalibration } from './useScreenCalibration.ts';

const MIN_CARD_PX = Math.ceil(CARD_WIDTH_MM * MIN_CSS_PX_PER_MM);
const MAX_CARD_PX = Math.floor(CARD_WIDTH_MM * MAX_CSS_PX_PER_MM);

/**
 * Screen calibration with a bank card: the user holds a real card (85.60 mm)
 * against the screen and resizes the drawn card until the two are equally
 * wide. Stored for this browser (localStorage); every ECG uses it at once.
 */
export function CalibrationDialog({ onClose }: { onClose: () => void }) {
  const { t, locale } = useI18n();
  const { pxPerMm, devicePixelRatio, calibration } = useScreenCalibration();
  const [cardPx, setCardPx] = useState(() => Math.round(cardWidthCssPx(pxPerMm) * 2) / 2);
  // Validity only: the time stamp is set when saving.
  const candidate = calibrationFromCard(cardPx, devicePixelRatio, 0);
  const id = useId();
  const nudge = (delta: number) => setCardPx((v) => Math.min(MAX_CARD_PX, Math.max(MIN_CARD_PX, v + delta)));
  const perMm = cardPx / CARD_WIDTH_MM;

  return (
    <Modal title={t('vitals.calibration.title')} onClose={onClose}>
      <div className="flex max-w-[90vw] flex-col gap-3">
        <p>{t('vitals.calibration.instructions')}</p>
        <p className="text-sm text-slate-700">
          {calibration ? t('vitals.calibration.current') : t('vitals.calibration.uncalibrated')}
        </p>
        <div className="overflow-x-auto py-2">
          <div
            data-testid="calibration-card"
            className="flex items-end rounded-[3.18mm] border-2 border-slate-900 bg-gradient-to-br from-sky-200 to-sky-400 p-2 text-sm font-semibold text-slate-900"
            style={{
              width: `${cardPx}px`,
              height: `${(cardPx * CARD_HEIGHT_MM) / CARD_WIDTH_MM}px`,
              borderRadius: `${3.18 * perMm}px`,
            }}
          >
            {t('vitals.calibration.card')}
          </div>
        </div>
        <label className="flex flex-col gap-1" htmlFor={`${id}-width`}>
          <span className="font-semibold">{t('vitals.calibration.width')}</span>
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <button
            type="button"
            className="min-h-12 min-w-12 rounded-xl border-2 border-slate-700 px-3 text-xl font-bold"
            aria-label={t('vitals.calibration.narrower')}
            onClick={() => nudge(-0.5)}
          >
            −
          </button>
          <input
            id={`${id}-width`}
            type="range"
            min={MIN_CARD_PX}
            max={MAX_CARD_PX}
            step={0.5}
            value={cardPx}
            onChange={(e) => setCardPx(Number(e.target.value))}
            aria-valuetext={`${formatNumber(cardPx, locale, 1)} px`}
            className="min-h-12 w-72"
          />
          <button
            type="button"
            className="min-h-12 min-w-12 rounded-xl border-2 border-slate-700 px-3 text-xl font-bold"
            aria-label={t('vitals.calibration.wider')}
            onClick={() => nudge(0.5)}
          >
            +
          </button>
        </div>
        <p className="text-sm tabular-nums" aria-live="polite">
          1 mm = {formatNumber(perMm, locale, 2)} px ({formatNumber((perMm / NOMINAL_CSS_PX_PER_MM) * 100, locale, 1)} %{' '}
          {t('vitals.calibration.ofDefault')})
        </p>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            disabled={!candidate}
            className="min-h-12 rounded-xl bg-sky-800 px-5 font-semibold text-white disabled:opacity-50"
            onClick={() => {
              saveScreenCalibration(calibrationFromCard(cardPx, devicePixelRatio, Date.now()));
              onClose();
            }}
          >
            {t('vitals.calibration.save')}
          </button>
          <button
            type="button"
            className="min-h-12 rounded-xl border-2 border-slate-700 px-5 font-semibold"
            onClick={() => {
              saveScreenCalibration(null);
              onClose();
            }}
          >
            {t('vitals.calibration.reset')}
          </button>
          <button type="button" className="min-h-12 rounded-xl px-5 font-semibold underline" onClick={onClose}>
            {t('vitals.cancel')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
