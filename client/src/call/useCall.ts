import { useCallback, useState } from 'react';
import { ConsultSession } from '../session/ConsultSession.ts';

/**
 * Owns one ConsultSession at a time for a page: start it with a stream, and
 * forget it when the person chooses "new call".
 */
export function useCall(token: string | undefined) {
  const [session, setSession] = useState<ConsultSession | null>(null);

  const start = useCallback(
    async (consultId: string, stream: MediaStream) => {
      if (!token) throw new Error('not logged in');
      const next = new ConsultSession({ token, consultId });
      next.on('error', (error) => console.error('[consult]', error));
      setSession(next);
      await next.start(stream).catch(() => undefined); // the snapshot carries the failure
    },
    [token],
  );

  const reset = useCallback(() => setSession(null), []);
  return { session, start, reset };
}
