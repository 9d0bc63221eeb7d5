import type { Bundle, FhirResource, Observation, SampledData } from 'fhir/r4.d.ts';

/**
 * Structural checks of a FHIR R4 document Bundle, written from the R4 spec's
 * invariants rather than from our builder, so a test that uses them can fail
 * when the builder drifts: bdl-9/10/11 (document identifier, timestamp,
 * Composition first), resolvable references, ele-1 (no empty elements), the
 * required elements of each resource type we emit, the vital-signs profile
 * (vs-1/vs-2/vs-3), SampledData and narrative shape. Returns the problems found
 * (empty when none), each naming where.
 */

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** R4 dateTime with a time (then a zone is required) or a date; instant needs seconds and a zone. */
const DATE_TIME =
  /^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const INSTANT =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const DATE = /^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$/;
const SAMPLED_TOKEN = /^(E|L|U|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)$/;
const XHTML_DIV = /^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">[\s\S]*<\/div>$/;

const DATE_TIME_KEYS = new Set(['effectiveDateTime', 'createdDateTime', 'start', 'end', 'date', 'time', 'creation']);
const INSTANT_KEYS = new Set(['issued', 'timestamp']);

const VITAL_SIGNS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const UCUM = 'http://unitsofmeasure.org';

function walk(value: unknown, path: string, visit: (key: string, value: unknown, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, `${path}.${k}`);
      walk(v, `${path}.${k}`, visit);
    }
  }
}

export function checkFhirDocument(bundle: Bundle<FhirResource>): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);

  if ((bundle as unknown as Loose)['resourceType'] !== 'Bundle') fail('Bundle', 'resourceType is not Bundle');
  if (bundle.type !== 'document') fail('Bundle', `type ${bundle.type}, expected document`);
  if (!bundle.identifier?.system || !bundle.identifier.value)
    fail('Bundle', 'bdl-9: identifier needs system and value');
  if (!bundle.timestamp) fail('Bundle', 'bdl-10: a document must have a timestamp');
  const entries = bundle.entry ?? [];
  if (entries[0]?.resource?.resourceType !== 'Composition') fail('Bundle', 'bdl-11: the first entry is no Composition');

  // ele-1: no empty objects, arrays or strings; JSON null is not FHIR.
  walk(bundle, 'Bundle', (key, value, path) => {
    if (value === null || value === undefined) fail(path, 'null or undefined element');
    else if (Array.isArray(value) && value.length === 0) fail(path, 'empty array');
    else if (typeof value === 'string' && value.trim() === '' && key !== 'div') fail(path, 'empty string');
    else if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
      fail(path, 'empty object');
    else if (typeof value === 'number' && !Number.isFinite(value)) fail(path, 'non-finite number');
    if (typeof value === 'string' && DATE_TIME_KEYS.has(key) && !DATE_TIME.test(value))
      fail(path, `not an R4 dateTime: ${value}`);
    if (typeof value === 'string' && INSTANT_KEYS.has(key) && !INSTANT.test(value))
      fail(path, `not an R4 instant: ${value}`);
    if (typeof value === 'string' && key === 'birthDate' && !DATE.test(value)) fail(path, `not an R4 date: ${value}`);
  });

  const fullUrls = new Set<string>();
  entries.forEach((entry, i) => {
    const where = `entry[${i}]`;
    if (!entry.fullUrl || !UUID_URN.test(entry.fullUrl)) fail(where, `fullUrl ${entry.fullUrl} is not a urn:uuid`);
    else if (fullUrls.has(entry.fullUrl)) fail(where, `duplicate fullUrl ${entry.fullUrl}`);
    else fullUrls.add(entry.fullUrl);
    const resource = entry.resource;
    if (!resource) {
      fail(where, 'no resource');
      return;
    }
    if (resource.id !== undefined) {
      if (!FHIR_ID.test(resource.id)) fail(where, `bad id ${resource.id}`);
      if (entry.fullUrl && entry.fullUrl !== `urn:uuid:${resource.id}`) fail(where, 'fullUrl disagrees with id');
    }
    checkResource(resource, `${where} ${resource.resourceType}`, fail);
  });

  walk(bundle, 'Bundle', (key, value, path) => {
    if (key === 'reference' && typeof value === 'string' && !fullUrls.has(value)) {
      fail(path, `reference ${value} does not resolve inside the bundle`);
    }
  });
  return problems;
}

type Fail = (where: string, what: string) => void;
type Loose = Record<string, unknown>;

