import { z } from 'zod';

/**
 * The signaling socket carries three kinds of JSON frames. Requests are answered
 * by exactly one response with the same id; notifications are one-way. The
 * envelope is validated first, then `data` against the method's own schema, so a
 * bad frame can be answered with an error naming exactly what was wrong.
 */
export const MAX_SIGNALING_FRAME_BYTES = 64 * 1024;

export const ErrorCode = z.enum([
  'BAD_REQUEST',
  'UNKNOWN_METHOD',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
  /** Too many requests from this user, address or socket: wait `retryAfterMs` (HTTP: 429 with Retry-After). */
  'RATE_LIMITED',
  /** The server is shutting down (or restarting): try again in a moment (HTTP: 503). */
  'UNAVAILABLE',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Field-level problems for BAD_REQUEST, as `path: message`. */
  issues: z.array(z.string()).optional(),
  /** For RATE_LIMITED: how long to wait before trying again. */
  retryAfterMs: z.number().int().positive().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const RequestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const RequestFrame = z.strictObject({
  kind: z.literal('request'),
  id: RequestId,
  method: z.string().min(1).max(64),
  data: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

export const SuccessResponseFrame = z.strictObject({
  kind: z.literal('response'),
  /** null when the request was too malformed to carry a usable id. */
  id: RequestId.nullable(),
  ok: z.literal(true),
  data: z.unknown(),
});
export const ErrorResponseFrame = z.strictObject({
  kind: z.literal('response'),
  id: RequestId.nullable(),
  ok: z.literal(false),
  error: ErrorBody,
});
export const ResponseFrame = z.discriminatedUnion('ok', [SuccessResponseFrame, ErrorResponseFrame]);
export type ResponseFrame = z.infer<typeof ResponseFrame>;

export const NotificationFrame = z.strictObject({
  kind: z.literal('notification'),
  method: z.string().min(1).max(64),
  data: z.unknown(),
});
export type NotificationFrame = z.infer<typeof NotificationFrame>;

/** What a client may receive from the server. */
export const ServerFrame = z.discriminatedUnion('kind', [ResponseFrame, NotificationFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Renders zod issues as short `path: message` lines for an error response. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
}
