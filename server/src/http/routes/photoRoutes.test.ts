import { createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsultPhoto, ConsultRecord } from '@legevakt/shared';
import { claimConsult, requestConsult } from '../../testing/consultFixtures.ts';
import { useLoggedInServer } from '../../testing/loggedInServer.ts';
import { accessEntriesDuring } from '../../testing/accessEntries.ts';

/**
 * The photo routes over HTTPS: the nurse side uploads raw image bytes, the
 * record's readers fetch them; exactly one access-log entry per request;
 * anything that is not a whole JPEG or PNG is refused with nothing stored.
 */
const USERS = [
  'sykepleier.sunndal', // the requesting nurse
  'sykepleier.rauma', // same district, other satellite
  'ambulanse.molde',
  'lege.molde', // takes the consults
  'lege2.molde', // same district
  'lege.forde', // other district
  'admin.romsdal',
  'admin.sunnfjord',
] as const;
type User = (typeof USERS)[number];

/** A small upload limit, so the 413 is tested without sending megabytes. */
const MAX_BYTES = 64 * 1024;
const app = useLoggedInServer(USERS, { photoMaxBytes: MAX_BYTES });
const srv = app.server;
const { session, token, call } = app;

const testdata = path.join(import.meta.dirname, '..', '..', 'photos', 'testdata');
const JPEG = fs.readFileSync(path.join(testdata, 'baseline-64x48.jpg'));
const PNG = fs.readFileSync(path.join(testdata, 'chromium-40x30.png'));

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  json: () => unknown;
}

