/**
 * Pathway checklists ("forløp") the satellite nurse picks at intake, so the LVS
 * doctor gets the same structured picture every time and the nurse sees at once
 * when a patient does not belong at the satellite.
 *
 * Checklist items are the facts the doctor needs to decide; red flags are
 * findings that mean the patient should not be handled at the satellite: the
 * nurse escalates (central legevakt, or AMK 113 when acute) instead of waiting
 * in the queue. The content follows common Norwegian legevakt practice (NEL,
 * Antibiotika i allmennpraksis, Norsk indeks for medisinsk nødhjelp) but is a
 * starting template: each district's medical lead must approve it before use.
 *
 * Checklist answers are stored by id (see ChecklistAnswers in consult.ts, keys
 * at most 64 characters), so ids must be unique within a pathway and stable
 * once in use: renaming one orphans stored answers.
 */

export interface LocalisedText {
  nb: string;
  en: string;
}

export interface ChecklistItem {
  id: string;
  label: LocalisedText;
}

export interface RedFlag {
  id: string;
  label: LocalisedText;
}

export interface PathwayEligibility {
  /** Inclusive bounds in completed years; absent means unbounded. */
  minAgeYears?: number;
  maxAgeYears?: number;
  sex?: 'female' | 'male';
}

export interface Pathway {
  id: string;
  title: LocalisedText;
  /** Who the pathway is written for; a patient outside it needs a doctor's judgement, not the template. */
  eligibility: PathwayEligibility;
  items: readonly ChecklistItem[];
  redFlags: readonly RedFlag[];
}

