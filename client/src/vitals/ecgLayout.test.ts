import { ECG_LEADS } from '@legevakt/shared';
import { describe, expect, it } from 'vitest';
import {
  autoLayout,
  availableLayouts,
  defaultSingleLead,
  ecgLeadsOf,
  leadAt,
  pageLayout,
  stripPage,
  threeLeads,
} from './ecgLayout.ts';

describe('ECG layouts', () => {
  it('chooses the layout from the stream’s leads', () => {
    const twelve = ecgLeadsOf(['Pleth', ...[...ECG_LEADS].reverse()]);
    expect(twelve).toEqual([...ECG_LEADS]);
    expect(availableLayouts(twelve)).toEqual(['single', 'three', 'twelve']);
    expect(autoLayout(twelve)).toBe('twelve');
    expect(autoLayout(ecgLeadsOf(['II', 'V5']))).toBe('three');
    expect(autoLayout(ecgLeadsOf(['II', 'Pleth']))).toBe('single');
    expect(autoLayout(ecgLeadsOf(['Pleth']))).toBeNull();
    expect(availableLayouts(ecgLeadsOf(['I', 'II', 'III', 'V1']))).toEqual(['single', 'three']);
  });

  it('stacks I, II, III when present, else what there is; one lead is II first', () => {
    expect(threeLeads([...ECG_LEADS])).toEqual(['I', 'II', 'III']);
    expect(threeLeads(['II', 'V5'])).toEqual(['II', 'V5']);
    expect(threeLeads(['II', 'V1', 'V5', 'V6'])).toEqual(['II', 'V1', 'V5']);
    expect(defaultSingleLead([...ECG_LEADS])).toBe('II');
    expect(defaultSingleLead(['V1', 'V5'])).toBe('V5');
    expect(defaultSingleLead(['aVL'])).toBe('aVL');
    expect(defaultSingleLead([])).toBeNull();
  });

  it('lays out the 12-lead page as 3 × 4 columns of 2.5 s with a 10 s lead II rhythm strip', () => {
    const page = pageLayout('twelve', [...ECG_LEADS], 250);
    expect(page.widthMm).toBe(250);
    expect(page.lanes).toHaveLength(4);
    const grid = page.lanes.slice(0, 3).map((lane) => lane.segments.map((s) => s.lead));
    expect(grid).toEqual([
      ['I', 'aVR', 'V1', 'V4'],
      ['II', 'aVL', 'V2', 'V5'],
      ['III', 'aVF', 'V3', 'V6'],
    ]);
    // 62.5 mm = 2.5 s at 25 mm/s per column; the columns follow each other in time.
    expect(page.lanes[0]!.segments.map((s) => [s.fromMm, s.toMm])).toEqual([
      [0, 62.5],
      [62.5, 125],
      [125, 187.5],
      [187.5, 250],
    ]);
    expect(leadAt(page.lanes[1]!, 62.4)).toBe('II');
    expect(leadAt(page.lanes[1]!, 62.5)).toBe('aVL');
    expect(leadAt(page.lanes[2]!, 249.9)).toBe('V6');
    expect(page.lanes[3]!.segments).toEqual([{ fromMm: 0, toMm: 250, lead: 'II' }]);
    expect(page.lanes.map((l) => l.topMm)).toEqual([0, 25, 50, 75]);
  });

  it('draws the chosen single lead, or the default when the choice is not on the stream', () => {
    expect(pageLayout('single', ['II', 'V5'], 120, 'V5').leads).toEqual(['V5']);
    expect(pageLayout('single', ['II', 'V5'], 120, 'aVR').leads).toEqual(['II']);
    expect(pageLayout('three', ['II', 'V5'], 150).lanes.map((l) => l.segments[0]!.lead)).toEqual(['II', 'V5']);
    expect(pageLayout('single', [], 120).lanes).toEqual([]);
  });
});

describe('strip pages', () => {
  it('shows a 12-lead strip in the 3 × 4 format and any other strip one lead per row', () => {
    expect(stripPage([...ECG_LEADS], 250).kind).toBe('twelve');
    const twoLeads = stripPage(['II', 'V5'], 100);
    expect(twoLeads.lanes.map((l) => [l.topMm, l.segments])).toEqual([
      [0, [{ fromMm: 0, toMm: 100, lead: 'II' }]],
      [25, [{ fromMm: 0, toMm: 100, lead: 'V5' }]],
    ]);
    expect(stripPage(['I', 'II', 'III', 'V1', 'V2'], 250).lanes).toHaveLength(5);
  });
});
