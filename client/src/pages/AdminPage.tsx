import { useEffect, useState } from 'react';
import type { SlaFigures } from '@legevakt/shared';
import { Shell } from '../app/Shell.tsx';
import { useSession, useWorkspaceSnapshot } from '../app/SessionContext.tsx';
import { SlaBadge } from '../queue/SlaBadge.tsx';
import { useI18n } from '../i18n/i18n.tsx';

/** The administrator's overview: answer-time figures for today across the sites it administers. */
export function AdminPage() {
  const { t } = useI18n();
  const { auth } = useSession();
  const snapshot = useWorkspaceSnapshot();
  const [sla, setSla] = useState<SlaFigures | null>(null);

  useEffect(() => {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    auth
      .api<SlaFigures>(`/api/sla?from=${midnight.getTime()}&to=${Date.now()}`)
      .then(setSla)
      .catch(() => setSla(null));
  }, [auth]);

  return (
    <Shell user={auth.user} connection={snapshot.connection} onLogout={() => void auth.logout()}>
      <h2 className="mb-4 text-2xl font-semibold">{t('admin.heading')}</h2>
      {sla ? <SlaBadge sla={sla} /> : null}
    </Shell>
  );
}
