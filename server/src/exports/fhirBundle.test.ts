import { describe, expect, it } from 'vitest';
import type { Bundle as AnyBundle, Composition, Encounter, FhirResource, Observation, Patient } from 'fhir/r4.d.ts';

type Bundle = AnyBundle<FhirResource>;
import { NUMERIC_KINDS, validateNationalId, type ConsultRecord } from '@legevakt/shared';
import { consultRecordToFhirBundle } from './fhirBundle.ts';
import {
  LOINC_BP_PANEL,
  LOINC_CONSULT_NOTE,
  LOINC_CRP,
  LOINC_EKG_STUDY,
  LOINC_GLUCOSE,
  LOINC_HEART_RATE,
  LOINC_OXYGEN_SATURATION,
  SECTION,
} from './fhirCodes.ts';
import { checkFhirDocument } from './testing/fhirChecks.ts';
import { FIXTURE_TIMES, consultRecordFixture, stripMillivolts, withControlDigits } from './testing/recordFixture.ts';

const GENERATED_AT = Date.UTC(2025, 0, 15, 8, 0, 0);
const LOINC = 'http://loinc.org';
const MDC = 'urn:iso:std:iso:11073:10101';
const UCUM = 'http://unitsofmeasure.org';

function resources<T extends { resourceType: string }>(bundle: Bundle, type: T['resourceType']): T[] {
  const all: unknown[] = (bundle.entry ?? []).map((e) => e.resource);
  return all.filter((r): r is T => (r as T | undefined)?.resourceType === type);
}

