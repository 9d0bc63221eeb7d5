import { describe, expect, it } from 'vitest';
import {
  clearDraft,
  draftKey,
  EMPTY_DRAFT,
  loadDraft,
  missingForSigning,
  saveDraft,
  type DraftStorage,
  type NoteDraft,
} from './noteDraft.ts';

class MemoryStorage implements DraftStorage {
  readonly items = new Map<string, string>();
  full = false;
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.full) throw new DOMException('quota exceeded', 'QuotaExceededError');
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const A = '6f1c1e0e-4a43-4d55-9c1b-1f7f2c9d0a01';
const B = '6f1c1e0e-4a43-4d55-9c1b-1f7f2c9d0a02';
const draft: NoteDraft = {
  findings: 'Afebril.',
  assessment: 'Cystitt.',
  plan: 'Pivmecillinam.',
  decision: 'treat-at-satellite',
  decisionDetail: 'Ring ved feber.',
};

describe('note drafts', () => {
  it('keeps a draft per consult until it is cleared', () => {
    const storage = new MemoryStorage();
    expect(loadDraft(storage, A)).toEqual(EMPTY_DRAFT);
    expect(saveDraft(storage, A, draft)).toBe(true);
    expect(loadDraft(storage, A)).toEqual(draft);
    expect(loadDraft(storage, B)).toEqual(EMPTY_DRAFT);
    clearDraft(storage, A);
    expect(loadDraft(storage, A)).toEqual(EMPTY_DRAFT);
    expect(storage.items.size).toBe(0);
  });

  it('removes the entry instead of storing an empty draft', () => {
    const storage = new MemoryStorage();
    saveDraft(storage, A, draft);
    saveDraft(storage, A, { ...EMPTY_DRAFT, findings: '   ' });
    expect(storage.items.has(draftKey(A))).toBe(false);
  });

  it('reads what it can of a corrupt or foreign draft, never throwing', () => {
    const storage = new MemoryStorage();
    storage.items.set(draftKey(A), '{not json');
    expect(loadDraft(storage, A)).toEqual(EMPTY_DRAFT);
    storage.items.set(draftKey(A), JSON.stringify({ plan: 'Behold meg', decision: 'send-home', findings: 42 }));
    expect(loadDraft(storage, A)).toEqual({ ...EMPTY_DRAFT, plan: 'Behold meg' });
    storage.items.set(draftKey(A), 'null');
    expect(loadDraft(storage, A)).toEqual(EMPTY_DRAFT);
  });

  it('reports a draft the browser would not store', () => {
    const storage = new MemoryStorage();
    storage.full = true;
    expect(saveDraft(storage, A, draft)).toBe(false);
  });

  it('names what is missing before signing', () => {
    expect(missingForSigning(EMPTY_DRAFT)).toEqual(['assessment', 'plan', 'decision']);
    expect(missingForSigning({ ...draft, plan: '  ' })).toEqual(['plan']);
    expect(missingForSigning(draft)).toEqual([]);
  });
});
