import { useId, useState } from 'react';
import { validateNationalId, type AccessLogListing, type AccessLogVerification } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError } from '../session/AuthSession.ts';
import {
  actionWords,
  downloadAccessLogCsv,
  fetchAccessLog,
  formatAccessTime,
  roleWords,
  verificationWords,
  verifyAccessLog,
  workplaceWords,
} from './accessLogClient.ts';

const button =
  'min-h-12 rounded-lg px-4 text-lg font-semibold focus-visible:outline focus-visible:outline-3 focus-visible:outline-offset-2 disabled:opacity-50';

/**
 * The patient-data access log on the admin page: look a patient up by
 * fødselsnummer (who saw or changed what, when, from where, allowed or not),
 * download it as CSV, and check that the log has not been tampered with.
 */
export function AccessLogPanel() {
  const { t, locale } = useI18n();
  const { auth } = useSession();
  const inputId = useId();
  const hintId = useId();
  const [nationalId, setNationalId] = useState('');
  const [listing, setListing] = useState<AccessLogListing | null>(null);
  const [busy, setBusy] = useState<'lookup' | 'csv' | 'verify' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verification, setVerification] = useState<AccessLogVerification | null>(null);

  const digits = nationalId.replace(/\s/g, '');
  const check = digits.length === 0 ? null : validateNationalId(digits);

  const explain = (e: unknown): string => {
    if (e instanceof ApiError && e.status === 403) return t('audit.forbidden');
    if (e instanceof ApiError && e.status === 400) return t('audit.invalidNumber');
    return t('audit.failed');
  };

  const lookUp = async () => {
    if (!check?.ok) {
      setError(t('audit.invalidNumber'));
      return;
    }
    setBusy('lookup');
    setError(null);
    try {
      setListing(await fetchAccessLog(auth, digits));
    } catch (e) {
      setListing(null);
      setError(explain(e));
    } finally {
      setBusy(null);
    }
  };

  const download = async () => {
    if (!listing?.nationalId) return;
    setBusy('csv');
    setError(null);
    try {
      await downloadAccessLogCsv(auth, listing.nationalId);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(null);
    }
  };

  const verify = async () => {
    setBusy('verify');
    setError(null);
    try {
      setVerification(await verifyAccessLog(auth));
    } catch (e) {
      setVerification(null);
      setError(explain(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby={`${inputId}-heading`} className="mt-8 flex flex-col gap-4">
      <h2 id={`${inputId}-heading`} className="text-2xl font-semibold">
        {t('audit.heading')}
      </h2>
      <p className="max-w-3xl text-slate-700">{t('audit.intro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void lookUp();
        }}
        className="flex flex-wrap items-end gap-3"
      >
        <div className="flex flex-col gap-1">
          <label htmlFor={inputId} className="text-lg font-medium">
            {t('audit.nationalId')}
          </label>
          <input
            id={inputId}
            inputMode="numeric"
            autoComplete="off"
            maxLength={13}
            value={nationalId}
            onChange={(e) => setNationalId(e.target.value)}
            aria-describedby={hintId}
            aria-invalid={check !== null && !check.ok}
            className="min-h-12 w-56 rounded-lg border border-slate-500 px-3 text-lg tracking-wider"
          />
        </div>
        <button type="submit" disabled={busy !== null} className={`${button} bg-sky-700 text-white`}>
          {busy === 'lookup' ? t('audit.searching') : t('audit.search')}
        </button>
        <button
          type="button"
          disabled={busy !== null || !listing?.nationalId}
          onClick={() => void download()}
          className={`${button} border border-slate-500 bg-white`}
        >
          {t('audit.downloadCsv')}
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void verify()}
          className={`${button} border border-slate-500 bg-white`}
        >
          {busy === 'verify' ? t('audit.verifying') : t('audit.verify')}
        </button>
      </form>
      <p id={hintId} className="text-slate-600">
        {check && !check.ok ? t('audit.invalidNumber') : t('audit.nationalIdHint')}
      </p>

      {verification ? (
        <p
          role="status"
          data-testid="access-log-verification"
          className={`max-w-3xl rounded-lg p-3 text-lg ${
            verification.ok ? 'bg-emerald-100 text-emerald-900' : 'bg-red-100 font-semibold text-red-900'
          }`}
        >
          {verificationWords(verification, t)}
          {!verification.ok ? <span className="block font-normal">{verification.problem.message}</span> : null}
        </p>
      ) : null}

      {error ? (
        <p role="alert" className="max-w-3xl rounded-lg bg-red-100 p-3 text-lg text-red-900">
          {error}
        </p>
      ) : null}

      {listing ? (
        listing.entries.length === 0 ? (
          <p>{t('audit.none')}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full rounded-xl bg-white text-left shadow" data-testid="access-log-table">
              <caption className="p-2 text-left text-lg">
                {t('audit.caption').replace('{n}', String(listing.entries.length))}
                {listing.truncated ? ` ${t('audit.truncated')}` : ''}
              </caption>
              <thead>
                <tr>
                  <th className="p-2">{t('audit.col.time')}</th>
                  <th className="p-2">{t('audit.col.who')}</th>
                  <th className="p-2">{t('audit.col.role')}</th>
                  <th className="p-2">{t('audit.col.workplace')}</th>
                  <th className="p-2">{t('audit.col.action')}</th>
                  <th className="p-2">{t('audit.col.outcome')}</th>
                  <th className="p-2">{t('audit.col.address')}</th>
                  <th className="p-2">{t('audit.col.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {listing.entries.map((entry) => (
                  <tr
                    key={entry.seq}
                    className={`border-t ${entry.outcome === 'denied' ? 'bg-red-50' : entry.reason ? 'bg-amber-50' : ''}`}
                  >
                    <td className="p-2 whitespace-nowrap tabular-nums">{formatAccessTime(entry.at, locale)}</td>
                    <td className="p-2">{entry.userName}</td>
                    <td className="p-2">{roleWords(entry.userRole, t)}</td>
                    <td className="p-2">{workplaceWords(entry, t)}</td>
                    <td className="p-2">{actionWords(entry.action, t)}</td>
                    <td className={`p-2 font-semibold ${entry.outcome === 'denied' ? 'text-red-800' : ''}`}>
                      {entry.outcome === 'allowed' ? t('audit.allowed') : t('audit.denied')}
                    </td>
                    <td className="p-2 font-mono text-sm">{entry.address ?? '–'}</td>
                    <td className="p-2">{entry.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}
