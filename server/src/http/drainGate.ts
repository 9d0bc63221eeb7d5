import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';

const SHUTTING_DOWN_MESSAGE = 'the server is restarting; try again in a few seconds';

/**
 * New consult work refused while draining: a new request (POST /api/consults)
 * and taking one (POST /api/consults/:id/claim). Everything else (the record,
 * signing, vitals) is answered as long as the server still answers: work in
 * progress finishes, nothing new starts on a server on its way down.
 */
export function refusedWhileDraining(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'POST' || !url) return false;
  const pathname = url.split('?')[0]!;
  return /^\/api\/consults\/?$/.test(pathname) || /^\/api\/consults\/[^/]+\/claim\/?$/.test(pathname);
}

/**
 * Wraps the app: while `draining()` says so, new consult work gets 503
 * UNAVAILABLE with Retry-After (the client says "the server is restarting"
 * and the nurse tries again in a moment) before it reaches any route.
 */
export function drainGate(app: RequestListener, draining: () => boolean, log: Logger): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (draining() && refusedWhileDraining(req.method, req.url)) {
      log.info({ method: req.method, url: req.url }, 'refused while shutting down');
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: SHUTTING_DOWN_MESSAGE } }));
      return;
    }
    app(req, res);
  };
}
