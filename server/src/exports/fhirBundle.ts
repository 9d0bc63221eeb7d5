import { createHash, randomUUID } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  Composition,
  CompositionSection,
  Device,
  Encounter,
  EncounterParticipant,
  FhirResource,
  Media,
  Observation,
  ObservationComponent,
  Organization,
  Patient,
  Practitioner,
  Reference,
} from 'fhir/r4.d.ts';
import {
  NUMERIC_KINDS,
  decisionOf,
  pathwayById,
  redFlagsRaised,
  type Addendum,
  type ConsultRecord,
  type RecordParticipant,
  type EcgStrip,
  type NumericKind,
  type VitalSample,
} from '@legevakt/shared';
import {
  LEGEVAKT_FHIR_BASE,
  LOCAL,
  LOINC,
  LOINC_BP_PANEL,
  LOINC_CONSULT_NOTE,
  LOINC_CRP,
  LOINC_EKG_STUDY,
  LOINC_GLUCOSE,
  LOINC_HEART_RATE,
  LOINC_OXYGEN_SATURATION,
  MDC,
  MDC_ECG_ELEC_POTL,
  MDC_WAVEFORM,
  NATIONAL_ID_SYSTEM,
  OBSERVATION_CATEGORY,
  PROFILE,
  RFC3986,
  SECTION,
  UCUM,
  V3_ACT_CODE,
  V3_ACT_PRIORITY,
  V3_PARTICIPATION_TYPE,
} from './fhirCodes.ts';
import {
  DECISION_LABEL,
  INVALID_SAMPLE,
  NATIONAL_ID_LABEL,
  QUALITY_LABEL,
  ROLE_LABEL,
  SEX_LABEL,
  SOURCE_LABEL,
  TEMPERATURE_SITE_LABEL,
  TRIAGE_LABEL,
  VITAL_LABEL,
  consultTimes,
  formattedNationalId,
  nbNumber,
  osloDateTime,
  osloIso,
  patientFacts,
  stripSamples,
  timelineLabel,
} from './recordFacts.ts';

/**
 * The consult record as a FHIR R4 document Bundle, for the patient journal
 * (EPJ) to file.
 *
 * Why `document` and not `collection`: what the journal files is the LVS
 * doctor's signed summary of one consultation, which is exactly what a FHIR
 * document is: a Composition first, saying who wrote it (author), who signed
 * it (attester, the doctor, at the signing time), who keeps it (custodian, the
 * LVS) and what it says (sections with human-readable narrative), followed by
 * every resource those sections point at. A receiver can render and file it as
 * one unit, and a document is immutable once issued, as a signed note must be.
 * A collection would carry the same resources without any of that. A consult
 * not yet signed still exports, as a `preliminary` Composition.
 *
 * Resource ids are derived from the consult id and what they stand for, so two
 * exports of the same consult name the same patient, encounter and observations
 * (the journal can see they are the same); the Bundle's own identifier is new
 * for every export, as each is a new document instance.
 */

export interface FhirExportOptions {
  /** When the document was assembled (Bundle.timestamp). */
  generatedAt: number;
  /** The document instance's id (default: a fresh random UUID). */
  documentId?: string;
  /**
   * The photos' image bytes by photo id (RecordService.photoImages), embedded
   * in their Media resources. A photo without its bytes here is described
   * (type, size, hash) without data.
   */
  images?: ReadonlyMap<string, Uint8Array>;
}

