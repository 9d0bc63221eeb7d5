import type { KeyValueStore } from './alarms.ts';

/**
 * Screen calibration: how many CSS pixels make one real millimetre, so the
 * ECG is drawn at true scale (25 mm/s, 10 mm/mV) and a doctor can measure
 * intervals on the screen with a ruler.
 *
 * What is stored is the screen's density in DEVICE pixels per millimetre,
 * a property of the monitor. CSS pixels per millimetre follow from it and
 * the current devicePixelRatio, which also changes with browser zoom: at
 * 125 % zoom a CSS pixel is 1.25 device pixels, and the ECG stays the same
 * size on the glass.
 *
 * Without a measurement the default assumes the CSS reference of 96 CSS px
 * per inch (so devicePixelRatio × 96 / 25.4 device pixels per mm), which is
 * right on few real screens: the user refines it by holding a bank card
 * (ISO/IEC 7810 ID-1, 85.60 mm wide) against a card drawn on the screen and
 * resizing it until they match.
 */
export const CARD_WIDTH_MM = 85.6;
export const CARD_HEIGHT_MM = 53.98;
export const MM_PER_INCH = 25.4;
/** The CSS reference pixel: 96 per inch. */
export const NOMINAL_CSS_PX_PER_MM = 96 / MM_PER_INCH;
/**
 * Plausible CSS pixels per mm at zoom 100 %: a card between 43 and 300 mm
 * wide in CSS pixels would be a measuring mistake (or a 30 dpi projector).
 */
export const MIN_CSS_PX_PER_MM = 1.5;
export const MAX_CSS_PX_PER_MM = 12;

export interface ScreenCalibration {
  /** Device pixels per real millimetre, as measured. */
  readonly devicePxPerMm: number;
  readonly measuredAt: number;
}

/** The default: the CSS reference pixel, whatever the screen really is. */
export function defaultDevicePxPerMm(devicePixelRatio: number): number {
  return NOMINAL_CSS_PX_PER_MM * safeRatio(devicePixelRatio);
}

function safeRatio(devicePixelRatio: number): number {
  return Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
}

/** CSS pixels per real millimetre now: from the measurement if there is one, else the default. */
export function cssPxPerMm(calibration: ScreenCalibration | null, devicePixelRatio: number): number {
  if (!calibration) return NOMINAL_CSS_PX_PER_MM;
  return calibration.devicePxPerMm / safeRatio(devicePixelRatio);
}

/** The on-screen card's width in CSS pixels for a given density (to draw the card at its current size). */
export function cardWidthCssPx(pxPerMm: number): number {
  return CARD_WIDTH_MM * pxPerMm;
}

/**
 * The calibration from the card: the user made the on-screen card, drawn
 * `cardCssPx` CSS pixels wide, as wide as a real bank card. Null when that
 * is implausible (see MIN/MAX_CSS_PX_PER_MM).
 */
export function calibrationFromCard(
  cardCssPx: number,
  devicePixelRatio: number,
  now: number,
): ScreenCalibration | null {
  const perMm = cardCssPx / CARD_WIDTH_MM;
  if (!Number.isFinite(perMm) || perMm < MIN_CSS_PX_PER_MM || perMm > MAX_CSS_PX_PER_MM) return null;
  return { devicePxPerMm: perMm * safeRatio(devicePixelRatio), measuredAt: now };
}

/** How far the default is off, as a factor (1.1 = real millimetres are 10 % larger than assumed). */
export function correctionFactor(calibration: ScreenCalibration | null, devicePixelRatio: number): number {
  return cssPxPerMm(calibration, devicePixelRatio) / NOMINAL_CSS_PX_PER_MM;
}

export const CALIBRATION_KEY = 'legevakt.screen.calibration';

export function loadCalibration(store: Pick<KeyValueStore, 'getItem'>): ScreenCalibration | null {
  try {
    const parsed = JSON.parse(store.getItem(CALIBRATION_KEY) ?? 'null') as Partial<ScreenCalibration> | null;
    if (!parsed || typeof parsed.devicePxPerMm !== 'number' || typeof parsed.measuredAt !== 'number') return null;
    // Devices up to dpr 4 at the plausible CSS densities.
    if (!(parsed.devicePxPerMm >= MIN_CSS_PX_PER_MM && parsed.devicePxPerMm <= MAX_CSS_PX_PER_MM * 4)) return null;
    return { devicePxPerMm: parsed.devicePxPerMm, measuredAt: parsed.measuredAt };
  } catch {
    return null;
  }
}

export function saveCalibration(
  store: Pick<KeyValueStore, 'setItem' | 'removeItem'>,
  value: ScreenCalibration | null,
): void {
  if (value) store.setItem(CALIBRATION_KEY, JSON.stringify(value));
  else store.removeItem(CALIBRATION_KEY);
}
