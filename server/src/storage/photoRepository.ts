import { ConsultPhoto } from '@legevakt/shared';
import type { Executor } from './executor.ts';

/** A photo as the service validated it, before it is stored. */
export interface NewConsultPhoto {
  readonly id: string;
  readonly consultId: string;
  readonly takenAt: number;
  readonly takenBy: string;
  readonly mimeType: 'image/jpeg' | 'image/png';
  readonly width: number;
  readonly height: number;
  readonly caption: string;
  /** Lower-case hex SHA-256 of bytes. */
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** A stored photo's image. */
export interface StoredPhotoImage {
  readonly photo: ConsultPhoto;
  readonly bytes: Uint8Array;
}

/**
 * Still photos of a consult: append-only (the database refuses UPDATE and
 * DELETE, see migration 0008). Listing never reads the image bytes; they are
 * read one photo at a time.
 */
export class PhotoRepository {
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  async add(photo: NewConsultPhoto): Promise<void> {
    await this.#db
      .insertInto('consult_photos')
      .values({
        id: photo.id,
        consult_id: photo.consultId,
        taken_at: photo.takenAt,
        taken_by: photo.takenBy,
        mime_type: photo.mimeType,
        width: photo.width,
        height: photo.height,
        caption: photo.caption,
        byte_size: photo.bytes.byteLength,
        sha256: photo.sha256,
        data: photo.bytes,
      })
      .execute();
  }

  /** The consult's photos in the order they were taken, with the taker's name; no image bytes. */
  async list(consultId: string): Promise<ConsultPhoto[]> {
    const rows = await this.#select()
      .where('p.consult_id', '=', consultId)
      .orderBy('p.taken_at')
      .orderBy('p.id')
      .execute();
    return rows.map(toPhoto);
  }

  async get(id: string): Promise<ConsultPhoto | null> {
    const row = await this.#select().where('p.id', '=', id).executeTakeFirst();
    return row ? toPhoto(row) : null;
  }

  /** One photo with its bytes, or null. */
  async image(id: string): Promise<StoredPhotoImage | null> {
    const row = await this.#select().select('p.data').where('p.id', '=', id).executeTakeFirst();
    if (!row) return null;
    // pg gives a Buffer, node:sqlite a Uint8Array: both views of the same bytes.
    return { photo: toPhoto(row), bytes: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) };
  }

  #select() {
    return this.#db
      .selectFrom('consult_photos as p')
      .innerJoin('users as u', 'u.id', 'p.taken_by')
      .select([
        'p.id',
        'p.consult_id',
        'p.taken_at',
        'p.taken_by',
        'u.display_name',
        'p.mime_type',
        'p.width',
        'p.height',
        'p.caption',
        'p.byte_size',
        'p.sha256',
      ]);
  }
}

function toPhoto(r: {
  id: string;
  consult_id: string;
  taken_at: number;
  taken_by: string;
  display_name: string;
  mime_type: string;
  width: number;
  height: number;
  caption: string;
  byte_size: number;
  sha256: string;
}): ConsultPhoto {
  return ConsultPhoto.parse({
    id: r.id,
    consultId: r.consult_id,
    takenAt: r.taken_at,
    takenBy: r.taken_by,
    takenByName: r.display_name,
    mimeType: r.mime_type,
    width: r.width,
    height: r.height,
    caption: r.caption,
    byteSize: r.byte_size,
    sha256: r.sha256,
  });
}
