import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { prewarmCameraAndMicrophone } from './media.ts';
import { VideoTile } from './VideoTile.tsx';

/**
 * The nurse's own camera while she waits for the doctor: she can aim it at the
 * patient, and the call then starts on the already open devices.
 */
export function CameraPreview() {
  const { t } = useI18n();
  const [video, setVideo] = useState<MediaStreamTrack | null>(null);
  const [denied, setDenied] = useState(false);
  useEffect(() => {
    let cancelled = false;
    prewarmCameraAndMicrophone()
      .then((stream) => {
        if (!cancelled) setVideo(stream.getVideoTracks()[0] ?? null);
      })
      .catch(() => {
        if (!cancelled) setDenied(true);
      });
    return () => {
      cancelled = true;
    };
  }, []);
  if (denied) {
    return (
      <p role="alert" className="rounded-lg bg-red-100 p-3 text-red-900">
        {t('media.denied')}
      </p>
    );
  }
  return (
    <VideoTile
      video={video}
      label={t('call.you')}
      placeholder={t('call.connecting')}
      mirrored
      className="aspect-video w-full"
    />
  );
}
