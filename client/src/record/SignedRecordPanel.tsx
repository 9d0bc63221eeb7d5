import { useEffect, useState } from 'react';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { AddendumForm } from './AddendumForm.tsx';
import { RecordView } from './RecordView.tsx';
import { useConsultRecord } from './useConsultRecord.ts';

/**
 * The record of a consult the doctor has just signed, with the "Tillegg" form.
 * Refetched when the consult's version moves on: his own addendum (from its
 * answer) or a colleague's (from the live notification).
 */
export function SignedRecordPanel({
  consultId,
  version: initialVersion,
  onDismiss,
}: {
  consultId: string;
  version: number;
  onDismiss: () => void;
}) {
  const { t } = useI18n();
  const { workspace } = useSession();
  const [version, setVersion] = useState(initialVersion);
  const { record, error, retry } = useConsultRecord(consultId, version);

  useEffect(
    () =>
      workspace.on('consultChanged', ({ consult }) => {
        if (consult.id === consultId) setVersion((v) => Math.max(v, consult.version));
      }),
    [workspace, consultId],
  );

  return (
    <section className="flex flex-col gap-3" aria-label={t('record.heading')} data-testid="signed-record">
      <button
        type="button"
        className="min-h-12 self-end rounded-xl border-2 border-slate-500 px-4 text-lg"
        onClick={onDismiss}
      >
        {t('record.dismiss')}
      </button>
      {error && !record ? (
        <div role="alert" className="flex items-center gap-4 text-lg text-red-800">
          {t('record.loadFailed')} ({error})
          <button type="button" className="min-h-12 rounded-xl border-2 border-red-800 px-4" onClick={retry}>
            {t('record.retry')}
          </button>
        </div>
      ) : null}
      {record ? (
        <RecordView record={record}>
          <AddendumForm
            consultId={consultId}
            onAdded={(added) => setVersion((v) => Math.max(v, added.consult.version))}
          />
        </RecordView>
      ) : !error ? (
        <p className="text-lg">{t('record.loading')}</p>
      ) : null}
    </section>
  );
}
