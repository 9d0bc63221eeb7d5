import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ECG_LEADS, type ConsultRecord, type EcgStrip, type VitalSample, type WaveformSignal } from '@legevakt/shared';
import { physionetRecord } from '../../vitals/wfdb/physionetData.ts';
import { assertWfdbRecordVerified, readWfdbRecord, type WfdbRecord } from '../../vitals/wfdb/record.ts';

/**
 * A realistic consult record for the export builders' tests, built against the
 * ConsultRecord type rather than the database: a closed satellite consult in
 * Molde's district with intake, pathway checklist, a monitor's numerics, a
 * manual temperature, a signed note with an addendum, and ECG strips cut from
 * the real PhysioNet recordings that ship with the product (so the strips have
 * real amplitudes, real baseline wander and a real gain, not a sine wave).
 */

/** WFDB lead names → our lead names (PTB writes them in lower case). */
const LEAD_NAMES: Record<string, WaveformSignal> = {
  MLII: 'II',
  V5: 'V5',
  ...Object.fromEntries(ECG_LEADS.map((lead) => [lead.toLowerCase(), lead])),
};

/**
 * The fixture's photo: a real JPEG (libjpeg-turbo cjpeg, 64 × 48). Pass
 * `fixturePhotoImages()` as the exports' `images` to embed it.
 */
export const FIXTURE_PHOTO = {
  id: 'e4a6b8c0-3d5f-4b7c-9e1a-2f4d6c8e0a32',
  width: 64,
  height: 48,
  bytes: readFileSync(path.join(import.meta.dirname, '..', '..', 'photos', 'testdata', 'baseline-64x48.jpg')),
};

/** The fixture photo's bytes by id, as RecordService.photoImages gives them to the export builders. */
export function fixturePhotoImages(): Map<string, Uint8Array> {
  return new Map([[FIXTURE_PHOTO.id, FIXTURE_PHOTO.bytes]]);
}

const wfdbCache = new Map<string, Promise<WfdbRecord>>();

function loadVerified(record: Parameters<typeof physionetRecord>[0]): Promise<WfdbRecord> {
  let loading = wfdbCache.get(record);
  if (!loading) {
    loading = readWfdbRecord(physionetRecord(record)).then((r) => {
      assertWfdbRecordVerified(r);
      return r;
    });
    wfdbCache.set(record, loading);
  }
  return loading;
}

export interface StripCut {
  record: 'ptbdb-s0010_re' | 'mitdb-100';
  /** Where the cut starts in the recording. */
  fromSecond?: number;
  seconds?: number;
  /** Keep every n-th sample (PTB's 1000 Hz → 500 Hz, what a 12-lead monitor exports). */
  decimate?: number;
  /** Leads to keep, in this order; default every lead the recording has that we can name. */
  leads?: readonly WaveformSignal[];
  consultId: string;
  id: string;
  /** Device time of the first sample. */
  startTime: number;
  capturedAt: number;
  capturedBy?: string;
  capturedByName?: string;
}

/**
 * A strip cut from a PhysioNet record with the WFDB reader, laid out as the
 * record stores it: interleaved int16 little-endian, base64, one gain and
 * baseline for all its signals (the leads of one recording share them).
 */
