import type { AccessLogProblem, AccessLogVerification } from '@legevakt/shared';
import type { AccessLogEntry, AccessLogRepository } from '../storage/accessLogRepository.ts';
import { entryHash, GENESIS_HASH } from './accessLog.ts';

type AccessLogProblemKind = AccessLogProblem['kind'];

const PAGE = 1000;
/** How far back a renumbered row's original place is searched; beyond it an edit is simply "altered". */
const MAX_SHIFT = 50;
/** Hashes of recent entries kept to name where an insertion began. */
const WINDOW = 10_000;

function ownHashValid(e: AccessLogEntry, seq: number = e.seq): boolean {
  return entryHash({ ...e, seq }) === e.hash;
}

/**
 * Walks the chain from the genesis and reports the FIRST entry that was
 * altered, inserted or deleted:
 * - a gap in seq: the entries in the gap were deleted;
 * - an entry whose own hash does not match its fields: altered, unless it
 *   matches with a shifted seq (rows were renumbered to hide a deletion, or
 *   to make room for an inserted row);
 * - an entry with a valid own hash that does not link to the previous one:
 *   inserted (or reordered, or the previous entry was altered and re-hashed).
 * `expectHead`, a head noted earlier, must still be in the chain with the same hash.
 */
export async function verifyAccessLog(
  storage: { readonly accessLog: AccessLogRepository },
  options: { expectHead?: { seq: number; hash: string } } = {},
): Promise<AccessLogVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let headMatched = options.expectHead === undefined;
  /** hash → seq of recently verified entries. */
  const recent = new Map<string, number>([[GENESIS_HASH, 0]]);
  const fail = (kind: AccessLogProblemKind, seq: number, message: string): AccessLogVerification => ({
    ok: false,
    entries: checked,
    problem: { kind, seq, message },
  });

  for (;;) {
    const page = await storage.accessLog.after(expectedSeq - 1, PAGE);
    for (const e of page) {
      if (e.seq !== expectedSeq) {
        const last = e.seq - 1;
        return fail(
          'deleted',
          expectedSeq,
          last === expectedSeq
            ? `entry ${expectedSeq} is missing (deleted)`
            : `entries ${expectedSeq}–${last} are missing (deleted)`,
        );
      }
      if (!ownHashValid(e)) {
        for (let k = 1; k <= MAX_SHIFT; k++) {
          if (ownHashValid(e, e.seq + k)) {
            return fail(
              'deleted',
              e.seq,
              `entry ${e.seq} is entry ${e.seq + k} renumbered: ${k} entr${k === 1 ? 'y' : 'ies'} before it ` +
                'were deleted (or the entries were reordered)',
            );
          }
          if (e.seq - k >= 1 && ownHashValid(e, e.seq - k)) {
            const linkedTo = recent.get(e.prevHash);
            const firstInserted = linkedTo === undefined ? e.seq - k : linkedTo + 1;
            return fail(
              'inserted',
              firstInserted,
              `entry ${e.seq} is entry ${e.seq - k} renumbered: ${k} entr${k === 1 ? 'y was' : 'ies were'} ` +
                `inserted from ${firstInserted}`,
            );
          }
        }
        return fail('altered', e.seq, `entry ${e.seq} was altered: its hash does not match its contents`);
      }
      if (e.prevHash !== prevHash) {
        // Its own hash holds with its own seq, so the row is as someone wrote it: written outside the chain.
        return fail(
          'inserted',
          e.seq,
          `entry ${e.seq} does not link to entry ${e.seq - 1}: it was inserted or moved ` +
            `(or entry ${e.seq - 1} was altered and re-hashed)`,
        );
      }
      if (options.expectHead && e.seq === options.expectHead.seq) {
        if (e.hash !== options.expectHead.hash) {
          return fail('altered', e.seq, `entry ${e.seq} is not the entry noted earlier (its hash differs)`);
        }
        headMatched = true;
      }
      recent.set(e.hash, e.seq);
      if (recent.size > WINDOW) {
        const oldest = recent.keys().next();
        if (!oldest.done) recent.delete(oldest.value);
      }
      prevHash = e.hash;
      expectedSeq++;
      checked++;
    }
    if (page.length < PAGE) break;
  }
  if (!headMatched && options.expectHead) {
    return fail(
      'deleted',
      expectedSeq,
      `the log ends at entry ${expectedSeq - 1}, before the entry ${options.expectHead.seq} noted earlier: ` +
        'entries were cut off the end',
    );
  }
  return { ok: true, entries: checked, head: checked === 0 ? null : { seq: expectedSeq - 1, hash: prevHash } };
}
