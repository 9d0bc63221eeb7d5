import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { accessReasonOf, requestAddress } from '../../audit/audited.ts';
import type { AccessRecorder } from '../../audit/accessEvents.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import { PhotoService, type PhotoAccess, type PhotoChangeSink } from '../../photos/photoService.ts';
import type { Storage } from '../../storage/storage.ts';
import { route, userOf } from '../respond.ts';

/** Header with the photo's caption, percent-encoded UTF-8 (browsers send only Latin-1 in headers). */
export const PHOTO_CAPTION_HEADER = 'X-Photo-Caption';
/** Default upload limit: a full-resolution phone or webcam JPEG is 0.5–4 MiB. */
export const DEFAULT_PHOTO_MAX_BYTES = 8 * 1024 * 1024;

export interface PhotoRouteDeps {
  readonly storage: Storage;
  readonly access: AccessRecorder;
  readonly clock: Clock;
  /** ConsultService: a stored photo is a consult change the live layer tells the doctor about. */
  readonly consults: PhotoChangeSink;
  readonly log: Logger;
  /** Largest accepted upload in bytes (LEGEVAKT_PHOTO_MAX_BYTES); default 8 MiB. */
  readonly photoMaxBytes?: number;
}

/**
 * Still photos of a consult (mounted under /api/consults):
 * - `POST /:id/photos`: the raw image as the body (Content-Type image/jpeg or
 *   image/png), the caption in X-Photo-Caption; 201 with the ConsultPhoto.
 * - `GET /:id/photos`: the consult's photos (metadata).
 * - `GET /:id/photos/:photoId`: the image bytes, never cached.
 * Who may do what, and the access log, are the PhotoService's.
 */
export function photoRoutes(deps: PhotoRouteDeps): Router {
  const { log } = deps;
  const limit = deps.photoMaxBytes ?? DEFAULT_PHOTO_MAX_BYTES;
  const photos = new PhotoService(deps.storage, deps.access, deps.clock, deps.consults, log);
  const router = Router();
  const id = (req: Request): string => String(req.params['id']);
  const who = (req: Request, res: express.Response): PhotoAccess => ({
    user: userOf(res),
    address: requestAddress(req),
    reason: accessReasonOf(req),
  });

  // Any Content-Type: the bytes decide what the image is, and a wrong type gets the same clear 400.
  const rawBody = express.raw({ type: () => true, limit });

  router.post(
    '/:id/photos',
    rawBody,
    route(log, async (req, res) => {
      const body: unknown = req.body;
      // The app's JSON parser takes a JSON body first (never an image: null); with no body at all, express.raw
      // leaves none (empty).
      const bytes = Buffer.isBuffer(body) ? body : req.is('application/json') ? null : Buffer.alloc(0);
      const photo = await photos.add(who(req, res), id(req), bytes, captionOf(req));
      res.status(201);
      return photo;
    }),
  );
  router.get(
    '/:id/photos',
    route(log, async (req, res) => photos.list(who(req, res), id(req))),
  );
  router.get(
    '/:id/photos/:photoId',
    route(log, async (req, res) => {
      const { photo, bytes } = await photos.image(who(req, res), id(req), String(req.params['photoId']));
      // Patient images: never in a shared or disk cache, never re-used without asking.
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Type', photo.mimeType);
      res.setHeader('Content-Length', String(bytes.byteLength));
      res.setHeader(
        'Content-Disposition',
        `inline; filename="bilde-${photo.id}.${photo.mimeType === 'image/png' ? 'png' : 'jpg'}"`,
      );
      res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return undefined;
    }),
  );
  router.use(uploadErrors(limit, log));
  return router;
}

/** The caption header, percent-decoded; one that is not valid percent-encoding is taken as sent. */
function captionOf(req: Request): string {
  const raw = req.get(PHOTO_CAPTION_HEADER) ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function sizeText(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  return mib >= 1 ? `${Number(mib.toFixed(1))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** A body over the limit is a 413 saying the limit, logged; nothing was read into memory past it, nothing stored. */
function uploadErrors(limit: number, log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : null;
    if (type === 'entity.too.large') {
      log.warn({ path: req.path, limit }, 'photo upload refused: too large');
      res.status(413).json({
        error: { code: 'BAD_REQUEST', message: `the photo is larger than ${sizeText(limit)}` },
      });
      return;
    }
    next(error);
  };
}
