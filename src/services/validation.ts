// Input rules shared by the admin write services: one zod schema per input, and a parse that turns
// its failures into one ValidationError naming every bad field, before anything is written.

import { z } from 'zod';
import { Prisma } from '../generated/prisma/client.js';
import { calendarDateText, toDbDate } from '../lib/dates.js';
import { ConflictError, ValidationError } from '../lib/errors.js';

export { z };

/**
 * Parses `input` or throws a ValidationError naming every bad field (the first leads), prefixed by `root`
 * (e.g. `input.endDate`; pass '' when the fields are top-level arguments).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'input'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Every bad field at once, so a form can mark them all; the first leads.
  const problems = result.error.issues.map((issue) => ({
    field: [root, ...issue.path.map(String)].filter(Boolean).join('.') || root || 'input',
    message: issue.message,
  }));
  throw new ValidationError(problems[0]!.field, problems[0]!.message, problems);
}

const DECIMAL_2 = /^\d{1,18}(\.\d{1,2})?$/;

/** A non-negative amount in rupiah with at most two decimals, as an exact decimal string. */
export const moneyAmount = z
  .string()
  .trim()
  .refine((v) => !v.startsWith('-'), 'must not be negative')
  .refine((v) => DECIMAL_2.test(v), 'must be a decimal with at most 2 decimals, e.g. "1500000.00"');

/** A percentage 0-100 with at most two decimals (TKDN, share targets). */
export const percent = z
  .number()
  .min(0, 'must be between 0 and 100')
  .max(100, 'must be between 0 and 100')
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'must have at most 2 decimals');

/** Nomor Induk Berusaha: exactly 13 digits. */
export const nib = z
  .string()
  .trim()
  .regex(/^\d{13}$/, 'must be 13 digits (Nomor Induk Berusaha)');

/** Trimmed text that must not be empty. */
export const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** Trimmed optional text: empty becomes null. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

/** A calendar date: `YYYY-MM-DD` in, the `@db.Date` value Prisma writes out. */
export const calendarDate = calendarDateText.transform(toDbDate);

/** An instant. */
export const instant = z.date({ error: 'must be a date-time' });

/** Turns a unique-constraint violation into a ConflictError naming the field. */
export function rethrowUnique(err: unknown, field: string, message: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
    throw new ConflictError(message, field);
  }
  throw err;
}
