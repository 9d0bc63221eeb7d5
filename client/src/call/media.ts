let warm: Promise<MediaStream> | null = null;

/**
 * Opens camera and microphone ahead of the call (the nurse's preview while she
 * waits), so the call starts without waiting for the devices.
 */
export function prewarmCameraAndMicrophone(): Promise<MediaStream> {
  warm ??= open();
  warm.catch(() => (warm = null));
  return warm;
}

/** Camera and microphone for a consult: the prewarmed stream if it is still live, else a new one. */
export async function openCameraAndMicrophone(): Promise<MediaStream> {
  const pending = warm;
  warm = null;
  const stream = pending ? await pending.catch(() => null) : null;
  if (stream?.getTracks().every((track) => track.readyState === 'live')) return stream;
  return open();
}

/** 720p is enough to see a wound or a rash. */
function open(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  });
}