export const PATHWAYS = [
  {
    id: 'uti-women',
    title: {
      nb: 'Ukomplisert urinveisinfeksjon hos kvinner 16–55 år',
      en: 'Uncomplicated urinary tract infection in women aged 16–55',
    },
    eligibility: { minAgeYears: 16, maxAgeYears: 55, sex: 'female' },
    items: [
      { id: 'dysuria', label: { nb: 'Svie ved vannlating', en: 'Pain or burning on urination' } },
      {
        id: 'frequency-urgency',
        label: { nb: 'Hyppig vannlating eller sterk vannlatingstrang', en: 'Frequency or urgency' },
      },
      { id: 'suprapubic-pain', label: { nb: 'Smerter nederst i magen', en: 'Lower abdominal (suprapubic) pain' } },
      {
        id: 'dipstick-positive',
        label: {
          nb: 'Urinstiks positiv for leukocytter eller nitritt',
          en: 'Urine dipstick positive for leucocytes or nitrite',
        },
      },
      {
        id: 'vaginal-discharge',
        label: { nb: 'Ny eller endret utflod fra skjeden', en: 'New or changed vaginal discharge' },
      },
      {
        id: 'recurrent',
        label: { nb: 'Urinveisinfeksjon siste 4 uker', en: 'Urinary tract infection in the last 4 weeks' },
      },
      {
        id: 'antibiotic-allergy',
        label: { nb: 'Kjent allergi mot antibiotika', en: 'Known allergy to antibiotics' },
      },
    ],
    redFlags: [
      { id: 'fever-chills', label: { nb: 'Feber ≥ 38 °C eller frysninger', en: 'Fever ≥ 38 °C or chills' } },
      {
        id: 'flank-pain',
        label: { nb: 'Smerter i flanken eller bankeømhet over nyrelosjen', en: 'Flank pain or renal angle tenderness' },
      },
      { id: 'pregnant', label: { nb: 'Gravid eller mulig gravid', en: 'Pregnant or possibly pregnant' } },
      { id: 'male', label: { nb: 'Pasienten er mann', en: 'The patient is male' } },
      { id: 'catheter', label: { nb: 'Har urinkateter', en: 'Has a urinary catheter' } },
      {
        id: 'immunosuppressed',
        label: {
          nb: 'Nedsatt immunforsvar (f.eks. cellegift, høydose kortison)',
          en: 'Immunosuppressed (e.g. chemotherapy, high-dose steroids)',
        },
      },
      {
        id: 'unwell',
        label: { nb: 'Påvirket allmenntilstand, kvalme eller oppkast', en: 'Systemically unwell, nausea or vomiting' },
      },
    ],
  },
  {
    id: 'conjunctivitis',
    title: { nb: 'Øyekatarr (konjunktivitt)', en: 'Conjunctivitis' },
    eligibility: {},
    items: [
      { id: 'red-eye', label: { nb: 'Rødt øye', en: 'Red eye' } },
      { id: 'both-eyes', label: { nb: 'Begge øyne er affisert', en: 'Both eyes affected' } },
      { id: 'discharge', label: { nb: 'Puss eller sekret fra øyet', en: 'Pus or discharge from the eye' } },
      { id: 'sticky-morning', label: { nb: 'Gjenklistret øye om morgenen', en: 'Eye stuck shut in the morning' } },
      { id: 'itching', label: { nb: 'Kløe', en: 'Itching' } },
      { id: 'recent-cold', label: { nb: 'Nylig forkjølelse', en: 'Recent common cold' } },
    ],
    redFlags: [
      { id: 'reduced-vision', label: { nb: 'Nedsatt syn', en: 'Reduced vision' } },
      { id: 'severe-pain', label: { nb: 'Sterke smerter i øyet', en: 'Severe eye pain' } },
      { id: 'photophobia', label: { nb: 'Lysskyhet', en: 'Photophobia' } },
      { id: 'contact-lenses', label: { nb: 'Bruker kontaktlinser', en: 'Wears contact lenses' } },
      {
        id: 'trauma',
        label: {
          nb: 'Skade, fremmedlegeme eller etsing i øyet',
          en: 'Injury, foreign body or chemical splash to the eye',
        },
      },
      { id: 'newborn', label: { nb: 'Nyfødt (under 4 uker)', en: 'Newborn (under 4 weeks)' } },
    ],
  },
  {
    id: 'wound',
    title: { nb: 'Sårvurdering', en: 'Wound assessment' },
    eligibility: {},
    items: [
      { id: 'within-6h', label: { nb: 'Skaden skjedde for under 6 timer siden', en: 'Injury less than 6 hours ago' } },
      {
        id: 'bleeding-controlled',
        label: { nb: 'Blødningen stanser ved kompresjon', en: 'Bleeding stops with pressure' },
      },
      {
        id: 'gaping',
        label: { nb: 'Såret gaper eller er dypere enn huden', en: 'The wound gapes or goes deeper than the skin' },
      },
      {
        id: 'tetanus-current',
        label: { nb: 'Stivkrampevaksine siste 10 år', en: 'Tetanus vaccination within the last 10 years' },
      },
      { id: 'anticoagulants', label: { nb: 'Bruker blodfortynnende', en: 'Takes anticoagulants' } },
      { id: 'diabetes', label: { nb: 'Har diabetes', en: 'Has diabetes' } },
    ],
    redFlags: [
      {
        id: 'arterial-bleeding',
        label: {
          nb: 'Pulserende (arteriell) blødning eller blødning som ikke stanser',
          en: 'Pulsating (arterial) bleeding or bleeding that will not stop',
        },
      },
      {
        id: 'tendon-nerve',
        label: {
          nb: 'Nedsatt bevegelse eller følelse utenfor såret (sene- eller nerveskade)',
          en: 'Reduced movement or sensation beyond the wound (tendon or nerve injury)',
        },
      },
      { id: 'bite', label: { nb: 'Bittskade (dyr eller menneske)', en: 'Bite wound (animal or human)' } },
      { id: 'foreign-body', label: { nb: 'Mulig fremmedlegeme i såret', en: 'Possible foreign body in the wound' } },
      {
        id: 'contaminated',
        label: { nb: 'Sterkt forurenset sår (jord, gjødsel)', en: 'Heavily contaminated wound (soil, manure)' },
      },
      {
        id: 'joint-fracture',
        label: {
          nb: 'Såret går inn i et ledd eller det er mistanke om åpent brudd',
          en: 'The wound enters a joint or an open fracture is suspected',
        },
      },
    ],
  },
  {
    id: 'child-fever',
    title: { nb: 'Barn med feber', en: 'Child with fever' },
    eligibility: { maxAgeYears: 15 },
    items: [
      {
        id: 'temp-measured',
        label: { nb: 'Temperatur målt (rektalt eller i øret)', en: 'Temperature measured (rectal or ear)' },
      },
      { id: 'fever-over-3-days', label: { nb: 'Feber i mer enn 3 døgn', en: 'Fever for more than 3 days' } },
      { id: 'drinking', label: { nb: 'Drikker som vanlig', en: 'Drinking as usual' } },
      {
        id: 'passing-urine',
        label: { nb: 'Tisser som vanlig (våte bleier)', en: 'Passing urine as usual (wet nappies)' },
      },
      { id: 'antipyretic-given', label: { nb: 'Febernedsettende gitt', en: 'Antipyretic given' } },
      { id: 'cough-cold', label: { nb: 'Hoste eller forkjølelse', en: 'Cough or cold' } },
      { id: 'ear-pain', label: { nb: 'Øreverk', en: 'Ear pain' } },
      {
        id: 'vaccinated',
        label: { nb: 'Vaksinert etter barnevaksinasjonsprogrammet', en: 'Vaccinated per the childhood programme' },
      },
    ],
    redFlags: [
      { id: 'under-3-months', label: { nb: 'Alder under 3 måneder', en: 'Age under 3 months' } },
      {
        id: 'petechiae',
        label: {
          nb: 'Petekkier eller utslett som ikke blekner ved trykk',
          en: 'Petechiae or a rash that does not blanch under pressure',
        },
      },
      { id: 'neck-stiffness', label: { nb: 'Nakkestivhet', en: 'Neck stiffness' } },
      {
        id: 'lethargic',
        label: {
          nb: 'Slapp, vanskelig å vekke eller redusert bevissthet',
          en: 'Lethargic, hard to wake or reduced consciousness',
        },
      },
      {
        id: 'dehydrated',
        label: {
          nb: 'Tegn på dehydrering (tørre slimhinner, lite urin, innsunken fontanelle)',
          en: 'Signs of dehydration (dry mucous membranes, little urine, sunken fontanelle)',
        },
      },
      {
        id: 'breathing-difficulty',
        label: { nb: 'Pustebesvær eller inndragninger', en: 'Breathing difficulty or chest recessions' },
      },
      { id: 'seizure', label: { nb: 'Kramper', en: 'Seizure' } },
    ],
  },
  {
    id: 'chest-pain',
    title: { nb: 'Brystsmerter', en: 'Chest pain' },
    eligibility: {},
    items: [
      { id: 'pressing', label: { nb: 'Trykkende eller klemmende smerte', en: 'Pressing or squeezing pain' } },
      {
        id: 'radiating',
        label: { nb: 'Stråler til arm, kjeve eller rygg', en: 'Radiates to arm, jaw or back' },
      },
      {
        id: 'worse-breathing-movement',
        label: {
          nb: 'Verre ved pust, bevegelse eller trykk på brystet',
          en: 'Worse on breathing, movement or pressure',
        },
      },
      { id: 'ecg-taken', label: { nb: 'EKG tatt', en: 'ECG recorded' } },
      {
        id: 'risk-factors',
        label: {
          nb: 'Risikofaktorer (røyking, diabetes, høyt blodtrykk, arv)',
          en: 'Risk factors (smoking, diabetes, hypertension, family history)',
        },
      },
    ],
    redFlags: [
      {
        id: 'ongoing-over-15-min',
        label: { nb: 'Pågående smerter i mer enn 15 minutter', en: 'Ongoing pain for more than 15 minutes' },
      },
      {
        id: 'sweating-nausea',
        label: { nb: 'Smerter med kaldsvette eller kvalme', en: 'Pain with cold sweat or nausea' },
      },
      { id: 'syncope', label: { nb: 'Besvimelse', en: 'Syncope' } },
      { id: 'known-cad', label: { nb: 'Kjent koronarsykdom', en: 'Known coronary artery disease' } },
      {
        id: 'tearing-to-back',
        label: { nb: 'Plutselig rivende smerte mot ryggen', en: 'Sudden tearing pain towards the back' },
      },
      { id: 'breathless', label: { nb: 'Uttalt pustebesvær', en: 'Marked shortness of breath' } },
    ],
  },
  {
    id: 'breathing-difficulty',
    title: { nb: 'Pustebesvær', en: 'Breathing difficulty' },
    eligibility: {},
    items: [
      { id: 'sudden-onset', label: { nb: 'Plutselig debut', en: 'Sudden onset' } },
      { id: 'known-asthma-copd', label: { nb: 'Kjent astma eller KOLS', en: 'Known asthma or COPD' } },
      { id: 'own-inhaler-used', label: { nb: 'Egne inhalasjonsmedisiner tatt', en: 'Own inhaler medication taken' } },
      { id: 'fever', label: { nb: 'Feber', en: 'Fever' } },
      { id: 'productive-cough', label: { nb: 'Hoste med oppspytt', en: 'Productive cough' } },
      { id: 'home-oxygen', label: { nb: 'Bruker oksygen hjemme', en: 'Uses home oxygen' } },
    ],
    redFlags: [
      { id: 'spo2-under-92', label: { nb: 'SpO₂ under 92 %', en: 'SpO₂ below 92 %' } },
      {
        id: 'cannot-speak-sentences',
        label: { nb: 'Klarer ikke å snakke i hele setninger', en: 'Cannot speak in full sentences' },
      },
      { id: 'cyanosis', label: { nb: 'Cyanose (blålig hud eller lepper)', en: 'Cyanosis (bluish skin or lips)' } },
      {
        id: 'silent-chest',
        label: { nb: 'Stille bryst (lite eller ingen pustelyd)', en: 'Silent chest (little or no breath sound)' },
      },
      { id: 'rr-over-30', label: { nb: 'Respirasjonsfrekvens over 30', en: 'Respiratory rate above 30' } },
      {
        id: 'confused-drowsy',
        label: { nb: 'Forvirret, urolig eller døsig', en: 'Confused, agitated or drowsy' },
      },
      {
        id: 'stridor-swelling',
        label: {
          nb: 'Stridor eller hevelse i ansikt og svelg',
          en: 'Stridor or swelling of face and throat',
        },
      },
    ],
  },
] as const satisfies readonly Pathway[];

