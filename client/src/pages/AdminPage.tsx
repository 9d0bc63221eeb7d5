import { useEffect, useState } from 'react';
import type { SlaSummary } from '@legevakt/shared';
import { AccessLogPanel } from '../audit/AccessLogPanel.tsx';
import { Shell } from '../app/Shell.tsx';
import { useSession, useWorkspaceSnapshot } from '../app/SessionContext.tsx';
import { SlaBadge } from '../queue/SlaBadge.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatPercent } from '../format/format.ts';

/**
 * The administrator's overview: answer-time figures for today across the sites it administers, and the
 * patient-data access log (look-up, CSV, verification).
 */
export function AdminPage() {
  const { t, locale } = useI18n();
  const { auth } = useSession();
  const snapshot = useWorkspaceSnapshot();
  const [sla, setSla] = useState<SlaSummary | null>(null);

  useEffect(() => {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    auth
      .api<SlaSummary>(`/api/sla?from=${midnight.getTime()}&to=${Date.now()}`)
      .then(setSla)
      .catch(() => setSla(null));
  }, [auth]);

  return (
    <Shell user={auth.user} connection={snapshot.connection} onLogout={() => void auth.logout()}>
      <h2 className="mb-4 text-2xl font-semibold">{t('admin.heading')}</h2>
      {sla ? (
        <div className="flex flex-col gap-4">
          <SlaBadge sla={sla.total} />
          <table className="w-full max-w-3xl rounded-xl bg-white text-left shadow">
            <thead>
              <tr>
                <th className="p-2">{t('admin.site')}</th>
                <th className="p-2">{t('admin.requested')}</th>
                <th className="p-2">{t('admin.answered')}</th>
                <th className="p-2">{t('admin.within')}</th>
                <th className="p-2">{t('admin.share')}</th>
              </tr>
            </thead>
            <tbody>
              {sla.sites.map((site) => (
                <tr key={site.siteId ?? 'unknown'} className="border-t">
                  <td className="p-2">{site.siteId ?? '–'}</td>
                  <td className="p-2">{site.requested}</td>
                  <td className="p-2">{site.answered}</td>
                  <td className="p-2">{site.answeredWithinTarget}</td>
                  <td className="p-2">{site.share === null ? '–' : formatPercent(site.share, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AccessLogPanel />
    </Shell>
  );
}
