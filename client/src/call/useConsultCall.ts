import { useEffect, useState } from 'react';
import { useSession } from '../app/SessionContext.tsx';
import { ConsultSession } from '../session/ConsultSession.ts';
import { openCameraAndMicrophone } from './media.ts';

export type CallSetup = { kind: 'starting' } | { kind: 'media-denied' } | { kind: 'running'; session: ConsultSession };

/**
 * Joins a consult's video call on the workspace's socket while the component is
 * mounted, and leaves it (releasing camera and microphone) when it unmounts.
 */
export function useConsultCall(consultId: string): CallSetup {
  const { workspace } = useSession();
  const [setup, setSetup] = useState<CallSetup>({ kind: 'starting' });

  useEffect(() => {
    let cancelled = false;
    let session: ConsultSession | null = null;
    const signaling = workspace.signaling;
    if (!signaling) return;
    openCameraAndMicrophone()
      .then((stream) => {
        if (cancelled) {
          stream.getTracks().forEach((track) => track.stop());
          return;
        }
        session = new ConsultSession({ signaling, consultId });
        session.on('error', (error) => console.error('[consult]', error));
        setSetup({ kind: 'running', session });
        void session.start(stream).catch(() => undefined); // the snapshot carries the failure
      })
      .catch(() => {
        if (!cancelled) setSetup({ kind: 'media-denied' });
      });
    return () => {
      cancelled = true;
      void session?.hangUp();
    };
  }, [workspace, consultId]);

  return setup;
}
