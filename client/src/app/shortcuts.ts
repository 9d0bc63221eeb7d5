import { useEffect, useRef } from 'react';

/**
 * Every keyboard shortcut of the app in one place, so the help dialog, the
 * tooltips (aria-keyshortcuts) and the key handlers cannot disagree.
 */
export type ShortcutId = 'takeNext' | 'mute' | 'camera' | 'captureStrip' | 'endCall' | 'help';

export interface Shortcut {
  readonly id: ShortcutId;
  /** KeyboardEvent.code: layout-independent, and what a Mac sends when Alt turns "s" into "ß". Null: by character only. */
  readonly code: string | null;
  /** KeyboardEvent.key (lower case) as a fallback for keyboards whose code differs. */
  readonly key: string;
  /** As written in aria-keyshortcuts and shown to the user. */
  readonly keys: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'takeNext', code: 'KeyN', key: 'n', keys: 'Alt+N' },
  { id: 'mute', code: 'KeyM', key: 'm', keys: 'Alt+M' },
  { id: 'camera', code: 'KeyV', key: 'v', keys: 'Alt+V' },
  { id: 'captureStrip', code: 'KeyS', key: 's', keys: 'Alt+S' },
  { id: 'endCall', code: 'KeyE', key: 'e', keys: 'Alt+E' },
  // "?" is Shift+Slash on a US keyboard and Shift+"+" on a Norwegian one: match the character only.
  { id: 'help', code: null, key: '?', keys: 'Alt+?' },
];

export function shortcutKeys(id: ShortcutId): string {
  const shortcut = SHORTCUTS.find((s) => s.id === id);
  if (!shortcut) throw new Error(`unknown shortcut ${id}`);
  return shortcut.keys;
}

/** The parts of a KeyboardEvent the matcher reads (so it is testable without a DOM). */
export interface KeyPress {
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly key: string;
  readonly code: string;
  readonly target?: unknown;
}

/** The kinds of <input> that take no typed text: a shortcut there is not a keystroke lost. */
const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image']);

interface ElementLike {
  readonly tagName?: unknown;
  readonly type?: unknown;
  readonly isContentEditable?: unknown;
}

/** True while the user is typing: in a text field, a text area or an editable element. */
export function isTypingTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const element = target as ElementLike;
  if (element.isContentEditable === true) return true;
  const tag = typeof element.tagName === 'string' ? element.tagName.toUpperCase() : '';
  if (tag === 'TEXTAREA') return true;
  if (tag === 'INPUT')
    return !NON_TEXT_INPUTS.has(typeof element.type === 'string' ? element.type.toLowerCase() : 'text');
  return false;
}

/** The shortcut a key press means, or null: Alt alone (no Ctrl/Cmd), never while typing. */
export function matchShortcut(event: KeyPress): ShortcutId | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  if (isTypingTarget(event.target)) return null;
  const key = event.key.toLowerCase();
  const found = SHORTCUTS.find((s) => (s.code !== null && s.code === event.code) || s.key === key);
  return found?.id ?? null;
}

/**
 * Calls `handler` when the shortcut is pressed in `view` (the page's window by
 * default; a popped-out panel passes its own). The latest handler is always
 * used, so callers need not memoise it.
 */
export function useShortcut(
  id: ShortcutId,
  handler: () => void,
  options: { enabled?: boolean; view?: Window | null } = {},
): void {
  const { enabled = true, view } = options;
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!enabled) return;
    const target = view ?? window;
    const onKey = (event: KeyboardEvent) => {
      if (matchShortcut(event) !== id) return;
      event.preventDefault();
      latest.current();
    };
    target.addEventListener('keydown', onKey);
    return () => target.removeEventListener('keydown', onKey);
  }, [id, enabled, view]);
}