export async function cutEcgStrip(cut: StripCut): Promise<EcgStrip> {
  const record = await loadVerified(cut.record);
  const decimate = cut.decimate ?? (record.fs > 500 ? 2 : 1);
  const rate = record.fs / decimate;
  const named = record.signals
    .filter((s) => LEAD_NAMES[s.description] !== undefined && s.samplesPerFrame === 1)
    .map((s) => ({ signal: s, lead: LEAD_NAMES[s.description]! }));
  const chosen = cut.leads
    ? cut.leads.map((lead) => {
        const found = named.find((n) => n.lead === lead);
        if (!found) throw new Error(`${cut.record} has no lead ${lead}`);
        return found;
      })
    : named;
  const gains = new Set(chosen.map((c) => `${c.signal.gain}/${c.signal.baseline}`));
  if (gains.size !== 1) throw new Error(`${cut.record}: the chosen leads do not share one gain and baseline`);
  const first = Math.round((cut.fromSecond ?? 0) * record.fs);
  const length = Math.round((cut.seconds ?? 10) * rate);
  if (first + length * decimate > record.nSamples) throw new Error(`${cut.record} is shorter than the cut`);
  const interleaved = new Int16Array(length * chosen.length);
  for (let i = 0; i < length; i++) {
    for (let s = 0; s < chosen.length; s++) {
      interleaved[i * chosen.length + s] = chosen[s]!.signal.samples[first + i * decimate]!;
    }
  }
  const { gain, baseline } = chosen[0]!.signal;
  return {
    id: cut.id,
    consultId: cut.consultId,
    capturedAt: cut.capturedAt,
    capturedBy: cut.capturedBy ?? 'user-lege-molde',
    capturedByName: cut.capturedByName ?? 'Lars Hjelset',
    streamId: `${cut.record}-0`,
    signals: chosen.map((c) => c.lead),
    sampleRateHz: rate,
    gain,
    baseline,
    startTime: cut.startTime,
    length,
    samplesBase64: Buffer.from(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength).toString('base64'),
  };
}

/** Physical values (mV) of one signal of a strip, NaN for the int16 dropout marker. */
export function stripMillivolts(strip: EcgStrip, signalIndex: number): number[] {
  const raw = Buffer.from(strip.samplesBase64, 'base64');
  const n = strip.signals.length;
  const out: number[] = [];
  for (let i = 0; i < strip.length; i++) {
    const v = raw.readInt16LE((i * n + signalIndex) * 2);
    out.push(v === -32768 ? NaN : (v - strip.baseline) / strip.gain);
  }
  return out;
}

