import { useEffect, useRef, useState } from 'react';
import { useSession } from '../app/SessionContext.tsx';
import { ConsultSession } from '../session/ConsultSession.ts';
import { openCameraAndMicrophone } from './media.ts';

/**
 * Joins a consult's video call on the workspace's socket while the component is
 * mounted, and leaves it (releasing camera and microphone) when it unmounts.
 * Joining does not wait for camera and microphone to open. While `live` is false
 * the session waits in standby: in the room, connected, sending nothing; it goes
 * live (and back) as `live` changes, without joining again.
 */
export function useConsultCall(consultId: string, live = true): ConsultSession | null {
  const { workspace } = useSession();
  const [session, setSession] = useState<ConsultSession | null>(null);
  // Read at start only: later changes go through goLive()/standBy() below.
  const liveAtStart = useRef(live);

  useEffect(() => {
    const signaling = workspace.signaling;
    if (!signaling) return;
    const started = new ConsultSession({ signaling, consultId });
    started.on('error', (error) => console.error('[consult]', error));
    // The workspace's socket came back after a drop: the call moves onto it and resumes.
    const offReconnected = workspace.on('reconnected', (next) => started.attach(next));
    // The effect creates the session (an external system) and hands it to the render.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setSession(started);
    // The snapshot carries a failure (media denied, no connection) to the view.
    void started.start(openCameraAndMicrophone(), { standby: !liveAtStart.current }).catch(() => undefined);
    return () => {
      offReconnected();
      void started.hangUp();
    };
  }, [workspace, consultId]);

  useEffect(() => {
    liveAtStart.current = live;
    if (!session) return;
    const change = live ? session.goLive() : session.standBy();
    change.catch((error: unknown) => console.error('[consult]', error));
  }, [live, session]);

  return session;
}
