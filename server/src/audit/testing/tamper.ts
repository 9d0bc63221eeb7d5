import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { AccessLogEntry } from '../../storage/accessLogRepository.ts';
import type { TestDatabaseLocation } from '../../storage/testing/storageHarness.ts';
import { entryHash } from '../accessLog.ts';

/** Tampering with the access log past the application, for the verifier's tests. */

/** Runs SQL straight on the database, past the application: the tampering an attacker with DB access could do. */
export async function rawSql(location: TestDatabaseLocation, statements: string[]): Promise<void> {
  if (location.engine === 'sqlite') {
    const db = new DatabaseSync(location.sqliteFile);
    try {
      for (const s of statements) db.exec(s);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: location.url ?? '' });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

export function q(value: string | number | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

export function insertSql(e: AccessLogEntry): string {
  return (
    'insert into access_log (seq, at, user_id, user_name, user_role, workplace_id, patient_national_id, ' +
    'patient_description, consult_id, action, outcome, address, reason, prev_hash, hash) values (' +
    [
      e.seq,
      e.at,
      e.userId,
      e.userName,
      e.userRole,
      e.workplaceId,
      e.patientNationalId,
      e.patientDescription,
      e.consultId,
      e.action,
      e.outcome,
      e.address,
      e.reason,
      e.prevHash,
      e.hash,
    ]
      .map(q)
      .join(', ') +
    ')'
  );
}

/** A forged entry with a correct own hash, as someone who knows the format would write it. */
export function forged(seq: number, prevHash: string): AccessLogEntry {
  const fields = {
    seq,
    at: 1_750_000_500_000,
    userId: 'user-lege-molde',
    userName: 'Lege Molde',
    userRole: 'doctor',
    workplaceId: 'molde-lvs',
    patientNationalId: '13097248022',
    patientDescription: null,
    consultId: '6f0c9b51-4c8e-4a35-9d0e-5f7b8a2f8c11',
    action: 'consult.view',
    outcome: 'allowed' as const,
    address: '10.0.0.9',
    reason: null,
    prevHash,
  };
  return { ...fields, hash: entryHash(fields) };
}
