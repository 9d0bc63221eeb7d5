import { useId, useState } from 'react';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import { ApiError, type AuthSession } from '../session/AuthSession.ts';
import { downloadWithToken } from '../session/download.ts';

export type ExportKind = 'pdf' | 'fhir';

const PATHS: Record<ExportKind, string> = { pdf: 'export.pdf', fhir: 'export.fhir.json' };
const FALLBACK_NAMES: Record<ExportKind, string> = { pdf: 'konsultasjon.pdf', fhir: 'konsultasjon.fhir.json' };

/**
 * Fetches an export with the bearer token (a plain link cannot carry it) and
 * hands it to the browser as a download under the server's file name, which
 * names the consult, never the patient. Throws ApiError with the server's code.
 */
export function downloadExport(
  auth: Pick<AuthSession, 'accessToken' | 'refresh'>,
  consultId: string,
  kind: ExportKind,
): Promise<void> {
  return downloadWithToken(auth, `/api/consults/${encodeURIComponent(consultId)}/${PATHS[kind]}`, FALLBACK_NAMES[kind]);
}

function failureKey(error: unknown): MessageKey {
  if (error instanceof ApiError && error.status === 403) return 'export.forbidden';
  if (error instanceof ApiError && error.status === 404) return 'export.notFound';
  return 'export.failed';
}

/**
 * The two downloads for the patient journal: the PDF summary (with ECG strips
 * at true scale) and the FHIR R4 document. Every download is written to the
 * access log, which the text under the buttons says.
 */
export function ExportButtons({ consultId }: { consultId: string }) {
  const { t } = useI18n();
  const { auth } = useSession();
  const headingId = useId();
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [failure, setFailure] = useState<{ key: MessageKey; detail: string } | null>(null);

  const run = async (kind: ExportKind) => {
    setBusy(kind);
    setFailure(null);
    try {
      await downloadExport(auth, consultId, kind);
    } catch (error) {
      setFailure({ key: failureKey(error), detail: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(null);
    }
  };

  const button = (kind: ExportKind, label: MessageKey) => (
    <button
      type="button"
      className="min-h-14 rounded-xl bg-sky-800 px-6 text-xl font-semibold text-white disabled:opacity-50"
      disabled={busy !== null}
      aria-busy={busy === kind}
      data-testid={`export-${kind}`}
      onClick={() => void run(kind)}
    >
      {busy === kind ? t('export.downloading') : t(label)}
    </button>
  );

  return (
    <section
      className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow print:hidden"
      aria-labelledby={headingId}
      data-testid="export-buttons"
    >
      <h3 id={headingId} className="text-xl font-semibold">
        {t('export.heading')}
      </h3>
      <div className="flex flex-wrap gap-3">
        {button('pdf', 'export.pdf')}
        {button('fhir', 'export.fhir')}
      </div>
      <p className="text-base text-slate-700">{t('export.logged')}</p>
      {failure ? (
        <p role="alert" className="text-lg text-red-800">
          {t(failure.key)} ({failure.detail})
        </p>
      ) : null}
    </section>
  );
}
