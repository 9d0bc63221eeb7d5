import { ECG_LEADS, type EcgLead, type WaveformSignal } from '@legevakt/shared';

/**
 * ECG page layouts, in millimetres at 25 mm/s and 10 mm/mV:
 * - `single`: one lead;
 * - `three`: up to three leads stacked (I, II, III when there, as on a
 *   3/5-electrode monitor; otherwise the leads there are, e.g. MIT-BIH's II
 *   and V5);
 * - `twelve`: the standard 12-lead format clinicians read on paper: 3 rows ×
 *   4 columns of 2.5 s (I/II/III, aVR/aVL/aVF, V1–V3, V4–V6, the columns
 *   consecutive in time) and a 10 s lead II rhythm strip below.
 */
export type EcgLayoutKind = 'single' | 'three' | 'twelve';

export const SWEEP_MM_PER_S = 25;
export const MM_PER_MV = 10;

/** Columns of the 3×4 format, each top to bottom. */
export const TWELVE_LEAD_COLUMNS: readonly (readonly EcgLead[])[] = [
  ['I', 'II', 'III'],
  ['aVR', 'aVL', 'aVF'],
  ['V1', 'V2', 'V3'],
  ['V4', 'V5', 'V6'],
];
export const RHYTHM_LEAD: EcgLead = 'II';
/** The 3×4 page is 10 s wide. */
export const TWELVE_LEAD_SECONDS = 10;

const SINGLE_PREFERENCE: readonly EcgLead[] = ['II', 'I', 'V5', 'V1', 'III', 'aVF'];
const THREE_PREFERENCE: readonly EcgLead[] = ['I', 'II', 'III'];

/** The ECG leads among some signals, in standard order (I, II, III, aVR … V6). */
export function ecgLeadsOf(signals: Iterable<WaveformSignal>): EcgLead[] {
  const present = new Set<string>(signals);
  return ECG_LEADS.filter((lead) => present.has(lead));
}

export function availableLayouts(leads: readonly EcgLead[]): EcgLayoutKind[] {
  const out: EcgLayoutKind[] = [];
  if (leads.length >= 1) out.push('single');
  if (leads.length >= 2) out.push('three');
  if (ECG_LEADS.every((lead) => leads.includes(lead))) out.push('twelve');
  return out;
}

/** What a stream's leads call for: all twelve → the 12-lead page; several → stacked; one → one. */
export function autoLayout(leads: readonly EcgLead[]): EcgLayoutKind | null {
  return availableLayouts(leads).at(-1) ?? null;
}

export function defaultSingleLead(leads: readonly EcgLead[]): EcgLead | null {
  return SINGLE_PREFERENCE.find((l) => leads.includes(l)) ?? leads[0] ?? null;
}

/** The stacked leads: I, II, III where present, filled up to three with the others in standard order. */
export function threeLeads(leads: readonly EcgLead[]): EcgLead[] {
  const chosen = THREE_PREFERENCE.filter((l) => leads.includes(l));
  for (const lead of leads) {
    if (chosen.length >= 3) break;
    if (!chosen.includes(lead)) chosen.push(lead);
  }
  return ECG_LEADS.filter((l) => chosen.includes(l));
}

/** A horizontal band of the page; `segments` say which lead is drawn over which x range. */
export interface Lane {
  readonly topMm: number;
  readonly heightMm: number;
  readonly segments: readonly { readonly fromMm: number; readonly toMm: number; readonly lead: EcgLead }[];
}

export interface EcgPage {
  readonly kind: EcgLayoutKind;
  readonly widthMm: number;
  readonly heightMm: number;
  readonly lanes: readonly Lane[];
  /** Every lead the page draws (what has to be on the stream). */
  readonly leads: readonly EcgLead[];
}

const SINGLE_LANE_MM = 30;
const STACKED_LANE_MM = 25;

/**
 * The page for a layout. `widthMm` is the width available (the sweep's
 * width, or a strip's duration × 25 mm/s); the 12-lead page divides it into
 * its four columns.
 */
export function pageLayout(
  kind: EcgLayoutKind,
  leads: readonly EcgLead[],
  widthMm: number,
  singleLead?: EcgLead,
): EcgPage {
  const whole = (lead: EcgLead, index: number, height: number): Lane => ({
    topMm: index * height,
    heightMm: height,
    segments: [{ fromMm: 0, toMm: widthMm, lead }],
  });
  if (kind === 'twelve') {
    const column = widthMm / TWELVE_LEAD_COLUMNS.length;
    const lanes: Lane[] = [0, 1, 2].map((row) => ({
      topMm: row * STACKED_LANE_MM,
      heightMm: STACKED_LANE_MM,
      segments: TWELVE_LEAD_COLUMNS.map((leadsOfColumn, c) => ({
        fromMm: c * column,
        toMm: (c + 1) * column,
        lead: leadsOfColumn[row]!,
      })),
    }));
    lanes.push(whole(RHYTHM_LEAD, 3, STACKED_LANE_MM));
    return { kind, widthMm, heightMm: 4 * STACKED_LANE_MM, lanes, leads: [...ECG_LEADS] };
  }
  if (kind === 'three') {
    const stacked = threeLeads(leads);
    return {
      kind,
      widthMm,
      heightMm: stacked.length * STACKED_LANE_MM,
      lanes: stacked.map((lead, i) => whole(lead, i, STACKED_LANE_MM)),
      leads: stacked,
    };
  }
  const lead = singleLead && leads.includes(singleLead) ? singleLead : defaultSingleLead(leads);
  if (!lead) return { kind, widthMm, heightMm: SINGLE_LANE_MM, lanes: [], leads: [] };
  return { kind, widthMm, heightMm: SINGLE_LANE_MM, lanes: [whole(lead, 0, SINGLE_LANE_MM)], leads: [lead] };
}

/** The lead a lane draws at x (mm). */
export function leadAt(lane: Lane, xMm: number): EcgLead {
  for (const segment of lane.segments) if (xMm < segment.toMm) return segment.lead;
  return lane.segments.at(-1)!.lead;
}

/**
 * A captured strip's page: the 3×4 + rhythm format when it has all twelve
 * leads (the columns then divide the strip's duration), else every lead of
 * the strip on its own row.
 */
export function stripPage(leads: readonly EcgLead[], widthMm: number): EcgPage {
  if (ECG_LEADS.every((lead) => leads.includes(lead))) return pageLayout('twelve', leads, widthMm);
  return {
    kind: leads.length === 1 ? 'single' : 'three',
    widthMm,
    heightMm: leads.length * STACKED_LANE_MM,
    lanes: leads.map((lead, i) => ({
      topMm: i * STACKED_LANE_MM,
      heightMm: STACKED_LANE_MM,
      segments: [{ fromMm: 0, toMm: widthMm, lead }],
    })),
    leads: [...leads],
  };
}
