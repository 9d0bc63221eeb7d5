import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import {
  decisionOf,
  pathwayById,
  type Addendum,
  type ConsultRecord,
  type EcgStrip,
  type NumericKind,
  type VitalSample,
} from '@legevakt/shared';
import {
  DECISION_LABEL,
  INVALID_SAMPLE,
  NATIONAL_ID_LABEL,
  QUALITY_LABEL,
  ROLE_LABEL,
  SEX_LABEL,
  TEMPERATURE_SITE_LABEL,
  TRIAGE_LABEL,
  VITAL_LABEL,
  consultTimes,
  formattedNationalId,
  nbNumber,
  osloDate,
  osloDateTime,
  osloTime,
  patientFacts,
  placeKindLabel,
  stripSamples,
  timelineLabel,
} from './recordFacts.ts';

/**
 * The consult record as a PDF for the patient journal and for print: A4, a
 * header naming the legevakt, the satellite or ambulance, the patient and the
 * times; then intake, pathway checklist, timeline, vital signs, the signed note,
 * the decision and addenda; then each ECG strip at true scale (25 mm/s,
 * 10 mm/mV on a 1 mm / 5 mm grid, with a 1 mV calibration pulse) on landscape
 * pages, where a 10 s row (250 mm) fits. Every page names the patient and says
 * "Side n av N", so a loose page can be put back where it belongs.
 *
 * The text is set in DejaVu Sans, embedded: pdfkit's built-in Helvetica only
 * has WinAnsi, which covers æøå but not a D-nummer patient's Ł or ś, nor ≥ and
 * ₂ in our own labels, and a journal must not misspell a patient's name.
 */

/** PDF points per millimetre. */
export const MM = 72 / 25.4;
export const ECG_MM_PER_SECOND = 25;
export const ECG_MM_PER_MV = 10;
/** One printed row holds at most this much of a lead: 10 s × 25 mm/s = 250 mm. */
export const ECG_SECONDS_PER_ROW = 10;
/** Row height: five large squares. */
const ECG_ROW_MM = 25;
/**
 * The baseline sits 15 mm below the top of its row: QRS complexes point mostly
 * up, so 1.5 mV fit above it before the trace enters the row above (as on
 * paper, it may), and the grid has one more large square on top so the first
 * row's R waves are not cut.
 */
const ECG_BASELINE_MM = 15;
const ECG_TOP_PAD_MM = 5;
const ECG_ROWS_PER_PAGE = 6;
/** Left of the grid: the calibration pulse (5 mm wide, in a 10 mm band). */
const ECG_CAL_BAND_MM = 10;

const A4: [number, number] = [595.28, 841.89];
const MARGIN = { top: 24 * MM, bottom: 20 * MM, left: 18 * MM, right: 18 * MM };
const LANDSCAPE_MARGIN = { top: 22 * MM, bottom: 16 * MM, left: 12 * MM, right: 12 * MM };

export const COLOUR = {
  text: '#111111',
  muted: '#555555',
  rule: '#999999',
  red: '#b00020',
  gridMinor: '#f3c4c4',
  gridMajor: '#e07b7b',
  trace: '#000000',
  tableHead: '#eeeeee',
};

export interface PdfSummaryOptions {
  /** When the PDF was made (printed on every page, and the document's creation date). */
  generatedAt: number;
  /** Uncompressed content streams (tests read the drawing commands). Default true. */
  compress?: boolean;
  /**
   * The photos' image bytes by photo id (RecordService.photoImages): each is
   * drawn on the page. A photo without its bytes here is listed with a note
   * that the image is not in this printout.
   */
  images?: ReadonlyMap<string, Uint8Array>;
}

// --- Fonts ------------------------------------------------------------------------------

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/local/share/fonts/dejavu'];
const fontCache = new Map<string, Buffer>();

function fontFile(name: string): Buffer {
  let font = fontCache.get(name);
  if (!font) {
    const dir = FONT_DIRS.find((d) => existsSync(path.join(d, name)));
    if (dir === undefined) {
      throw new Error(
        `font ${name} not found in ${FONT_DIRS.join(', ')}: install Debian's fonts-dejavu-core (scripts/setup.sh does)`,
      );
    }
    font = readFileSync(path.join(dir, name));
    fontCache.set(name, font);
  }
  return font;
}

/** Throws unless the fonts the PDF needs are installed; call at startup to fail early. */
export function assertPdfFontsAvailable(): void {
  fontFile('DejaVuSans.ttf');
  fontFile('DejaVuSans-Bold.ttf');
}