/** Media.content's size, SHA-1 hash and (when the bytes are given) data; refuses bytes that are not the stored image. */
function photoData(
  photo: ConsultRecord['photos'][number],
  bytes: Uint8Array | undefined,
): { size: number; hash?: string; data?: string } {
  if (bytes === undefined) return { size: photo.byteSize };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.byteLength !== photo.byteSize || sha256 !== photo.sha256) {
    throw new Error(`photo ${photo.id}: the image bytes do not match the stored size and SHA-256`);
  }
  return {
    size: bytes.byteLength,
    hash: createHash('sha1').update(bytes).digest('base64'),
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

/** A name-based UUID (RFC 9562 version 5, SHA-1) in the export's own namespace. */
const NAMESPACE = uuidBytes('0c5b4d1e-8a47-5f2e-9d3c-6b1a2e7f4c80');

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- Narrative ----------------------------------------------------------------------

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Paragraphs of plain text, line breaks kept. */
function paragraphs(...texts: string[]): string {
  return texts
    .filter((t) => t.trim() !== '')
    .map((t) => `<p>${escapeXml(t).replaceAll('\n', '<br/>')}</p>`)
    .join('');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = (tag: 'th' | 'td', row: readonly string[]) =>
    `<tr>${row.map((c) => `<${tag}>${escapeXml(c)}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${cells('th', head)}</thead><tbody>${rows.map((r) => cells('td', r)).join('')}</tbody></table>`;
}

function narrative(xhtml: string): { status: 'generated'; div: string } {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${xhtml}</div>` };
}

// --- Builder ------------------------------------------------------------------------

type Ref<T extends FhirResource['resourceType']> = Reference & { reference: string; type: T };

class BundleBuilder {
  readonly entries: BundleEntry<FhirResource>[] = [];
  readonly #consultId: string;

  constructor(consultId: string) {
    this.#consultId = consultId;
  }

  /** Adds a resource with an id derived from `key`; returns the reference to it. */
  add<R extends FhirResource>(key: string, resource: R): Ref<R['resourceType']> {
    const id = nameUuid(`${this.#consultId}/${key}`);
    const fullUrl = `urn:uuid:${id}`;
    this.entries.push({ fullUrl, resource: { ...resource, id } });
    return { reference: fullUrl, type: resource.resourceType };
  }

