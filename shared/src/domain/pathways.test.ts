import { describe, expect, it } from 'vitest';
import { ChecklistAnswers } from './consult.ts';
import { isEligible, PATHWAYS, pathwayById, redFlagsRaised, redFlagsUnanswered, type Pathway } from './pathways.ts';

function labelsOf(pathway: Pathway) {
  return [pathway.title, ...pathway.items.map((i) => i.label), ...pathway.redFlags.map((f) => f.label)];
}

describe('PATHWAYS', () => {
  it('has the six intake pathways with unique ids', () => {
    const ids = PATHWAYS.map((p) => p.id);
    expect(ids).toEqual(['uti-women', 'conjunctivitis', 'wound', 'child-fever', 'chest-pain', 'breathing-difficulty']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(PATHWAYS.map((p) => [p.id, p] as const))('%s: answer ids are unique and fit ChecklistAnswers', (_, p) => {
    // Items and red flags share one answers record, so they must not collide.
    const ids = [...p.items.map((i) => i.id), ...p.redFlags.map((f) => f.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const allYes = Object.fromEntries(ids.map((id) => [id, true]));
    expect(ChecklistAnswers.safeParse(allYes).success).toBe(true);
  });

  it.each(PATHWAYS.map((p) => [p.id, p] as const))('%s: every label has Norwegian and English text', (_, p) => {
    for (const label of labelsOf(p)) {
      expect(label.nb.trim()).not.toBe('');
      expect(label.en.trim()).not.toBe('');
    }
  });

  it.each(PATHWAYS.map((p) => [p.id, p] as const))('%s: has checklist items and red flags', (_, p) => {
    expect(p.items.length).toBeGreaterThanOrEqual(4);
    expect(p.redFlags.length).toBeGreaterThanOrEqual(4);
  });

  it('carries the red flags the brief of each pathway requires', () => {
    const flags = (id: string) => pathwayById(id)?.redFlags.map((f) => f.id);
    expect(flags('uti-women')).toEqual(
      expect.arrayContaining(['fever-chills', 'flank-pain', 'pregnant', 'male', 'catheter', 'immunosuppressed']),
    );
    expect(flags('child-fever')).toEqual(
      expect.arrayContaining(['under-3-months', 'petechiae', 'neck-stiffness', 'lethargic', 'dehydrated']),
    );
    expect(flags('chest-pain')).toEqual(
      expect.arrayContaining(['ongoing-over-15-min', 'sweating-nausea', 'syncope', 'known-cad']),
    );
    expect(flags('breathing-difficulty')).toEqual(
      expect.arrayContaining(['spo2-under-92', 'cannot-speak-sentences', 'cyanosis', 'silent-chest', 'rr-over-30']),
    );
    expect(flags('wound')).toEqual(
      expect.arrayContaining(['arterial-bleeding', 'tendon-nerve', 'bite', 'foreign-body', 'contaminated']),
    );
    expect(flags('conjunctivitis')).toEqual(
      expect.arrayContaining(['reduced-vision', 'severe-pain', 'photophobia', 'contact-lenses', 'trauma']),
    );
  });
});

describe('pathwayById', () => {
  it('finds a pathway and returns undefined for an unknown id', () => {
    expect(pathwayById('wound')?.title.en).toBe('Wound assessment');
    expect(pathwayById('nope')).toBeUndefined();
  });
});

describe('redFlagsRaised', () => {
  const uti = pathwayById('uti-women')!;

  it('returns nothing when no red flag is answered yes', () => {
    expect(redFlagsRaised(uti, {})).toEqual([]);
    expect(redFlagsRaised(uti, { 'fever-chills': false, pregnant: false, dysuria: true })).toEqual([]);
  });

  it('returns the raised red flags in pathway order, ignoring items and unknown keys', () => {
    const raised = redFlagsRaised(uti, { pregnant: true, 'fever-chills': true, dysuria: true, bogus: true });
    expect(raised.map((f) => f.id)).toEqual(['fever-chills', 'pregnant']);
  });

  it('does not read a red flag of one pathway in another', () => {
    const eye = pathwayById('conjunctivitis')!;
    expect(redFlagsRaised(eye, { pregnant: true })).toEqual([]);
    expect(redFlagsRaised(eye, { photophobia: true }).map((f) => f.id)).toEqual(['photophobia']);
  });
});

describe('redFlagsUnanswered', () => {
  it('lists red flags answered neither yes nor no', () => {
    const chest = pathwayById('chest-pain')!;
    const answers = Object.fromEntries(chest.redFlags.map((f) => [f.id, false]));
    expect(redFlagsUnanswered(chest, answers)).toEqual([]);
    delete answers['syncope'];
    expect(redFlagsUnanswered(chest, answers).map((f) => f.id)).toEqual(['syncope']);
    expect(redFlagsUnanswered(chest, {})).toHaveLength(chest.redFlags.length);
  });
});

describe('isEligible', () => {
  const uti = pathwayById('uti-women')!;
  const child = pathwayById('child-fever')!;

  it('applies inclusive age bounds and sex', () => {
    expect(isEligible(uti, { ageYears: 16, sex: 'female' })).toBe(true);
    expect(isEligible(uti, { ageYears: 55, sex: 'female' })).toBe(true);
    expect(isEligible(uti, { ageYears: 15, sex: 'female' })).toBe(false);
    expect(isEligible(uti, { ageYears: 56, sex: 'female' })).toBe(false);
    expect(isEligible(uti, { ageYears: 30, sex: 'male' })).toBe(false);
    expect(isEligible(child, { ageYears: 15, sex: 'male' })).toBe(true);
    expect(isEligible(child, { ageYears: 16, sex: 'male' })).toBe(false);
  });

  it('does not exclude on unknown age or sex', () => {
    expect(isEligible(uti, { ageYears: null, sex: 'unknown' })).toBe(true);
    expect(isEligible(pathwayById('wound')!, { ageYears: 90, sex: 'male' })).toBe(true);
  });
});
