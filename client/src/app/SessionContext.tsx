import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AuthSession } from '../session/AuthSession.ts';
import type { Workspace, WorkspaceSnapshot } from '../session/Workspace.ts';

export interface SessionContextValue {
  auth: AuthSession;
  workspace: Workspace;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a logged-in session');
  return value;
}

export function useWorkspaceSnapshot(): WorkspaceSnapshot {
  const { workspace } = useSession();
  return useSyncExternalStore(workspace.subscribe, workspace.getSnapshot);
}
