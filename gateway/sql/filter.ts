// Compiles a `where` input (The Graph / Ponder naming) into a SQL condition with bound parameters.
// Pure: no database, no GraphQL; the field specs say which columns exist and how to compare them.

import { ENTITY_SPECS, type EntitySpec, type FieldKind, type FieldSpec } from '../entities';
import { BadUserInputError } from '../errors';
import { ident, type SqlParams } from './params';

export type FilterOp = 'eq' | 'not' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'contains' | 'not_contains' | 'starts_with';

/** The suffix of each operator in the input field name (`payment_gt`); equality has none. */
export const OP_SUFFIX: Record<FilterOp, string> = {
  eq: '',
  not: '_not',
  gt: '_gt',
  gte: '_gte',
  lt: '_lt',
  lte: '_lte',
  in: '_in',
  not_in: '_not_in',
  contains: '_contains',
  not_contains: '_not_contains',
  starts_with: '_starts_with',
};

const EQUALITY: FilterOp[] = ['eq', 'not', 'in', 'not_in'];
const ORDERED: FilterOp[] = [...EQUALITY, 'gt', 'gte', 'lt', 'lte'];

/** Which operators a field offers, by its kind. */
export function filterOps(field: FieldSpec): FilterOp[] {
  // Unindexed columns, lists and JSON documents offer no filter (FieldSpec.filterable).
  if (field.filterable === false || field.kind === 'intList' || field.kind === 'json') return [];
  if (field.relation || field.kind === 'enum' || field.kind === 'boolean') return EQUALITY;
  if (field.kind === 'string') return [...ORDERED, 'contains', 'not_contains', 'starts_with'];
  return ORDERED;
}

/** The Postgres type a parameter of this kind is bound as. */
export const SQL_TYPE: Record<FieldKind, string> = {
  id: 'text',
  string: 'text',
  enum: 'text',
  int: 'int4',
  bigint: 'numeric',
  datetime: 'timestamptz',
  boolean: 'bool',
  // Subsquid's Float is a numeric column: a numeric parameter keeps an index on it usable.
  float: 'numeric',
  intList: 'int4[]',
  json: 'jsonb',
};

/** Where-input field name → (field, operator), for every filterable field of an entity. */
function filterKeys(spec: EntitySpec): Map<string, { name: string; field: FieldSpec; op: FilterOp }> {
  let keys = cache.get(spec);
  if (!keys) {
    keys = new Map();
    for (const [name, field] of Object.entries(spec.fields)) {
      for (const op of filterOps(field)) keys.set(name + OP_SUFFIX[op], { name, field, op });
    }
    cache.set(spec, keys);
  }
  return keys;
}
const cache = new WeakMap<EntitySpec, ReturnType<typeof filterKeys>>();

export function filterKeyNames(spec: EntitySpec): string[] {
  return [...filterKeys(spec).keys(), ...Object.keys(relationFilters(spec))];
}

/** The Graph's `<relation>_` filters: `market_: { kind: RENDER }` → the related entity's spec and the foreign key. */
export function relationFilters(spec: EntitySpec): Record<string, { field: FieldSpec; target: EntitySpec }> {
  const out: Record<string, { field: FieldSpec; target: EntitySpec }> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    if (field.relation && field.filterable !== false) out[`${name}_`] = { field, target: ENTITY_SPECS[field.relation] };
  }
  return out;
}

export type Where = { and?: Where[] | null; or?: Where[] | null } & Record<string, unknown>;

