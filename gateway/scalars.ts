// BigInt (token amounts in wei: decimal strings in JSON, never numbers that would lose precision)
// and DateTime (ISO 8601 strings). Bad input raises BadUserInputError, so the client sees
// BAD_USER_INPUT whether the value came as a literal or a variable.
import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

const DECIMAL_INTEGER = /^-?\d+$/;

function parseBigInt(value: unknown): string {
  if (typeof value !== 'string' || !DECIMAL_INTEGER.test(value)) {
    throw new BadUserInputError(`BigInt must be a decimal integer string, got ${JSON.stringify(value)}`);
  }
  // Normalise "007" and "-0" so the value compares and caches as Postgres would print it.
  return BigInt(value).toString();
}

export const BigIntScalar = new GraphQLScalarType<string, string>({
  name: 'BigInt',
  description: 'An integer of any size (token amounts in wei), as a decimal string',
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    throw new TypeError(`BigInt cannot represent ${String(value)}`);
  },
  parseValue: parseBigInt,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new BadUserInputError('BigInt must be a decimal integer string (in quotes)');
    return parseBigInt(ast.value);
  },
});

// RFC 3339 with a mandatory offset, as the processor writes block timestamps in UTC.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  const d = typeof value === 'string' && ISO_DATETIME.test(value) ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new BadUserInputError(`DateTime must be an ISO 8601 string such as 2025-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
  }
  return d;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'A point in time, as an ISO 8601 string in UTC',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string' || typeof value === 'number') return new Date(value).toISOString();
    throw new TypeError(`DateTime cannot represent ${String(value)}`);
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new BadUserInputError('DateTime must be an ISO 8601 string');
    return parseDateTime(ast.value);
  },
});
