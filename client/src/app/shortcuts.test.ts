import { describe, expect, it } from 'vitest';
import { isTypingTarget, matchShortcut, SHORTCUTS, shortcutKeys, type KeyPress } from './shortcuts.ts';

const press = (over: Partial<KeyPress>): KeyPress => ({
  altKey: true,
  ctrlKey: false,
  metaKey: false,
  key: '',
  code: '',
  target: { tagName: 'BODY' },
  ...over,
});

describe('matchShortcut', () => {
  it('maps Alt+letter to the doctor’s shortcuts', () => {
    expect(matchShortcut(press({ key: 'n', code: 'KeyN' }))).toBe('takeNext');
    expect(matchShortcut(press({ key: 'm', code: 'KeyM' }))).toBe('mute');
    expect(matchShortcut(press({ key: 'v', code: 'KeyV' }))).toBe('camera');
    expect(matchShortcut(press({ key: 's', code: 'KeyS' }))).toBe('captureStrip');
    expect(matchShortcut(press({ key: 'e', code: 'KeyE' }))).toBe('endCall');
    expect(matchShortcut(press({ key: 'N', code: 'KeyN' }))).toBe('takeNext');
  });

  it('matches by physical key when Alt changes the character (Mac: Alt+S types ß)', () => {
    expect(matchShortcut(press({ key: 'ß', code: 'KeyS' }))).toBe('captureStrip');
    expect(matchShortcut(press({ key: 'µ', code: 'KeyM' }))).toBe('mute');
  });

  it('opens the help with Alt+? on any layout, but not with Alt+- (Slash on a Norwegian keyboard)', () => {
    expect(matchShortcut(press({ key: '?', code: 'Slash' }))).toBe('help');
    expect(matchShortcut(press({ key: '?', code: 'Minus' }))).toBe('help');
    expect(matchShortcut(press({ key: '-', code: 'Slash' }))).toBeNull();
  });

  it('ignores keys without Alt, or with Ctrl or Cmd too, and unknown keys', () => {
    expect(matchShortcut(press({ altKey: false, key: 'n', code: 'KeyN' }))).toBeNull();
    expect(matchShortcut(press({ ctrlKey: true, key: 'n', code: 'KeyN' }))).toBeNull();
    expect(matchShortcut(press({ metaKey: true, key: 'e', code: 'KeyE' }))).toBeNull();
    expect(matchShortcut(press({ key: 'q', code: 'KeyQ' }))).toBeNull();
  });

  it('never fires while typing in a text field, a text area or an editable element', () => {
    const n = { key: 'n', code: 'KeyN' };
    expect(matchShortcut(press({ ...n, target: { tagName: 'INPUT', type: 'text' } }))).toBeNull();
    expect(matchShortcut(press({ ...n, target: { tagName: 'INPUT', type: 'number' } }))).toBeNull();
    expect(matchShortcut(press({ ...n, target: { tagName: 'INPUT' } }))).toBeNull();
    expect(matchShortcut(press({ ...n, target: { tagName: 'TEXTAREA' } }))).toBeNull();
    expect(matchShortcut(press({ ...n, target: { tagName: 'DIV', isContentEditable: true } }))).toBeNull();
    // A checkbox or a button takes no text: the shortcut works there.
    expect(matchShortcut(press({ ...n, target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe('takeNext');
    expect(matchShortcut(press({ ...n, target: { tagName: 'BUTTON' } }))).toBe('takeNext');
    expect(matchShortcut(press({ ...n, target: null }))).toBe('takeNext');
  });
});

describe('the shortcut table', () => {
  it('has one entry per shortcut and no two on the same key', () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
    expect(new Set(SHORTCUTS.map((s) => s.keys)).size).toBe(SHORTCUTS.length);
    expect(shortcutKeys('takeNext')).toBe('Alt+N');
  });

  it('isTypingTarget needs an element', () => {
    expect(isTypingTarget(undefined)).toBe(false);
    expect(isTypingTarget('INPUT')).toBe(false);
  });
});
