import crypto from 'node:crypto';
import {
  ConsultId,
  PHOTO_CAPTION_MAX,
  type AccessTokenClaims,
  type Consult,
  type ConsultChange,
  type ConsultPhoto,
} from '@legevakt/shared';
import { AccessDeniedError } from '../audit/accessDenied.ts';
import type { AccessAction, AccessRecorder } from '../audit/accessEvents.ts';
import { audited, MIN_ACCESS_REASON_LENGTH } from '../audit/audited.ts';
import type { Clock } from '../clock.ts';
import { isRequestingSide } from '../consults/consultAccess.ts';
import { canReadRecord, doctorsOfConsult, readsRecordByBreakingGlass } from '../consults/recordAccess.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { StoredPhotoImage } from '../storage/photoRepository.ts';
import type { Storage } from '../storage/storage.ts';
import { ImageFormatError, imageInfo } from './imageInfo.ts';

/** Told when a photo was stored, so the live layer tells the consult's doctor (ConsultService emits 'changed'). */
export interface PhotoChangeSink {
  emit(event: 'changed', consult: Consult, change: ConsultChange): boolean;
}

/** While the consult is open: in the call, or after it while the doctor documents (a photo taken just before he hung up). */
const ADD_STATUSES: readonly Consult['status'][] = ['active', 'documentation'];

/** Who asks and from where, for the access log. */
export interface PhotoAccess {
  readonly user: AccessTokenClaims;
  readonly address: string | null;
  /** A break-the-glass reason sent with a read, if any (X-Access-Reason). */
  readonly reason?: string | null;
}

/**
 * Still photos on a consult. Photos are TAKEN by the requesting side (the
 * nurse or ambulance crew beside the patient, from her camera); the doctor
 * asks for one (signaling `requestPhoto`) and sees it arrive. Reading a
 * photo is reading the record: the same people, the same break-the-glass
 * rule.
 *
 * Every call writes exactly one access-log entry ('photo.add' / 'photo.view'),
 * allowed or denied, before anything is stored or returned. An upload that is
 * not a whole JPEG or PNG is refused (400) after the access decision, with
 * nothing stored, and logged.
 */
export class PhotoService {
  readonly #storage: Storage;
  readonly #access: AccessRecorder;
  readonly #clock: Clock;
  readonly #changes: PhotoChangeSink;
  readonly #log: Logger;

  constructor(storage: Storage, access: AccessRecorder, clock: Clock, changes: PhotoChangeSink, log: Logger) {
    this.#storage = storage;
    this.#access = access;
    this.#clock = clock;
    this.#changes = changes;
    this.#log = log.child({ component: 'photos' });
  }

