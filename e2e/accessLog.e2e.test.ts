import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VALID_NATIONAL_ID } from '../server/src/testing/consultFixtures.ts';
import { openLoggedIn, screenshot } from './browser.ts';
import { useAppUnderTest } from './appUnderTest.ts';

const NOTE_SIGNED = 'Signerte notat';
const RECORD_READ = 'Så journalen';

const app = useAppUnderTest();
const srv = app.server;

describe('the access log on the admin page', () => {
  it("after the doctor signs and the nurse prints the decision, shows the admin both users' entries, as a table and CSV", async () => {
    const nurse = await openLoggedIn(app.browser(), srv().url, 'sykepleier.sunndal');
    const doctor = await openLoggedIn(app.browser(), srv().url, 'lege.molde');

    // The nurse requests the LVS doctor for the patient.
    await nurse.getByLabel('Navn', { exact: true }).fill('Astrid Nordmann');
    await nurse.getByLabel('Fødselsnummer eller D-nummer (11 siffer)').fill(VALID_NATIONAL_ID);
    await nurse.getByLabel('Henvendelsesårsak').fill('Svie ved vannlating i to dager, ingen feber.');
    await nurse.getByLabel('Grønn').check();
    await nurse.getByLabel('Forløp (sjekkliste)').selectOption('uti-women');
    for (const no of await nurse.getByRole('radio', { name: 'Nei' }).all()) await no.check();
    await nurse.getByRole('button', { name: 'Be om LVS-lege' }).click();
    await expect.poll(() => nurse.getByTestId('queue-position').textContent()).toBe('1');

    // The doctor sees it in his queue and takes it.
    await expect.poll(() => doctor.getByTestId('queue-entry').count()).toBe(1);
    await doctor.getByRole('button', { name: 'Ta', exact: true }).click();
    await expect.poll(() => nurse.getByTestId('doctor-coming').textContent()).toContain('Lars Hjelset');

    // He documents and signs during the call (which closes the consult); the nurse sees the decision and prints it.
    const form = doctor.getByTestId('note-form');
    await form.getByLabel('Vurdering').fill('Ukomplisert nedre urinveisinfeksjon.');
    await form.getByRole('textbox', { name: /^Plan/ }).fill('Pivmecillinam 200 mg x 3 i 3 dager.');
    await form.getByLabel('Behandles på stedet').check();
    await form.getByRole('button', { name: 'Signer og lukk' }).click();
    await expect.poll(() => nurse.getByTestId('decision').textContent()).toBe('Behandles på stedet');
    await nurse.evaluate(() => {
      window.print = () => undefined; // headless: the print dialog itself is not under test here
    });
    await nurse.getByRole('button', { name: 'Skriv ut' }).click();

    // The district's admin looks the patient up.
    const admin = await openLoggedIn(app.browser(), srv().url, 'admin.romsdal');
    await admin.getByLabel('Fødselsnummer eller D-nummer', { exact: true }).fill(VALID_NATIONAL_ID);
    await admin.getByRole('button', { name: 'Slå opp' }).click();
    const table = admin.getByTestId('access-log-table');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    const texts = await rows.allTextContents();
    expect(texts.some((r) => r.includes('Ingrid Aasen') && r.includes('Registrerte pasienten (forespørsel)'))).toBe(
      true,
    );
    expect(texts.some((r) => r.includes('Lars Hjelset') && r.includes('Endret konsultasjonens status'))).toBe(true);
    expect(texts.some((r) => r.includes('Lars Hjelset') && r.includes('Så pasienten i arbeidskøen'))).toBe(true);
    expect(texts.some((r) => r.includes('Lars Hjelset') && r.includes(NOTE_SIGNED))).toBe(true);
    expect(texts.some((r) => r.includes('Ingrid Aasen') && r.includes(RECORD_READ))).toBe(true);
    // Norwegian time format, roles and workplaces in words, the outcome.
    const request = texts.find((r) => r.includes('Registrerte pasienten'))!;
    expect(request).toMatch(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}/);
    expect(request).toContain('Sykepleier');
    expect(request).toContain('Sunndal helsetun');
    expect(request).toContain('Tillatt');
    // The lookup itself is in the log.
    expect(texts.some((r) => r.includes('Turid Langeland') && r.includes('Så tilgangsloggen'))).toBe(true);
    await table.scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-access-log');

    // CSV download.
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Last ned CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^tilgangslogg-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv.startsWith('\uFEFFLøpenummer;Tidspunkt;Bruker;')).toBe(true);
    expect(csv).toContain(';Ingrid Aasen;');
    expect(csv).toContain(';Lars Hjelset;');
    expect(csv).toContain(`;${VALID_NATIONAL_ID};`);

    // The chain check in plain words.
    await admin.getByRole('button', { name: 'Kontroller loggen' }).click();
    await expect
      .poll(() => admin.getByTestId('access-log-verification').textContent())
      .toMatch(/^Loggen er intakt: \d+ oppføringer/);
    await screenshot(admin, 'admin-access-log-verified');

    // An admin of another district is refused, in words.
    const other = await openLoggedIn(app.browser(), srv().url, 'admin.sunnfjord');
    await other.getByLabel('Fødselsnummer eller D-nummer', { exact: true }).fill(VALID_NATIONAL_ID);
    await other.getByRole('button', { name: 'Slå opp' }).click();
    await expect.poll(() => other.getByRole('alert').textContent()).toBe('Du har ikke tilgang til denne loggen.');
  });
});
