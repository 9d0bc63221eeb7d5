import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import type { ConsultRecord } from '@legevakt/shared';
import { COLOUR, MM, consultRecordToPdf, ecgRows, vitalsTable } from './pdfSummary.ts';
import { pdfPages, rgb, type PdfPageContent, type StrokedPath } from './testing/pdfContent.ts';
import { FIXTURE_TIMES, consultRecordFixture, withControlDigits } from './testing/recordFixture.ts';

const GENERATED_AT = Date.UTC(2025, 0, 15, 8, 0, 0);

async function pagesText(pdf: Buffer): Promise<string[]> {
  const { text } = await extractText(new Uint8Array(pdf), { mergePages: false });
  // pdf.js puts a line break or a space between text runs; compare with runs of whitespace as one space.
  return text.map((t) => t.replace(/\s+/g, ' '));
}

const xs = (path: StrokedPath) => path.subpaths.flatMap((s) => s.map(([x]) => x));
const ys = (path: StrokedPath) => path.subpaths.flatMap((s) => s.map(([, y]) => y));
const span = (values: number[]) => Math.max(...values) - Math.min(...values);
const toMm = (pt: number) => pt / MM;

function gridOf(page: PdfPageContent) {
  const major = page.paths.filter((p) => p.colour === rgb(COLOUR.gridMajor));
  const minor = page.paths.filter((p) => p.colour === rgb(COLOUR.gridMinor));
  expect(major).toHaveLength(1);
  expect(minor).toHaveLength(1);
  const vertical = (p: StrokedPath) =>
    [...new Set(p.subpaths.filter((s) => s[0]![0] === s[1]![0]).map((s) => s[0]![0]))].sort((a, b) => a - b);
  const horizontal = (p: StrokedPath) => p.subpaths.filter((s) => s[0]![1] === s[1]![1]);
  return { major: major[0]!, minor: minor[0]!, vertical, horizontal };
}