export type PathwayId = (typeof PATHWAYS)[number]['id'];

export function pathwayById(id: string): Pathway | undefined {
  return PATHWAYS.find((pathway) => pathway.id === id);
}

/**
 * The red flags answered "yes", in the pathway's order (so the most important,
 * listed first, is shown first). Unknown keys and items that are not red flags
 * are ignored; an unanswered red flag is not raised, which is why the intake
 * form should not let the nurse send before every red flag is answered.
 */
export function redFlagsRaised(pathway: Pathway, answers: Readonly<Record<string, boolean>>): readonly RedFlag[] {
  return pathway.redFlags.filter((flag) => answers[flag.id] === true);
}

/**
 * The red flags not yet answered either way, so the intake form can insist on
 * them before the request is sent.
 */
export function redFlagsUnanswered(pathway: Pathway, answers: Readonly<Record<string, boolean>>): readonly RedFlag[] {
  return pathway.redFlags.filter((flag) => typeof answers[flag.id] !== 'boolean');
}

/**
 * Whether the patient is within the group the pathway was written for. An
 * unknown sex or age does not exclude: the nurse's checklist (e.g. the UTI
 * pathway's "the patient is male" red flag) still catches it.
 */
export function isEligible(
  pathway: Pathway,
  patient: { ageYears: number | null; sex: 'female' | 'male' | 'unknown' },
): boolean {
  const { minAgeYears, maxAgeYears, sex } = pathway.eligibility;
  if (patient.ageYears !== null) {
    if (minAgeYears !== undefined && patient.ageYears < minAgeYears) return false;
    if (maxAgeYears !== undefined && patient.ageYears > maxAgeYears) return false;
  }
  if (sex !== undefined && patient.sex !== 'unknown' && patient.sex !== sex) return false;
  return true;
}
