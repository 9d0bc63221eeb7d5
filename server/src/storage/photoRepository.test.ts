import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from './database.ts';
import type { NewConsultPhoto } from './photoRepository.ts';
import { seedFixture, sunndalConsult } from './testing/fixtures.ts';
import {
  ENGINES,
  openTestStorage,
  prepareEngine,
  PREPARE_TIMEOUT_MS,
  silentLog,
  type TestStorage,
} from './testing/storageHarness.ts';

const jpeg = fs.readFileSync(path.join(import.meta.dirname, '..', 'photos', 'testdata', 'baseline-64x48.jpg'));
const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

describe.each(ENGINES)('consult photos on %s', (engine) => {
  beforeAll(() => prepareEngine(engine), PREPARE_TIMEOUT_MS);
  let t: TestStorage | null = null;
  let raw: DatabaseHandle | null = null;
  afterEach(async () => {
    await raw?.close();
    raw = null;
    await t?.dispose();
    t = null;
  });

  async function setup() {
    t = await openTestStorage(engine);
    const fixture = await seedFixture(t.storage);
    const consult = await t.storage.consults.create(sunndalConsult(fixture.nurseSunndal));
    const other = await t.storage.consults.create(sunndalConsult(fixture.nurseSunndal));
    return { storage: t.storage, fixture, consult, other };
  }

  /** A second connection to the same database, bypassing the repositories (as a careless script would). */
  async function rawDb(): Promise<DatabaseHandle['db']> {
    raw ??= await openDatabase({ url: t!.location.url, sqliteFile: t!.location.sqliteFile, log: silentLog });
    return raw.db;
  }

  const photo = (consultId: string, takenBy: string, overrides: Partial<NewConsultPhoto> = {}): NewConsultPhoto => ({
    id: crypto.randomUUID(),
    consultId,
    takenAt: 1_736_888_700_000,
    takenBy,
    mimeType: 'image/jpeg',
    width: 64,
    height: 48,
    caption: 'Sår på venstre legg',
    sha256: sha256(jpeg),
    bytes: jpeg,
    ...overrides,
  });

  it('stores a photo and reads back its metadata and exactly its bytes', async () => {
    const { storage, fixture, consult, other } = await setup();
    const added = photo(consult.id, fixture.nurseSunndal.id);
    await storage.photos.add(added);
    const expected = {
      id: added.id,
      consultId: consult.id,
      takenAt: added.takenAt,
      takenBy: fixture.nurseSunndal.id,
      takenByName: fixture.nurseSunndal.displayName,
      mimeType: 'image/jpeg',
      width: 64,
      height: 48,
      caption: 'Sår på venstre legg',
      byteSize: jpeg.length,
      sha256: sha256(jpeg),
    };
    expect(await storage.photos.get(added.id)).toEqual(expected);
    expect(await storage.photos.list(consult.id)).toEqual([expected]);
    expect(await storage.photos.list(other.id)).toEqual([]);
    const image = await storage.photos.image(added.id);
    expect(image?.photo).toEqual(expected);
    expect(Buffer.from(image!.bytes).equals(jpeg)).toBe(true);
    expect(await storage.photos.image(crypto.randomUUID())).toBeNull();
  });

  it('lists in the order taken', async () => {
    const { storage, fixture, consult } = await setup();
    const later = photo(consult.id, fixture.nurseSunndal.id, { takenAt: 2_000, caption: 'andre' });
    const earlier = photo(consult.id, fixture.nurseSunndal.id, { takenAt: 1_000, caption: 'første' });
    await storage.photos.add(later);
    await storage.photos.add(earlier);
    expect((await storage.photos.list(consult.id)).map((p) => p.caption)).toEqual(['første', 'andre']);
  });

  it('is append-only: the database refuses to change or delete a photo', async () => {
    const { storage, fixture, consult } = await setup();
    const added = photo(consult.id, fixture.nurseSunndal.id);
    await storage.photos.add(added);
    const db = await rawDb();
    await expect(
      db.updateTable('consult_photos').set({ caption: 'Endret i ettertid' }).where('id', '=', added.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      db
        .updateTable('consult_photos')
        .set({ data: Buffer.from('x') })
        .where('id', '=', added.id)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('consult_photos').where('id', '=', added.id).execute()).rejects.toThrow(/append-only/);
    const image = await storage.photos.image(added.id);
    expect(image?.photo.caption).toBe('Sår på venstre legg');
    expect(Buffer.from(image!.bytes).equals(jpeg)).toBe(true);
  });

  it('refuses a row whose size does not match its bytes, a bad hash or a foreign type', async () => {
    const { storage, fixture, consult } = await setup();
    const db = await rawDb();
    const row = {
      id: crypto.randomUUID(),
      consult_id: consult.id,
      taken_at: 1,
      taken_by: fixture.nurseSunndal.id,
      mime_type: 'image/jpeg' as const,
      width: 64,
      height: 48,
      caption: '',
      byte_size: jpeg.length,
      sha256: sha256(jpeg),
      data: jpeg,
    };
    await expect(
      db
        .insertInto('consult_photos')
        .values({ ...row, byte_size: 5 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('consult_photos')
        .values({ ...row, sha256: 'abc' })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('consult_photos')
        .values({ ...row, mime_type: 'image/gif' as 'image/png' })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('consult_photos')
        .values({ ...row, consult_id: crypto.randomUUID() })
        .execute(),
    ).rejects.toThrow();
    expect(await storage.photos.list(consult.id)).toEqual([]);
    await db.insertInto('consult_photos').values(row).execute();
    expect(await storage.photos.list(consult.id)).toHaveLength(1);
  });
});