  /** The reference a resource added later under `key` will have (the Composition, built last but listed first). */
  refFor<T extends FhirResource['resourceType']>(key: string, type: T): Ref<T> {
    return { reference: `urn:uuid:${nameUuid(`${this.#consultId}/${key}`)}`, type };
  }
}

function coding(system: string, c: { code: string; display: string }): Coding {
  return { system, code: c.code, display: c.display };
}

function mdcCoding(kind: NumericKind): Coding {
  const k = NUMERIC_KINDS[kind];
  return { system: MDC, code: String(k.mdcCode), display: k.mdc };
}

function quantity(value: number, ucum: string, unit = ucum) {
  return { value, unit, system: UCUM, code: ucum };
}

function splitName(full: string): { text: string; family?: string; given?: string[] } {
  const parts = full.trim().split(/\s+/);
  if (parts.length < 2) return { text: full };
  return { text: full, family: parts.at(-1)!, given: parts.slice(0, -1) };
}

interface Person {
  userId: string;
  name: string;
  role: RecordParticipant['role'] | null;
}

/** Everyone the record names: participants first, then note authors and capturers not among them. */
function peopleOf(record: ConsultRecord): Person[] {
  const people = new Map<string, Person>();
  for (const p of record.participants) people.set(p.userId, { userId: p.userId, name: p.name, role: p.role });
  const add = (userId: string, name: string) => {
    if (!people.has(userId)) people.set(userId, { userId, name, role: null });
  };
  for (const n of record.notes) add(n.authorId, n.authorName);
  for (const s of record.strips) add(s.capturedBy, s.capturedByName);
  for (const p of record.photos) add(p.takenBy, p.takenByName);
  return [...people.values()];
}

export function consultRecordToFhirBundle(record: ConsultRecord, options: FhirExportOptions): Bundle<FhirResource> {
  const { consult } = record;
  const b = new BundleBuilder(consult.id);
  const times = consultTimes(record);
  const patient = patientFacts(record);
  const note = decisionOf(record);
  const addenda = record.notes.filter((n): n is Addendum => n.kind === 'addendum');

  // The Composition goes first in a document; it is built last, once every entry it points at exists.
  const compositionRef = b.refFor('composition', 'Composition');

  // --- Patient
  const patientResource: Patient = { resourceType: 'Patient', gender: patient.sex };
  if (patient.known) {
    if (patient.nationalId !== null) {
      const system = patient.nationalIdKind ? NATIONAL_ID_SYSTEM[patient.nationalIdKind] : undefined;
      patientResource.identifier = [
        {
          use: 'official',
          ...(system ? { system } : {}),
          value: patient.nationalId,
          ...(patient.nationalIdKind ? { type: { text: NATIONAL_ID_LABEL[patient.nationalIdKind] } } : {}),
        },
      ];
    }
    if (patient.name) patientResource.name = [{ use: 'official', ...splitName(patient.name) }];
    if (patient.birthDate) patientResource.birthDate = patient.birthDate;
    patientResource.text = narrative(
      paragraphs(
        [
          patient.name ?? '',
          patient.nationalIdKind ? `${NATIONAL_ID_LABEL[patient.nationalIdKind]} ${formattedNationalId(patient)}` : '',
        ]
          .filter(Boolean)
          .join(', '),
      ),
    );
  } else {
    // No identifier at all: a made-up one would be worse than none in a journal.
    patientResource.extension = [
      {
        url: LOCAL.approximateAge,
        valueAge: { value: patient.approximateAgeYears ?? 0, unit: 'år', system: UCUM, code: 'a' },
      },
    ];
    patientResource.text = narrative(
      paragraphs(
        `Ukjent identitet${patient.description ? `: ${patient.description}` : ''}. ` +
          `${SEX_LABEL[patient.sex]}, omtrent ${patient.approximateAgeYears ?? '?'} år.`,
      ),
    );
  }
  const patientRef = b.add('patient', patientResource);

  // --- Organisations
  const districtRef = b.add(`organization/${consult.districtId}`, {
    resourceType: 'Organization',
    identifier: [{ system: LOCAL.orgId, value: consult.districtId }],
    type: [{ text: 'Legevaktdistrikt' }],
    name: record.districtName,
  } satisfies Organization);
  const lvsRef =
    consult.claimedSiteId !== null
      ? b.add(`organization/${consult.claimedSiteId}`, {
          resourceType: 'Organization',
          identifier: [{ system: LOCAL.orgId, value: consult.claimedSiteId }],
          type: [{ text: 'Legevaktsentral (LVS)' }],
          name: record.lvsSiteName ?? consult.claimedSiteId,
          partOf: districtRef,
        } satisfies Organization)
      : null;
  const placeId = consult.satelliteId ?? consult.ambulanceUnitId ?? consult.stationId ?? `${consult.districtId}-place`;
  const placeRef = b.add(`organization/${placeId}`, {
    resourceType: 'Organization',
    identifier: [{ system: LOCAL.orgId, value: placeId }],
    type: [
      {
        text: { satellite: 'Legevaktsatellitt', ambulance: 'Ambulanseenhet', station: 'Legevaktstasjon' }[
          consult.origin
        ],
      },
    ],
    name: record.placeName,
    partOf: districtRef,
  } satisfies Organization);

  // --- Practitioners
  const practitioners = new Map<string, Ref<'Practitioner'>>();
  for (const person of peopleOf(record)) {
    practitioners.set(
      person.userId,
      b.add(`practitioner/${person.userId}`, {
        resourceType: 'Practitioner',
        identifier: [{ system: LOCAL.userId, value: person.userId }],
        name: [splitName(person.name)],
        ...(person.role ? { text: narrative(paragraphs(`${person.name}, ${ROLE_LABEL[person.role]}`)) } : {}),
      } satisfies Practitioner),
    );
  }
  const practitioner = (userId: string | null): Ref<'Practitioner'> | undefined =>
    userId === null ? undefined : practitioners.get(userId);

  // --- Encounter
  const participants: EncounterParticipant[] = record.participants.flatMap((p) => {
    const individual = practitioner(p.userId);
    if (!individual) return [];
    const primary = p.role === 'doctor' && p.userId === consult.claimedBy;
    return [
      {
        type: [
          {
            coding: [
              primary
                ? { system: V3_PARTICIPATION_TYPE, code: 'PPRF', display: 'primary performer' }
                : { system: V3_PARTICIPATION_TYPE, code: 'PART', display: 'Participation' },
            ],
            text: `${ROLE_LABEL[p.role]}, ${p.workplaceName}`,
          },
        ],
        individual,
      },
    ];
  });
  // The patient contact is over when the call ends, even while the doctor still documents.
  const encounterStatus: Record<typeof consult.status, Encounter['status']> = {
    waiting: 'triaged',
    active: 'in-progress',
    documentation: 'finished',
    closed: 'finished',
    cancelled: 'cancelled',
  };
  const priority = { red: 'EM', yellow: 'UR', green: 'R' } as const;
  const priorityDisplay = { EM: 'emergency', UR: 'urgent', R: 'routine' } as const;
  const decisionConcept: CodeableConcept | undefined = note
    ? {
        coding: [{ system: LOCAL.decision, code: note.decision, display: DECISION_LABEL[note.decision] }],
        text: [DECISION_LABEL[note.decision], note.decisionDetail].filter(Boolean).join('. '),
      }
    : undefined;
  const encounterStart = times.answeredAt ?? times.requestedAt;
  const encounterEnd = times.closedAt ?? consult.cancelledAt;
  const encounterRef = b.add('encounter', {
    resourceType: 'Encounter',
    identifier: [{ system: LOCAL.consultId, value: consult.id }],
    status: encounterStatus[consult.status],
    class: { system: V3_ACT_CODE, code: 'VR', display: 'virtual' },
    type: [
      {
        text: {
          satellite: 'Videokonsultasjon, satellitt',
          ambulance: 'Videokonsultasjon, ambulanse',
          station: 'Videokonsultasjon, bakvakt for legevaktlege',
        }[consult.origin],
      },
    ],
    priority: {
      coding: [
        { system: V3_ACT_PRIORITY, code: priority[consult.triage], display: priorityDisplay[priority[consult.triage]] },
        { system: LOCAL.triage, code: consult.triage, display: TRIAGE_LABEL[consult.triage] },
      ],
      text: `Triage ${TRIAGE_LABEL[consult.triage].toLowerCase()}`,
    },
    subject: patientRef,
    participant: participants,
    period: {
      start: osloIso(encounterStart),
      ...(encounterEnd !== null && encounterEnd >= encounterStart ? { end: osloIso(encounterEnd) } : {}),
    },
    reasonCode: [{ text: consult.reason }],
    ...(decisionConcept ? { hospitalization: { dischargeDisposition: decisionConcept } } : {}),
    serviceProvider: lvsRef ?? districtRef,
  } satisfies Encounter);

  // --- Devices (one per named device that sent values)
  const devices = new Map<string, Ref<'Device'>>();
  const deviceRef = (sample: VitalSample): Ref<'Device'> | undefined => {
    if (sample.source === 'manual' || sample.device.trim() === '') return undefined;
    const key = `${sample.source}/${sample.device}`;
    let ref = devices.get(key);
    if (!ref) {
      ref = b.add(`device/${key}`, {
        resourceType: 'Device',
        deviceName: [{ name: sample.device, type: 'user-friendly-name' }],
        type: { text: `Kilde: ${SOURCE_LABEL[sample.source]}` },
      } satisfies Device);
      devices.set(key, ref);
    }
    return ref;
  };

  // --- Vital signs
  const vitalRefs: Ref<'Observation'>[] = [];
  const requester = practitioner(consult.requestedBy);
  const common = (sample: VitalSample) => {
    const device = deviceRef(sample);
    const notes = sample.quality.map((q) => ({ text: `Kvalitet: ${QUALITY_LABEL[q]}` }));
    return {
      status: 'final' as const,
      category: [
        {
          coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }],
          text: 'Vitale parametre',
        },
      ],
      subject: patientRef,
      encounter: encounterRef,
      effectiveDateTime: osloIso(sample.measuredAt),
      ...(sample.source === 'manual'
        ? { method: { text: 'Manuelt målt' }, ...(requester ? { performer: [requester] } : {}) }
        : {}),
      ...(device ? { device } : {}),
      ...(notes.length > 0 ? { note: notes } : {}),
    };
  };
  const codeFor = (kind: NumericKind): CodeableConcept => {
    const k = NUMERIC_KINDS[kind];
    const codings: Coding[] = [];
    // The R4 vital-signs profiles insist on one LOINC code each; a more specific one follows it.
    if (kind === 'spo2') codings.push(coding(LOINC, LOINC_OXYGEN_SATURATION));
    if (k.loinc !== LOINC_HEART_RATE.code && (kind === 'pulseRateOximetry' || kind === 'heartRateEcg'))
      codings.push(coding(LOINC, LOINC_HEART_RATE));
    codings.push({ system: LOINC, code: k.loinc, display: k.display }, mdcCoding(kind));
    return { coding: codings, text: VITAL_LABEL[kind].label };
  };
  const profileFor = (kind: NumericKind): string[] => {
    const specific: Partial<Record<NumericKind, string>> = {
      pulseRate: PROFILE.heartRate,
      heartRateEcg: PROFILE.heartRate,
      pulseRateOximetry: PROFILE.heartRate,
      spo2: PROFILE.oxygenSaturation,
      temperature: PROFILE.bodyTemperature,
      respirationRate: PROFILE.respiratoryRate,
    };
    return [PROFILE.vitalSigns, ...(specific[kind] ? [specific[kind]] : [])];
  };

