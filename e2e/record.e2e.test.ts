import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VALID_NATIONAL_ID } from '../server/src/testing/consultFixtures.ts';
import { inboundTotals, openLoggedIn, screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';

const app = useAppUnderTest();
const srv = app.server;

const FINDINGS = 'Afebril, upåvirket. Urinstix: leukocytter 2+, nitritt positiv.';
const PLAN = 'Pivmecillinam 200 mg x 3 i 3 dager. Rikelig med drikke.';
const DETAIL = 'Ring legevakten ved feber over 38,5 eller flankesmerter.';
const ADDENDUM = 'Urindyrkning: E. coli, følsom for mecillinam. Ingen endring i plan.';

describe('documentation, decision and the consult record', () => {
  it('lets the doctor document and sign after the call; the nurse sees the decision at once and prints it', async () => {
    const doctor = await openLoggedIn(app.browser(), srv().url, 'lege.molde');
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');

    // The nurse requests the doctor.
    await nurse.getByLabel('Navn', { exact: true }).fill('Astrid Nordmann');
    await nurse.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await nurse.getByLabel('Henvendelsesårsak').fill('Svie ved vannlating i to dager.');
    await nurse.getByLabel('Grønn').check();
    await nurse.getByLabel('Puls (/min)').fill('88');
    await nurse.getByRole('button', { name: 'Be om LVS-lege' }).click();
    await expect.poll(() => nurse.getByTestId('queue-position').textContent()).toBe('1');

    // The doctor takes it and the call connects.
    await expect.poll(() => doctor.getByTestId('queue-entry').count()).toBe(1);
    await doctor.getByRole('button', { name: 'Ta', exact: true }).click();
    await expect.poll(() => nurse.getByTestId('doctor-coming').isVisible()).toBe(true);
    await expect
      .poll(async () => (await inboundTotals(doctor)).videoFramesDecoded, { timeout: 20_000 })
      .toBeGreaterThan(10);

    // He starts the note during the call, then hangs up: the same screen carries on with his draft.
    await doctor.getByLabel('Funn').fill(FINDINGS);
    await doctor.getByRole('button', { name: 'Legg på' }).click();
    await expect.poll(() => doctor.getByTestId('documentation-consult').count()).toBe(1);
    await expect.poll(() => nurse.getByTestId('request-documentation').isVisible()).toBe(true);
    const form = doctor.getByTestId('documentation-consult').getByTestId('note-form');
    await expect.poll(() => form.getByLabel('Funn').inputValue()).toBe(FINDINGS);
    await form.getByLabel('Vurdering').fill('Ukomplisert nedre urinveisinfeksjon.');

    // The draft survives a reload.
    await doctor.reload();
    await doctor.getByTestId('connection').filter({ hasText: 'Tilkoblet' }).waitFor();
    await expect.poll(() => form.getByLabel('Vurdering').inputValue()).toBe('Ukomplisert nedre urinveisinfeksjon.');
    expect(await form.getByLabel('Funn').inputValue()).toBe(FINDINGS);

    // Signing without plan and decision names what is missing; nothing is sent.
    await form.getByRole('button', { name: 'Signer og lukk' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('Plan');
    expect(await nurse.getByTestId('request-documentation').isVisible()).toBe(true);

    await form.getByRole('textbox', { name: /^Plan/ }).fill(PLAN);
    await form.getByLabel('Behandles på stedet').check();
    await form.getByLabel(/Til sykepleier\/ambulanse/).fill(DETAIL);
    await screenshot(doctor, 'doctor-documentation');
    await form.getByRole('button', { name: 'Signer og lukk' }).click();

    // The doctor sees the signed record; the draft is gone.
    const record = doctor.getByTestId('signed-record');
    await expect.poll(() => record.getByTestId('record-note').textContent()).toContain(PLAN);
    expect(await record.getByTestId('record-decision').textContent()).toBe('Behandles på stedet');
    expect(
      await doctor.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('legevakt.noteDraft.'))),
    ).toEqual([]);
    expect(await doctor.getByTestId('documentation-consult').count()).toBe(0);
    await expect.poll(() => record.getByTestId('record-timeline').textContent()).toContain('Notat signert');
    await expect.poll(() => record.getByTestId('record-vitals').textContent()).toContain('88');

    // The nurse's page shows the decision and plan, without a reload.
    await expect
      .poll(() => nurse.getByTestId('decision').textContent(), { timeout: 10_000 })
      .toBe('Behandles på stedet');
    expect(await nurse.getByTestId('decision-plan').textContent()).toBe(PLAN);
    expect(await nurse.getByTestId('decision-detail').textContent()).toBe(DETAIL);
    await screenshot(nurse, 'nurse-decision');

    // Print: window.print is called, and the print-only sheet holds the decision sheet.
    await nurse.evaluate(() => {
      const w = window as unknown as { __printCalls: number };
      w.__printCalls = 0;
      window.print = () => {
        w.__printCalls += 1;
      };
    });
    await nurse.getByRole('button', { name: 'Skriv ut' }).click();
    expect(await nurse.evaluate(() => (window as unknown as { __printCalls: number }).__printCalls)).toBe(1);
    const sheet = nurse.getByTestId('decision-print-sheet');
    expect(await sheet.isVisible()).toBe(false);
    const sheetText = (await sheet.textContent()) ?? '';
    for (const expected of [
      'Beslutning fra LVS-lege',
      'Molde LVS',
      'Sunndal helsetun',
      'Astrid Nordmann',
      VALID_NATIONAL_ID,
      'Lars Hjelset',
      'Behandles på stedet',
      PLAN,
      DETAIL,
    ]) {
      expect(sheetText).toContain(expected);
    }
    // In print, the sheet is all there is.
    await nurse.emulateMedia({ media: 'print' });
    expect(await sheet.isVisible()).toBe(true);
    expect(await nurse.locator('#root').isVisible()).toBe(false);
    await screenshot(nurse, 'nurse-decision-print');
    await nurse.emulateMedia({ media: 'screen' });

    // The nurse downloads the PDF summary for the journal of her own satellite's consult.
    const [download] = await Promise.all([
      nurse.waitForEvent('download'),
      nurse.getByRole('button', { name: 'Last ned PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const pdf = fs.readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    // The doctor adds an addendum: both texts are on the record, and the nurse sees it live.
    await record.getByLabel(/Tillegg til journalnotatet/).fill(ADDENDUM);
    await record.getByRole('button', { name: 'Legg til tillegg' }).click();
    await expect.poll(() => record.getByTestId('record-addendum').textContent()).toContain(ADDENDUM);
    expect(await record.getByTestId('record-note').textContent()).toContain(PLAN);
    expect(await record.getByTestId('record-note').textContent()).toContain(FINDINGS);
    await expect.poll(() => nurse.getByTestId('decision-addendum').textContent()).toContain(ADDENDUM);
    expect(await nurse.getByTestId('decision-plan').textContent()).toBe(PLAN);
    expect(await sheet.textContent()).toContain(ADDENDUM);
    await screenshot(doctor, 'doctor-record');
  });
});
