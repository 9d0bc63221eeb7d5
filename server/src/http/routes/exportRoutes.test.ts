import https from 'node:https';
import type { Bundle, FhirResource, Observation, Patient } from 'fhir/r4.d.ts';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EcgStrip,
  encodeVitalsMessage,
  type ClinicalNoteInput,
  type LoginResponse,
  type VitalSample,
  type VitalsMessage,
} from '@legevakt/shared';
import { checkFhirDocument } from '../../exports/testing/fhirChecks.ts';
import { cutEcgStrip, stripMillivolts } from '../../exports/testing/recordFixture.ts';
import { claimConsult, intake, login, requestConsult } from '../../testing/consultFixtures.ts';
import { httpsJson } from '../../testing/httpsJson.ts';
import { startTestServer, type TestServer } from '../../testing/testServer.ts';
import { accessEntriesDuring } from '../../testing/accessEntries.ts';

/**
 * The export downloads over HTTPS against a real server: a consult taken,
 * monitored (numerics and a real 12-lead ECG from PhysioNet streamed into the
 * record as the VitalsService stores it), a strip captured, the note signed.
 * Who may download, what arrives, and one access-log entry per request.
 */
let server: TestServer;
const as = new Map<string, LoginResponse>();
const USERS = [
  'sykepleier.sunndal', // the requesting nurse
  'sykepleier.rauma', // same district, another satellite
  'sykepleier.askvoll', // another district
  'ambulanse.molde',
  'lege.molde', // takes the consult
  'lege2.molde', // a doctor of the district
  'lege.forde', // another district, never held it
  'admin',
  'admin.romsdal',
] as const;
type User = (typeof USERS)[number];

const token = (user: User): string => as.get(user)!.accessToken;
const nameOf = (user: User): string => as.get(user)!.user.displayName;

