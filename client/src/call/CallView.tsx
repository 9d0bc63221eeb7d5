import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { CallControls } from './CallControls.tsx';
import { QualityBadge } from './QualityBadge.tsx';
import { useLinkMonitor } from './useLinkMonitor.ts';
import { useSessionSnapshot } from './useConsultSession.ts';
import { VideoTile } from './VideoTile.tsx';

interface CallViewProps {
  session: ConsultSession;
  onHangUp: () => void;
}

/** The running call: the other party large, self-view small, controls below. */
export function CallView({ session, onHangUp }: CallViewProps) {
  const { t } = useI18n();
  const snapshot = useSessionSnapshot(session);
  const link = useLinkMonitor(session);
  const localVideo = snapshot.localStream?.getVideoTracks()[0] ?? null;

  if (snapshot.phase === 'ended' || snapshot.phase === 'failed') {
    return (
      <section
        className="mx-auto flex max-w-xl flex-col items-center gap-4 rounded-xl bg-white p-8 shadow"
        aria-live="polite"
      >
        <p className="text-xl">{snapshot.problem ? t(`problem.${snapshot.problem}`) : t('call.ended')}</p>
      </section>
    );
  }

  if (snapshot.standby) {
    // Waiting for the doctor: the nurse aims the camera; nothing is sent yet.
    return (
      <section className="flex flex-col gap-3" data-testid="call-standby" data-phase={snapshot.phase}>
        <VideoTile
          video={localVideo}
          label={t('call.you')}
          placeholder={t('call.connecting')}
          mirrored
          className="aspect-video w-full"
          testId="self-view"
        />
        <p className="rounded-lg bg-slate-100 p-3 text-lg" role="status">
          {snapshot.phase === 'in-call' ? t('call.standbyReady') : t('call.connecting')}
        </p>
      </section>
    );
  }

  const remote = snapshot.participants[0];
  const remoteLink = remote ? link?.peers.get(remote.info.peerId) : undefined;
  const remoteAudioOnly = remoteLink?.mode === 'audio-only';
  return (
    <section className="flex flex-col gap-4" data-testid="call-view" data-phase={snapshot.phase}>
      {/* A dropped connection: said plainly, and it goes away by itself when the call resumes. */}
      {snapshot.reconnectingSince !== null ? (
        <p role="status" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950" data-testid="call-reconnecting">
          {t('call.reconnecting')}
        </p>
      ) : remote?.reconnecting ? (
        <p role="status" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950" data-testid="peer-reconnecting">
          {t('call.peerReconnecting').replace('{name}', remote.info.displayName)}
        </p>
      ) : null}
      {link?.self.mode === 'audio-only' ? (
        <p role="alert" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950" data-testid="self-audio-only">
          {t('link.selfAudioOnly')}
        </p>
      ) : null}
      {remoteAudioOnly ? (
        <p role="alert" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950" data-testid="remote-audio-only">
          {t('link.remoteAudioOnly')}
        </p>
      ) : null}
      <div className="relative">
        {remote ? (
          <VideoTile
            video={remote.videoMuted ? null : remote.video}
            audio={remote.audio}
            label={`${remote.info.displayName} · ${t(`role.${remote.info.role}`)}${remote.audioMuted ? ` · ${t('call.micMuted')}` : ''}`}
            placeholder={
              remote.videoMuted
                ? remoteAudioOnly
                  ? t('link.remoteAudioOnly')
                  : t('call.cameraMuted')
                : t('call.noVideo')
            }
            className="aspect-video w-full"
            testId="remote-video"
          />
        ) : (
          <div
            className="flex aspect-video w-full items-center justify-center rounded-xl bg-slate-800 text-xl text-white"
            aria-live="polite"
          >
            {snapshot.phase === 'connecting' ? t('call.connecting') : t('call.alone')}
          </div>
        )}
        {remote ? (
          <div className="absolute top-3 left-3">
            <QualityBadge link={remoteLink} who={remote.info.displayName} testId="remote-quality" />
          </div>
        ) : null}
        <div className="absolute top-3 right-3">
          <QualityBadge link={link?.self} who={t('call.you')} testId="self-quality" />
        </div>
        <div className="absolute right-3 bottom-3 w-1/4 min-w-40">
          <VideoTile
            video={snapshot.cameraEnabled ? localVideo : null}
            label={t('call.you')}
            placeholder={t('call.cameraMuted')}
            mirrored
            className="aspect-video w-full border-2 border-white shadow-lg"
            testId="self-view"
          />
        </div>
      </div>
      {/* A third party (an invited specialist or colleague): each further participant as a tile of its own. */}
      {snapshot.participants.length > 1 ? (
        <div className="grid grid-cols-2 gap-3" data-testid="more-participants">
          {snapshot.participants.slice(1).map((other) => (
            <VideoTile
              key={other.info.peerId}
              video={other.videoMuted ? null : other.video}
              audio={other.audio}
              label={`${other.info.displayName} · ${t(`role.${other.info.role}`)}${other.audioMuted ? ` · ${t('call.micMuted')}` : ''}`}
              placeholder={other.videoMuted ? t('call.cameraMuted') : t('call.noVideo')}
              className="aspect-video w-full"
              testId="remote-video-extra"
            />
          ))}
        </div>
      ) : null}
      <CallControls
        micEnabled={snapshot.micEnabled}
        cameraEnabled={snapshot.cameraEnabled}
        onToggleMic={() => void session.setMicEnabled(!snapshot.micEnabled)}
        onToggleCamera={() => void session.setCameraEnabled(!snapshot.cameraEnabled)}
        onHangUp={onHangUp}
      />
    </section>
  );
}
