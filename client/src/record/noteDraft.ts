import { Decision } from '@legevakt/shared';

/**
 * The doctor's unsigned note, kept in localStorage under the consult's id so
 * that a reload, a crashed tab or the move from the call to the documentation
 * screen loses nothing. Cleared when the note is signed. Only this browser
 * holds it: an unsigned draft is not part of the record.
 */
export interface NoteDraft {
  findings: string;
  assessment: string;
  plan: string;
  /** Null until the doctor picks one. */
  decision: Decision | null;
  decisionDetail: string;
}

export const EMPTY_DRAFT: NoteDraft = { findings: '', assessment: '', plan: '', decision: null, decisionDetail: '' };

const PREFIX = 'legevakt.noteDraft.';

export const draftKey = (consultId: string): string => `${PREFIX}${consultId}`;

/** The part of the Web Storage API the drafts use (localStorage in the browser, a map in tests). */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The stored draft, or an empty one. A draft that is not JSON or has the wrong
 * shape (another version, a hand edit) yields what can be read of it, never
 * an exception: the form must open whatever is stored.
 */
export function loadDraft(storage: DraftStorage, consultId: string): NoteDraft {
  let raw: string | null;
  try {
    raw = storage.getItem(draftKey(consultId));
  } catch {
    return { ...EMPTY_DRAFT };
  }
  if (raw === null) return { ...EMPTY_DRAFT };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ...EMPTY_DRAFT };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ...EMPTY_DRAFT };
  const o = parsed as Record<string, unknown>;
  const decision = Decision.safeParse(o['decision']);
  return {
    findings: text(o['findings']),
    assessment: text(o['assessment']),
    plan: text(o['plan']),
    decision: decision.success ? decision.data : null,
    decisionDetail: text(o['decisionDetail']),
  };
}

/**
 * Stores the draft (an empty one is removed instead). Returns false when the
 * browser refused (storage full or disabled), so the form can say the draft
 * is not kept.
 */
export function saveDraft(storage: DraftStorage, consultId: string, draft: NoteDraft): boolean {
  try {
    if (isEmpty(draft)) storage.removeItem(draftKey(consultId));
    else storage.setItem(draftKey(consultId), JSON.stringify(draft));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(storage: DraftStorage, consultId: string): void {
  try {
    storage.removeItem(draftKey(consultId));
  } catch {
    // Nothing to do: a draft that cannot be removed is overwritten by the next one or ignored once signed.
  }
}

export function isEmpty(draft: NoteDraft): boolean {
  return (
    draft.findings.trim() === '' &&
    draft.assessment.trim() === '' &&
    draft.plan.trim() === '' &&
    draft.decision === null &&
    draft.decisionDetail.trim() === ''
  );
}

/** What is still missing before the note can be signed (the server checks the same, see ClinicalNoteInput). */
export function missingForSigning(draft: NoteDraft): ('assessment' | 'plan' | 'decision')[] {
  const missing: ('assessment' | 'plan' | 'decision')[] = [];
  if (draft.assessment.trim() === '') missing.push('assessment');
  if (draft.plan.trim() === '') missing.push('plan');
  if (draft.decision === null) missing.push('decision');
  return missing;
}
