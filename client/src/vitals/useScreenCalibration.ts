import { useSyncExternalStore } from 'react';
import {
  CALIBRATION_KEY,
  cssPxPerMm,
  loadCalibration,
  saveCalibration,
  type ScreenCalibration,
} from './calibration.ts';

export interface ScreenScale {
  /** CSS pixels per real millimetre, now. */
  readonly pxPerMm: number;
  readonly calibration: ScreenCalibration | null;
  readonly devicePixelRatio: number;
}

const listeners = new Set<() => void>();
let cached: { key: string; value: ScreenScale } | null = null;

function snapshot(): ScreenScale {
  const dpr = window.devicePixelRatio || 1;
  const key = `${localStorage.getItem(CALIBRATION_KEY) ?? ''}|${dpr}`;
  if (cached?.key !== key) {
    const calibration = loadCalibration(localStorage);
    cached = { key, value: { pxPerMm: cssPxPerMm(calibration, dpr), calibration, devicePixelRatio: dpr } };
  }
  return cached.value;
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  // Another window (the popped-out vitals, another tab) saved a calibration.
  const onStorage = (event: StorageEvent) => {
    if (event.key === CALIBRATION_KEY || event.key === null) onChange();
  };
  window.addEventListener('storage', onStorage);
  // Browser zoom or a move to another screen changes devicePixelRatio: re-arm for the new value.
  let query: MediaQueryList | null = null;
  const watchRatio = () => {
    query?.removeEventListener('change', onRatio);
    query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    query.addEventListener('change', onRatio);
  };
  const onRatio = () => {
    watchRatio();
    onChange();
  };
  watchRatio();
  return () => {
    listeners.delete(onChange);
    window.removeEventListener('storage', onStorage);
    query?.removeEventListener('change', onRatio);
  };
}

/** Stores (or, with null, forgets) the calibration and redraws every ECG at the new scale. */
export function saveScreenCalibration(value: ScreenCalibration | null): void {
  saveCalibration(localStorage, value);
  for (const listener of [...listeners]) listener();
}

/** The screen's scale for true-size ECG (calibration.ts), following zoom and other windows' changes. */
export function useScreenCalibration(): ScreenScale {
  return useSyncExternalStore(subscribe, snapshot);
}
