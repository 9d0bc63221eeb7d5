import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { nb, type MessageKey } from '../i18n/nb.ts';
import { actionWords, formatAccessTime, verificationWords } from './accessLogClient.ts';

const tNb = (key: MessageKey): string => nb[key];
const tEn = (key: MessageKey): string => en[key];

describe('access log on the admin page', () => {
  it('shows times in Norwegian format and Norwegian time, summer and winter', () => {
    expect(formatAccessTime(Date.UTC(2026, 0, 15, 13, 7, 9), 'nb')).toBe('15.01.2026 14:07:09');
    expect(formatAccessTime(Date.UTC(2026, 6, 1, 22, 30, 0), 'nb')).toBe('02.07.2026 00:30:00');
  });

  it('says what was done in words, and keeps an action it does not know by name', () => {
    expect(actionWords('consult.request', tNb)).toBe('Registrerte pasienten (forespørsel)');
    expect(actionWords('call.join', tEn)).toBe('Joined the video call');
    expect(actionWords('something.new', tNb)).toBe('something.new');
  });

  it("puts the verification's result in plain words", () => {
    expect(verificationWords({ ok: true, entries: 42, head: { seq: 42, hash: 'a'.repeat(64) } }, tNb)).toBe(
      'Loggen er intakt: 42 oppføringer, ingen er endret, slettet eller satt inn.',
    );
    expect(verificationWords({ ok: true, entries: 0, head: null }, tNb)).toContain('tom');
    expect(verificationWords({ ok: false, entries: 6, problem: { kind: 'deleted', seq: 7, message: 'x' } }, tNb)).toBe(
      'Loggen er brutt: oppføring 7 mangler (slettet). De 6 første oppføringene er intakte.',
    );
    expect(
      verificationWords({ ok: false, entries: 2, problem: { kind: 'altered', seq: 3, message: 'x' } }, tEn),
    ).toContain('entry 3 was altered');
  });
});
