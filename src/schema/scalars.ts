// The Money and Date scalars: an exact decimal amount in rupiah and a calendar date, both carried
// as strings (never a float, never an instant).
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { type CalendarDate, fromDbDate, isCalendarDate } from '../lib/dates.js';

// The scalar checks the shape only (a plain decimal string); the services check the business
// rules (not negative, at most 2 decimals) so that a breach comes back as a typed
// ValidationError naming the field.
const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;

function parseMoney(value: unknown): string {
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) {
    throw new GraphQLError('Money must be a decimal string, e.g. "15800000000000.00" (never a JSON number)', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value.trim();
}

export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description:
    'An exact amount in Indonesian rupiah as a decimal string with two decimals, e.g. "13100000000000.00". ' +
    'Never a float, so no precision is lost.',
  serialize(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return `${value}.00`;
    if (value && typeof (value as { toFixed?: unknown }).toFixed === 'function') {
      return (value as { toFixed(dp: number): string }).toFixed(2);
    }
    throw new GraphQLError(`Money cannot represent ${String(value)}`);
  },
  parseValue: parseMoney,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Money literals must be strings, e.g. "1500000.00"', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return parseMoney(ast.value);
  },
});

function parseCalendarDate(value: unknown): CalendarDate {
  if (!isCalendarDate(value)) {
    throw new GraphQLError(`Date must be a calendar date, YYYY-MM-DD (got ${JSON.stringify(value)})`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/**
 * A LocalDate: `YYYY-MM-DD` text in and out, so resolvers and services see the same string the
 * client sent (lib/dates.ts). A `@db.Date` value from Prisma (UTC midnight) serialises as its day.
 */
export const DateScalar = new GraphQLScalarType<CalendarDate, CalendarDate>({
  name: 'Date',
  serialize(value) {
    if (isCalendarDate(value)) return value;
    if (value instanceof Date && !Number.isNaN(value.getTime())) return fromDbDate(value);
    throw new GraphQLError(`Date cannot represent ${String(value)}`);
  },
  parseValue: parseCalendarDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Date literals must be strings, e.g. "2023-11-05"', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return parseCalendarDate(ast.value);
  },
});
