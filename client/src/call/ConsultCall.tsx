import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { CallView } from './CallView.tsx';
import { useConsultCall } from './useConsultCall.ts';

/** The video call of an active consult; `onHangUp` decides what hanging up means for this role. */
interface ConsultCallProps {
  consultId: string;
  onHangUp: () => void;
  /** What else rides on the call (the vitals panel, the monitor controls); shown once live. */
  children?: (session: ConsultSession) => ReactNode;
  /** False while the request waits: ready in the room, sending nothing (see useConsultCall). */
  live?: boolean;
}

export function ConsultCall({ consultId, onHangUp, children, live = true }: ConsultCallProps) {
  const { t } = useI18n();
  const session = useConsultCall(consultId, live);
  if (!session) {
    return (
      <div className="flex aspect-video items-center justify-center rounded-xl bg-slate-800 text-xl text-white">
        {t('call.connecting')}
      </div>
    );
  }
  return (
    <>
      <CallView session={session} onHangUp={onHangUp} />
      {live ? children?.(session) : null}
    </>
  );
}
