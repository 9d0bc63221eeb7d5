import { useEffect, useRef } from 'react';

interface VideoTileProps {
  video: MediaStreamTrack | null;
  audio?: MediaStreamTrack | null;
  label: string;
  placeholder: string;
  /** Self-view is mirrored, as people expect from a mirror; never the remote patient. */
  mirrored?: boolean;
  className?: string;
  testId?: string;
}

export function VideoTile({
  video,
  audio = null,
  label,
  placeholder,
  mirrored = false,
  className = '',
  testId,
}: VideoTileProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);

  useEffect(() => {
    const element = videoRef.current;
    if (!element) return;
    element.srcObject = video ? new MediaStream([video]) : null;
  }, [video]);

  useEffect(() => {
    const element = audioRef.current;
    if (!element) return;
    element.srcObject = audio ? new MediaStream([audio]) : null;
    if (audio) element.play().catch(() => undefined);
  }, [audio]);

  return (
    <figure className={`relative overflow-hidden rounded-xl bg-slate-900 ${className}`} data-testid={testId}>
      {video ? (
        <video
          ref={videoRef}
          autoPlay
          playsInline
          muted
          aria-label={label}
          className={`h-full w-full object-cover ${mirrored ? '-scale-x-100' : ''}`}
        />
      ) : (
        <div className="flex h-full min-h-32 w-full items-center justify-center text-lg text-slate-200">
          {placeholder}
        </div>
      )}
      {audio ? <audio ref={audioRef} autoPlay /> : null}
      <figcaption className="absolute bottom-2 left-2 rounded bg-slate-900/80 px-2 py-1 text-sm font-medium text-white">
        {label}
      </figcaption>
    </figure>
  );
}
