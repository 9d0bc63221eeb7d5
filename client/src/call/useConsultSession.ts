import { useSyncExternalStore } from 'react';
import type { ConsultSession, SessionSnapshot } from '../session/ConsultSession.ts';

export function useSessionSnapshot(session: ConsultSession): SessionSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}