  // Blood pressure: systolic, diastolic (and mean) of one measurement form one panel.
  const pressureKinds = new Set<NumericKind>(['systolic', 'diastolic', 'meanPressure']);
  const panels = new Map<string, Partial<Record<NumericKind, VitalSample>>>();
  for (const sample of record.vitals) {
    if (!pressureKinds.has(sample.kind)) continue;
    const key = `${sample.measuredAt}/${sample.source}/${sample.device}`;
    const panel = panels.get(key) ?? {};
    if (!panel[sample.kind]) panel[sample.kind] = sample;
    panels.set(key, panel);
  }
  const inPanel = new Set<VitalSample>();
  for (const panel of panels.values()) {
    if (panel.systolic && panel.diastolic) {
      for (const s of Object.values(panel)) inPanel.add(s);
    }
  }

  record.vitals.forEach((sample, index) => {
    const k = NUMERIC_KINDS[sample.kind];
    if (inPanel.has(sample)) {
      const panel = panels.get(`${sample.measuredAt}/${sample.source}/${sample.device}`)!;
      if (panel.systolic !== sample) return; // the panel is written once, at its systolic value
      const components: ObservationComponent[] = (['systolic', 'diastolic', 'meanPressure'] as const).flatMap(
        (kind) => {
          const s = panel[kind];
          if (!s) return [];
          const kk = NUMERIC_KINDS[kind];
          return [
            {
              code: { coding: [{ system: LOINC, code: kk.loinc, display: kk.display }, mdcCoding(kind)] },
              valueQuantity: quantity(s.value, kk.ucum),
            },
          ];
        },
      );
      const qualities = [...new Set(Object.values(panel).flatMap((s) => s.quality))];
      vitalRefs.push(
        b.add(`vital/${index}`, {
          resourceType: 'Observation',
          meta: { profile: [PROFILE.vitalSigns, PROFILE.bloodPressure] },
          ...common({ ...sample, quality: qualities }),
          code: {
            coding: [coding(LOINC, LOINC_BP_PANEL), { system: MDC, code: '150020', display: 'MDC_PRESS_BLD_NONINV' }],
            text: 'Blodtrykk',
          },
          component: components,
        } satisfies Observation),
      );
      return;
    }
    const observation: Observation = {
      resourceType: 'Observation',
      meta: { profile: profileFor(sample.kind) },
      ...common(sample),
      code: codeFor(sample.kind),
      valueQuantity: quantity(sample.value, k.ucum),
      ...(sample.kind === 'temperature' && sample.site
        ? { bodySite: { text: TEMPERATURE_SITE_LABEL[sample.site] } }
        : {}),
    };
    vitalRefs.push(b.add(`vital/${index}`, observation));
  });

