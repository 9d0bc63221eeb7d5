/**
 * A still photo at the camera's full resolution, from the nurse's camera
 * track in the call (the same track: no second getUserMedia, which a busy
 * camera may refuse). Not a frame of the video the doctor receives, which the
 * encoder may have scaled down for the network.
 */

export interface CapturedPhoto {
  readonly blob: Blob;
  readonly width: number;
  readonly height: number;
  /** How it was taken: the camera's own still capture, or the track's current frame drawn at its native size. */
  readonly method: 'image-capture' | 'frame';
}

/** What ImageCapture offers (not in TypeScript's DOM library). */
interface ImageCaptureLike {
  takePhoto(): Promise<Blob>;
}
type ImageCaptureConstructor = new (track: MediaStreamTrack) => ImageCaptureLike;

/** takePhoto can hang on some camera drivers; the frame path is then used. */
const TAKE_PHOTO_TIMEOUT_MS = 4000;
const JPEG_QUALITY = 0.92;

export async function capturePhoto(track: MediaStreamTrack): Promise<CapturedPhoto> {
  if (track.readyState !== 'live') throw new Error('the camera is not running');
  const ImageCapture = (globalThis as { ImageCapture?: ImageCaptureConstructor }).ImageCapture;
  if (ImageCapture) {
    try {
      const blob = await withTimeout(new ImageCapture(track).takePhoto(), TAKE_PHOTO_TIMEOUT_MS);
      const { width, height } = await imageSize(blob);
      return { blob, width, height, method: 'image-capture' };
    } catch {
      // Unsupported by this camera or driver (or it timed out): the current frame at full size below.
    }
  }
  return captureFrame(track);
}

/** The track's current frame drawn at the track's native resolution, as a JPEG. */
async function captureFrame(track: MediaStreamTrack): Promise<CapturedPhoto> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  try {
    await video.play();
    if (video.videoWidth === 0) {
      await new Promise<void>((resolve) => video.addEventListener('loadeddata', () => resolve(), { once: true }));
    }
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width === 0 || height === 0) throw new Error('the camera gives no picture');
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.drawImage(video, 0, 0, width, height);
    const blob = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (b) => (b ? resolve(b) : reject(new Error('the picture could not be encoded'))),
        'image/jpeg',
        JPEG_QUALITY,
      ),
    );
    return { blob, width, height, method: 'frame' };
  } finally {
    video.pause();
    video.srcObject = null;
  }
}

async function imageSize(blob: Blob): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(blob);
  try {
    return { width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
