import type { z } from 'zod';
import { describeIssues } from '@legevakt/shared';
import { DomainError } from '../../errors.ts';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', 'invalid request body', describeIssues(parsed.error));
  return parsed.data;
}
