import { useCallback, useState } from 'react';
import type { AmbulanceDetails } from '@legevakt/shared';
import { AmbulanceFields, EMPTY_AMBULANCE } from '../ambulance/AmbulanceFields.tsx';
import { IntakeForm } from '../intake/IntakeForm.tsx';
import { NurseStation } from './NurseStation.tsx';

/**
 * The ambulance crew's station, on a phone or tablet over a mobile network: the
 * nurse station's flow (request, wait in the room, call, decision) with the
 * request carrying the ambulance's position, urgency and the monitor's 12-lead
 * ECG. The call adapts its video to the link (session/LinkMonitor.ts).
 */
export function AmbulanceStation() {
  return <NurseStation intakeForm={(onSent) => <AmbulanceIntake onSent={onSent} />} />;
}

function AmbulanceIntake({ onSent }: { onSent: Parameters<typeof IntakeForm>[0]['onSent'] }) {
  const [ambulance, setAmbulance] = useState<AmbulanceDetails>(EMPTY_AMBULANCE);
  const update = useCallback(
    (next: (current: AmbulanceDetails) => AmbulanceDetails) => setAmbulance((current) => next(current)),
    [],
  );
  return (
    <IntakeForm
      onSent={onSent}
      ambulance={ambulance}
      extraFields={<AmbulanceFields value={ambulance} onChange={update} />}
    />
  );
}