function only<T extends { resourceType: string }>(bundle: Bundle, type: T['resourceType']): T {
  const found = resources<T>(bundle, type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function resolve(bundle: Bundle, reference: string | undefined) {
  return bundle.entry?.find((e) => e.fullUrl === reference)?.resource;
}

const codes = (o: { code: { coding?: { system?: string; code?: string }[] } }, system: string) =>
  (o.code.coding ?? []).filter((c) => c.system === system).map((c) => c.code);

describe('FHIR R4 document of a consult record', () => {
  it('is a structurally valid document bundle: Composition first, urn:uuid fullUrls, every reference resolves', async () => {
    const record = await consultRecordFixture();
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    expect(bundle.type).toBe('document');
    expect(bundle.entry?.[0]?.resource?.resourceType).toBe('Composition');
    expect(bundle.timestamp).toBe('2025-01-15T09:00:00.000+01:00');
    // A round trip through JSON (what is downloaded) keeps it valid: no undefined left behind.
    expect(checkFhirDocument(JSON.parse(JSON.stringify(bundle)) as Bundle)).toEqual([]);
  });

  it('the checker itself catches a dangling reference, an empty element and a bad SampledData token', async () => {
    const bundle = consultRecordToFhirBundle(await consultRecordFixture({ strips: 'twelve-lead' }), {
      generatedAt: GENERATED_AT,
    });
    const broken = JSON.parse(JSON.stringify(bundle)) as Bundle;
    const observation = resources<Observation>(broken, 'Observation')[0]!;
    observation.subject = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' };
    observation.note = [];
    const strip = resources<Observation>(broken, 'Observation').find((o) => o.component?.[0]?.valueSampledData)!;
    strip.component![0]!.valueSampledData!.data = '1 2 x';
    const problems = checkFhirDocument(broken).join('\n');
    expect(problems).toContain('does not resolve');
    expect(problems).toContain('empty array');
    expect(problems).toContain('"x"');
  });

  it('identifies the patient by fødselsnummer with the Norwegian OID, name, birth date and sex', async () => {
    const bundle = consultRecordToFhirBundle(await consultRecordFixture(), { generatedAt: GENERATED_AT });
    const patient = only<Patient>(bundle, 'Patient');
    expect(patient.identifier).toEqual([
      expect.objectContaining({ system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: '13097248022' }),
    ]);
    expect(patient.name?.[0]).toMatchObject({ text: 'Astrid Nordmann', family: 'Nordmann', given: ['Astrid'] });
    expect(patient.birthDate).toBe('1972-09-13');
    expect(patient.gender).toBe('female');
  });

  it('uses the D-nummer system for a D-nummer (day + 40)', async () => {
    // 13 Sep 1972 as a D-nummer: 53 09 72, an individual number with valid control digits.
    let dnr: string | null = null;
    for (let individual = 480; dnr === null; individual++) dnr = withControlDigits(`530972${individual}`);
    expect(validateNationalId(dnr)).toMatchObject({ ok: true, kind: 'dnr' });
    const record = await consultRecordFixture({
      patient: { kind: 'known', name: 'Łukasz Wiśniewski', nationalId: dnr },
      strips: 'none',
    });
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const patient = only<Patient>(bundle, 'Patient');
    expect(patient.identifier?.[0]).toMatchObject({ system: 'urn:oid:2.16.578.1.12.4.1.4.2', value: dnr });
    expect(patient.birthDate).toBe('1972-09-13');
  });

  it('gives an unknown patient no identifier, but sex, an approximate age and a description', async () => {
    const record = await consultRecordFixture({
      patient: { kind: 'unknown', description: 'mann funnet på kaia', sex: 'male', approximateAgeYears: 60 },
      strips: 'none',
    });
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const patient = only<Patient>(bundle, 'Patient');
    expect(patient.identifier).toBeUndefined();
    expect(patient.name).toBeUndefined();
    expect(patient.gender).toBe('male');
    expect(patient.extension?.[0]?.valueAge).toMatchObject({ value: 60, system: UCUM, code: 'a' });
    expect(patient.text?.div).toContain('mann funnet på kaia');
  });

  it('codes every vital sign with its LOINC code, the MDC code second and a UCUM quantity', async () => {
    const record = await consultRecordFixture({ strips: 'none' });
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    const vitals = resources<Observation>(bundle, 'Observation').filter((o) =>
      o.category?.some((c) => c.coding?.some((k) => k.code === 'vital-signs')),
    );
    const single = record.vitals.filter((v) => !['systolic', 'diastolic', 'meanPressure'].includes(v.kind));
    const nibp = record.vitals.filter((v) => v.kind === 'systolic');
    expect(vitals).toHaveLength(single.length + nibp.length);

    for (const sample of single) {
      const k = NUMERIC_KINDS[sample.kind];
      const match = vitals.find(
        (o) =>
          codes(o, MDC).includes(String(k.mdcCode)) &&
          Date.parse(o.effectiveDateTime!) === sample.measuredAt &&
          o.valueQuantity?.value === sample.value,
      );
      expect(match, `${sample.kind} at ${sample.measuredAt}`).toBeDefined();
      expect(codes(match!, LOINC)).toContain(k.loinc);
      expect(match!.valueQuantity).toMatchObject({ system: UCUM, code: k.ucum });
    }
    const spo2 = vitals.find((o) => codes(o, LOINC).includes('59408-5'))!;
    expect(codes(spo2, LOINC)).toEqual(['2708-6', '59408-5']); // the oxygensat profile's required code first
    expect(spo2.valueQuantity?.code).toBe('%');
    const temperature = vitals.find((o) => codes(o, LOINC).includes('8310-5'))!;
    expect(temperature.valueQuantity).toMatchObject({ value: 38.1, code: 'Cel', system: UCUM });
    expect(temperature.method?.text).toBe('Manuelt målt');
    expect(temperature.effectiveDateTime).toBe('2025-01-14T20:46:12.000+01:00');
    expect(vitals.find((o) => o.note?.[0]?.text === 'Kvalitet: artefakt')).toBeDefined();
  });

  it('writes blood pressure as the 85354-9 panel with systolic and diastolic components in mm[Hg]', async () => {
    const record = await consultRecordFixture({ strips: 'none' });
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    const panels = resources<Observation>(bundle, 'Observation').filter((o) => codes(o, LOINC).includes('85354-9'));
    const systolic = record.vitals.filter((v) => v.kind === 'systolic');
    expect(panels).toHaveLength(systolic.length);
    for (const [i, panel] of panels.entries()) {
      expect(panel.meta?.profile).toContain('http://hl7.org/fhir/StructureDefinition/bp');
      expect(panel.valueQuantity).toBeUndefined();
      const component = (loinc: string) =>
        panel.component?.find((c) => c.code.coding?.some((k) => k.system === LOINC && k.code === loinc));
      expect(component('8480-6')?.valueQuantity).toEqual({
        value: systolic[i]!.value,
        unit: 'mm[Hg]',
        system: UCUM,
        code: 'mm[Hg]',
      });
      const diastolic = record.vitals.find((v) => v.kind === 'diastolic' && v.measuredAt === systolic[i]!.measuredAt)!;
      expect(component('8462-4')?.valueQuantity?.value).toBe(diastolic.value);
      expect(component('8478-0')).toBeDefined();
    }
  });

  it('keeps a lone systolic value as its own observation rather than a half panel', async () => {
    const record = await consultRecordFixture({ strips: 'none' });
    record.vitals = [
      {
        kind: 'systolic',
        value: 120,
        unit: 'mm[Hg]',
        measuredAt: FIXTURE_TIMES.claimedAt,
        device: 'x',
        source: 'bluetooth',
        quality: [],
      },
    ];
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const observations = resources<Observation>(bundle, 'Observation').filter((o) =>
      codes(o, LOINC).includes('8480-6'),
    );
    expect(observations).toHaveLength(1);
    expect(observations[0]!.valueQuantity?.value).toBe(120);
  });

  it('carries each ECG lead as SampledData whose values round-trip to the strip samples in mV', async () => {
    const record = await consultRecordFixture();
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    const ecgs = resources<Observation>(bundle, 'Observation').filter((o) => codes(o, LOINC).includes('11524-6'));
    expect(ecgs).toHaveLength(record.strips.length);
    for (const strip of record.strips) {
      const ecg = ecgs.find((o) => Date.parse(o.effectivePeriod!.start!) === strip.startTime)!;
      expect(ecg.component).toHaveLength(strip.signals.length);
      expect(Date.parse(ecg.effectivePeriod!.end!) - strip.startTime).toBe((strip.length / strip.sampleRateHz) * 1000);
      strip.signals.forEach((lead, s) => {
        const data = ecg.component![s]!.valueSampledData!;
        expect(ecg.component![s]!.code.text).toBe(`Avledning ${lead}`);
        expect(data.origin).toEqual({ value: 0, unit: 'mV', system: UCUM, code: 'mV' });
        expect(data.period).toBeCloseTo(1000 / strip.sampleRateHz, 12);
        expect(data.dimensions).toBe(1);
        const values = data.data!.split(' ').map((t) => data.origin.value! + data.factor! * Number(t));
        const expected = stripMillivolts(strip, s);
        expect(values).toHaveLength(strip.length);
        for (let i = 0; i < values.length; i++) expect(Math.abs(values[i]! - expected[i]!)).toBeLessThan(1e-12);
      });
    }
    // The 12-lead strip has the limb leads with their MDC codes.
    const twelve = ecgs.find((o) => o.component?.length === 12)!;
    expect(twelve.component!.map((c) => c.code.coding![0]!.code).slice(0, 3)).toEqual(['131329', '131330', '131389']);
  });

  it('marks a sample the device did not deliver as E, not as a value', async () => {
    const record = await consultRecordFixture({ strips: 'twelve-lead' });
    const strip = record.strips[0]!;
    const bytes = Buffer.from(strip.samplesBase64, 'base64');
    bytes.writeInt16LE(-32768, 2 * (5 * strip.signals.length + 1)); // sample 5 of lead II
    strip.samplesBase64 = bytes.toString('base64');
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const ecg = resources<Observation>(bundle, 'Observation').find((o) => o.component?.length === 12)!;
    expect(ecg.component![1]!.valueSampledData!.data!.split(' ')[5]).toBe('E');
    expect(ecg.component![0]!.valueSampledData!.data!.split(' ')[5]).not.toBe('E');
  });

  it('refuses a strip whose stored bytes do not match its length, naming it', async () => {
    const record = await consultRecordFixture({ strips: 'twelve-lead' });
    record.strips[0]!.samplesBase64 = record.strips[0]!.samplesBase64.slice(0, 400);
    expect(() => consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT })).toThrow(
      new RegExp(`strip ${record.strips[0]!.id}: \\d+ bytes of samples, expected 120000`),
    );
  });

  it('has the encounter (virtual, claim to close), the people and places, and the signed note as sections', async () => {
    const record = await consultRecordFixture({ strips: 'none' });
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    const encounter = only<Encounter>(bundle, 'Encounter');
    expect(encounter.class).toMatchObject({ code: 'VR' });
    expect(encounter.status).toBe('finished');
    expect(Date.parse(encounter.period!.start!)).toBe(FIXTURE_TIMES.claimedAt);
    expect(Date.parse(encounter.period!.end!)).toBe(FIXTURE_TIMES.noteSignedAt);
    expect(encounter.hospitalization?.dischargeDisposition?.coding?.[0]?.code).toBe('hospital-admission');
    expect(resolve(bundle, encounter.serviceProvider?.reference)).toMatchObject({ name: 'Molde LVS' });
    const names = (encounter.participant ?? []).map((p) => resolve(bundle, p.individual?.reference));
    expect(names.map((p) => (p as { name?: { text?: string }[] }).name?.[0]?.text)).toEqual([
      'Ingrid Aasen',
      'Lars Hjelset',
    ]);
    expect(encounter.participant?.[1]?.type?.[0]?.coding?.[0]?.code).toBe('PPRF');
    const orgs = resources<{ resourceType: 'Organization'; name?: string }>(bundle, 'Organization').map((o) => o.name);
    expect(orgs).toEqual(expect.arrayContaining(['Romsdal legevaktdistrikt', 'Molde LVS', 'Sunndal helsetun']));

    const composition = bundle.entry![0]!.resource as Composition;
    expect(composition.status).toBe('amended'); // signed, then an addendum
    expect(composition.type.coding?.[0]).toMatchObject({ system: LOINC, code: '11488-4' });
    expect(composition.attester?.[0]).toMatchObject({ mode: 'legal' });
    expect(Date.parse(composition.attester![0]!.time!)).toBe(FIXTURE_TIMES.noteSignedAt);
    const titles = composition.section?.map((s) => s.title);
    expect(titles).toEqual([
      'Henvendelse',
      'Vitale parametre',
      'Bilder',
      'Funn',
      'Vurdering',
      'Plan',
      'Beslutning',
      'Tillegg',
      'Forløp',
    ]);
    const text = (title: string) => composition.section!.find((s) => s.title === title)!.text!.div;
    expect(text('Funn')).toContain('Bankeøm over høyre nyrelosje');
    expect(text('Funn')).toContain('<br/>EKG: sinusrytme');
    expect(text('Beslutning')).toContain('Innleggelse i sykehus');
    expect(text('Tillegg')).toContain('Sykehuset bekrefter mottak');
    expect(text('Henvendelse')).toContain('Rødt flagg: Feber ≥ 38 °C eller frysninger');
    // CRP typed in at intake is a laboratory observation of the intake section.
    const crp = resources<Observation>(bundle, 'Observation').find((o) => codes(o, LOINC).includes('1988-5'))!;
    expect(crp.valueQuantity).toMatchObject({ value: 64, code: 'mg/L' });
  });

  it('exports a consult not yet signed as a preliminary document without a decision', async () => {
    const record = await consultRecordFixture({ unsigned: true, strips: 'none' });
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const composition = bundle.entry![0]!.resource as Composition;
    expect(composition.status).toBe('preliminary');
    expect(composition.attester).toBeUndefined();
    expect(only<Encounter>(bundle, 'Encounter').hospitalization).toBeUndefined();
  });

  it('names the same resources the same way on every export, with a new document identifier', async () => {
    const record: ConsultRecord = await consultRecordFixture({ strips: 'none' });
    const a = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    const b = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT + 60_000 });
    expect(a.entry?.map((e) => e.fullUrl)).toEqual(b.entry?.map((e) => e.fullUrl));
    expect(a.identifier?.value).not.toBe(b.identifier?.value);
  });

  it('uses LOINC codes whose check digit is right (a typo in a code fails here)', () => {
    const loincCodes = [
      ...Object.values(NUMERIC_KINDS).map((k) => k.loinc),
      ...[
        LOINC_BP_PANEL,
        LOINC_HEART_RATE,
        LOINC_OXYGEN_SATURATION,
        LOINC_EKG_STUDY,
        LOINC_CONSULT_NOTE,
        LOINC_CRP,
        LOINC_GLUCOSE,
      ].map((c) => c.code),
      ...Object.values(SECTION).map((c) => c.code),
    ];
    for (const code of loincCodes) expect(loincCheckDigitOk(code), code).toBe(true);
    expect(loincCheckDigitOk('8480-5')).toBe(false);
  });
});

/** LOINC's mod-10 check digit (the Luhn scheme over the digits before the hyphen). */
function loincCheckDigitOk(code: string): boolean {
  const match = /^(\d+)-(\d)$/.exec(code);
  if (!match) return false;
  const digits = Array.from(match[1]!, Number).reverse();
  const sum = digits.reduce((acc, d, i) => {
    if (i % 2 === 1) return acc + d;
    const doubled = d * 2;
    return acc + Math.floor(doubled / 10) + (doubled % 10);
  }, 0);
  return (10 - (sum % 10)) % 10 === Number(match[2]);
}