interface Download {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET whose body stays bytes (httpsJson decodes text). */
function download(user: User, path: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    https
      .get(
        `${server.url}${path}`,
        { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token(user)}` } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
          );
        },
      )
      .on('error', reject);
  });
}

const accessEntries = (act: () => Promise<unknown>) => accessEntriesDuring(server, act);

const NOTE: ClinicalNoteInput = {
  findings: 'Våken, orientert. Bankeøm over høyre nyrelosje.',
  assessment: 'Mistenkt pyelonefritt.',
  plan: 'Innleggelse medisinsk avdeling, Molde.',
  decision: 'hospital-admission',
  decisionDetail: 'Transport via AMK.',
};

const ECG_START = Date.UTC(2025, 0, 14, 20, 0, 0);
let closedConsultId = '';
let capturedStrip: EcgStrip;

/**
 * A closed Sunndal consult: requested by the nurse, taken by lege.molde, 12 s of
 * PTB's 12-lead ECG and numerics stored, a 10 s strip captured, call ended,
 * note signed.
 */
async function closedConsultWithVitals(): Promise<string> {
  const consult = await requestConsult(server.url, token('sykepleier.sunndal'));
  await claimConsult(server.url, token('lege.molde'), consult.id);
  const ptb = await cutEcgStrip({
    record: 'ptbdb-s0010_re',
    seconds: 12,
    consultId: consult.id,
    id: '00000000-0000-4000-8000-000000000001',
    startTime: ECG_START,
    capturedAt: ECG_START,
  });
  const raw = Buffer.from(ptb.samplesBase64, 'base64');
  const leads = ptb.signals.length;
  const perChunk = 50; // 100 ms at 500 Hz
  let seq = 0;
  const append = async (message: VitalsMessage) => {
    seq += 1;
    await server.storage.vitals.append({
      consultId: consult.id,
      sourceId: 'monitor-1',
      seq,
      receivedAt: Date.now(),
      message,
      payload: encodeVitalsMessage(seq, message),
    });
  };
  for (let first = 0; first < ptb.length; first += perChunk) {
    const samples = new Int16Array(perChunk * leads);
    for (let i = 0; i < samples.length; i++) samples[i] = raw.readInt16LE((first * leads + i) * 2);
    await append({
      type: 'waveform',
      chunk: {
        streamId: 'ecg-12',
        signals: ptb.signals,
        sampleRateHz: ptb.sampleRateHz,
        gain: ptb.gain,
        baseline: ptb.baseline,
        firstSample: first,
        startTime: ECG_START + (first / ptb.sampleRateHz) * 1000,
        samples,
      },
    });
  }
  const numerics = (at: number): VitalSample[] => [
    {
      kind: 'heartRateEcg',
      value: 72,
      unit: '/min',
      measuredAt: at,
      device: 'Monitor',
      source: 'simulator',
      quality: [],
    },
    { kind: 'spo2', value: 95, unit: '%', measuredAt: at, device: 'Monitor', source: 'simulator', quality: [] },
    {
      kind: 'systolic',
      value: 148,
      unit: 'mm[Hg]',
      measuredAt: at,
      device: 'Monitor',
      source: 'simulator',
      quality: [],
    },
    {
      kind: 'diastolic',
      value: 92,
      unit: 'mm[Hg]',
      measuredAt: at,
      device: 'Monitor',
      source: 'simulator',
      quality: [],
    },
  ];
  await append({ type: 'numerics', samples: numerics(ECG_START) });
  await append({ type: 'numerics', samples: numerics(ECG_START + 60_000) });

  const strip = await httpsJson(`${server.url}/api/consults/${consult.id}/strips`, {
    token: token('lege.molde'),
    body: { streamId: 'ecg-12', endTime: ECG_START + 11_000, seconds: 10 },
  });
  expect(strip.status).toBe(201);
  capturedStrip = EcgStrip.parse(strip.body);
  const ended = await httpsJson(`${server.url}/api/consults/${consult.id}/end-call`, {
    token: token('lege.molde'),
    method: 'POST',
  });
  expect(ended.status).toBe(200);
  const signed = await httpsJson(`${server.url}/api/consults/${consult.id}/note`, {
    token: token('lege.molde'),
    body: NOTE,
  });
  expect(signed.status).toBe(201);
  return consult.id;
}

beforeAll(async () => {
  server = await startTestServer({ queue: { overflowAfterMs: 3600_000 } });
  for (const username of USERS) as.set(username, await login(server.url, username));
  closedConsultId = await closedConsultWithVitals();
}, 60_000);
afterAll(async () => {
  await server.close();
});

describe('PDF export over HTTP', () => {
  it('sends the consult’s doctor an A4 PDF with the record and the strip, named without the patient', async () => {
    let response: Download | undefined;
    const entries = await accessEntries(async () => {
      response = await download('lege.molde', `/api/consults/${closedConsultId}/export.pdf`);
    });
    expect(response!.status).toBe(200);
    expect(response!.headers['content-type']).toBe('application/pdf');
    const disposition = String(response!.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="legevakt-konsultasjon-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.pdf"$/);
    expect(disposition).not.toMatch(/Astrid|Nordmann|13097248022/);
    expect(response!.headers['cache-control']).toBe('no-store');
    expect(entries).toEqual([
      { user: nameOf('lege.molde'), action: 'export.pdf', outcome: 'allowed', consultId: closedConsultId },
    ]);

    const { text } = await extractText(new Uint8Array(response!.body), { mergePages: false });
    const pages = text.map((t) => t.replace(/\s+/g, ' '));
    // Two text pages at most for this short record, then the 12 leads on two landscape pages.
    const ecgPages = pages.filter((p) => p.includes('25 mm/s 10 mm/mV'));
    expect(ecgPages).toHaveLength(2);
    pages.forEach((page, i) => expect(page).toContain(`Side ${i + 1} av ${pages.length}`));
    const all = pages.join('\n');
    for (const expected of [
      'Astrid Nordmann · Fødselsnummer 130972 48022',
      'Molde LVS, Romsdal legevaktdistrikt',
      'Sunndal helsetun',
      'Lars Hjelset (lege, Molde LVS)',
      'Ingrid Aasen (sykepleier, Sunndal helsetun)',
      'Bankeøm over høyre nyrelosje.',
      'Innleggelse i sykehus',
      'Videosamtale avsluttet',
      '148/92',
    ]) {
      expect(all).toContain(expected);
    }
  });

  it('lets a doctor of the district and the requesting nurse download it too', async () => {
    for (const user of ['lege2.molde', 'sykepleier.sunndal'] as const) {
      const response = await download(user, `/api/consults/${closedConsultId}/export.pdf`);
      expect(response.status, user).toBe(200);
      expect(response.body.subarray(0, 5).toString()).toBe('%PDF-');
    }
  });
});

describe('FHIR export over HTTP', () => {
  it('sends a valid R4 document whose ECG is the captured strip, in mV', async () => {
    let response: Download | undefined;
    const entries = await accessEntries(async () => {
      response = await download('sykepleier.sunndal', `/api/consults/${closedConsultId}/export.fhir.json`);
    });
    expect(response!.status).toBe(200);
    expect(response!.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(String(response!.headers['content-disposition'])).toMatch(
      /^attachment; filename="legevakt-konsultasjon-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.fhir\.json"$/,
    );
    expect(entries).toEqual([
      { user: nameOf('sykepleier.sunndal'), action: 'export.fhir', outcome: 'allowed', consultId: closedConsultId },
    ]);

    const bundle = JSON.parse(response!.body.toString('utf8')) as Bundle<FhirResource>;
    expect(checkFhirDocument(bundle)).toEqual([]);
    const resources = (bundle.entry ?? []).map((e) => e.resource!);
    const patient = resources.find((r): r is Patient => r.resourceType === 'Patient')!;
    expect(patient.identifier?.[0]).toMatchObject({ system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: '13097248022' });
    const observations = resources.filter((r): r is Observation => r.resourceType === 'Observation');
    const loinc = (o: Observation) => o.code.coding?.find((c) => c.system === 'http://loinc.org')?.code;
    // Numerics twice (heart rate, SpO2, BP panel), plus the intake's typed-in temperature and pulse, and the ECG.
    expect(observations.filter((o) => loinc(o) === '85354-9')).toHaveLength(2);
    expect(observations.filter((o) => o.code.coding?.some((c) => c.code === '59408-5'))).toHaveLength(2);
    expect(observations.find((o) => loinc(o) === '8310-5')?.valueQuantity).toMatchObject({
      value: intake().measurements!.temperatureCelsius,
      code: 'Cel',
    });
    const ecg = observations.find((o) => loinc(o) === '11524-6')!;
    expect(ecg.component).toHaveLength(12);
    capturedStrip.signals.forEach((lead, s) => {
      const data = ecg.component![s]!.valueSampledData!;
      const values = data.data!.split(' ').map((t) => data.origin.value! + data.factor! * Number(t));
      const expected = stripMillivolts(capturedStrip, s);
      expect(values.length, lead).toBe(capturedStrip.length);
      expect(Math.max(...values.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-12);
    });
  });
});

describe('who may export', () => {
  it.each<[User, number]>([
    ['lege.molde', 200],
    ['lege2.molde', 200],
    ['sykepleier.sunndal', 200],
    ['sykepleier.rauma', 403],
    ['sykepleier.askvoll', 403],
    ['ambulanse.molde', 403],
    ['lege.forde', 403],
    ['admin.romsdal', 403],
    ['admin', 403],
  ])('%s → %i, one entry per download, allowed or denied', async (user, status) => {
    for (const [path, action] of [
      ['export.pdf', 'export.pdf'],
      ['export.fhir.json', 'export.fhir'],
    ] as const) {
      let response: Download | undefined;
      const entries = await accessEntries(async () => {
        response = await download(user, `/api/consults/${closedConsultId}/${path}`);
      });
      expect(response!.status, path).toBe(status);
      expect(entries).toEqual([
        { user: nameOf(user), action, outcome: status === 200 ? 'allowed' : 'denied', consultId: closedConsultId },
      ]);
      if (status === 403) {
        expect(JSON.parse(response!.body.toString())).toMatchObject({ error: { code: 'FORBIDDEN' } });
        expect(response!.body.toString()).not.toContain('Nordmann');
      }
    }
  });

  it('lets the crew of the requesting ambulance export its consult, not another satellite’s nurse', async () => {
    const consult = await requestConsult(server.url, token('ambulanse.molde'));
    await claimConsult(server.url, token('lege.molde'), consult.id);
    const crew = await download('ambulanse.molde', `/api/consults/${consult.id}/export.pdf`);
    expect(crew.status).toBe(200);
    const { text } = await extractText(new Uint8Array(crew.body), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).toContain('Ambulanse Ambulanse Molde');
    expect((await download('sykepleier.sunndal', `/api/consults/${consult.id}/export.fhir.json`)).status).toBe(403);
  });

  it('answers an unknown or malformed consult id with 404 and one denied entry without a consult', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-consult']) {
      let status = 0;
      const entries = await accessEntries(async () => {
        status = (await download('lege.molde', `/api/consults/${id}/export.fhir.json`)).status;
      });
      expect(status).toBe(404);
      expect(entries).toEqual([
        { user: nameOf('lege.molde'), action: 'export.fhir', outcome: 'denied', consultId: null },
      ]);
    }
  });
});
