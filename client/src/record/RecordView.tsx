import type { ReactNode } from 'react';
import { decisionOf, type Addendum, type ClinicalNote, type ConsultRecord } from '@legevakt/shared';
import { formatNumber, formatTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { decisionLabel, formatDateTime, recordPatientLabel, timelineLabel } from './recordFormat.ts';
import { vitalsTable } from './vitalsTable.ts';
import { ExportButtons } from './ExportButtons.tsx';
import { EcgStripView } from '../vitals/EcgStripView.tsx';
import { PhotoThumbnails } from '../photo/PhotoThumbnails.tsx';

/**
 * A consult record as the documentation view shows it: summary, the decision,
 * the signed note and its addenda with author and time, the timeline, the vital
 * signs chart and the strips. `children` go at the end (the addendum form).
 */
export function RecordView({ record, children }: { record: ConsultRecord; children?: ReactNode }) {
  const { t } = useI18n();
  const note = decisionOf(record);
  const addenda = record.notes.filter((n): n is Addendum => n.kind === 'addendum');
  return (
    <article className="flex flex-col gap-4" aria-labelledby="record-heading" data-testid="record-view">
      <RecordSummary record={record} />
      <section className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow" aria-labelledby="record-notes">
        <h3 id="record-notes" className="text-xl font-semibold">
          {t('record.notes')}
        </h3>
        {note ? <NoteBlock note={note} /> : <p className="text-lg">{t('record.unsigned')}</p>}
        {addenda.map((a) => (
          <AddendumBlock key={a.id} addendum={a} />
        ))}
      </section>
      {children}
      <ExportButtons consultId={record.consult.id} />
      {record.photos.length > 0 ? (
        <section className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow" aria-labelledby="record-photos">
          <h3 id="record-photos" className="text-xl font-semibold">
            {t('photo.gallery')}
          </h3>
          <PhotoThumbnails photos={record.photos} />
        </section>
      ) : null}
      <TimelineSection record={record} />
      <VitalsSection record={record} />
      {record.strips.length > 0 ? (
        <section className="rounded-xl bg-white p-4 shadow" aria-labelledby="record-strips">
          <h3 id="record-strips" className="text-xl font-semibold">
            {t('record.strips')}
          </h3>
          {/* At true scale (25 mm/s, 10 mm/mV on the calibrated screen), as the doctor captured them. */}
          {record.strips.map((s) => (
            <EcgStripView key={s.id} strip={s} />
          ))}
        </section>
      ) : null}
    </article>
  );
}

function RecordTime({ at }: { at: number }) {
  const { locale } = useI18n();
  return <time dateTime={new Date(at).toISOString()}>{formatDateTime(at, locale)}</time>;
}

function RecordSummary({ record }: { record: ConsultRecord }) {
  const { t } = useI18n();
  const { consult } = record;
  const doctor = record.participants.find((p) => p.userId === consult.claimedBy);
  const closedAt = record.timeline.findLast((e) => e.kind === 'closed')?.at ?? null;
  const rows: [string, ReactNode][] = [
    [t('record.patient'), recordPatientLabel(consult, t)],
    [t('record.place'), record.placeName],
    [t('record.legevakt'), record.lvsSiteName ?? '–'],
    [t('record.district'), record.districtName],
    [t('record.doctor'), doctor ? doctor.name : '–'],
    [t('record.requestedAt'), <RecordTime key="r" at={consult.requestedAt} />],
    [t('record.callEndedAt'), consult.callEndedAt === null ? '–' : <RecordTime key="e" at={consult.callEndedAt} />],
    [t('record.closedAt'), closedAt === null ? '–' : <RecordTime key="c" at={closedAt} />],
  ];
  return (
    <section className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow">
      <h2 id="record-heading" className="text-2xl font-semibold">
        {t('record.heading')}
      </h2>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-lg">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-700">{label}</dt>
            <dd className="font-semibold">{value}</dd>
          </div>
        ))}
      </dl>
      <p>
        <strong>{t('consult.reason')}:</strong> {consult.reason}
      </p>
    </section>
  );
}

