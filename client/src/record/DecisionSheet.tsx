import { createPortal } from 'react-dom';
import { decisionOf, type Addendum, type ClinicalNote, type ConsultRecord, type ConsultView } from '@legevakt/shared';
import { useNow } from '../app/useNow.ts';
import { useI18n } from '../i18n/i18n.tsx';
import './print.css';
import { decisionLabel, formatDateTime, recordPatientLabel } from './recordFormat.ts';
import { useConsultRecord } from './useConsultRecord.ts';
import { ExportButtons } from './ExportButtons.tsx';

/**
 * The requesting side's view of a closed consult: the doctor's decision and
 * plan, large, with "Skriv ut". It follows the consult's version, so an
 * addendum shows up without a reload. Printing prints only the decision sheet
 * (legevakt, satellite, patient, times, doctor, decision, plan, detail).
 */
export function DecisionSheet({ consult }: { consult: ConsultView }) {
  const { t } = useI18n();
  const { record, error, retry } = useConsultRecord(consult.id, consult.version);
  const note = record ? decisionOf(record) : null;
  const addenda = record ? record.notes.filter((n): n is Addendum => n.kind === 'addendum') : [];

  return (
    <section
      className="flex flex-col gap-4 rounded-xl bg-white p-6 shadow"
      aria-labelledby="decision-heading"
      data-testid="decision-sheet"
    >
      <h2 id="decision-heading" className="text-2xl font-semibold">
        {t('request.closed')}
      </h2>
      {error && !record ? (
        <div role="alert" className="flex items-center gap-4 text-lg text-red-800">
          {t('record.loadFailed')} ({error})
          <button type="button" className="min-h-12 rounded-xl border-2 border-red-800 px-4" onClick={retry}>
            {t('record.retry')}
          </button>
        </div>
      ) : null}
      {!record && !error ? <p className="text-lg">{t('record.loading')}</p> : null}
      {record && !note ? <p className="text-lg">{t('record.unsigned')}</p> : null}
      {record && note ? (
        <>
          <div className="rounded-xl border-4 border-sky-800 bg-sky-50 p-5">
            <p className="text-lg text-slate-700">{t('record.decision')}</p>
            <p className="text-3xl font-bold" data-testid="decision">
              {decisionLabel(note.decision, t)}
            </p>
            {note.decisionDetail ? (
              <p className="mt-2 text-xl whitespace-pre-wrap" data-testid="decision-detail">
                {note.decisionDetail}
              </p>
            ) : null}
          </div>
          <div>
            <p className="text-lg font-semibold">{t('record.plan')}</p>
            <p className="text-xl whitespace-pre-wrap" data-testid="decision-plan">
              {note.plan}
            </p>
          </div>
          {addenda.map((a) => (
            <div key={a.id} className="border-l-4 border-amber-600 pl-4" data-testid="decision-addendum">
              <p className="font-semibold">
                {t('record.addendum')} · {a.authorName}
              </p>
              <p className="text-lg whitespace-pre-wrap">{a.text}</p>
            </div>
          ))}
          <p className="text-slate-700">
            {t('record.signedBy')} {note.authorName}
            {record.lvsSiteName ? ` (${record.lvsSiteName})` : ''}
          </p>
          <button
            type="button"
            className="min-h-14 self-start rounded-xl bg-sky-800 px-6 text-xl font-semibold text-white"
            onClick={() => window.print()}
          >
            {t('record.print')}
          </button>
          <ExportButtons consultId={consult.id} />
          {createPortal(<PrintSheet record={record} note={note} addenda={addenda} />, document.body)}
        </>
      ) : null}
    </section>
  );
}

/** What goes on paper: one page the nurse can hand on or put in the patient's folder. */
function PrintSheet({ record, note, addenda }: { record: ConsultRecord; note: ClinicalNote; addenda: Addendum[] }) {
  const { t, locale } = useI18n();
  // "Printed at" to the minute; the clock ticks so a sheet left open prints the time it is printed.
  const now = useNow(20_000);
  const { consult } = record;
  const patient = consult.patient;
  const rows: [string, string][] = [
    [t('record.legevakt'), [record.lvsSiteName, record.districtName].filter(Boolean).join(', ')],
    [t('record.place'), record.placeName],
    [t('record.patient'), recordPatientLabel(consult, t)],
    ...(patient.kind === 'known' ? [[t('record.nationalId'), patient.nationalId] as [string, string]] : []),
    [t('record.requestedAt'), formatDateTime(consult.requestedAt, locale)],
    [t('record.callEndedAt'), consult.callEndedAt === null ? '–' : formatDateTime(consult.callEndedAt, locale)],
    [t('record.closedAt'), formatDateTime(note.signedAt, locale)],
    [t('record.doctor'), note.authorName],
  ];
  return (
    <div data-print-sheet="" data-testid="decision-print-sheet">
      <h1 style={{ fontSize: '18pt', fontWeight: 700, marginBottom: '8pt' }}>{t('record.decisionSheet')}</h1>
      <table style={{ borderCollapse: 'collapse', marginBottom: '12pt' }}>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th style={{ textAlign: 'left', paddingRight: '12pt', fontWeight: 400 }}>{label}</th>
              <td style={{ fontWeight: 600 }}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 style={{ fontSize: '14pt', fontWeight: 700 }}>{t('record.decision')}</h2>
      <p style={{ fontSize: '16pt', fontWeight: 700, marginBottom: '8pt' }}>{decisionLabel(note.decision, t)}</p>
      {note.decisionDetail ? (
        <p style={{ whiteSpace: 'pre-wrap', marginBottom: '8pt' }}>{note.decisionDetail}</p>
      ) : null}
      <h2 style={{ fontSize: '14pt', fontWeight: 700 }}>{t('record.plan')}</h2>
      <p style={{ whiteSpace: 'pre-wrap', marginBottom: '8pt' }}>{note.plan}</p>
      {addenda.map((a) => (
        <div key={a.id} style={{ marginBottom: '8pt' }}>
          <h2 style={{ fontSize: '12pt', fontWeight: 700 }}>
            {t('record.addendum')} · {a.authorName}, {formatDateTime(a.signedAt, locale)}
          </h2>
          <p style={{ whiteSpace: 'pre-wrap' }}>{a.text}</p>
        </div>
      ))}
      <p style={{ marginTop: '16pt', fontSize: '9pt' }}>
        {t('record.decisionSheetFooter')} · {t('record.printedAt')} {formatDateTime(now, locale)}
      </p>
    </div>
  );
}
