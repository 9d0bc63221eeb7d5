import { ApiError, type AuthSession } from './AuthSession.ts';
import { isRateLimited, rateLimitedMessage } from './rateLimit.ts';

/**
 * Fetches a file from the API with the bearer token (a plain link cannot carry
 * it; one retry after refreshing an expired token) and hands it to the browser
 * as a download under the server's file name (Content-Disposition), or
 * `fallbackName`. Throws ApiError with the server's code.
 */
export async function downloadWithToken(
  auth: Pick<AuthSession, 'accessToken' | 'refresh'>,
  url: string,
  fallbackName: string,
): Promise<void> {
  const send = async (): Promise<Response> =>
    fetch(url, { headers: { Authorization: `Bearer ${await auth.accessToken()}` } });
  let response = await send();
  if (response.status === 401) {
    await auth.refresh();
    response = await send();
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    const code = body.error?.code ?? 'HTTP';
    const message = isRateLimited({ status: response.status, code })
      ? rateLimitedMessage()
      : (body.error?.message ?? `HTTP ${response.status}`);
    throw new ApiError(response.status, code, message);
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const objectUrl = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = objectUrl;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // Revoked after the click has been handled: the download has its own copy by then.
    setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
  }
}