function NoteBlock({ note }: { note: ClinicalNote }) {
  const { t } = useI18n();
  return (
    <div className="flex flex-col gap-2 border-l-4 border-sky-800 pl-4" data-testid="record-note">
      <p className="text-2xl font-bold" data-testid="record-decision">
        {decisionLabel(note.decision, t)}
      </p>
      {note.decisionDetail ? <p className="text-lg">{note.decisionDetail}</p> : null}
      <dl className="flex flex-col gap-2 text-lg">
        {note.findings ? <Field label={t('record.findings')} text={note.findings} /> : null}
        <Field label={t('record.assessment')} text={note.assessment} />
        <Field label={t('record.plan')} text={note.plan} />
      </dl>
      <p className="text-slate-700">
        {t('record.signedBy')} {note.authorName}, <RecordTime at={note.signedAt} />
      </p>
    </div>
  );
}

function AddendumBlock({ addendum }: { addendum: Addendum }) {
  const { t } = useI18n();
  return (
    <div className="flex flex-col gap-1 border-l-4 border-amber-600 pl-4" data-testid="record-addendum">
      <p className="font-semibold">{t('record.addendum')}</p>
      <p className="text-lg whitespace-pre-wrap">{addendum.text}</p>
      <p className="text-slate-700">
        {t('record.signedBy')} {addendum.authorName}, <RecordTime at={addendum.signedAt} />
      </p>
    </div>
  );
}

function Field({ label, text }: { label: string; text: string }) {
  return (
    <div>
      <dt className="font-semibold">{label}</dt>
      <dd className="whitespace-pre-wrap">{text}</dd>
    </div>
  );
}

function TimelineSection({ record }: { record: ConsultRecord }) {
  const { t, locale } = useI18n();
  return (
    <section className="rounded-xl bg-white p-4 shadow" aria-labelledby="record-timeline">
      <h3 id="record-timeline" className="text-xl font-semibold">
        {t('record.timeline')}
      </h3>
      <ol className="flex flex-col gap-1 text-lg" data-testid="record-timeline">
        {record.timeline.map((e, i) => (
          <li key={`${e.at}-${i}`} className="grid grid-cols-[5rem_1fr] gap-2">
            <time dateTime={new Date(e.at).toISOString()} className="tabular-nums text-slate-700">
              {formatTime(e.at, locale)}
            </time>
            <span>
              {timelineLabel(e.kind, t)}
              {e.actorName ? ` · ${e.actorName}` : ''}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function VitalsSection({ record }: { record: ConsultRecord }) {
  const { t, locale } = useI18n();
  const table = vitalsTable(record.vitals);
  return (
    <section className="rounded-xl bg-white p-4 shadow" aria-labelledby="record-vitals">
      <h3 id="record-vitals" className="text-xl font-semibold">
        {t('record.vitals')}
      </h3>
      {table.rows.length === 0 ? (
        <p className="text-lg">{t('record.noVitals')}</p>
      ) : (
        <div className="overflow-x-auto">
          {table.omitted > 0 ? (
            <p className="text-slate-700">
              {table.omitted} {t('record.vitalsOmitted')}
            </p>
          ) : null}
          <table className="min-w-full text-left text-lg" data-testid="record-vitals">
            <thead>
              <tr className="border-b border-slate-400">
                <th scope="col" className="py-1 pr-4">
                  {t('record.time')}
                </th>
                {table.columns.map((kind) => (
                  <th key={kind} scope="col" className="py-1 pr-4">
                    {t(`vitalKind.${kind}`)}
                  </th>
                ))}
                <th scope="col" className="py-1 pr-4">
                  {t('record.source')}
                </th>
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={`${row.manual ? 'm' : 'd'}${row.at}`} className="border-b border-slate-200">
                  <th scope="row" className="py-1 pr-4 font-normal tabular-nums">
                    {formatTime(row.at, locale)}
                  </th>
                  {table.columns.map((kind) => {
                    const value = row.values[kind];
                    return (
                      <td key={kind} className="py-1 pr-4 tabular-nums">
                        {value === undefined ? '' : formatNumber(value, locale)}
                      </td>
                    );
                  })}
                  <td className="py-1 pr-4">{row.sources.map((s) => t(`vitalSource.${s}`)).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
