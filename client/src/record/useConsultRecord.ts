import { useCallback, useEffect, useState } from 'react';
import type { ConsultRecord } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { ApiError } from '../session/AuthSession.ts';

export interface RecordState {
  readonly record: ConsultRecord | null;
  readonly error: string | null;
  readonly retry: () => void;
}

/**
 * The consult's record from the server, fetched again whenever `version`
 * changes (the consult's version goes up on every change, an addendum
 * included), so a live notification is all it takes to show the new state.
 * The last good record stays on screen while a newer one loads or fails.
 */
export function useConsultRecord(consultId: string, version: number): RecordState {
  const { auth } = useSession();
  const [record, setRecord] = useState<ConsultRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    auth
      .api<ConsultRecord>(`/api/consults/${consultId}/record`)
      .then((fetched) => {
        if (!current) return;
        setRecord(fetched);
        setError(null);
      })
      .catch((e: unknown) => {
        if (current) setError(e instanceof ApiError ? e.message : String(e));
      });
    return () => {
      current = false;
    };
  }, [auth, consultId, version, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { record: record?.consult.id === consultId ? record : null, error, retry };
}
