import { z } from 'zod';
import { ConsultId } from '../domain/consult.ts';

/**
 * The patient-data access log as the API shows it (pasientjournalloven § 22):
 * who saw or changed which patient's data, when, from where, and whether it
 * was allowed. `GET /api/access-log?nationalId=…` or `?consultId=…`
 * (`&format=csv` for a spreadsheet), `GET /api/admin/access-log/verify`.
 */

/** What was done; the server's AccessAction names (kept open here: a newer server may log new kinds). */
export const AccessLogAction = z.string().min(1).max(64);

export const AccessLogEntryView = z.object({
  seq: z.number().int().positive(),
  /** Epoch ms. */
  at: z.number().int(),
  userId: z.string(),
  userName: z.string(),
  userRole: z.string(),
  workplaceId: z.string().nullable(),
  /** The workplace's name; null for an admin of every district. */
  workplaceName: z.string().nullable(),
  patientNationalId: z.string().nullable(),
  /** An unknown patient: sex, approximate age and what is known. */
  patientDescription: z.string().nullable(),
  consultId: z.string().nullable(),
  action: AccessLogAction,
  outcome: z.enum(['allowed', 'denied']),
  address: z.string().nullable(),
  /** A break-the-glass reason, as typed. */
  reason: z.string().nullable(),
});
export type AccessLogEntryView = z.infer<typeof AccessLogEntryView>;

export const AccessLogQuery = z
  .strictObject({
    nationalId: z
      .string()
      .trim()
      .regex(/^\d{11}$/, 'a fødselsnummer or D-nummer has 11 digits')
      .optional(),
    consultId: ConsultId.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => (q.nationalId === undefined) !== (q.consultId === undefined), {
    message: 'give either nationalId or consultId',
  });
export type AccessLogQuery = z.input<typeof AccessLogQuery>;

export const AccessLogListing = z.object({
  nationalId: z.string().nullable(),
  consultId: z.string().nullable(),
  entries: z.array(AccessLogEntryView),
  /** More entries exist than were returned (the oldest are shown first). */
  truncated: z.boolean(),
});
export type AccessLogListing = z.infer<typeof AccessLogListing>;

export const AccessLogProblem = z.object({
  kind: z.enum(['altered', 'deleted', 'inserted']),
  /** The first entry affected. */
  seq: z.number().int(),
  message: z.string(),
});
export type AccessLogProblem = z.infer<typeof AccessLogProblem>;

export const AccessLogVerification = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    entries: z.number().int().nonnegative(),
    /** The newest entry: note it elsewhere to prove later that nothing was cut off the end. */
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  }),
  z.object({ ok: z.literal(false), entries: z.number().int().nonnegative(), problem: AccessLogProblem }),
]);
export type AccessLogVerification = z.infer<typeof AccessLogVerification>;
