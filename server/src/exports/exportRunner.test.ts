import { extractText } from 'unpdf';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { consultRecordToFhirBundle } from './fhirBundle.ts';
import { ExportRunner } from './exportRunner.ts';
import { consultRecordToPdf } from './pdfSummary.ts';
import { checkFhirDocument } from './testing/fhirChecks.ts';
import { consultRecordFixture } from './testing/recordFixture.ts';

const GENERATED_AT = Date.UTC(2025, 0, 15, 8, 0, 0);
const runner = new ExportRunner(pino({ level: 'silent' }));
afterAll(() => runner.close());

/** The longest pause of a 5 ms interval timer while `work` runs: how long the event loop was blocked. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

const pageTexts = async (pdf: Buffer) => (await extractText(new Uint8Array(pdf), { mergePages: false })).text;

describe('exports on the worker thread', () => {
  it('builds the same PDF and FHIR document as in the main thread', async () => {
    const record = await consultRecordFixture();
    const [inWorker, inMain] = await Promise.all([
      runner.pdf(record, GENERATED_AT),
      consultRecordToPdf(record, { generatedAt: GENERATED_AT }),
    ]);
    expect(inWorker.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await pageTexts(inWorker)).toEqual(await pageTexts(inMain));

    const json = JSON.parse(await runner.fhir(record, GENERATED_AT)) as ReturnType<typeof consultRecordToFhirBundle>;
    expect(checkFhirDocument(json)).toEqual([]);
    const direct = consultRecordToFhirBundle(record, { generatedAt: GENERATED_AT });
    // Only the document instance's identifier differs (a fresh UUID per export).
    expect({ ...json, identifier: null }).toEqual(JSON.parse(JSON.stringify({ ...direct, identifier: null })));
  });

  it('keeps the event loop free while a PDF with a 12-lead strip is built', async () => {
    const record = await consultRecordFixture();
    await runner.pdf(record, GENERATED_AT); // the thread is started and warm
    const inMain = await longestStall(() => consultRecordToPdf(record, { generatedAt: GENERATED_AT }));
    const onWorker = await longestStall(() => runner.pdf(record, GENERATED_AT));
    // Relative, not absolute: the machine may be busy, but the worker run must not stall like the main-thread one.
    expect(onWorker).toBeLessThan(inMain / 2);
  });

  it('fails an export whose record is corrupt with the reason, and goes on working', async () => {
    const record = await consultRecordFixture({ strips: 'twelve-lead' });
    const broken = structuredClone(record);
    broken.strips[0]!.samplesBase64 = 'AAAA';
    await expect(runner.pdf(broken, GENERATED_AT)).rejects.toThrow(
      `strip ${record.strips[0]!.id}: 3 bytes of samples, expected 120000`,
    );
    await expect(runner.fhir(broken, GENERATED_AT)).rejects.toThrow(/bytes of samples/);
    expect((await runner.pdf(record, GENERATED_AT)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('starts a new thread after the old one is gone', async () => {
    const record = await consultRecordFixture({ strips: 'none' });
    await runner.close();
    const json = await runner.fhir(record, GENERATED_AT);
    expect(JSON.parse(json)).toMatchObject({ resourceType: 'Bundle', type: 'document' });
  });
});
