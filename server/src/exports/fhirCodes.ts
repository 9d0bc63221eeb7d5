import type { WaveformSignal } from '@legevakt/shared';

/** Code systems and identifier namespaces of the FHIR export. */

export const LOINC = 'http://loinc.org';
/** IEEE 11073-10101 nomenclature (MDC), as FHIR names it. */
export const MDC = 'urn:iso:std:iso:11073:10101';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const V3_ACT_PRIORITY = 'http://terminology.hl7.org/CodeSystem/v3-ActPriority';
export const V3_PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const RFC3986 = 'urn:ietf:rfc:3986';

/** Folkeregisteret's numbers and the health sector's H-nummer (the Norwegian OIDs, as HL7 Norway uses them). */
export const NATIONAL_ID_SYSTEM = {
  fnr: 'urn:oid:2.16.578.1.12.4.1.4.1',
  dnr: 'urn:oid:2.16.578.1.12.4.1.4.2',
  hnr: 'urn:oid:2.16.578.1.12.4.1.4.3',
} as const;

/**
 * The project's own namespace for what has no national code: our user and
 * organisation ids, the consult id, the doctor's decision. A receiving system
 * can map these; they are stable once published.
 */
export const LEGEVAKT_FHIR_BASE = 'https://legevakt-video.no/fhir';
export const LOCAL = {
  consultId: `${LEGEVAKT_FHIR_BASE}/NamingSystem/consult-id`,
  userId: `${LEGEVAKT_FHIR_BASE}/NamingSystem/user-id`,
  orgId: `${LEGEVAKT_FHIR_BASE}/NamingSystem/organisation-id`,
  decision: `${LEGEVAKT_FHIR_BASE}/CodeSystem/consult-decision`,
  triage: `${LEGEVAKT_FHIR_BASE}/CodeSystem/triage-colour`,
  approximateAge: `${LEGEVAKT_FHIR_BASE}/StructureDefinition/approximate-age`,
} as const;

export const PROFILE = {
  vitalSigns: 'http://hl7.org/fhir/StructureDefinition/vitalsigns',
  bloodPressure: 'http://hl7.org/fhir/StructureDefinition/bp',
  heartRate: 'http://hl7.org/fhir/StructureDefinition/heartrate',
  oxygenSaturation: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
  bodyTemperature: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
  respiratoryRate: 'http://hl7.org/fhir/StructureDefinition/resprate',
} as const;

/** LOINC codes the FHIR R4 vital-signs profiles require beside the measurement's own. */
export const LOINC_BP_PANEL = { code: '85354-9', display: 'Blood pressure panel with all children optional' };
export const LOINC_HEART_RATE = { code: '8867-4', display: 'Heart rate' };
export const LOINC_OXYGEN_SATURATION = { code: '2708-6', display: 'Oxygen saturation in Arterial blood' };
export const LOINC_EKG_STUDY = { code: '11524-6', display: 'EKG study' };
export const LOINC_CONSULT_NOTE = { code: '11488-4', display: 'Consult note' };
export const LOINC_CRP = { code: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma' };
export const LOINC_GLUCOSE = { code: '15074-8', display: 'Glucose [Moles/volume] in Blood' };

/** Composition section codes (LOINC document section codes). */
export const SECTION = {
  reason: { code: '29299-5', display: 'Reason for visit Narrative' },
  vitalSigns: { code: '8716-3', display: 'Vital signs' },
  findings: { code: '29545-1', display: 'Physical findings Narrative' },
  assessment: { code: '51848-0', display: 'Evaluation note' },
  plan: { code: '18776-5', display: 'Plan of care note' },
} as const;

/** The ECG as a whole (MDC_ECG_ELEC_POTL) and its leads (IEEE 11073-10102 lead codes on that base). */
export const MDC_ECG_ELEC_POTL = { code: '131328', display: 'MDC_ECG_ELEC_POTL' };
export const MDC_WAVEFORM: Record<WaveformSignal, { code: string; display: string }> = {
  I: { code: '131329', display: 'MDC_ECG_ELEC_POTL_I' },
  II: { code: '131330', display: 'MDC_ECG_ELEC_POTL_II' },
  V1: { code: '131331', display: 'MDC_ECG_ELEC_POTL_V1' },
  V2: { code: '131332', display: 'MDC_ECG_ELEC_POTL_V2' },
  V3: { code: '131333', display: 'MDC_ECG_ELEC_POTL_V3' },
  V4: { code: '131334', display: 'MDC_ECG_ELEC_POTL_V4' },
  V5: { code: '131335', display: 'MDC_ECG_ELEC_POTL_V5' },
  V6: { code: '131336', display: 'MDC_ECG_ELEC_POTL_V6' },
  III: { code: '131389', display: 'MDC_ECG_ELEC_POTL_III' },
  aVR: { code: '131390', display: 'MDC_ECG_ELEC_POTL_AVR' },
  aVL: { code: '131391', display: 'MDC_ECG_ELEC_POTL_AVL' },
  aVF: { code: '131392', display: 'MDC_ECG_ELEC_POTL_AVF' },
  Pleth: { code: '150452', display: 'MDC_PULS_OXIM_PLETH' },
};
