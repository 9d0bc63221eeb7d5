import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { CallView } from './CallView.tsx';
import { useConsultCall } from './useConsultCall.ts';

/** The video call of an active consult; `onHangUp` decides what hanging up means for this role. */
interface ConsultCallProps {
  consultId: string;
  onHangUp: () => void;
  /** What else rides on the call (the vitals panel, the monitor controls). */
  children?: (session: ConsultSession) => ReactNode;
}

export function ConsultCall({ consultId, onHangUp, children }: ConsultCallProps) {
  const { t } = useI18n();
  const setup = useConsultCall(consultId);
  if (setup.kind === 'media-denied') {
    return (
      <p role="alert" className="rounded-lg bg-red-100 p-4 text-lg text-red-900">
        {t('media.denied')}
      </p>
    );
  }
  if (setup.kind === 'starting') {
    return (
      <div className="flex aspect-video items-center justify-center rounded-xl bg-slate-800 text-xl text-white">
        {t('call.connecting')}
      </div>
    );
  }
  return (
    <>
      <CallView session={setup.session} onHangUp={onHangUp} />
      {children?.(setup.session)}
    </>
  );
}
