import { ConsultPhoto } from '@legevakt/shared';
import { ApiError, type AuthSession } from '../session/AuthSession.ts';

/** The caption header (percent-encoded: browsers send only Latin-1 in headers). */
const CAPTION_HEADER = 'X-Photo-Caption';

type Auth = Pick<AuthSession, 'accessToken' | 'refresh'>;

/** A request with the bearer token, once more after refreshing an expired one. */
async function send(auth: Auth, url: string, init: RequestInit = {}): Promise<Response> {
  const once = async (): Promise<Response> =>
    fetch(url, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        Authorization: `Bearer ${await auth.accessToken()}`,
      },
    });
  let response = await once();
  if (response.status === 401) {
    await auth.refresh();
    response = await once();
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(response.status, body.error?.code ?? 'HTTP', body.error?.message ?? `HTTP ${response.status}`);
  }
  return response;
}

/** Uploads the image bytes themselves (image/jpeg or image/png) with the caption; the server reads size and type from them. */
export async function uploadPhoto(auth: Auth, consultId: string, image: Blob, caption: string): Promise<ConsultPhoto> {
  const response = await send(auth, `/api/consults/${consultId}/photos`, {
    method: 'POST',
    headers: {
      'Content-Type': image.type || 'application/octet-stream',
      [CAPTION_HEADER]: encodeURIComponent(caption),
    },
    body: image,
  });
  return ConsultPhoto.parse(await response.json());
}

export async function listPhotos(auth: Auth, consultId: string): Promise<ConsultPhoto[]> {
  const response = await send(auth, `/api/consults/${consultId}/photos`);
  return ConsultPhoto.array().parse(await response.json());
}

/** One photo's image (never cached by the browser: the server says no-store). */
export async function fetchPhoto(auth: Auth, photo: Pick<ConsultPhoto, 'consultId' | 'id'>): Promise<Blob> {
  const response = await send(auth, `/api/consults/${photo.consultId}/photos/${photo.id}`);
  return response.blob();
}