describe('PDF summary of a consult record', () => {
  it('has the header, every section and "Side n av N" on every page, with Norwegian letters intact', async () => {
    const record = await consultRecordFixture();
    const pdf = await consultRecordToPdf(record, { generatedAt: GENERATED_AT });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = await pagesText(pdf);
    // Two text pages, then the 12-lead strip (12 rows, 6 per landscape page) and the 2-lead strip.
    expect(pages).toHaveLength(5);
    pages.forEach((text, i) => {
      expect(text).toContain(`Side ${i + 1} av 5`);
      expect(text).toContain('Astrid Nordmann · Fødselsnummer 130972 48022'); // every page names the patient
    });
    const first = pages[0]!;
    for (const expected of [
      'Legevakt (LVS) Molde LVS, Romsdal legevaktdistrikt',
      'Satellitt Sunndal helsetun',
      'født 13.09.1972, kvinne',
      'Forespurt 14.01.2025 20:51', // 19:51:12 UTC is 20:51 in Oslo in winter
      'Besvart 14.01.2025 20:52 (etter 1 min 24 s)',
      'Samtale 14.01.2025 20:52–21:04 (11 min 40 s)',
      'Lukket 14.01.2025 21:11',
      'Ingrid Aasen (sykepleier, Sunndal helsetun)',
      'Lars Hjelset (lege, Molde LVS)',
      'Svie ved vannlating i to dager, nå frysninger og vondt i høyre side av ryggen.',
      'Triage Gul',
      'CRP 64 mg/L',
      'Forløp: Ukomplisert urinveisinfeksjon hos kvinner 16–55 år',
      'Rødt flagg: Feber ≥ 38 °C eller frysninger Ja',
      'Rødt flagg: Gravid eller mulig gravid Nei',
      'Tidslinje',
      'Videosamtale startet',
      'Vitale parametre',
    ]) {
      expect(first).toContain(expected);
    }
    const all = pages.join('\n');
    for (const expected of [
      'Bankeøm over høyre nyrelosje',
      'Vurdering Mistenkt akutt pyelonefritt hos kvinne 52 år. Stabil sirkulasjon, SpO₂ 94–96 %.',
      'Plan Innlegges medisinsk avdeling Molde sykehus',
      'Signert av Lars Hjelset 14.01.2025 21:11',
      'Beslutning Innleggelse i sykehus',
      'Sykepleier bestiller transport via AMK',
      'Tillegg 14.01.2025 22:56 – Lars Hjelset Sykehuset bekrefter mottak kl. 22.55.',
      'Urinstiks: leukocytter 2+, nitritt positiv',
      '(m) Manuelt målt.',
    ]) {
      expect(all).toContain(expected);
    }
    // The ECG pages: scale, lead labels, the strip's time.
    for (const page of pages.slice(2)) expect(page).toContain('25 mm/s 10 mm/mV');
    expect(pages[2]).toContain('EKG 14.01.2025 20:56 (1 av 2)');
    for (const lead of ['I', 'II', 'III', 'aVR', 'aVL', 'aVF']) expect(pages[2]).toMatch(new RegExp(`(^| )${lead} `));
    for (const lead of ['V1', 'V2', 'V3', 'V4', 'V5', 'V6']) expect(pages[3]).toContain(lead);
    expect(pages[4]).toContain('II, V5 · 6,0 s · 360 Hz');
  });

  it('prints text pages in A4 portrait and ECG pages in A4 landscape', async () => {
    const pdf = await consultRecordToPdf(await consultRecordFixture(), { generatedAt: GENERATED_AT, compress: false });
    const boxes = pdfPages(pdf).map((p) => p.mediaBox.map((v) => Math.round(toMm(v))));
    expect(boxes).toEqual([
      [210, 297],
      [210, 297],
      [297, 210],
      [297, 210],
      [297, 210],
    ]);
  });

  it('draws a 10 s strip at 25 mm/s on a grid exactly 250 mm wide, 1 mm minor and 5 mm major squares', async () => {
    const record = await consultRecordFixture({ strips: 'twelve-lead' });
    const strip = record.strips[0]!;
    expect(strip.length / strip.sampleRateHz).toBe(10);
    const pdf = await consultRecordToPdf(record, { generatedAt: GENERATED_AT, compress: false });
    const ecgPage = pdfPages(pdf)[2]!;
    const grid = gridOf(ecgPage);

    const majorX = grid.vertical(grid.major);
    expect(toMm(majorX.at(-1)! - majorX[0]!)).toBeCloseTo(250, 3);
    expect(majorX).toHaveLength(51); // 0, 5, …, 250 mm
    for (let i = 1; i < majorX.length; i++) expect(toMm(majorX[i]! - majorX[i - 1]!)).toBeCloseTo(5, 3);
    const allX = [...majorX, ...grid.vertical(grid.minor)].sort((a, b) => a - b);
    expect(allX).toHaveLength(251);
    for (let i = 1; i < allX.length; i++) expect(toMm(allX[i]! - allX[i - 1]!)).toBeCloseTo(1, 3);
    for (const line of grid.horizontal(grid.major)) expect(toMm(line[1]![0] - line[0]![0])).toBeCloseTo(250, 3);
    // Six rows of 25 mm and one large square of headroom.
    expect(toMm(span(ys(grid.major)))).toBeCloseTo(155, 3);

    // Each lead's trace covers the strip's time at 25 mm/s, starting on the grid's left edge.
    const traces = ecgPage.paths.filter((p) => p.colour === rgb(COLOUR.trace) && p.subpaths.length === 1);
    const leadTraces = traces.filter((p) => p.subpaths[0]!.length === strip.length);
    expect(leadTraces).toHaveLength(6);
    for (const trace of leadTraces) {
      expect(Math.min(...xs(trace))).toBeCloseTo(majorX[0]!, 6);
      expect(toMm(span(xs(trace)))).toBeCloseTo(((strip.length - 1) / strip.sampleRateHz) * 25, 3);
    }
    // 10 mm/mV: the trace's vertical excursion in mm is ten times the lead's in mV.
    const leadI = leadTraces[0]!;
    const raw = Buffer.from(strip.samplesBase64, 'base64');
    const mv: number[] = [];
    for (let i = 0; i < strip.length; i++) mv.push((raw.readInt16LE(i * 12 * 2) - strip.baseline) / strip.gain);
    expect(toMm(span(ys(leadI)))).toBeCloseTo(span(mv) * 10, 2);

    // A 1 mV calibration pulse per ECG row: 10 mm high, 5 mm (200 ms) wide.
    const pulses = traces.filter((p) => p.subpaths[0]!.length === 6);
    expect(pulses).toHaveLength(6);
    for (const pulse of pulses) {
      const [, b, c, d] = pulse.subpaths[0]!;
      expect(toMm(b![1] - c![1])).toBeCloseTo(10, 3);
      expect(toMm(d![0] - c![0])).toBeCloseTo(5, 3);
    }
  });

  it("sizes a shorter strip's grid to its length (6 s → 150 mm) and splits a long one into 10 s rows", async () => {
    const record = await consultRecordFixture();
    const pdf = await consultRecordToPdf(record, { generatedAt: GENERATED_AT, compress: false });
    const lastPage = pdfPages(pdf)[4]!;
    const grid = gridOf(lastPage);
    const majorX = grid.vertical(grid.major);
    expect(toMm(majorX.at(-1)! - majorX[0]!)).toBeCloseTo(150, 3);

    const long = { signals: ['II' as const], sampleRateHz: 500, length: 500 * 25 };
    expect(ecgRows(long)).toEqual([
      { signalIndex: 0, firstSample: 0, count: 5000 },
      { signalIndex: 0, firstSample: 5000, count: 5000 },
      { signalIndex: 0, firstSample: 10000, count: 2500 },
    ]);
  });

  it('prints a D-nummer patient with a non-Norwegian name correctly, and an unknown patient by description', async () => {
    let dnr: string | null = null;
    for (let individual = 480; dnr === null; individual++) dnr = withControlDigits(`530972${individual}`);
    const foreign = await consultRecordFixture({
      patient: { kind: 'known', name: 'Łukasz Wiśniewski', nationalId: dnr },
      strips: 'none',
    });
    const text = (await pagesText(await consultRecordToPdf(foreign, { generatedAt: GENERATED_AT }))).join('\n');
    expect(text).toContain(`Łukasz Wiśniewski · D-nummer ${dnr.slice(0, 6)} ${dnr.slice(6)}`);

    const unknown = await consultRecordFixture({
      patient: { kind: 'unknown', description: 'mann funnet på kaia', sex: 'male', approximateAgeYears: 60 },
      strips: 'none',
    });
    const unknownText = (await pagesText(await consultRecordToPdf(unknown, { generatedAt: GENERATED_AT }))).join('\n');
    expect(unknownText).toContain('Ukjent identitet (mann funnet på kaia) · mann, ca. 60 år');
    expect(unknownText).not.toContain('Fødselsnummer');
  });

  it('says plainly when the note is not signed, and numbers the pages of a long note', async () => {
    const unsigned = await consultRecordFixture({ unsigned: true, strips: 'none' });
    const text = (await pagesText(await consultRecordToPdf(unsigned, { generatedAt: GENERATED_AT }))).join('\n');
    expect(text).toContain('Notatet er ikke signert.');
    expect(text).toContain('ikke lukket (under dokumentasjon, notatet er ikke signert)');

    const long: ConsultRecord = await consultRecordFixture({ strips: 'none' });
    const note = long.notes[0]!;
    if (note.kind !== 'note') throw new Error('fixture: the first entry is the note');
    note.findings = Array.from({ length: 60 }, (_, i) => `Linje ${i + 1}: funn som tar plass i notatet.`).join('\n');
    const pages = await pagesText(await consultRecordToPdf(long, { generatedAt: GENERATED_AT }));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => expect(page).toContain(`Side ${i + 1} av ${pages.length}`));
    expect(pages.join('\n')).toContain('Linje 60: funn som tar plass i notatet.');
  });

  it('keeps the vitals table short: newest value per interval, longer intervals for a long consult', async () => {
    const record = await consultRecordFixture({ strips: 'none' });
    const table = vitalsTable(record.vitals);
    expect(table.bucketMinutes).toBe(1);
    expect(table.columns).toEqual([
      'bp',
      'meanPressure',
      'pulseRate',
      'heartRateEcg',
      'spo2',
      'temperature',
      'respirationRate',
    ]);
    const firstNibp = record.vitals.find((v) => v.kind === 'systolic')!;
    const row = table.rows.find((r) => r.at <= firstNibp.measuredAt && firstNibp.measuredAt < r.at + 60_000)!;
    expect(row.cells.bp).toBe('142/88');
    expect(table.rows[0]!.cells.temperature).toBe('38,1 (m) øre');

    // Two hours of numerics every 2 s: 3600 samples per kind, at most 40 rows.
    const start = FIXTURE_TIMES.claimedAt;
    const many = Array.from({ length: 3600 }, (_, i) => ({
      kind: 'spo2' as const,
      value: 95,
      unit: '%',
      measuredAt: start + i * 2000,
      device: 'm',
      source: 'simulator' as const,
      quality: [],
    }));
    const long = vitalsTable(many);
    expect(long.bucketMinutes).toBe(5);
    expect(long.rows.length).toBeLessThanOrEqual(40);
  });

  it('refuses a strip whose stored bytes do not match its length, before writing anything', async () => {
    const record = await consultRecordFixture({ strips: 'twelve-lead' });
    record.strips[0]!.samplesBase64 = 'AAAA';
    await expect(consultRecordToPdf(record, { generatedAt: GENERATED_AT })).rejects.toThrow(
      /bytes of samples, expected 120000/,
    );
  });
});