  // Point-of-care laboratory values typed in at intake (no vital-sign kind of their own).
  const labRefs: Ref<'Observation'>[] = [];
  const labAt = consult.measurements.measuredAt ? Date.parse(consult.measurements.measuredAt) : consult.requestedAt;
  const lab = (key: string, code: { code: string; display: string }, value: number, ucum: string, text: string) =>
    labRefs.push(
      b.add(`lab/${key}`, {
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'laboratory', display: 'Laboratory' }] }],
        code: { coding: [coding(LOINC, code)], text },
        subject: patientRef,
        encounter: encounterRef,
        effectiveDateTime: osloIso(labAt),
        method: { text: 'Pasientnær analyse, registrert ved innmelding' },
        ...(requester ? { performer: [requester] } : {}),
        valueQuantity: quantity(value, ucum),
      } satisfies Observation),
    );
  if (consult.measurements.crpMgPerL !== undefined)
    lab('crp', LOINC_CRP, consult.measurements.crpMgPerL, 'mg/L', 'CRP');
  if (consult.measurements.glucoseMmolPerL !== undefined)
    lab('glucose', LOINC_GLUCOSE, consult.measurements.glucoseMmolPerL, 'mmol/L', 'Glukose');

  // --- ECG strips
  const stripRefs = record.strips.map((strip) =>
    b.add(`strip/${strip.id}`, stripObservation(strip, patientRef, encounterRef, practitioner(strip.capturedBy))),
  );

  // --- Photos: R4 Media (a photo taken during care, type 'image'), the image inline in Media.content.
  // Inline rather than a URL: the document Bundle is a complete, self-contained copy for the patient's
  // journal; a URL into this server needs our login and stops working when the journal keeps the
  // document for decades. Attachment.hash is SHA-1 (base64) by the R4 definition; the SHA-256 we store
  // is checked against the bytes first, so a corrupted image is never exported.
  const photoRefs = record.photos.map((photo) =>
    b.add(`photo/${photo.id}`, {
      resourceType: 'Media',
      identifier: [{ system: `${LEGEVAKT_FHIR_BASE}/NamingSystem/photo-id`, value: photo.id }],
      status: 'completed',
      type: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'image', display: 'Image' }],
      },
      subject: patientRef,
      encounter: encounterRef,
      createdDateTime: osloIso(photo.takenAt),
      ...(practitioner(photo.takenBy) ? { operator: practitioner(photo.takenBy)! } : {}),
      width: photo.width,
      height: photo.height,
      content: {
        contentType: photo.mimeType,
        ...photoData(photo, options.images?.get(photo.id)),
        title: photo.caption || 'Bilde',
        creation: osloIso(photo.takenAt),
      },
    } satisfies Media),
  );

  // --- Composition
  const sections: CompositionSection[] = [];
  const pathway = consult.pathwayId ? pathwayById(consult.pathwayId) : undefined;
  const checklistRows: string[][] = [];
  if (pathway) {
    for (const item of pathway.items) {
      const a = consult.checklist[item.id];
      checklistRows.push([item.label.nb, a === undefined ? 'ikke besvart' : a ? 'ja' : 'nei']);
    }
    for (const flag of pathway.redFlags) {
      const a = consult.checklist[flag.id];
      checklistRows.push([`Rødt flagg: ${flag.label.nb}`, a === undefined ? 'ikke besvart' : a ? 'JA' : 'nei']);
    }
  }
  const raised = pathway ? redFlagsRaised(pathway, consult.checklist) : [];
  sections.push({
    title: 'Henvendelse',
    code: { coding: [coding(LOINC, SECTION.reason)] },
    text: narrative(
      paragraphs(
        consult.reason,
        `Triage: ${TRIAGE_LABEL[consult.triage]}. Fra ${record.placeName} (${{ satellite: 'satellitt', ambulance: 'ambulanse', station: 'legevaktstasjon, legevaktlege ber om bakvakt' }[consult.origin]}), ` +
          `sendt ${osloDateTime(consult.requestedAt)}.`,
        pathway ? `Forløp: ${pathway.title.nb}.` : '',
        raised.length > 0 ? `Røde flagg: ${raised.map((f) => f.label.nb).join('; ')}.` : '',
      ) + (checklistRows.length > 0 ? table(['Sjekkpunkt', 'Svar'], checklistRows) : ''),
    ),
    ...(labRefs.length > 0 ? { entry: labRefs } : {}),
  });
  if (vitalRefs.length > 0) {
    sections.push({
      title: 'Vitale parametre',
      code: { coding: [coding(LOINC, SECTION.vitalSigns)] },
      text: narrative(vitalsSummary(record.vitals)),
      entry: vitalRefs,
    });
  }
  if (stripRefs.length > 0) {
    sections.push({
      title: 'EKG',
      code: { coding: [coding(LOINC, LOINC_EKG_STUDY)] },
      text: narrative(
        paragraphs(
          ...record.strips.map(
            (s) =>
              `EKG ${osloDateTime(s.startTime)}: ${s.signals.join(', ')}, ${nbNumber(s.length / s.sampleRateHz, 1)} s ` +
              `ved ${nbNumber(s.sampleRateHz)} Hz, lagret av ${s.capturedByName}.`,
          ),
        ),
      ),
      entry: stripRefs,
    });
  }
  if (photoRefs.length > 0) {
    sections.push({
      title: 'Bilder',
      text: narrative(
        paragraphs(
          ...record.photos.map((p) => `${osloDateTime(p.takenAt)}, ${p.takenByName}: ${p.caption || '(uten tekst)'}`),
        ),
      ),
      entry: photoRefs,
    });
  }
  if (note) {
    if (note.findings.trim() !== '') {
      sections.push({
        title: 'Funn',
        code: { coding: [coding(LOINC, SECTION.findings)] },
        text: narrative(paragraphs(note.findings)),
      });
    }
    sections.push(
      {
        title: 'Vurdering',
        code: { coding: [coding(LOINC, SECTION.assessment)] },
        text: narrative(paragraphs(note.assessment)),
      },
      { title: 'Plan', code: { coding: [coding(LOINC, SECTION.plan)] }, text: narrative(paragraphs(note.plan)) },
      // The coded decision is the Encounter's discharge disposition; here it is for the reader.
      { title: 'Beslutning', text: narrative(paragraphs(DECISION_LABEL[note.decision], note.decisionDetail)) },
    );
  } else {
    sections.push({
      title: 'Notat',
      text: narrative(paragraphs('Notatet er ikke signert.')),
      emptyReason: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason',
            code: 'notstarted',
            display: 'Not Started',
          },
        ],
      },
    });
  }
  if (addenda.length > 0) {
    sections.push({
      title: 'Tillegg',
      text: narrative(paragraphs(...addenda.map((a) => `${osloDateTime(a.signedAt)}, ${a.authorName}: ${a.text}`))),
      section: addenda.map((a) => ({
        title: `Tillegg ${osloDateTime(a.signedAt)}`,
        ...(practitioner(a.authorId) ? { author: [practitioner(a.authorId)!] } : {}),
        text: narrative(paragraphs(a.text, `Signert ${osloDateTime(a.signedAt)} av ${a.authorName}.`)),
      })),
    });
  }
  sections.push({
    title: 'Forløp',
    text: narrative(
      table(
        ['Tid', 'Hendelse', 'Av'],
        record.timeline.map((e) => [osloDateTime(e.at), timelineLabel(e.kind), e.actorName ?? '']),
      ),
    ),
  });

  const noteAuthor = note ? practitioner(note.authorId) : undefined;
  const author = noteAuthor ?? practitioner(consult.claimedBy) ?? lvsRef ?? placeRef;
  const lastSigned = record.notes.reduce<number | null>((max, n) => Math.max(max ?? n.signedAt, n.signedAt), null);
  const composition: Composition = {
    resourceType: 'Composition',
    id: compositionRef.reference.slice('urn:uuid:'.length),
    identifier: { system: LOCAL.consultId, value: consult.id },
    status: note ? (addenda.length > 0 ? 'amended' : 'final') : 'preliminary',
    type: { coding: [coding(LOINC, LOINC_CONSULT_NOTE)], text: 'Notat fra videokonsultasjon, legevakt' },
    subject: patientRef,
    encounter: encounterRef,
    date: osloIso(lastSigned ?? options.generatedAt),
    author: [author],
    title: `Videokonsultasjon legevakt – ${record.placeName}`,
    confidentiality: 'N',
    ...(note && noteAuthor
      ? {
          attester: [
            { mode: 'legal' as const, time: osloIso(note.signedAt), party: noteAuthor },
            ...addenda.flatMap((a) => {
              const party = practitioner(a.authorId);
              return party ? [{ mode: 'professional' as const, time: osloIso(a.signedAt), party }] : [];
            }),
          ],
        }
      : {}),
    custodian: lvsRef ?? districtRef,
    section: sections,
  };
  b.entries.unshift({ fullUrl: compositionRef.reference, resource: composition });

  return {
    resourceType: 'Bundle',
    identifier: { system: RFC3986, value: `urn:uuid:${options.documentId ?? randomUUID()}` },
    type: 'document',
    timestamp: osloIso(options.generatedAt),
    entry: b.entries,
  };
}

