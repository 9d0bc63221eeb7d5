import { createHash } from 'node:crypto';
import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import type { Bundle, FhirResource, Media } from 'fhir/r4.d.ts';
import { consultRecordToFhirBundle } from '../exports/fhirBundle.ts';
import { consultRecordToPdf } from '../exports/pdfSummary.ts';
import { checkFhirDocument } from '../exports/testing/fhirChecks.ts';
import { FIXTURE_PHOTO, consultRecordFixture, fixturePhotoImages } from '../exports/testing/recordFixture.ts';

const GENERATED_AT = Date.UTC(2025, 0, 15, 8, 0, 0);

async function text(pdf: Buffer): Promise<string> {
  const { text } = await extractText(new Uint8Array(pdf), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

/** The image XObjects of an uncompressed PDF: their dictionaries as text. */
function imageXObjects(pdf: Buffer): string[] {
  const latin = pdf.toString('latin1');
  return [...latin.matchAll(/<<[^>]*\/Subtype \/Image[^>]*>>/g)].map((m) => m[0]);
}

describe('photos in the PDF export', () => {
  it('draws each photo as an image XObject holding exactly the stored JPEG, with time, who and caption', async () => {
    const record = await consultRecordFixture();
    const pdf = await consultRecordToPdf(record, {
      generatedAt: GENERATED_AT,
      compress: false,
      images: fixturePhotoImages(),
    });
    const images = imageXObjects(pdf);
    expect(images).toHaveLength(1);
    expect(images[0]).toContain('/Filter /DCTDecode');
    expect(images[0]).toContain(`/Width ${FIXTURE_PHOTO.width}`);
    expect(images[0]).toContain(`/Height ${FIXTURE_PHOTO.height}`);
    // pdfkit embeds a JPEG as is (DCTDecode): the stored bytes are in the file unchanged.
    expect(pdf.indexOf(FIXTURE_PHOTO.bytes)).toBeGreaterThan(0);
    // And it is painted on a page: some content stream invokes an image XObject.
    expect(pdf.toString('latin1')).toMatch(/\/I\d+ Do/);
    const all = await text(pdf);
    expect(all).toContain('Bilder');
    expect(all).toContain('14.01.2025 20:58 – Ingrid Aasen');
    expect(all).toContain('Urinstiks: leukocytter 2+, nitritt positiv');
    expect(all).toContain('64 × 48 px, JPEG');
    expect(all).not.toContain('ikke med i denne utskriften');
  });

  it('says so when a photo’s image is not given, and draws none', async () => {
    const record = await consultRecordFixture();
    const pdf = await consultRecordToPdf(record, { generatedAt: GENERATED_AT, compress: false });
    expect(imageXObjects(pdf)).toHaveLength(0);
    expect(await text(pdf)).toContain('Bildet er ikke med i denne utskriften.');
  });

  it('refuses image bytes that are not the stored photo (size or SHA-256)', async () => {
    const record = await consultRecordFixture();
    const changed = Buffer.from(FIXTURE_PHOTO.bytes);
    changed[200] = changed[200]! ^ 0xff;
    await expect(
      consultRecordToPdf(record, { generatedAt: GENERATED_AT, images: new Map([[FIXTURE_PHOTO.id, changed]]) }),
    ).rejects.toThrow(/do not match/);
    expect(() =>
      consultRecordToFhirBundle(record, {
        generatedAt: GENERATED_AT,
        images: new Map([[FIXTURE_PHOTO.id, changed]]),
      }),
    ).toThrow(/do not match/);
  });
});

describe('photos in the FHIR export', () => {
  const mediaOf = (bundle: Bundle<FhirResource>): Media[] =>
    (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Media => r?.resourceType === 'Media');

  it('embeds the image in a Media resource with its type, size and SHA-1 hash, and stays a valid document', async () => {
    const record = await consultRecordFixture();
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT, images: fixturePhotoImages() });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const media = mediaOf(bundle);
    expect(media).toHaveLength(1);
    const content = media[0]!.content;
    expect(content.contentType).toBe('image/jpeg');
    expect(content.size).toBe(FIXTURE_PHOTO.bytes.length);
    expect(content.hash).toBe(createHash('sha1').update(FIXTURE_PHOTO.bytes).digest('base64'));
    expect(Buffer.from(content.data!, 'base64').equals(FIXTURE_PHOTO.bytes)).toBe(true);
    expect(content.title).toBe('Urinstiks: leukocytter 2+, nitritt positiv');
    expect(media[0]).toMatchObject({ width: 64, height: 48, status: 'completed' });
    // The Composition's photo section points at it.
    const composition = bundle.entry![0]!.resource as {
      section?: { title?: string; entry?: { reference?: string }[] }[];
    };
    const section = composition.section?.find((s) => s.title === 'Bilder');
    const mediaUrl = bundle.entry!.find((e) => e.resource === media[0])!.fullUrl;
    expect(section?.entry?.map((e) => e.reference)).toEqual([mediaUrl]);
  });

  it('without the bytes, describes the image (type, size) but carries no data', async () => {
    const record = await consultRecordFixture();
    const bundle = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    expect(checkFhirDocument(bundle)).toEqual([]);
    const content = mediaOf(bundle)[0]!.content;
    expect(content).toMatchObject({ contentType: 'image/jpeg', size: FIXTURE_PHOTO.bytes.length });
    expect(content.data).toBeUndefined();
  });
});
