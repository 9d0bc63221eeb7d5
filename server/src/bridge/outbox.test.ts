import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeVitalsMessage, type VitalsMessage } from '@legevakt/shared';
import { DurableOutbox, OutboxFullError, outboxFile, replayLog } from './outbox.ts';
import { capturingLogger, removeTempDirs, tempDir } from './testing/bridgeFixtures.ts';

const CONSULT = '6f1c1a52-5f0e-4a57-9d7a-3f0b3d1f2a11';
afterAll(removeTempDirs);

const dir = (): string => tempDir('outbox-test-');

const numerics = (value: number): VitalsMessage => ({
  type: 'numerics',
  samples: [
    {
      kind: 'spo2',
      value,
      unit: '%',
      measuredAt: 1_700_000_000_000 + value,
      device: 'GW',
      source: 'monitor-hl7',
      quality: [],
    },
  ],
});

async function open(d: string, extra: Partial<Parameters<typeof DurableOutbox.open>[0]> = {}) {
  const { log, lines } = capturingLogger();
  const outbox = await DurableOutbox.open({ dir: d, consultId: CONSULT, log, ackWriteDelayMs: 0, ...extra });
  return { outbox, lines };
}

function valuesOf(outbox: DurableOutbox): number[] {
  const out: number[] = [];
  for (let seq = outbox.firstPendingSeq; seq < outbox.nextSeq; seq++) {
    const { seq: inside, message } = decodeVitalsMessage(outbox.pending(seq)!);
    expect(inside).toBe(seq);
    if (message.type === 'numerics') out.push(message.samples[0]!.value);
  }
  return out;
}

describe('DurableOutbox', () => {
  it('keeps numbering, pending messages, keys and stream states across a reopen', async () => {
    const d = dir();
    const { outbox } = await open(d);
    const sourceId = outbox.sourceId;
    expect(
      await outbox.append('GW|1', [numerics(1), numerics(2)], {
        s: { rate: 500, originTime: 0, originSample: 0, next: 50 },
      }),
    ).toEqual([1, 2]);
    expect(await outbox.append('GW|2', [numerics(3)])).toEqual([3]);
    outbox.acknowledge(1);
    await outbox.close();

    const { outbox: again } = await open(d);
    expect(again.sourceId).toBe(sourceId);
    expect(again.ackedSeq).toBe(1);
    expect(again.nextSeq).toBe(4);
    expect(valuesOf(again)).toEqual([2, 3]);
    expect(again.hasKey('GW|1')).toBe(true);
    expect(again.hasKey('GW|3')).toBe(false);
    expect(again.streams.get('s')).toEqual({ rate: 500, originTime: 0, originSample: 0, next: 50 });
    await again.close();
  });

  it('cuts off a torn last record at any byte and keeps everything before it', async () => {
    const d = dir();
    const { outbox } = await open(d);
    for (let i = 1; i <= 3; i++) await outbox.append(`GW|${i}`, [numerics(i)]);
    await outbox.close();
    const file = outboxFile(d, CONSULT);
    const whole = fs.readFileSync(file);
    const beforeLast = replayLog(whole.subarray(0, whole.length - 1)).goodBytes;
    expect(beforeLast).toBeLessThan(whole.length);
    for (let cut = beforeLast + 1; cut < whole.length; cut++) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const { outbox: reopened, lines } = await open(d);
      expect(valuesOf(reopened)).toEqual([1, 2]);
      expect(reopened.nextSeq).toBe(3);
      expect(reopened.hasKey('GW|3')).toBe(false); // never acknowledged to the monitor: it will come again
      expect(lines.some((l) => String(l['msg']).startsWith('outbox tail was torn'))).toBe(true);
      await reopened.close();
      expect(fs.statSync(file).size).toBe(beforeLast);
    }
  });

  it('cuts off a last record whose CRC does not match', async () => {
    const d = dir();
    const { outbox } = await open(d);
    await outbox.append('GW|1', [numerics(1)]);
    await outbox.append('GW|2', [numerics(2)]);
    await outbox.close();
    const file = outboxFile(d, CONSULT);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const { outbox: reopened } = await open(d);
    expect(valuesOf(reopened)).toEqual([1]);
    await reopened.close();
  });

  it('compacts: the file shrinks to what is pending and reopens to the same state', async () => {
    const d = dir();
    const { outbox, lines } = await open(d, { compactAtBytes: 4096 });
    for (let i = 1; i <= 200; i++) {
      await outbox.append(`GW|${i}`, [numerics(i)]);
      if (i % 10 === 0) outbox.acknowledge(i - 3);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await outbox.close();
    expect(lines.some((l) => l['msg'] === 'outbox compacted')).toBe(true);
    expect(fs.statSync(outboxFile(d, CONSULT)).size).toBeLessThan(8192);
    const { outbox: reopened } = await open(d);
    expect(reopened.ackedSeq).toBe(197);
    expect(valuesOf(reopened)).toEqual([198, 199, 200]);
    expect(reopened.hasKey('GW|5')).toBe(true);
    await reopened.close();
  });

  it('refuses new messages when the backlog is over its limit (the monitor retries) instead of dropping old ones', async () => {
    const d = dir();
    const { outbox } = await open(d, { maxPendingBytes: 300 });
    let refused: unknown = null;
    for (let i = 1; i <= 20 && refused === null; i++) {
      await outbox.append(`GW|${i}`, [numerics(i)]).catch((error: unknown) => (refused = error));
    }
    expect(refused).toBeInstanceOf(OutboxFullError);
    const kept = valuesOf(outbox);
    expect(kept[0]).toBe(1);
    outbox.acknowledge(outbox.nextSeq - 1);
    expect(await outbox.append('GW|late', [numerics(99)])).toEqual([kept.length + 1]);
    await outbox.close();
  });

  it('rotates to a new source id, renumbering what is pending from 1', async () => {
    const d = dir();
    const { outbox } = await open(d);
    await outbox.append('GW|1', [numerics(1), numerics(2), numerics(3)]);
    outbox.acknowledge(1);
    const old = outbox.sourceId;
    await outbox.rotateSource();
    expect(outbox.sourceId).not.toBe(old);
    expect(outbox.firstPendingSeq).toBe(1);
    expect(valuesOf(outbox)).toEqual([2, 3]);
    await outbox.close();
    const { outbox: reopened } = await open(d);
    expect(reopened.sourceId).toBe(outbox.sourceId);
    expect(valuesOf(reopened)).toEqual([2, 3]);
    await reopened.close();
  });

  it('sets an unreadable file aside (never deletes it) and starts a new source', async () => {
    const d = dir();
    fs.writeFileSync(outboxFile(d, CONSULT), 'not an outbox at all');
    const { outbox, lines } = await open(d);
    expect(outbox.nextSeq).toBe(1);
    expect(fs.readdirSync(d).some((f) => f.includes('.unreadable-'))).toBe(true);
    expect(lines.some((l) => l['msg'] === 'outbox unreadable, set aside; starting a new one')).toBe(true);
    await outbox.close();
    expect(path.basename(outbox.file)).toBe(`${CONSULT}.outbox`);
  });
});
