import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_KEY,
  calibrationFromCard,
  cardWidthCssPx,
  correctionFactor,
  cssPxPerMm,
  defaultDevicePxPerMm,
  loadCalibration,
  NOMINAL_CSS_PX_PER_MM,
  saveCalibration,
} from './calibration.ts';

describe('screen calibration arithmetic', () => {
  it('defaults to 96 CSS px per inch, whatever the device pixel ratio', () => {
    expect(NOMINAL_CSS_PX_PER_MM).toBeCloseTo(3.7795, 4);
    expect(cssPxPerMm(null, 1)).toBeCloseTo(3.7795, 4);
    expect(cssPxPerMm(null, 2)).toBeCloseTo(3.7795, 4);
    expect(defaultDevicePxPerMm(2)).toBeCloseTo(7.559, 3);
    expect(defaultDevicePxPerMm(Number.NaN)).toBeCloseTo(3.7795, 4);
    // The default card is 85.6 mm of reference pixels: 323.5 CSS px.
    expect(cardWidthCssPx(cssPxPerMm(null, 1))).toBeCloseTo(323.53, 2);
  });

  it('makes a card matched at 362 CSS px 85.60 real mm wide', () => {
    // A 24" 1920×1080 monitor: 0.2768 mm pixels → 3.613 px/mm; a 14" laptop at dpr 1.5 is denser.
    const calibration = calibrationFromCard(362, 1, 0)!;
    expect(calibration.devicePxPerMm).toBeCloseTo(362 / 85.6, 10);
    expect(cssPxPerMm(calibration, 1) * 85.6).toBeCloseTo(362, 10);
    // 25 mm/s: one second of ECG is 25 real millimetres = 105.7 CSS px on this screen.
    expect(cssPxPerMm(calibration, 1) * 25).toBeCloseTo(105.72, 2);
    expect(correctionFactor(calibration, 1)).toBeCloseTo(362 / 323.53, 3);
  });

  it('keeps real millimetres when the browser zoom (device pixel ratio) changes after calibrating', () => {
    const calibration = calibrationFromCard(300, 1.5, 0)!;
    // Same physical size in device pixels: 300 CSS px × 1.5 = 450 device px for 85.6 mm.
    expect(calibration.devicePxPerMm).toBeCloseTo(450 / 85.6, 10);
    // Zoomed to 2.0: fewer, larger CSS px per mm, the same 450 device px.
    expect(cssPxPerMm(calibration, 2) * 85.6 * 2).toBeCloseTo(450, 10);
    expect(cssPxPerMm(calibration, 2)).toBeCloseTo(225 / 85.6, 10);
  });

  it('refuses an implausible card', () => {
    expect(calibrationFromCard(100, 1, 0)).toBeNull(); // 1.17 px/mm
    expect(calibrationFromCard(1100, 1, 0)).toBeNull(); // 12.85 px/mm
    expect(calibrationFromCard(Number.NaN, 1, 0)).toBeNull();
    expect(calibrationFromCard(130, 1, 0)).not.toBeNull(); // 1.52 px/mm: a large, coarse screen
  });

  it('persists, and ignores a corrupt or absurd stored value', () => {
    const map = new Map<string, string>();
    const store = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    expect(loadCalibration(store)).toBeNull();
    const calibration = calibrationFromCard(362, 1.25, 42)!;
    saveCalibration(store, calibration);
    expect(loadCalibration(store)).toEqual(calibration);
    map.set(CALIBRATION_KEY, '{"devicePxPerMm":0.01,"measuredAt":1}');
    expect(loadCalibration(store)).toBeNull();
    map.set(CALIBRATION_KEY, 'garbage');
    expect(loadCalibration(store)).toBeNull();
    saveCalibration(store, null);
    expect(map.has(CALIBRATION_KEY)).toBe(false);
  });
});
