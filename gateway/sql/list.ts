// Paged lists: argument checks, opaque keyset cursors on (sort key, id), and the SELECT and COUNT
// statements for a root list or for a relation of many parents at once (one statement per page of
// parents, whatever their number). Pure: returns SQL and parameters.

import type { EntitySpec } from '../entities';
import { BadUserInputError } from '../errors';
import { compileWhere, SQL_TYPE, type Where } from './filter';
import { ident, SqlParams } from './params';

export const DEFAULT_FIRST = 50;
export const MAX_FIRST = 1000;

export type OrderDirection = 'ASC' | 'DESC';

export interface ListArgs {
  where?: Where | null;
  orderBy?: string | null;
  orderDirection?: OrderDirection | null;
  first?: number | null;
  after?: string | null;
}

export interface Cursor {
  orderBy: string;
  value: string | number;
  id: string;
}

export interface CheckedListArgs {
  where?: Where | null;
  orderBy: string;
  direction: OrderDirection;
  first: number;
  after?: Cursor;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/** base64url(JSON [orderBy, value, id]): opaque to clients, checked on the way back. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.orderBy, c.value, c.id])).toString('base64url');
}

export function decodeCursor(spec: EntitySpec, orderBy: string, cursor: string): Cursor {
  const bad = (why: string) => new BadUserInputError(`invalid cursor: ${why}`);
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw new Error();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor of this API');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad('not a cursor of this API');
  const [key, value, id] = parsed as unknown[];
  if (typeof id !== 'string') throw bad('not a cursor of this API');
  if (key !== orderBy) throw bad(`it was made for orderBy ${String(key)}, not ${orderBy}`);
  const field = spec.fields[orderBy];
  const ok =
    field.kind === 'int'
      ? Number.isInteger(value)
      : field.kind === 'bigint'
        ? typeof value === 'string' && /^-?\d+$/.test(value)
        : field.kind === 'datetime'
          ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
          : typeof value === 'string';
  if (!ok) throw bad('its sort value does not fit the field');
  return { orderBy, value: value as string | number, id };
}

/** Validates page size, order and cursor; BAD_USER_INPUT on anything out of range. */
export function checkListArgs(spec: EntitySpec, args: ListArgs): CheckedListArgs {
  const first = args.first ?? DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_FIRST}, got ${first}`);
  }
  const orderBy = args.orderBy ?? spec.defaultOrderBy;
  if (!spec.fields[orderBy]?.sortable) throw new BadUserInputError(`${spec.name} cannot be ordered by ${orderBy}`);
  const direction = args.orderDirection ?? 'ASC';
  const after = args.after == null ? undefined : decodeCursor(spec, orderBy, args.after);
  return { where: args.where, orderBy, direction, first, after };
}

/** `"col" AS "field"` for every field: rows come back keyed by GraphQL field names. */
function selectList(spec: EntitySpec, prefix = ''): string {
  return Object.entries(spec.fields)
    .map(([name, f]) => `${prefix}${ident(f.column)} AS ${ident(name)}`)
    .join(', ');
}

/** The page's conditions: `where`, and the cursor's keyset condition when `withCursor`; `outer` as for compileWhere. */
export function conditions(spec: EntitySpec, args: CheckedListArgs, params: SqlParams, withCursor: boolean, outer?: string): string[] {
  const out: string[] = [];
  const where = compileWhere(spec, args.where, params, outer);
  if (where) out.push(where);
  if (withCursor && args.after) {
    const field = spec.fields[args.orderBy];
    const cmp = args.direction === 'ASC' ? '>' : '<';
    // Row comparison: (key, id) strictly after the cursor in the page's own order.
    out.push(
      `(${ident(field.column)}, "id") ${cmp} (${params.add(args.after.value, SQL_TYPE[field.kind])}, ${params.add(args.after.id, 'text')})`,
    );
  }
  return out;
}

const whereClause = (conds: string[]) => (conds.length ? ` WHERE ${conds.join(' AND ')}` : '');

/**
 * The parents of a relation page: their keys, and how a row belongs to one. By default the key is
 * a foreign key `column`; `match` instead gives the condition for a key expression (a relation on
 * several columns, such as a neuron's epochs on (netuid, uid, hotkey)), so the index still serves it.
 */
export interface ParentKeys {
  column: string;
  ids: readonly string[];
  match?: (key: string) => string;
}

const parentCondition = (parent: ParentKeys, key: string) => (parent.match ? parent.match(key) : `${ident(parent.column)} = ${key}`);

/**
 * One page (plus one row, to learn whether another page follows). With `parent`, one page per
 * parent id of the foreign key `parent.column`, each row carrying its parent in `__parent`.
 */
export function buildListQuery(spec: EntitySpec, args: CheckedListArgs, parent?: ParentKeys): Statement {
  const params = new SqlParams();
  const sort = spec.fields[args.orderBy];
  const order = `${ident(sort.column)} ${args.direction}, "id" ${args.direction}`;
  const table = ident(spec.table);
  if (!parent) {
    const conds = conditions(spec, args, params, true);
    const limit = params.add(args.first + 1, 'int4');
    return { sql: `SELECT ${selectList(spec)} FROM ${table}${whereClause(conds)} ORDER BY ${order} LIMIT ${limit}`, params: params.values };
  }
  const ids = params.add(parent.ids, 'text[]');
  const conds = [parentCondition(parent, '"__p"."id"'), ...conditions(spec, args, params, true)];
  const limit = params.add(args.first + 1, 'int4');
  // LATERAL: each parent reads only its own first rows through the foreign-key index.
  const sql =
    `SELECT "__p"."id" AS "__parent", "__r".* FROM unnest(${ids}) WITH ORDINALITY AS "__p"("id", "ord") ` +
    `CROSS JOIN LATERAL (SELECT ${selectList(spec)} FROM ${table}${whereClause(conds)} ORDER BY ${order} LIMIT ${limit}) "__r" ` +
    `ORDER BY "__p"."ord", "__r".${ident(args.orderBy)} ${args.direction}, "__r"."id" ${args.direction}`;
  return { sql, params: params.values };
}

/** COUNT(*) of the rows that match `where` (the cursor does not count), per parent if given. */
export function buildCountQuery(spec: EntitySpec, where: Where | null | undefined, parent?: ParentKeys): Statement {
  const params = new SqlParams();
  const table = ident(spec.table);
  if (!parent) {
    const cond = compileWhere(spec, where, params);
    return { sql: `SELECT count(*)::int AS "n" FROM ${table}${whereClause(cond ? [cond] : [])}`, params: params.values };
  }
  if (parent.match) {
    // One index probe per parent key, as the page itself reads them.
    const ids = params.add(parent.ids, 'text[]');
    const cond = compileWhere(spec, where, params);
    const conds = [parentCondition(parent, '"__p"."id"'), ...(cond ? [cond] : [])];
    return {
      sql: `SELECT "__p"."id" AS "__parent", (SELECT count(*)::int FROM ${table}${whereClause(conds)}) AS "n" FROM unnest(${ids}) AS "__p"("id")`,
      params: params.values,
    };
  }
  const fk = ident(parent.column);
  const conds = [`${fk} = ANY(${params.add(parent.ids, 'text[]')})`];
  const cond = compileWhere(spec, where, params);
  if (cond) conds.push(cond);
  return {
    sql: `SELECT ${fk} AS "__parent", count(*)::int AS "n" FROM ${table}${whereClause(conds)} GROUP BY ${fk}`,
    params: params.values,
  };
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Cuts the extra row off and makes the cursor of the last item. */
export function buildPageInfo<Row extends Record<string, unknown>>(
  rows: Row[],
  args: CheckedListArgs,
): { items: Row[]; pageInfo: PageInfo } {
  const items = rows.length > args.first ? rows.slice(0, args.first) : rows;
  const last = items[items.length - 1];
  const value = last?.[args.orderBy];
  return {
    items,
    pageInfo: {
      hasNextPage: rows.length > args.first,
      endCursor: last
        ? encodeCursor({
            orderBy: args.orderBy,
            value: value instanceof Date ? value.toISOString() : (value as string | number),
            id: String(last.id),
          })
        : null,
    },
  };
}

/** Rows one change event may emit to one subscription; a backfill batch must not flood a client. */
export const MAX_CHANGED_ROWS = 5000;

/**
 * The rows a change event names that match `where`: by id when the NOTIFY listed them, else by
 * the block of their last change in (fromBlock, toBlock]. One statement for the whole batch.
 */
export function buildChangedQuery(
  spec: EntitySpec,
  where: Where | null | undefined,
  changed: { ids: readonly string[] } | { fromBlock: number | null; toBlock: number },
): Statement {
  const params = new SqlParams();
  const conds: string[] = [];
  if ('ids' in changed) {
    conds.push(`"id" = ANY(${params.add(changed.ids, 'text[]')})`);
  } else {
    if (!spec.changedAtColumn) throw new Error(`${spec.name} has no changedAtColumn`);
    const col = ident(spec.changedAtColumn);
    // Without a previous block (first event, or a reorg that went back), the batch's last block.
    const from = changed.fromBlock !== null && changed.fromBlock < changed.toBlock ? changed.fromBlock : changed.toBlock - 1;
    conds.push(`${col} > ${params.add(from, 'int4')} AND ${col} <= ${params.add(changed.toBlock, 'int4')}`);
  }
  const w = compileWhere(spec, where, params);
  if (w) conds.push(w);
  const order = `${ident(spec.fields[spec.defaultOrderBy].column)}, "id"`;
  return {
    sql: `SELECT ${selectList(spec)} FROM ${ident(spec.table)}${whereClause(conds)} ORDER BY ${order} LIMIT ${MAX_CHANGED_ROWS}`,
    params: params.values,
  };
}
