import { useState, type ReactNode } from 'react';
import type { AmbulanceDetails, ConsultView, IntakeRequest, TriageColour } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError } from '../session/AuthSession.ts';
import { MeasurementFields, measurementsFromDraft, type MeasurementDraft } from './MeasurementFields.tsx';
import { PathwayChecklist } from './PathwayChecklist.tsx';
import { PatientFields, type PatientDraft } from './PatientFields.tsx';

const TRIAGE_STYLE: Record<TriageColour, string> = {
  red: 'border-red-700 bg-red-100 text-red-900',
  yellow: 'border-yellow-600 bg-yellow-100 text-yellow-900',
  green: 'border-green-700 bg-green-100 text-green-900',
};

const emptyPatient: PatientDraft = {
  known: true,
  name: '',
  nationalId: '',
  description: '',
  sex: 'unknown',
  approximateAge: '',
};

/** Intake at the satellite or in the ambulance: who, why, how urgent, the pathway, and values measured by hand. */
export function IntakeForm({
  onSent,
  extraFields,
  ambulance,
}: {
  onSent: (consult: ConsultView) => void;
  /** The ambulance crew's location, urgency and 12-lead (ambulance/AmbulanceFields.tsx), after the reason. */
  extraFields?: ReactNode;
  ambulance?: AmbulanceDetails;
}) {
  const { t } = useI18n();
  const { auth } = useSession();
  // A legevakt station's doctor uses the same intake to ask the LVS doctor for back-up.
  const backup = auth.user.role === 'station_doctor';
  const [patient, setPatient] = useState<PatientDraft>(emptyPatient);
  const [reason, setReason] = useState('');
  const [triage, setTriage] = useState<TriageColour>('yellow');
  const [redAcknowledged, setRedAcknowledged] = useState(false);
  const [pathwayId, setPathwayId] = useState('');
  const [answers, setAnswers] = useState<Record<string, boolean>>({});
  const [measurements, setMeasurements] = useState<MeasurementDraft>({});
  const [problem, setProblem] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setProblem(null);
    const request: IntakeRequest = {
      patient: patient.known
        ? { kind: 'known', name: patient.name, nationalId: patient.nationalId.replace(/\s/g, '') }
        : {
            kind: 'unknown',
            description: patient.description,
            sex: patient.sex,
            approximateAgeYears: Number(patient.approximateAge),
          },
      reason,
      triage,
      redAcknowledged,
      pathwayId: pathwayId || null,
      checklist: answers,
      measurements: measurementsFromDraft(measurements),
      ...(ambulance ? { ambulance } : {}),
    };
    try {
      onSent(await auth.api<ConsultView>('/api/consults', { method: 'POST', body: request }));
    } catch (error) {
      setProblem(error instanceof ApiError ? [error.message, ...error.issues] : [String(error)]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="flex flex-col gap-4 rounded-xl bg-white p-4 shadow md:p-6"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 className="text-2xl font-semibold">{t(backup ? 'backup.intake.heading' : 'intake.heading')}</h2>
      <PatientFields value={patient} onChange={setPatient} />
      <label className="flex flex-col gap-1 text-lg">
        {t('intake.reason')}
        <textarea
          className="min-h-24 rounded-lg border border-slate-500 p-3 text-lg"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          maxLength={1000}
        />
      </label>
      {extraFields}
      <fieldset className="flex flex-col gap-3 rounded-xl border border-slate-300 p-4">
        <legend className="px-1 text-xl font-semibold">{t('intake.triage')}</legend>
        <div className="flex flex-wrap gap-3">
          {(['red', 'yellow', 'green'] as const).map((colour) => (
            <label
              key={colour}
              className={`flex min-h-12 items-center gap-2 rounded-xl border-2 px-4 text-lg font-semibold ${TRIAGE_STYLE[colour]}`}
            >
              <input
                type="radio"
                name="triage"
                checked={triage === colour}
                onChange={() => setTriage(colour)}
                className="size-5"
              />
              {t(`triage.${colour}`)}
            </label>
          ))}
        </div>
        {triage === 'red' ? (
          <div
            role="alert"
            className="flex flex-col gap-2 rounded-lg border-2 border-red-700 bg-red-50 p-3 text-lg text-red-900"
          >
            <strong>{t('intake.redWarning')}</strong>
            <label className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={redAcknowledged}
                onChange={(e) => setRedAcknowledged(e.target.checked)}
                required
                className="size-5"
              />
              {t('intake.redAck')}
            </label>
          </div>
        ) : null}
      </fieldset>
      <PathwayChecklist
        pathwayId={pathwayId}
        answers={answers}
        onPathway={(id) => {
          setPathwayId(id);
          setAnswers({});
        }}
        onAnswer={(id, value) => setAnswers((current) => ({ ...current, [id]: value }))}
      />
      <MeasurementFields value={measurements} onChange={setMeasurements} />
      {problem ? (
        <div role="alert" className="rounded-lg bg-red-100 p-3 text-red-900">
          <strong>{t('intake.failed')}:</strong>
          <ul className="list-disc pl-6">
            {problem.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <button
        type="submit"
        disabled={busy}
        className="min-h-16 rounded-xl bg-green-800 px-6 text-xl font-semibold text-white disabled:opacity-60"
      >
        {t(backup ? 'backup.intake.submit' : 'intake.submit')}
      </button>
    </form>
  );
}