/** Required elements (cardinality 1..) of the R4 resources the export writes. */
const REQUIRED: Partial<Record<FhirResource['resourceType'], readonly string[]>> = {
  Composition: ['status', 'type', 'date', 'author', 'title'],
  Encounter: ['status', 'class'],
  Observation: ['status', 'code'],
  Media: ['status', 'content'],
  Organization: [],
  Patient: [],
  Practitioner: [],
  Device: [],
};

function checkNarrative(text: unknown, where: string, fail: Fail): void {
  if (text === undefined) return;
  const n = text as { status?: string; div?: string };
  if (!n.status) fail(where, 'narrative without status');
  if (!n.div || !XHTML_DIV.test(n.div)) fail(where, 'narrative div is not an XHTML div');
  // An ampersand that starts no entity, or a stray '<', would make the div ill-formed XML.
  else if (/&(?![a-z]+;|#[0-9]+;)/.test(n.div)) fail(where, 'unescaped & in narrative');
}

function checkResource(resource: FhirResource, where: string, fail: Fail): void {
  walk(resource, where, (key, value, path) => {
    if (key === 'text' && typeof value === 'object' && value !== null && 'div' in value)
      checkNarrative(value, path, fail);
    if (key === 'valueQuantity' || key === 'origin') {
      const q = value as { system?: string; code?: string; value?: number };
      if (q.system !== UCUM || !q.code) fail(path, 'quantity without a UCUM system and code');
      if (typeof q.value !== 'number') fail(path, 'quantity without a value');
    }
    if (key === 'valueSampledData') checkSampledData(value as SampledData, path, fail);
  });
  // The types say these are present; the JSON under test may not be, so they are read loosely.
  const loose = resource as unknown as Loose;
  const required = REQUIRED[resource.resourceType];
  if (!required) {
    fail(where, `unexpected resource type ${resource.resourceType}`);
    return;
  }
  for (const key of required) {
    const value = loose[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) fail(where, `${key} is required`);
  }
  switch (resource.resourceType) {
    case 'Composition':
      (resource.section ?? []).forEach((section, i) => {
        if (!section.text && !section.entry && !section.section) fail(`${where}.section[${i}]`, 'cmp-1: empty section');
        if (section.emptyReason && section.entry) fail(`${where}.section[${i}]`, 'cmp-2: emptyReason with entries');
      });
      break;
    case 'Encounter': {
      const coding = loose['class'] as { system?: string; code?: string } | undefined;
      if (!coding?.system || !coding.code) fail(where, 'class must be a Coding');
      break;
    }
    case 'Organization':
      if (!resource.name && !resource.identifier) fail(where, 'org-1: name or identifier');
      break;
    case 'Observation':
      checkObservation(resource, where, fail);
      break;
    default:
      break;
  }
}

function checkObservation(o: Observation, where: string, fail: Fail): void {
  if (!o.code.coding?.length) fail(where, 'code has no coding');
  const vital = o.category?.some((c) =>
    c.coding?.some((k) => k.system === VITAL_SIGNS_CATEGORY && k.code === 'vital-signs'),
  );
  if (!vital) return;
  if (!o.meta?.profile?.includes('http://hl7.org/fhir/StructureDefinition/vitalsigns'))
    fail(where, 'vital sign without the vitalsigns profile');
  if (!o.code.coding?.some((c) => c.system === 'http://loinc.org')) fail(where, 'vital sign without a LOINC code');
  if (!o.subject?.reference) fail(where, 'vital sign without subject');
  if (!o.effectiveDateTime && !o.effectivePeriod) fail(where, 'vs-1: vital sign without effective[x]');
  if (!o.valueQuantity && !o.component && !o.dataAbsentReason && !o.hasMember)
    fail(where, 'vs-2: vital sign without value, component or dataAbsentReason');
  (o.component ?? []).forEach((c, i) => {
    if (!c.valueQuantity && !c.dataAbsentReason) fail(`${where}.component[${i}]`, 'vs-3: component without value');
  });
}

function checkSampledData(d: SampledData, where: string, fail: Fail): void {
  if (!(d.period > 0)) fail(where, 'period must be positive');
  if (!(Number.isInteger(d.dimensions) && d.dimensions > 0)) fail(where, 'dimensions must be a positive integer');
  const tokens = (d.data ?? '').split(' ');
  if (tokens.length % d.dimensions !== 0) fail(where, 'data is not a whole number of samples');
  const bad = tokens.find((t) => !SAMPLED_TOKEN.test(t));
  if (bad !== undefined) fail(where, `data token "${bad}" is neither a decimal nor E/L/U`);
}
