import type { RunningServer } from '../server.ts';

/** The access-log entries `act` caused, in order (appends still queued are waited for on both sides). */
export async function accessEntriesDuring(
  server: Pick<RunningServer, 'access' | 'storage'>,
  act: () => Promise<unknown>,
): Promise<{ user: string; action: string; outcome: string; consultId: string | null }[]> {
  await server.access.settled();
  const before = await server.storage.accessLog.count();
  await act();
  await server.access.settled();
  const entries = await server.storage.accessLog.after(before, 100);
  return entries.map((e) => ({ user: e.userName, action: e.action, outcome: e.outcome, consultId: e.consultId }));
}