/** Converts one scalar filter value to its bound form (lowercased address, ISO time, ...). */
function bindValue(field: FieldSpec, name: string, value: unknown): unknown {
  switch (field.kind) {
    case 'int':
      if (!Number.isInteger(value)) throw new BadUserInputError(`${name}: expected an Int`);
      return value;
    case 'bigint':
      if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw new BadUserInputError(`${name}: expected a BigInt string`);
      return value;
    case 'datetime': {
      const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (!d || Number.isNaN(d.getTime())) throw new BadUserInputError(`${name}: expected a DateTime`);
      return d.toISOString();
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new BadUserInputError(`${name}: expected a Boolean`);
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadUserInputError(`${name}: expected a Float`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || (field.enum && !Object.values(field.enum.values).includes(value))) {
        throw new BadUserInputError(`${name}: not a value of ${field.enum?.name ?? 'the enum'}`);
      }
      return value;
    default:
      if (typeof value !== 'string') throw new BadUserInputError(`${name}: expected a String`);
      return field.lowercase ? value.toLowerCase() : value;
  }
}

function compileOp(key: string, field: FieldSpec, op: FilterOp, value: unknown, params: SqlParams): string | undefined {
  const col = ident(field.column);
  const type = SQL_TYPE[field.kind];
  if (value === null) {
    // The Graph's convention: `field: null` matches missing values, `field_not: null` present ones.
    if (op === 'eq') return `${col} IS NULL`;
    if (op === 'not') return `${col} IS NOT NULL`;
    return undefined; // an explicit null on any other operator means "no condition"
  }
  if (value === undefined) return undefined;
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) throw new BadUserInputError(`${key}: expected a list`);
    const list = params.add(
      value.map((v) => bindValue(field, key, v)),
      `${type}[]`,
    );
    if (op === 'in') return `${col} = ANY(${list})`;
    // NULL <> ALL(...) is NULL; a nullable column's missing value is "not in" any list.
    return field.nullable ? `COALESCE(${col} <> ALL(${list}), TRUE)` : `${col} <> ALL(${list})`;
  }
  const v = bindValue(field, key, value);
  switch (op) {
    case 'eq':
      return `${col} = ${params.add(v, type)}`;
    case 'not':
      return `${col} IS DISTINCT FROM ${params.add(v, type)}`;
    case 'gt':
      return `${col} > ${params.add(v, type)}`;
    case 'gte':
      return `${col} >= ${params.add(v, type)}`;
    case 'lt':
      return `${col} < ${params.add(v, type)}`;
    case 'lte':
      return `${col} <= ${params.add(v, type)}`;
    // strpos/starts_with instead of LIKE: no wildcard characters to escape in user input.
    case 'contains':
      return `strpos(${col}, ${params.add(v, type)}) > 0`;
    case 'not_contains':
      return `COALESCE(strpos(${col}, ${params.add(v, type)}) = 0, TRUE)`;
    case 'starts_with':
      return `starts_with(${col}, ${params.add(v, type)})`;
  }
}

/**
 * Compiles `where` into a condition over the entity's table, adding its values to `params`.
 * Returns undefined when there is no condition. Unknown keys are BAD_USER_INPUT. With `outer` (the
 * alias of the filtered table), relation filters look up each row's related row instead of joining.
 *
 * @example
 * const params = new SqlParams();
 * compileWhere(Job, { payment_gt: '100', or: [{ state: 'POSTED' }, { provider: null }] }, params);
 * // '("payment" > $1::numeric AND ("state" = $2::text OR "provider_id" IS NULL))'
 */
export function compileWhere(spec: EntitySpec, where: Where | null | undefined, params: SqlParams, outer?: string): string | undefined {
  if (!where) return undefined;
  const keys = filterKeys(spec);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (key === 'and' || key === 'or') {
      if (value == null) continue;
      if (!Array.isArray(value)) throw new BadUserInputError(`${key}: expected a list`);
      const subs = value.map((w) => compileWhere(spec, w as Where, params, outer) ?? 'TRUE');
      // An empty `or` matches nothing, an empty `and` everything (the identities of OR and AND).
      if (subs.length === 0) parts.push(key === 'or' ? 'FALSE' : 'TRUE');
      else parts.push(`(${subs.join(key === 'and' ? ' AND ' : ' OR ')})`);
      continue;
    }
    const k = keys.get(key);
    if (!k) {
      const rel = key.endsWith('_') ? relationFilters(spec)[key] : undefined;
      if (!rel) throw new BadUserInputError(`${spec.name} has no filter ${key}`);
      if (value == null) continue; // no condition, as for the scalar operators
      if (typeof value !== 'object' || Array.isArray(value)) throw new BadUserInputError(`${key}: expected a ${rel.target.name}Where`);
      // A semi-join on the foreign key: Postgres runs it as one hash or index semi-join, and the
      // parent's own index still serves its ORDER BY. `market_: {}` means "has a market".
      const sub = compileWhere(rel.target, value as Where, params) ?? 'TRUE';
      if (outer) {
        // The related row of this one, by primary key; OFFSET 0 keeps it a per-row probe: pulled up
        // into a semi-join, it was planned against the whole related table.
        const key = `${outer}.${ident(rel.field.column)}`;
        parts.push(`EXISTS (SELECT 1 FROM ${ident(rel.target.table)} WHERE "id" = ${key} AND ${sub} OFFSET 0)`);
        continue;
      }
      parts.push(`${ident(rel.field.column)} IN (SELECT "id" FROM ${ident(rel.target.table)} WHERE ${sub})`);
      continue;
    }
    const sql = compileOp(key, k.field, k.op, value, params);
    if (sql) parts.push(sql);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}
