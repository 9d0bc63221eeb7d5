import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, RequestFrame, ServerFrame } from './envelope.ts';

describe('ServerFrame', () => {
  it('reads success responses, error responses and notifications', () => {
    expect(ServerFrame.parse({ kind: 'response', id: 1, ok: true, data: { a: 1 } })).toMatchObject({ ok: true });
    expect(
      ServerFrame.parse({ kind: 'response', id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'x' } }),
    ).toMatchObject({ ok: false });
    expect(ServerFrame.parse({ kind: 'notification', method: 'peerLeft', data: { peerId: 'p' } })).toMatchObject({
      kind: 'notification',
    });
  });

  it('rejects frames of unknown kind, unknown error codes and extra fields', () => {
    expect(ServerFrame.safeParse({ kind: 'push', data: 1 }).success).toBe(false);
    expect(
      ServerFrame.safeParse({ kind: 'response', id: 1, ok: false, error: { code: 'OOPS', message: 'x' } }).success,
    ).toBe(false);
    expect(ServerFrame.safeParse({ kind: 'response', id: 1, ok: true, data: 1, extra: 1 }).success).toBe(false);
  });
});

describe('RequestFrame', () => {
  it('bounds ids and method names', () => {
    expect(RequestFrame.safeParse({ kind: 'request', id: -1, method: 'join' }).success).toBe(false);
    expect(RequestFrame.safeParse({ kind: 'request', id: 1.5, method: 'join' }).success).toBe(false);
    expect(RequestFrame.safeParse({ kind: 'request', id: 1, method: 'x'.repeat(65) }).success).toBe(false);
    expect(RequestFrame.safeParse({ kind: 'request', id: 1, method: 'join' }).success).toBe(true);
  });
});

describe('describeIssues', () => {
  it('names the path of each problem', () => {
    const result = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: 'x' } });
    expect(result.success).toBe(false);
    if (!result.success)
      expect(describeIssues(result.error)).toEqual(['a.b: Invalid input: expected number, received string']);
  });
});
