import { useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { SessionContext } from '../app/SessionContext.tsx';
import { CallSignalingContext } from '../invite/callSignaling.ts';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { LinkMonitor, type LinkSnapshot } from '../session/LinkMonitor.ts';

const NONE = { subscribe: () => () => undefined, getSnapshot: (): LinkSnapshot | null => null };

/**
 * The call's link monitor while the call view is mounted: quality of every
 * participant, and this side's outgoing video adapted to its link.
 */
export function useLinkMonitor(session: ConsultSession): LinkSnapshot | null {
  // Staff: the workspace's socket. An invited guest has no workspace: its page provides its socket.
  const workspace = useContext(SessionContext)?.workspace ?? null;
  const guestSignaling = useContext(CallSignalingContext);
  const [monitor, setMonitor] = useState<LinkMonitor | null>(null);
  useEffect(() => {
    const started = new LinkMonitor(session, {
      signaling: () => (workspace ? workspace.signaling : guestSignaling),
      adaptVideo: true,
    });
    started.start();
    // The effect creates the monitor (an external system) and hands it to the render.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setMonitor(started);
    return () => started.stop();
  }, [session, workspace, guestSignaling]);
  const source = monitor ?? NONE;
  return useSyncExternalStore(source.subscribe, source.getSnapshot);
}