  /** Stores an uploaded photo; `caption` as typed (trimmed here); `bytes` null for a body that was not raw bytes (JSON). */
  async add(who: PhotoAccess, consultId: string, bytes: Uint8Array | null, caption: string): Promise<ConsultPhoto> {
    const { user } = who;
    const consult = await this.#decide(who, consultId, 'photo.add', (c) => {
      if (!isRequestingSide(user, c)) {
        return new AccessDeniedError('photos are taken by the nurse or crew who asked for the consult', c);
      }
      if (!ADD_STATUSES.includes(c.status)) {
        return new DomainError('CONFLICT', `a photo is added while the consult is open; this one is ${c.status}`);
      }
      return null;
    });
    const text = caption.trim();
    let info;
    try {
      if (text.length > PHOTO_CAPTION_MAX) {
        throw new DomainError('BAD_REQUEST', `the caption is longer than ${PHOTO_CAPTION_MAX} characters`);
      }
      if (bytes === null) {
        throw new DomainError('BAD_REQUEST', 'send the image itself as the body (image/jpeg or image/png), not JSON');
      }
      if (bytes.byteLength === 0) throw new DomainError('BAD_REQUEST', 'the upload is empty');
      try {
        info = imageInfo(bytes);
      } catch (error) {
        if (error instanceof ImageFormatError) {
          throw new DomainError('BAD_REQUEST', `not a usable JPEG or PNG image: ${error.message}`);
        }
        throw error;
      }
    } catch (error) {
      if (error instanceof DomainError) {
        this.#log.warn(
          { consultId: consult.id, userId: user.sub, bytes: bytes?.byteLength ?? null, reason: error.message },
          'photo refused',
        );
      }
      throw error;
    }
    const id = crypto.randomUUID();
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    await this.#storage.photos.add({
      id,
      consultId: consult.id,
      takenAt: this.#clock.now(),
      takenBy: user.sub,
      mimeType: info.mimeType,
      width: info.width,
      height: info.height,
      caption: text,
      sha256,
      bytes,
    });
    const photo = await this.#storage.photos.get(id);
    if (!photo) throw new Error(`photo ${id} vanished after it was stored`);
    this.#log.info(
      { consultId: consult.id, photoId: id, width: info.width, height: info.height, bytes: bytes.byteLength, sha256 },
      'photo added',
    );
    this.#changes.emit('changed', consult, 'photo');
    return photo;
  }

  /** The consult's photos (metadata only). */
  async list(who: PhotoAccess, consultId: string): Promise<ConsultPhoto[]> {
    const consult = await this.#read(who, consultId);
    return this.#storage.photos.list(consult.id);
  }

  /** One photo's image bytes; a photo of another consult is "not found" like one that does not exist. */
  async image(who: PhotoAccess, consultId: string, photoId: string): Promise<StoredPhotoImage> {
    const consult = await this.#read(who, consultId);
    const image = ConsultId.safeParse(photoId).success ? await this.#storage.photos.image(photoId) : null;
    if (!image || image.photo.consultId !== consult.id) throw new DomainError('NOT_FOUND', 'no such photo');
    return image;
  }

  /** The record's rule: its readers, or an LVS doctor breaking the glass with a reason. */
  async #read(who: PhotoAccess, consultId: string): Promise<Consult> {
    const { user } = who;
    const reason = who.reason?.trim() ?? '';
    // Set inside the access decision; read after it (an object, so the narrowing does not assume it unchanged).
    const by = { glass: false };
    const consult = await this.#decide(
      who,
      consultId,
      'photo.view',
      async (c) => {
        const doctors = doctorsOfConsult(c, await this.#storage.consultEvents.list(c.id));
        if (canReadRecord(user, c, doctors)) return null;
        if (readsRecordByBreakingGlass(user, c, doctors)) {
          if (reason.length >= MIN_ACCESS_REASON_LENGTH) {
            by.glass = true;
            return null;
          }
          return new AccessDeniedError(
            `not your consult: to open it anyway, give a reason of at least ${MIN_ACCESS_REASON_LENGTH} characters`,
            c,
          );
        }
        return new AccessDeniedError('not your consult', c);
      },
      () => (by.glass ? reason : null),
    );
    if (by.glass) {
      this.#log.warn({ userId: user.sub, consultId, action: 'photo.view', reason }, 'break-the-glass access');
    }
    return consult;
  }

  /**
   * Finds the consult and writes the request's one access entry: denied (with
   * the consult, or without one when there is no such consult) or allowed.
   * A conflict (wrong status) touched no patient data and writes none.
   */
  async #decide(
    who: PhotoAccess,
    consultId: string,
    action: AccessAction,
    denial: (consult: Consult) => DomainError | null | Promise<DomainError | null>,
    allowedReason: () => string | null = () => null,
  ): Promise<Consult> {
    return audited(
      this.#access,
      { user: who.user, action, address: who.address, reason: who.reason ?? null },
      async () => {
        // An id that is not a consult id names no consult: the same answer (and entry) as an unknown one.
        const consult = ConsultId.safeParse(consultId).success ? await this.#storage.consults.get(consultId) : null;
        if (!consult) throw new DomainError('NOT_FOUND', 'no such consult');
        const refusal = await denial(consult);
        if (refusal) {
          this.#log.warn(
            { userId: who.user.sub, role: who.user.role, consultId, action, reason: refusal.message },
            refusal instanceof AccessDeniedError ? 'access denied' : 'photo request refused',
          );
          throw refusal;
        }
        return consult;
      },
      (c) => c,
      allowedReason,
    );
  }
}