/** A request with a binary body and a binary answer (httpsJson speaks only JSON). */
function raw(
  method: string,
  pathname: string,
  user: User,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${srv().url}${pathname}`,
      {
        method,
        rejectUnauthorized: false,
        headers: {
          Authorization: `Bearer ${token(user)}`,
          ...(body ? { 'Content-Length': String(body.length) } : {}),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes,
            json: () => JSON.parse(bytes.toString()) as unknown,
          });
        });
      },
    );
    request.on('error', reject);
    if (body) request.write(body);
    request.end();
  });
}

const upload = (user: User, consultId: string, bytes: Buffer, caption?: string, type = 'image/jpeg') =>
  raw('POST', `/api/consults/${consultId}/photos`, user, bytes, {
    'Content-Type': type,
    ...(caption === undefined ? {} : { 'X-Photo-Caption': encodeURIComponent(caption) }),
  });

/** An active consult of Sunndal taken by lege.molde. */
async function activeConsult(): Promise<string> {
  const consult = await requestConsult(srv().url, token('sykepleier.sunndal'));
  await claimConsult(srv().url, token('lege.molde'), consult.id);
  return consult.id;
}

const accessEntries = (act: () => Promise<unknown>) => accessEntriesDuring(srv(), act);

const nameOf = (user: User) => session(user).user.displayName;

describe('adding a photo', () => {
  it('stores the nurse’s JPEG with its decoded size, caption and hash: one photo.add entry', async () => {
    const consultId = await activeConsult();
    let response: RawResponse | undefined;
    const entries = await accessEntries(async () => {
      response = await upload('sykepleier.sunndal', consultId, JPEG, 'Sår på venstre legg, 3 cm');
    });
    expect(response!.status).toBe(201);
    const photo = ConsultPhoto.parse(response!.json());
    expect(photo).toMatchObject({
      consultId,
      takenBy: session('sykepleier.sunndal').user.id,
      takenByName: nameOf('sykepleier.sunndal'),
      mimeType: 'image/jpeg',
      width: 64,
      height: 48,
      caption: 'Sår på venstre legg, 3 cm',
      byteSize: JPEG.length,
      sha256: createHash('sha256').update(JPEG).digest('hex'),
    });
    expect(entries).toEqual([
      { user: nameOf('sykepleier.sunndal'), action: 'photo.add', outcome: 'allowed', consultId },
    ]);
    const stored = await srv().storage.photos.image(photo.id);
    expect(Buffer.from(stored!.bytes).equals(JPEG)).toBe(true);
    expect(srv().logs.some((l) => l['msg'] === 'photo added' && l['photoId'] === photo.id)).toBe(true);

    // A PNG too, whatever Content-Type the client claims: the bytes decide.
    const png = await upload('sykepleier.sunndal', consultId, PNG, undefined, 'application/octet-stream');
    expect(png.status).toBe(201);
    expect(png.json()).toMatchObject({ mimeType: 'image/png', width: 40, height: 30, caption: '' });

    // The record lists both, in the order taken.
    const record = await call('lege.molde', 'GET', `/api/consults/${consultId}/record`);
    expect(ConsultRecord.parse(record.body).photos.map((p) => [p.width, p.height])).toEqual([
      [64, 48],
      [40, 30],
    ]);
  });

  it.each<User>(['lege.molde', 'lege2.molde', 'sykepleier.rauma', 'ambulanse.molde', 'admin.romsdal'])(
    'refuses %s with 403: photos are taken by the requesting side; one denied entry, nothing stored',
    async (user) => {
      const consultId = await activeConsult();
      let status = 0;
      const entries = await accessEntries(async () => {
        status = (await upload(user, consultId, JPEG)).status;
      });
      expect(status).toBe(403);
      expect(entries).toEqual([{ user: nameOf(user), action: 'photo.add', outcome: 'denied', consultId }]);
      expect(await srv().storage.photos.list(consultId)).toEqual([]);
    },
  );

  it('refuses what is not a whole JPEG or PNG with a clear 400, logged, nothing stored', async () => {
    const consultId = await activeConsult();
    const cases: [string, Buffer, string | undefined, RegExp][] = [
      ['text', Buffer.from('dette er ikke et bilde'), undefined, /unknown magic/],
      ['truncated JPEG', JPEG.subarray(0, JPEG.length - 100), undefined, /truncated/],
      ['PNG cut short', PNG.subarray(0, 40), undefined, /truncated|past the end/],
      ['caption too long', JPEG, 'x'.repeat(201), /caption is longer than 200/],
    ];
    for (const [name, bytes, caption, message] of cases) {
      const response = await upload('sykepleier.sunndal', consultId, bytes, caption);
      expect(response.status, name).toBe(400);
      const { error } = response.json() as { error: { code: string; message: string } };
      expect(error.code, name).toBe('BAD_REQUEST');
      expect(error.message, name).toMatch(message);
    }
    const empty = await raw('POST', `/api/consults/${consultId}/photos`, 'sykepleier.sunndal', undefined, {
      'Content-Type': 'image/jpeg',
    });
    expect(empty.status).toBe(400);
    expect(empty.json()).toMatchObject({ error: { message: 'the upload is empty' } });
    const json = await call('sykepleier.sunndal', 'POST', `/api/consults/${consultId}/photos`, { image: 'x' });
    expect(json.status).toBe(400);
    expect(srv().logs.filter((l) => l['msg'] === 'photo refused' && l['consultId'] === consultId)).toHaveLength(6);
    expect(await srv().storage.photos.list(consultId)).toEqual([]);
  });

  it('refuses a photo over the size limit with 413 naming the limit, nothing stored', async () => {
    const consultId = await activeConsult();
    const big = Buffer.concat([JPEG.subarray(0, JPEG.length - 2), Buffer.alloc(MAX_BYTES), Buffer.from([0xff, 0xd9])]);
    const response = await upload('sykepleier.sunndal', consultId, big);
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: { message: 'the photo is larger than 64 KiB' } });
    expect(srv().logs.some((l) => l['msg'] === 'photo upload refused: too large')).toBe(true);
    expect(await srv().storage.photos.list(consultId)).toEqual([]);
  });

  it('is for the open consult only: 409 while waiting and once closed; 404 for no such consult', async () => {
    const waiting = await requestConsult(srv().url, token('sykepleier.sunndal'));
    expect((await upload('sykepleier.sunndal', waiting.id, JPEG)).status).toBe(409);

    const consultId = await activeConsult();
    expect((await call('lege.molde', 'POST', `/api/consults/${consultId}/end-call`)).status).toBe(200);
    // During documentation (a photo taken just before the call ended) it is still added.
    expect((await upload('sykepleier.sunndal', consultId, JPEG)).status).toBe(201);
    const doctorId = session('lege.molde').user.id;
    expect(await srv().storage.consults.close(consultId, { doctorId, at: Date.now() })).not.toBeNull();
    expect((await upload('sykepleier.sunndal', consultId, JPEG)).status).toBe(409);
    expect(await srv().storage.photos.list(consultId)).toHaveLength(1);

    const entries = await accessEntries(async () => {
      expect((await upload('sykepleier.sunndal', '00000000-0000-4000-8000-000000000000', JPEG)).status).toBe(404);
      expect((await upload('sykepleier.sunndal', 'not-a-uuid', JPEG)).status).toBe(404);
    });
    expect(entries.map((e) => [e.action, e.outcome, e.consultId])).toEqual([
      ['photo.add', 'denied', null],
      ['photo.add', 'denied', null],
    ]);
  });
});

describe('fetching a photo', () => {
  it('returns exactly the stored bytes, never cached, with one photo.view entry', async () => {
    const consultId = await activeConsult();
    const photo = ConsultPhoto.parse((await upload('sykepleier.sunndal', consultId, JPEG, 'Øye')).json());
    let response: RawResponse | undefined;
    const entries = await accessEntries(async () => {
      response = await raw('GET', `/api/consults/${consultId}/photos/${photo.id}`, 'lege.molde');
    });
    expect(response!.status).toBe(200);
    expect(response!.headers['content-type']).toBe('image/jpeg');
    expect(response!.headers['cache-control']).toBe('private, no-store');
    expect(response!.bytes.equals(JPEG)).toBe(true);
    expect(entries).toEqual([{ user: nameOf('lege.molde'), action: 'photo.view', outcome: 'allowed', consultId }]);

    const list = await call('sykepleier.sunndal', 'GET', `/api/consults/${consultId}/photos`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([photo]);
  });

  it('is not found under another consult, or with a malformed id', async () => {
    const consultId = await activeConsult();
    const other = await activeConsult();
    const photo = ConsultPhoto.parse((await upload('sykepleier.sunndal', consultId, JPEG)).json());
    expect((await raw('GET', `/api/consults/${other}/photos/${photo.id}`, 'lege.molde')).status).toBe(404);
    expect((await raw('GET', `/api/consults/${consultId}/photos/nope`, 'lege.molde')).status).toBe(404);
  });

  it.each<[User, number]>([
    ['sykepleier.sunndal', 200],
    ['lege.molde', 200],
    ['lege2.molde', 200], // a doctor of the consult's district reads its record
    ['admin.romsdal', 200],
    ['sykepleier.rauma', 403],
    ['ambulanse.molde', 403],
    ['lege.forde', 403], // only by breaking the glass
    ['admin.sunnfjord', 403],
  ])('GET the image as %s → %i (the record’s rule), one entry', async (user, status) => {
    const consultId = await activeConsult();
    const photo = ConsultPhoto.parse((await upload('sykepleier.sunndal', consultId, JPEG)).json());
    let response: RawResponse | undefined;
    const entries = await accessEntries(async () => {
      response = await raw('GET', `/api/consults/${consultId}/photos/${photo.id}`, user);
    });
    expect(response!.status).toBe(status);
    expect(entries).toEqual([
      { user: nameOf(user), action: 'photo.view', outcome: status === 200 ? 'allowed' : 'denied', consultId },
    ]);
    if (status !== 200) expect(response!.bytes.includes(JPEG.subarray(0, 64))).toBe(false);
  });

  it('lets another district’s doctor break the glass with a reason, logged with it', async () => {
    const consultId = await activeConsult();
    const photo = ConsultPhoto.parse((await upload('sykepleier.sunndal', consultId, JPEG)).json());
    const reason = 'Pasienten er overført til oss, trenger bildet';
    const response = await raw('GET', `/api/consults/${consultId}/photos/${photo.id}`, 'lege.forde', undefined, {
      'X-Access-Reason': encodeURIComponent(reason),
    });
    expect(response.status).toBe(200);
    expect(response.bytes.equals(JPEG)).toBe(true);
    await srv().access.settled();
    const last = await srv().storage.accessLog.after((await srv().storage.accessLog.count()) - 1, 1);
    expect(last[0]).toMatchObject({ action: 'photo.view', outcome: 'allowed', reason });
  });
});

describe('photos in the exports', () => {
  it('the FHIR and PDF downloads carry the stored image, through the export thread', async () => {
    const consultId = await activeConsult();
    const photo = ConsultPhoto.parse(
      (await upload('sykepleier.sunndal', consultId, JPEG, 'Utslett på brystet')).json(),
    );
    const fhir = await raw('GET', `/api/consults/${consultId}/export.fhir.json`, 'lege.molde');
    expect(fhir.status).toBe(200);
    const bundle = fhir.json() as {
      entry: { resource: { resourceType: string; content?: Record<string, unknown> } }[];
    };
    const media = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Media');
    expect(media).toHaveLength(1);
    expect(media[0]!.content).toMatchObject({
      contentType: 'image/jpeg',
      size: JPEG.length,
      hash: createHash('sha1').update(JPEG).digest('base64'),
      data: JPEG.toString('base64'),
      title: 'Utslett på brystet',
    });
    const pdf = await raw('GET', `/api/consults/${consultId}/export.pdf`, 'sykepleier.sunndal');
    expect(pdf.status).toBe(200);
    expect(pdf.bytes.indexOf(JPEG)).toBeGreaterThan(0);
    expect(pdf.bytes.toString('latin1')).toMatch(/\/Subtype \/Image/);
    expect(photo.byteSize).toBe(JPEG.length);
  });
});