/** Mod-11 control digits appended to nine digits: makes valid fødselsnumre and D-numre for tests. */
export function withControlDigits(nineDigits: string): string | null {
  const d = Array.from(nineDigits, Number);
  const k = (digits: number[], weights: number[]): number | null => {
    const r = weights.reduce((sum, w, i) => sum + w * digits[i]!, 0) % 11;
    const c = r === 0 ? 0 : 11 - r;
    return c === 10 ? null : c;
  };
  const k1 = k(d, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  if (k1 === null) return null;
  const k2 = k([...d, k1], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  if (k2 === null) return null;
  return `${nineDigits}${k1}${k2}`;
}

export const FIXTURE_CONSULT_ID = '5b0d7c8e-3f1a-4c2b-9d4e-6a7f8b9c0d1e';
const NOTE_ID = '0f6e2d1c-8b7a-4e5f-9c3d-2a1b0c9d8e7f';
const ADDENDUM_ID = '7a3c9e1b-5d2f-4a6c-8e0b-1f2d3c4b5a69';
const STRIP_12_ID = 'c2e4f6a8-1b3d-4f5a-9c7e-0d2b4a6c8e10';
const STRIP_2_ID = 'd3f5a7b9-2c4e-4a6b-8d0f-1e3c5b7d9f21';

/** 14 January 2025, 20:51:12 in Oslo (CET, +01:00). */
export const REQUESTED_AT = Date.UTC(2025, 0, 14, 19, 51, 12);
const s = (seconds: number): number => REQUESTED_AT + seconds * 1000;

export const FIXTURE_TIMES = {
  requestedAt: REQUESTED_AT,
  claimedAt: s(84),
  callStartedAt: s(96),
  callEndedAt: s(96 + 11 * 60 + 40),
  noteSignedAt: s(96 + 19 * 60),
  addendumAt: s(2 * 3600 + 5 * 60),
} as const;

function vital(kind: VitalSample['kind'], value: number, unit: string, at: number, extra: Partial<VitalSample> = {}) {
  return {
    kind,
    value,
    unit,
    measuredAt: at,
    device: 'Philips IntelliVue X3',
    source: 'monitor-hl7',
    quality: [],
    ...extra,
  } satisfies VitalSample;
}

export interface RecordFixtureOptions {
  /** Default: the known patient Astrid Nordmann, fødselsnummer 130972 48022. */
  patient?: ConsultRecord['consult']['patient'];
  /** Leave out the note and addendum (a consult still in documentation). */
  unsigned?: boolean;
  /** Default: a 12-lead PTB strip (10 s at 500 Hz) and a 2-lead MIT-BIH strip (6 s at 360 Hz). */
  strips?: 'both' | 'twelve-lead' | 'none';
}

export async function consultRecordFixture(options: RecordFixtureOptions = {}): Promise<ConsultRecord> {
  const t = FIXTURE_TIMES;
  const strips: EcgStrip[] = [];
  const which = options.strips ?? 'both';
  if (which !== 'none') {
    strips.push(
      await cutEcgStrip({
        record: 'ptbdb-s0010_re',
        fromSecond: 2,
        seconds: 10,
        consultId: FIXTURE_CONSULT_ID,
        id: STRIP_12_ID,
        startTime: s(300),
        capturedAt: s(312),
      }),
    );
  }
  if (which === 'both') {
    strips.push(
      await cutEcgStrip({
        record: 'mitdb-100',
        fromSecond: 60,
        seconds: 6,
        consultId: FIXTURE_CONSULT_ID,
        id: STRIP_2_ID,
        startTime: s(500),
        capturedAt: s(507),
      }),
    );
  }
  const vitals: VitalSample[] = [
    vital('temperature', 38.1, 'Cel', s(-300), { device: 'manuell', source: 'manual', site: 'ear' }),
    vital('pulseRate', 92, '/min', s(-300), { device: 'manuell', source: 'manual' }),
  ];
  // A monitor on the patient through the call: numerics every 2 s would be realistic,
  // every 30 s keeps the fixture readable; NIBP every 5 minutes.
  for (let at = s(120); at <= t.callEndedAt; at += 30_000) {
    const minute = (at - s(120)) / 60_000;
    vitals.push(vital('heartRateEcg', Math.round(78 + 4 * Math.sin(minute)), '/min', at));
    vitals.push(vital('spo2', minute > 6 ? 96 : 94, '%', at, minute === 3 ? { quality: ['artifact'] } : {}));
    vitals.push(vital('respirationRate', 18, '/min', at));
  }
  for (let at = s(150); at <= t.callEndedAt; at += 5 * 60_000) {
    const k = (at - s(150)) / 300_000;
    vitals.push(vital('systolic', 142 - 3 * k, 'mm[Hg]', at));
    vitals.push(vital('diastolic', 88 - k, 'mm[Hg]', at));
    vitals.push(vital('meanPressure', Math.round((142 - 3 * k + 2 * (88 - k)) / 3), 'mm[Hg]', at));
  }
  vitals.sort((a, b) => a.measuredAt - b.measuredAt);

  const unsigned = options.unsigned ?? false;
  return {
    consult: {
      id: FIXTURE_CONSULT_ID,
      districtId: 'romsdal',
      origin: 'satellite',
      satelliteId: 'sunndal-helsetun',
      ambulanceUnitId: null,
      stationId: null,
      requestedBy: 'user-sykepleier-sunndal',
      patient: options.patient ?? { kind: 'known', name: 'Astrid Nordmann', nationalId: '13097248022' },
      reason: 'Svie ved vannlating i to dager, nå frysninger og vondt i høyre side av ryggen.',
      triage: 'yellow',
      pathwayId: 'uti-women',
      checklist: {
        dysuria: true,
        'frequency-urgency': true,
        'suprapubic-pain': false,
        'dipstick-positive': true,
        'fever-chills': true,
        'flank-pain': true,
        pregnant: false,
        male: false,
        catheter: false,
      },
      measurements: {
        temperatureCelsius: 38.1,
        pulsePerMin: 92,
        crpMgPerL: 64,
        measuredAt: new Date(s(-300)).toISOString(),
      },
      status: unsigned ? 'documentation' : 'closed',
      requestedAt: t.requestedAt,
      claimedAt: t.claimedAt,
      claimedBy: 'user-lege-molde',
      claimedSiteId: 'molde-lvs',
      overflowedAt: null,
      callEndedAt: t.callEndedAt,
      cancelledAt: null,
      version: unsigned ? 4 : 5,
    },
    districtName: 'Romsdal legevaktdistrikt',
    placeName: 'Sunndal helsetun',
    lvsSiteName: 'Molde LVS',
    participants: [
      { userId: 'user-sykepleier-sunndal', name: 'Ingrid Aasen', role: 'nurse', workplaceName: 'Sunndal helsetun' },
      { userId: 'user-lege-molde', name: 'Lars Hjelset', role: 'doctor', workplaceName: 'Molde LVS' },
    ],
    timeline: [
      { at: t.requestedAt, kind: 'requested', actorName: 'Ingrid Aasen', data: {} },
      { at: t.claimedAt, kind: 'claimed', actorName: 'Lars Hjelset', data: {} },
      { at: t.callStartedAt, kind: 'call_started', actorName: 'Lars Hjelset', data: {} },
      { at: t.callEndedAt, kind: 'call_ended', actorName: 'Lars Hjelset', data: {} },
      ...(unsigned
        ? []
        : [
            { at: t.noteSignedAt, kind: 'closed', actorName: 'Lars Hjelset', data: {} },
            { at: t.addendumAt, kind: 'addendum', actorName: 'Lars Hjelset', data: {} },
          ]),
    ],
    vitals,
    strips,
    photos: [
      {
        id: 'e4a6b8c0-3d5f-4b7c-9e1a-2f4d6c8e0a32',
        consultId: FIXTURE_CONSULT_ID,
        takenAt: s(420),
        takenBy: 'user-sykepleier-sunndal',
        takenByName: 'Ingrid Aasen',
        mimeType: 'image/jpeg',
        width: FIXTURE_PHOTO.width,
        height: FIXTURE_PHOTO.height,
        caption: 'Urinstiks: leukocytter 2+, nitritt positiv',
        byteSize: FIXTURE_PHOTO.bytes.length,
        sha256: createHash('sha256').update(FIXTURE_PHOTO.bytes).digest('hex'),
      },
    ],
    notes: unsigned
      ? []
      : [
          {
            kind: 'note',
            id: NOTE_ID,
            consultId: FIXTURE_CONSULT_ID,
            authorId: 'user-lege-molde',
            authorName: 'Lars Hjelset',
            signedAt: t.noteSignedAt,
            findings:
              'Våken og orientert, lett redusert allmenntilstand. Bankeøm over høyre nyrelosje. ' +
              'Urinstiks: leukocytter 2+, nitritt positiv.\nEKG: sinusrytme, ingen akutte ST-forandringer.',
            assessment: 'Mistenkt akutt pyelonefritt hos kvinne 52 år. Stabil sirkulasjon, SpO₂ 94–96 %.',
            plan: 'Innlegges medisinsk avdeling Molde sykehus for blodprøver og intravenøs antibiotika.',
            decision: 'hospital-admission',
            decisionDetail: 'Sykepleier bestiller transport via AMK; ring LVS ved forverring før avreise.',
          },
          {
            kind: 'addendum',
            id: ADDENDUM_ID,
            consultId: FIXTURE_CONSULT_ID,
            authorId: 'user-lege-molde',
            authorName: 'Lars Hjelset',
            signedAt: t.addendumAt,
            text: 'Sykehuset bekrefter mottak kl. 22.55. Urinprøve sendt til dyrking.',
          },
        ],
  };
}
