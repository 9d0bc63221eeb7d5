import { useEffect, useMemo } from 'react';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { VitalsPanel } from './VitalsPanel.tsx';
import { VitalsStore } from './VitalsStore.ts';

/** The vitals panel for a running call: one store per call session, disposed with it. */
export function VitalsForSession({ session }: { session: ConsultSession }) {
  const store = useMemo(() => new VitalsStore(session), [session]);
  useEffect(() => () => store.dispose(), [store]);
  return <VitalsPanel store={store} />;
}