// --- Document ---------------------------------------------------------------------------

type Doc = PDFKit.PDFDocument;

export async function consultRecordToPdf(record: ConsultRecord, options: PdfSummaryOptions): Promise<Buffer> {
  // Decode the strips first: a strip whose bytes do not match its length fails here, before any output.
  const strips = record.strips.map((strip) => ({ strip, samples: stripSamples(strip) }));
  const doc = new PDFDocument({
    size: A4,
    margins: MARGIN,
    bufferPages: true,
    compress: options.compress ?? true,
    autoFirstPage: true,
    info: {
      Title: `Videokonsultasjon legevakt ${osloDate(record.consult.requestedAt)}`,
      Author: record.lvsSiteName ?? record.districtName,
      Subject: 'Journalnotat fra videokonsultasjon',
      Creator: 'Legevakt Video',
      Producer: 'Legevakt Video (pdfkit)',
      CreationDate: new Date(options.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('Body', fontFile('DejaVuSans.ttf'));
  doc.registerFont('Bold', fontFile('DejaVuSans-Bold.ttf'));
  doc.font('Body').fontSize(9.5).fillColor(COLOUR.text);

  const w = new Writer(doc);
  writeHeader(w, record, options.generatedAt);
  writeIntake(w, record);
  writeTimeline(w, record);
  writeVitals(w, record.vitals);
  writeNote(w, record);
  writePhotos(w, record, photoImages(record, options.images));
  for (const { strip, samples } of strips) drawStrip(doc, strip, samples);
  stampPages(doc, record, options.generatedAt);
  doc.end();
  return done;
}

/** Text flow on the portrait pages: headings, label/value rows, paragraphs, tables that break across pages. */
class Writer {
  readonly doc: Doc;

  constructor(doc: Doc) {
    this.doc = doc;
  }

  get left(): number {
    return this.doc.page.margins.left;
  }

  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /** A new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) {
      this.doc.addPage({ size: A4, margins: MARGIN });
    }
  }

  heading(title: string): void {
    this.ensure(48); // a heading is never the last line of a page
    const { doc } = this;
    doc.moveDown(0.6);
    doc.font('Bold').fontSize(12).fillColor(COLOUR.text).text(title, this.left, doc.y, { width: this.width });
    const y = doc.y + 1;
    doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(0.5)
      .strokeColor(COLOUR.rule)
      .stroke();
    doc.y = y + 4;
    doc.font('Body').fontSize(9.5);
  }

  subheading(title: string): void {
    this.ensure(30);
    this.doc.moveDown(0.3);
    this.doc.font('Bold').fontSize(10).text(title, this.left, this.doc.y, { width: this.width });
    this.doc.font('Body').fontSize(9.5);
  }

  paragraph(text: string, colour = COLOUR.text, bold = false): void {
    this.doc
      .font(bold ? 'Bold' : 'Body')
      .fontSize(9.5)
      .fillColor(colour)
      .text(text, this.left, this.doc.y, { width: this.width, paragraphGap: 2 });
    this.doc.fillColor(COLOUR.text);
  }

  /** Label/value rows: labels in a fixed column, values wrap beside them. */
  fields(rows: readonly (readonly [string, string])[], labelWidth = 38 * MM): void {
    const { doc } = this;
    for (const [label, value] of rows) {
      doc.font('Body').fontSize(9.5);
      const valueWidth = this.width - labelWidth;
      const height = Math.max(
        doc.heightOfString(value || '–', { width: valueWidth }),
        doc.font('Bold').heightOfString(label, { width: labelWidth - 6 }),
      );
      this.ensure(height + 2);
      const y = doc.y;
      doc
        .font('Bold')
        .fillColor(COLOUR.muted)
        .text(label, this.left, y, { width: labelWidth - 6 });
      doc
        .font('Body')
        .fillColor(COLOUR.text)
        .text(value || '–', this.left + labelWidth, y, { width: valueWidth });
      doc.y = y + height + 2;
    }
  }

  /** A table with a header row repeated after each page break. */
  table(
    columns: readonly { header: string; width: number; align?: 'left' | 'right' | 'center' }[],
    rows: readonly { cells: readonly string[]; colour?: string; bold?: boolean }[],
  ): void {
    const { doc } = this;
    const total = columns.reduce((sum, c) => sum + c.width, 0);
    const scale = this.width / total;
    const widths = columns.map((c) => c.width * scale);
    const pad = 2.5;
    const size = 8.5;
    const rowHeight = (cells: readonly string[], font: 'Body' | 'Bold') => {
      doc.font(font).fontSize(size);
      return Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;
    };
    const drawRow = (cells: readonly string[], font: 'Body' | 'Bold', fill: string | null, colour: string) => {
      const h = rowHeight(cells, font);
      const y = doc.y;
      if (fill) doc.rect(this.left, y, this.width, h).fillColor(fill).fill();
      let x = this.left;
      doc.font(font).fontSize(size).fillColor(colour);
      cells.forEach((c, i) => {
        doc.text(c, x + pad, y + pad, { width: widths[i]! - 2 * pad, align: columns[i]!.align ?? 'left' });
        x += widths[i]!;
      });
      doc
        .moveTo(this.left, y + h)
        .lineTo(this.left + this.width, y + h)
        .lineWidth(0.3)
        .strokeColor(COLOUR.rule)
        .stroke();
      doc.y = y + h;
    };
    const header = columns.map((c) => c.header);
    this.ensure(rowHeight(header, 'Bold') + rowHeight(rows[0]?.cells ?? [' '], 'Body'));
    drawRow(header, 'Bold', COLOUR.tableHead, COLOUR.text);
    for (const row of rows) {
      const h = rowHeight(row.cells, row.bold ? 'Bold' : 'Body');
      if (doc.y + h > this.bottom) {
        doc.addPage({ size: A4, margins: MARGIN });
        drawRow(header, 'Bold', COLOUR.tableHead, COLOUR.text);
      }
      drawRow(row.cells, row.bold ? 'Bold' : 'Body', null, row.colour ?? COLOUR.text);
    }
    doc.font('Body').fontSize(9.5).fillColor(COLOUR.text);
    doc.x = this.left;
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} t ${m % 60} min`;
}

function patientLine(record: ConsultRecord): { name: string; id: string } {
  const p = patientFacts(record);
  if (!p.known) {
    return {
      name: `Ukjent identitet${p.description ? ` (${p.description})` : ''}`,
      id: `${SEX_LABEL[p.sex]}, ca. ${p.approximateAgeYears ?? '?'} år`,
    };
  }
  const label = p.nationalIdKind ? NATIONAL_ID_LABEL[p.nationalIdKind] : 'Personnummer';
  return { name: p.name ?? '', id: `${label} ${formattedNationalId(p) ?? ''}` };
}

function writeHeader(w: Writer, record: ConsultRecord, generatedAt: number): void {
  const { doc } = w;
  const { consult } = record;
  const t = consultTimes(record);
  const p = patientFacts(record);
  doc.font('Bold').fontSize(16).text('Videokonsultasjon – legevakt', w.left, doc.y, { width: w.width });
  doc
    .font('Body')
    .fontSize(9)
    .fillColor(COLOUR.muted)
    .text(`Journalutskrift fra Legevakt Video, laget ${osloDateTime(generatedAt)}`, { width: w.width });
  doc.fillColor(COLOUR.text).moveDown(0.5);

  const patient = patientLine(record);
  const birth =
    p.known && p.birthDate
      ? `født ${p.birthDate.slice(8, 10)}.${p.birthDate.slice(5, 7)}.${p.birthDate.slice(0, 4)}, ${SEX_LABEL[p.sex]}`
      : '';
  const callSpan =
    t.callStartedAt !== null
      ? `${osloDateTime(t.callStartedAt)}–${t.callEndedAt !== null ? osloTime(t.callEndedAt, false) : 'pågår'}` +
        (t.callEndedAt !== null ? ` (${duration(t.callEndedAt - t.callStartedAt)})` : '')
      : 'ingen samtale registrert';
  const statusLabel = {
    waiting: 'venter i kø',
    active: 'samtale pågår',
    documentation: 'under dokumentasjon, notatet er ikke signert',
    closed: 'lukket',
    cancelled: 'trukket tilbake',
  }[consult.status];
  w.fields([
    ['Legevakt (LVS)', [record.lvsSiteName ?? 'ikke besvart', record.districtName].join(', ')],
    [placeKindLabel(record), record.placeName],
    ['Pasient', [patient.name, patient.id, birth].filter(Boolean).join(' · ')],
    ['Forespurt', osloDateTime(t.requestedAt)],
    [
      'Besvart',
      t.answeredAt !== null
        ? `${osloDateTime(t.answeredAt)} (etter ${duration(t.answeredAt - t.requestedAt)})`
        : 'ikke besvart',
    ],
    ['Samtale', callSpan],
    ['Lukket', t.closedAt !== null ? osloDateTime(t.closedAt) : `ikke lukket (${statusLabel})`],
    [
      'Deltakere',
      record.participants.map((x) => `${x.name} (${ROLE_LABEL[x.role].toLowerCase()}, ${x.workplaceName})`).join('\n'),
    ],
  ]);
}

function writeIntake(w: Writer, record: ConsultRecord): void {
  const { consult } = record;
  w.heading('Henvendelse');
  w.fields([
    ['Årsak', consult.reason],
    ['Triage', TRIAGE_LABEL[consult.triage]],
  ]);
  const m = consult.measurements;
  const measured: [string, string][] = [];
  if (m.systolicMmHg !== undefined || m.diastolicMmHg !== undefined)
    measured.push(['Blodtrykk', `${m.systolicMmHg ?? '–'}/${m.diastolicMmHg ?? '–'} mmHg`]);
  if (m.pulsePerMin !== undefined) measured.push(['Puls', `${m.pulsePerMin} /min`]);
  if (m.spo2Percent !== undefined) measured.push(['SpO₂', `${m.spo2Percent} %`]);
  if (m.temperatureCelsius !== undefined) measured.push(['Temperatur', `${nbNumber(m.temperatureCelsius, 1)} °C`]);
  if (m.respirationPerMin !== undefined) measured.push(['Respirasjonsfrekvens', `${m.respirationPerMin} /min`]);
  if (m.crpMgPerL !== undefined) measured.push(['CRP', `${nbNumber(m.crpMgPerL)} mg/L`]);
  if (m.glucoseMmolPerL !== undefined) measured.push(['Glukose', `${nbNumber(m.glucoseMmolPerL, 1)} mmol/L`]);
  if (measured.length > 0) {
    const at = m.measuredAt ? ` (målt ${osloDateTime(Date.parse(m.measuredAt))})` : '';
    w.subheading(`Målinger ved innmelding${at}`);
    w.fields(measured);
  }

  const pathway = consult.pathwayId ? pathwayById(consult.pathwayId) : undefined;
  if (consult.pathwayId && !pathway) {
    w.subheading(`Forløp: ${consult.pathwayId}`);
    w.paragraph('Forløpet finnes ikke lenger i denne versjonen; svarene er vist slik de ble lagret.');
  }
  if (pathway) w.subheading(`Forløp: ${pathway.title.nb}`);
  const answer = (a: boolean | undefined) => (a === undefined ? 'ikke besvart' : a ? 'Ja' : 'Nei');
  const rows: { cells: string[]; colour?: string; bold?: boolean }[] = [];
  if (pathway) {
    for (const item of pathway.items) rows.push({ cells: [item.label.nb, answer(consult.checklist[item.id])] });
    for (const flag of pathway.redFlags) {
      const a = consult.checklist[flag.id];
      rows.push({
        cells: [`Rødt flagg: ${flag.label.nb}`, answer(a)],
        ...(a === true ? { colour: COLOUR.red, bold: true } : {}),
      });
    }
  }
  // Answers the pathway no longer knows are shown rather than dropped.
  const known = new Set([...(pathway?.items ?? []), ...(pathway?.redFlags ?? [])].map((x) => x.id));
  for (const [id, a] of Object.entries(consult.checklist)) if (!known.has(id)) rows.push({ cells: [id, answer(a)] });
  if (rows.length > 0)
    w.table(
      [
        { header: 'Sjekkpunkt', width: 140 },
        { header: 'Svar', width: 34 },
      ],
      rows,
    );
}

function writeTimeline(w: Writer, record: ConsultRecord): void {
  w.heading('Tidslinje');
  if (record.timeline.length === 0) {
    w.paragraph('Ingen hendelser registrert.');
    return;
  }
  w.table(
    [
      { header: 'Tid', width: 34 },
      { header: 'Hendelse', width: 90 },
      { header: 'Av', width: 50 },
    ],
    record.timeline.map((e) => ({ cells: [osloDateTime(e.at), timelineLabel(e.kind), e.actorName ?? ''] })),
  );
}

// --- Vital signs ------------------------------------------------------------------------

type VitalColumn = 'bp' | Exclude<NumericKind, 'systolic' | 'diastolic'>;
const VITAL_COLUMNS: readonly VitalColumn[] = [
  'bp',
  'meanPressure',
  'pulseRate',
  'heartRateEcg',
  'pulseRateOximetry',
  'spo2',
  'temperature',
  'respirationRate',
];
/** The table stays readable: at most this many rows, with longer intervals per row when needed. */
const MAX_VITAL_ROWS = 40;
const BUCKET_MINUTES = [1, 5, 15, 30, 60, 240];

export interface VitalsTable {
  bucketMinutes: number;
  columns: VitalColumn[];
  rows: { at: number; cells: Partial<Record<VitalColumn, string>> }[];
  flagged: boolean;
  manual: boolean;
}

/** The newest value of each kind per interval (one minute, or longer when the consult was long). */
export function vitalsTable(vitals: readonly VitalSample[]): VitalsTable {
  const columnOf = (kind: NumericKind): VitalColumn => (kind === 'systolic' || kind === 'diastolic' ? 'bp' : kind);
  const present = new Set(vitals.map((v) => columnOf(v.kind)));
  const columns = VITAL_COLUMNS.filter((c) => present.has(c));
  const bucketMinutes =
    BUCKET_MINUTES.find(
      (m) => new Set(vitals.map((v) => Math.floor(v.measuredAt / (m * 60_000)))).size <= MAX_VITAL_ROWS,
    ) ?? BUCKET_MINUTES.at(-1)!;
  const buckets = new Map<number, VitalSample[]>();
  for (const v of vitals) {
    const key = Math.floor(v.measuredAt / (bucketMinutes * 60_000));
    buckets.set(key, [...(buckets.get(key) ?? []), v]);
  }
  let flagged = false;
  let manual = false;
  /** The value(s) with '*' when the device flagged one and '(m)' when measured by hand. */
  const mark = (...values: (VitalSample | null)[]): string => {
    let text = values.map((v) => (v ? nbNumber(v.value, VITAL_LABEL[v.kind].decimals) : '–')).join('/');
    const present = values.filter((v): v is VitalSample => v !== null);
    if (present.some((v) => v.quality.length > 0)) {
      flagged = true;
      text += '*';
    }
    if (present.some((v) => v.source === 'manual')) {
      manual = true;
      text += ' (m)';
    }
    const site = present[0]?.kind === 'temperature' ? present[0].site : undefined;
    if (site && site !== 'unknown') text += ` ${TEMPERATURE_SITE_LABEL[site]}`;
    return text;
  };
  const rows = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([key, samples]) => {
      const newest = (kind: NumericKind) =>
        samples
          .filter((s) => s.kind === kind)
          .reduce<VitalSample | null>((a, s) => (a && a.measuredAt > s.measuredAt ? a : s), null);
      const cells: Partial<Record<VitalColumn, string>> = {};
      const sys = newest('systolic');
      const dia = newest('diastolic');
      if (sys || dia) cells.bp = mark(sys, dia);
      for (const column of columns) {
        if (column === 'bp') continue;
        const v = newest(column);
        if (v) cells[column] = mark(v);
      }
      return { at: key * bucketMinutes * 60_000, cells };
    });
  return { bucketMinutes, columns, rows, flagged, manual };
}

function writeVitals(w: Writer, vitals: readonly VitalSample[]): void {
  w.heading('Vitale parametre');
  if (vitals.length === 0) {
    w.paragraph('Ingen vitale parametre registrert.');
    return;
  }
  const table = vitalsTable(vitals);
  const header: Record<VitalColumn, string> = {
    bp: 'BT mmHg',
    meanPressure: 'MAP mmHg',
    pulseRate: 'Puls /min',
    heartRateEcg: 'Puls EKG /min',
    pulseRateOximetry: 'Puls SpO₂ /min',
    spo2: 'SpO₂ %',
    temperature: 'Temp. °C',
    respirationRate: 'RF /min',
  };
  const sameDay = new Set(table.rows.map((r) => osloDate(r.at))).size === 1;
  w.table(
    [
      { header: table.bucketMinutes === 1 ? 'Tid' : `Tid (per ${table.bucketMinutes} min)`, width: sameDay ? 22 : 30 },
      ...table.columns.map((c) => ({
        header: header[c],
        width: c === 'temperature' ? 24 : 18,
        align: 'right' as const,
      })),
    ],
    table.rows.map((r) => ({
      cells: [
        sameDay ? osloTime(r.at, false) : `${osloDate(r.at).slice(0, 5)} ${osloTime(r.at, false)}`,
        ...table.columns.map((c) => r.cells[c] ?? ''),
      ],
    })),
  );
  const notes = [
    `Viser siste verdi per ${table.bucketMinutes === 1 ? 'minutt' : `${table.bucketMinutes} minutter`} av ` +
      `${vitals.length} målinger${sameDay ? ` (${osloDate(table.rows[0]!.at)})` : ''}; alle enkeltmålinger er med i FHIR-eksporten.`,
    ...(table.flagged
      ? [
          `* Markert av apparatet (${[...new Set(vitals.flatMap((v) => v.quality))].map((q) => QUALITY_LABEL[q]).join(', ')}).`,
        ]
      : []),
    ...(table.manual ? ['(m) Manuelt målt.'] : []),
  ];
  w.doc.moveDown(0.3);
  w.paragraph(notes.join(' '), COLOUR.muted);
}

// --- Note, decision, addenda, photos ----------------------------------------------------

function writeNote(w: Writer, record: ConsultRecord): void {
  const note = decisionOf(record);
  w.heading('Notat');
  if (!note) {
    w.paragraph('Notatet er ikke signert.', COLOUR.red);
  } else {
    w.subheading('Funn');
    w.paragraph(note.findings.trim() || '–');
    w.subheading('Vurdering');
    w.paragraph(note.assessment);
    w.subheading('Plan');
    w.paragraph(note.plan);
    w.paragraph(`Signert av ${note.authorName} ${osloDateTime(note.signedAt)}.`, COLOUR.muted);

    w.heading('Beslutning');
    w.paragraph(DECISION_LABEL[note.decision], COLOUR.text, true);
    if (note.decisionDetail.trim() !== '') w.paragraph(note.decisionDetail);
  }
  const addenda = record.notes.filter((n): n is Addendum => n.kind === 'addendum');
  if (addenda.length > 0) {
    w.heading('Tillegg');
    for (const a of addenda) {
      w.subheading(`${osloDateTime(a.signedAt)} – ${a.authorName}`);
      w.paragraph(a.text);
    }
  }
}

/** Largest drawn photo: the text width, and at most this tall, so a photo and its caption share a page. */
const PHOTO_MAX_HEIGHT_MM = 115;

/** The photos' bytes, each checked against the stored size and SHA-256 (a corrupted image is never printed). */
function photoImages(record: ConsultRecord, images: ReadonlyMap<string, Uint8Array> | undefined): Map<string, Buffer> {
  const checked = new Map<string, Buffer>();
  for (const photo of record.photos) {
    const bytes = images?.get(photo.id);
    if (bytes === undefined) continue;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer.length !== photo.byteSize || createHash('sha256').update(buffer).digest('hex') !== photo.sha256) {
      throw new Error(`photo ${photo.id}: the image bytes do not match the stored size and SHA-256`);
    }
    checked.set(photo.id, buffer);
  }
  return checked;
}

/**
 * Each photo under its time, who took it and its caption, scaled (aspect kept)
 * to the text width and at most PHOTO_MAX_HEIGHT_MM tall; a photo that does
 * not fit below the text starts a new page.
 */
function writePhotos(w: Writer, record: ConsultRecord, images: ReadonlyMap<string, Buffer>): void {
  if (record.photos.length === 0) return;
  w.heading('Bilder');
  const { doc } = w;
  for (const photo of record.photos) {
    const bytes = images.get(photo.id);
    const maxHeight = PHOTO_MAX_HEIGHT_MM * MM;
    const scale = Math.min(w.width / photo.width, maxHeight / photo.height);
    const width = photo.width * scale;
    const height = photo.height * scale;
    // Title, caption and the image stay together.
    w.ensure(30 + (photo.caption ? 14 : 0) + (bytes ? height + 8 : 14));
    w.subheading(`${osloDateTime(photo.takenAt)} – ${photo.takenByName}`);
    w.paragraph(photo.caption || '(uten tekst)');
    const detail = `${photo.width} × ${photo.height} px, ${photo.mimeType === 'image/png' ? 'PNG' : 'JPEG'}`;
    if (!bytes) {
      w.paragraph(`${detail}. Bildet er ikke med i denne utskriften.`, COLOUR.red);
      continue;
    }
    w.paragraph(`${detail}, SHA-256 ${photo.sha256.slice(0, 16)}…`, COLOUR.muted);
    const y = doc.y + 2;
    doc.image(bytes, w.left, y, { width, height });
    doc.rect(w.left, y, width, height).lineWidth(0.5).strokeColor(COLOUR.rule).stroke();
    doc.x = w.left;
    doc.y = y + height + 6;
  }
}

// --- ECG --------------------------------------------------------------------------------

export interface EcgRow {
  signalIndex: number;
  firstSample: number;
  /** Samples in this row (at most 10 s worth). */
  count: number;
}

/** Each lead in rows of at most 10 s, lead by lead, in the strip's signal order. */
export function ecgRows(strip: Pick<EcgStrip, 'signals' | 'sampleRateHz' | 'length'>): EcgRow[] {
  const perRow = Math.round(ECG_SECONDS_PER_ROW * strip.sampleRateHz);
  const rows: EcgRow[] = [];
  strip.signals.forEach((_signal, signalIndex) => {
    for (let first = 0; first < strip.length; first += perRow) {
      rows.push({ signalIndex, firstSample: first, count: Math.min(perRow, strip.length - first) });
    }
  });
  return rows;
}

function median(values: readonly number[]): number {
  // A typed array sorts numerically and fast: this runs once per 10 s row of 5000 samples.
  const finite = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (finite.length === 0) return 0;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

function drawStrip(doc: Doc, strip: EcgStrip, samples: Int16Array): void {
  const rows = ecgRows(strip);
  const pages = Math.ceil(rows.length / ECG_ROWS_PER_PAGE);
  const n = strip.signals.length;
  const seconds = strip.length / strip.sampleRateHz;
  for (let page = 0; page < pages; page++) {
    doc.addPage({ size: A4, layout: 'landscape', margins: LANDSCAPE_MARGIN });
    const pageRows = rows.slice(page * ECG_ROWS_PER_PAGE, (page + 1) * ECG_ROWS_PER_PAGE);
    const left = LANDSCAPE_MARGIN.left;
    const gridX = left + ECG_CAL_BAND_MM * MM;
    const gridY = LANDSCAPE_MARGIN.top + 10 * MM;
    const gridW = Math.max(...pageRows.map((r) => r.count / strip.sampleRateHz)) * ECG_MM_PER_SECOND * MM;
    const gridH = (ECG_TOP_PAD_MM + pageRows.length * ECG_ROW_MM) * MM;

    doc
      .font('Bold')
      .fontSize(11)
      .fillColor(COLOUR.text)
      .text(
        `EKG ${osloDateTime(strip.startTime)}${pages > 1 ? ` (${page + 1} av ${pages})` : ''}`,
        left,
        LANDSCAPE_MARGIN.top,
        { lineBreak: false },
      );
    doc
      .font('Body')
      .fontSize(8.5)
      .fillColor(COLOUR.muted)
      .text(
        `${strip.signals.join(', ')} · ${nbNumber(seconds, 1)} s · ${nbNumber(strip.sampleRateHz)} Hz · ` +
          `lagret av ${strip.capturedByName} ${osloDateTime(strip.capturedAt)}`,
        left,
        LANDSCAPE_MARGIN.top + 5 * MM,
        { lineBreak: false },
      );

    drawGrid(doc, gridX, gridY, gridW, gridH);

    pageRows.forEach((row, r) => {
      const rowTop = gridY + (ECG_TOP_PAD_MM + r * ECG_ROW_MM) * MM;
      const baseY = rowTop + ECG_BASELINE_MM * MM;
      const signal = strip.signals[row.signalIndex]!;
      const pleth = signal === 'Pleth';
      const values: number[] = [];
      for (let i = 0; i < row.count; i++) {
        const raw = samples[(row.firstSample + i) * n + row.signalIndex]!;
        values.push(raw === INVALID_SAMPLE ? NaN : (raw - strip.baseline) / strip.gain);
      }
      // The row's median sits on its centre line (baseline restoration, as an ECG printer's
      // filter does); the scale stays 10 mm/mV. A plethysmogram has no mV: it is fitted to the row.
      const centre = median(values);
      let mmPerUnit = ECG_MM_PER_MV;
      if (pleth) {
        const finite = values.filter(Number.isFinite);
        const span = finite.length > 0 ? Math.max(...finite) - Math.min(...finite) : 0;
        mmPerUnit = span > 0 ? (ECG_ROW_MM * 0.7) / span : 1;
      }
      if (!pleth) drawCalibration(doc, left + 2 * MM, baseY);

      doc.save();
      doc.rect(gridX, gridY, gridW, gridH).clip();
      let penDown = false;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (!Number.isFinite(v)) {
          penDown = false; // a dropout is a gap, not a line to zero
          continue;
        }
        const x = gridX + (i / strip.sampleRateHz) * ECG_MM_PER_SECOND * MM;
        const y = baseY - (v - centre) * mmPerUnit * MM;
        if (penDown) doc.lineTo(x, y);
        else doc.moveTo(x, y);
        penDown = true;
      }
      doc.lineWidth(0.6).lineJoin('round').strokeColor(COLOUR.trace).stroke();
      doc.restore();

      const start = row.firstSample / strip.sampleRateHz;
      const label =
        (pleth ? 'Pleth (relativ skala)' : signal) +
        (strip.length > ECG_SECONDS_PER_ROW * strip.sampleRateHz
          ? `  ${nbNumber(start, 0)}–${nbNumber(start + row.count / strip.sampleRateHz, 0)} s`
          : '');
      doc
        .font('Bold')
        .fontSize(9)
        .fillColor(COLOUR.text)
        .text(label, gridX + 1.5 * MM, rowTop + 1 * MM, { lineBreak: false });
    });

    doc
      .font('Bold')
      .fontSize(9)
      .fillColor(COLOUR.text)
      .text(`${ECG_MM_PER_SECOND} mm/s ${ECG_MM_PER_MV} mm/mV`, gridX, gridY + gridH + 2 * MM, { lineBreak: false });
    doc
      .font('Body')
      .fontSize(8)
      .fillColor(COLOUR.muted)
      .text(
        'Rutenett 1 mm / 5 mm · kalibreringspuls 1 mV · ingen filtrering utover grunnlinje (median per rad) · ' +
          'skriv ut i 100 % (ikke «tilpass til side») for riktig skala',
        gridX,
        gridY + gridH + 6.5 * MM,
        { lineBreak: false },
      );
  }
}

/** The 1 mm / 5 mm grid, every line across the whole block; minor lines first so the major ones stay on top. */
function drawGrid(doc: Doc, x: number, y: number, width: number, height: number): void {
  const cols = Math.round(width / MM);
  const rows = Math.round(height / MM);
  for (const major of [false, true]) {
    for (let i = 0; i <= cols; i++) {
      if ((i % 5 === 0) !== major) continue;
      doc.moveTo(x + i * MM, y).lineTo(x + i * MM, y + height);
    }
    for (let j = 0; j <= rows; j++) {
      if ((j % 5 === 0) !== major) continue;
      doc.moveTo(x, y + j * MM).lineTo(x + width, y + j * MM);
    }
    doc
      .lineWidth(major ? 0.5 : 0.2)
      .strokeColor(major ? COLOUR.gridMajor : COLOUR.gridMinor)
      .stroke();
  }
}

/** A 1 mV, 200 ms calibration pulse: 10 mm high, 5 mm wide, standing on the row's baseline. */
function drawCalibration(doc: Doc, x: number, baseY: number): void {
  const up = baseY - ECG_MM_PER_MV * MM;
  const wide = 0.2 * ECG_MM_PER_SECOND * MM;
  doc
    .moveTo(x, baseY)
    .lineTo(x + 1.5 * MM, baseY)
    .lineTo(x + 1.5 * MM, up)
    .lineTo(x + 1.5 * MM + wide, up)
    .lineTo(x + 1.5 * MM + wide, baseY)
    .lineTo(x + 3 * MM + wide, baseY)
    .lineWidth(0.6)
    .strokeColor(COLOUR.trace)
    .stroke();
}

// --- Running header and page numbers ----------------------------------------------------

function stampPages(doc: Doc, record: ConsultRecord, generatedAt: number): void {
  const range = doc.bufferedPageRange();
  const patient = patientLine(record);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { width, height, margins } = doc.page;
    // Writing into the margins must not start a new page.
    const saved = { ...margins };
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    const inner = width - saved.left - saved.right;
    doc.font('Bold').fontSize(8.5).fillColor(COLOUR.text);
    doc.text(`${patient.name} · ${patient.id}`, saved.left, 9 * MM, { width: inner * 0.7, lineBreak: false });
    doc
      .font('Body')
      .fillColor(COLOUR.muted)
      .text(`Konsultasjon ${record.consult.id.slice(0, 8)}`, saved.left + inner * 0.7, 9 * MM, {
        width: inner * 0.3,
        align: 'right',
        lineBreak: false,
      });
    doc
      .moveTo(saved.left, 13 * MM)
      .lineTo(width - saved.right, 13 * MM)
      .lineWidth(0.4)
      .strokeColor(COLOUR.rule)
      .stroke();
    const footY = height - 10 * MM;
    doc
      .font('Body')
      .fontSize(8)
      .fillColor(COLOUR.muted)
      .text(
        `${record.lvsSiteName ?? record.districtName} · ${record.placeName} · utskrift ${osloDateTime(generatedAt)}`,
        saved.left,
        footY,
        { width: inner * 0.75, lineBreak: false },
      );
    doc
      .font('Bold')
      .fillColor(COLOUR.text)
      .text(`Side ${i - range.start + 1} av ${range.count}`, saved.left + inner * 0.75, footY, {
        width: inner * 0.25,
        align: 'right',
        lineBreak: false,
      });
    doc.page.margins = saved;
  }
}