/** The strip as one Observation with a SampledData component per lead (values in mV). */
function stripObservation(
  strip: EcgStrip,
  subject: Reference,
  encounter: Reference,
  performer: Reference | undefined,
): Observation {
  const samples = stripSamples(strip);
  const n = strip.signals.length;
  const periodMs = 1000 / strip.sampleRateHz;
  const components: ObservationComponent[] = strip.signals.map((signal, s) => {
    // Data are the device's integers less the baseline, so value = factor × data (origin 0)
    // reproduces (raw − baseline) / gain exactly; "E" marks a sample the device did not get.
    const data: string[] = new Array<string>(strip.length);
    for (let i = 0; i < strip.length; i++) {
      const raw = samples[i * n + s]!;
      data[i] = raw === INVALID_SAMPLE ? 'E' : String(raw - strip.baseline);
    }
    const pleth = signal === 'Pleth';
    return {
      code: { coding: [coding(MDC, MDC_WAVEFORM[signal])], text: pleth ? 'Pletysmogram' : `Avledning ${signal}` },
      valueSampledData: {
        origin: pleth
          ? { value: 0, unit: 'relativ enhet', system: UCUM, code: '1' }
          : { value: 0, unit: 'mV', system: UCUM, code: 'mV' },
        period: periodMs,
        factor: 1 / strip.gain,
        dimensions: 1,
        data: data.join(' '),
      },
    };
  });
  const durationMs = strip.length * periodMs;
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'procedure', display: 'Procedure' }] }],
    code: { coding: [coding(LOINC, LOINC_EKG_STUDY), coding(MDC, MDC_ECG_ELEC_POTL)], text: 'EKG-utskrift' },
    subject,
    encounter,
    effectivePeriod: { start: osloIso(strip.startTime), end: osloIso(strip.startTime + Math.round(durationMs)) },
    issued: osloIso(strip.capturedAt),
    ...(performer ? { performer: [performer] } : {}),
    note: [
      {
        text:
          `${strip.signals.length} avledning(er), ${nbNumber(durationMs / 1000, 1)} s ved ${nbNumber(strip.sampleRateHz)} Hz; ` +
          `lagret av ${strip.capturedByName} fra strøm ${strip.streamId}.`,
      },
    ],
    component: components,
  };
}

/** Per kind: how many values, the range and the last one, as the section's narrative. */
function vitalsSummary(vitals: readonly VitalSample[]): string {
  const byKind = new Map<NumericKind, VitalSample[]>();
  for (const v of vitals) byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), v]);
  const rows = [...byKind.entries()].map(([kind, samples]) => {
    const { label, unit, decimals } = VITAL_LABEL[kind];
    const values = samples.map((s) => s.value);
    const last = samples.at(-1)!;
    return [
      label,
      String(samples.length),
      `${nbNumber(Math.min(...values), decimals)}–${nbNumber(Math.max(...values), decimals)} ${unit}`,
      `${nbNumber(last.value, decimals)} ${unit} (${osloDateTime(last.measuredAt)})`,
    ];
  });
  return table(['Parameter', 'Antall', 'Variasjon', 'Siste'], rows);
}
