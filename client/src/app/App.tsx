import { useEffect, useMemo, useState } from 'react';
import { AdminPage } from '../pages/AdminPage.tsx';
import { AmbulanceStation } from '../pages/AmbulanceStation.tsx';
import { DoctorWorkstation } from '../pages/DoctorWorkstation.tsx';
import { LoginPage } from '../pages/LoginPage.tsx';
import { NurseStation } from '../pages/NurseStation.tsx';
import { AuthSession } from '../session/AuthSession.ts';
import { GuestPage, inviteTokenOf } from '../invite/GuestPage.tsx';
import { Workspace } from '../session/Workspace.ts';
import { SessionContext } from './SessionContext.tsx';

/** Logged out: the login page. Logged in: the workplace of the user's role, over one live workspace. */
export function App() {
  // An invited guest's one-time link (/invite/<token>): its own page, no login.
  const inviteToken = inviteTokenOf(location.pathname);
  return inviteToken ? <GuestPage token={inviteToken} /> : <StaffApp />;
}

function StaffApp() {
  const [auth, setAuth] = useState<AuthSession | null>(() => AuthSession.restore());

  useEffect(() => {
    if (!auth) return;
    return auth.on('ended', () => setAuth(null));
  }, [auth]);

  const workspace = useMemo(() => (auth ? new Workspace(auth) : null), [auth]);
  useEffect(() => {
    if (!workspace) return;
    workspace.start();
    return () => workspace.stop();
  }, [workspace]);

  if (!auth || !workspace) return <LoginPage onLoggedIn={setAuth} />;
  const role = auth.user.role;
  return (
    <SessionContext value={{ auth, workspace }}>
      {role === 'doctor' ? (
        <DoctorWorkstation />
      ) : role === 'admin' ? (
        <AdminPage />
      ) : role === 'ambulance' ? (
        <AmbulanceStation />
      ) : (
        // A nurse, or a legevakt station's doctor asking for back-up: both are the requesting side
        // (intake, place in queue, the call, the decision); the intake words itself for the doctor.
        <NurseStation />
      )}
    </SessionContext>
  );
}
