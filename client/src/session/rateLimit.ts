import { en } from '../i18n/en.ts';
import { nb } from '../i18n/nb.ts';

/**
 * Both the HTTP API (429 with code RATE_LIMITED) and the signaling socket
 * (an error frame with code RATE_LIMITED) refuse a client that sends too much.
 * The user sees one plain sentence for either, wherever the error is shown.
 */
export function isRateLimited(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, code } = error as { status?: unknown; code?: unknown };
  return status === 429 || code === 'RATE_LIMITED';
}

/**
 * The message in the user's language, outside React (session code builds the
 * errors that components display): the locale the i18n provider stored.
 */
export function rateLimitedMessage(): string {
  let locale: string | null = null;
  try {
    locale = typeof localStorage === 'undefined' ? null : localStorage.getItem('legevakt.locale');
  } catch {
    // storage blocked: bokmål, the default
  }
  return (locale === 'en' ? en : nb)['error.rateLimited'];
}
