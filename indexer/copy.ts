// The write path: COPY instead of TypeORM's multi-row INSERTs, in the batch's own transaction (so a
// crash or a failed batch still writes nothing). Append-only rows are copied into their table; changed
// entities are copied into a temporary staging table and merged with one
// INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE. A hot (unfinalized) block also records what it
// writes in typeorm-store's change log, the same records typeorm-store's own insert and upsert would
// write (computed in SQL from the staging table and the rows it replaces), so that a reorg rolls it back.
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

interface Entity {
  id: string;
}
type EntityClass = abstract new (...args: never[]) => unknown;

/** One column of a table as COPY's text format writes it. */
interface CopyColumn {
  name: string;
  /** The field's text: already escaped for COPY, or \N for NULL. */
  field(e: Record<string, unknown>): string;
}

interface TablePlan {
  /** the table's name, unquoted (as the hot-block change log records it) */
  tableName: string;
  table: string;
  columns: CopyColumn[];
  /** "col1","col2",... */
  columnList: string;
  staging: string;
  /** INSERT from the staging table, updating every column of a row that exists. */
  mergeSql: string;
  /**
   * The change log of a hot block's upsert, from the staging table and the rows it will overwrite:
   * exactly what typeorm-store's ChangeTracker.trackUpsert records.
   */
  upsertLogSql: (changeLog: string, blockHeight: string, firstIndex: string) => string;
}

const NULL = '\\N';
const SPECIAL = /[\\\n\r\t]/;

/** COPY text format: backslash, newline, carriage return and tab are escaped. */
export function escapeCopy(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/** A Postgres array literal of numbers or strings (elements quoted), before COPY escaping. */
function arrayLiteral(values: unknown[]): string {
  const parts = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    return `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`;
  });
  return `{${parts.join(',')}}`;
}

function scalarText(v: unknown, type: string): string {
  switch (typeof v) {
    case 'string':
      return escapeCopy(v);
    case 'number':
      if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      return String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 't' : 'f';
  }
  if (v instanceof Date) return v.toISOString();
  if (type === 'jsonb' || type === 'json') return escapeCopy(JSON.stringify(v));
  throw new Error(`cannot COPY a ${typeof v} into a ${type} column`);
}

function planColumn(c: ColumnMetadata): CopyColumn {
  const prop = c.propertyName;
  const type = String(c.type);
  if (c.relationMetadata) {
    // The foreign key: the related entity's id (a relation left unset is NULL, as in an upsert).
    const ref = c.referencedColumn?.propertyName ?? 'id';
    return {
      name: c.databaseName,
      field: (e) => {
        const r = e[prop] as Record<string, unknown> | null | undefined;
        const id = r?.[ref];
        return id === null || id === undefined ? NULL : escapeCopy(String(id));
      },
    };
  }
  if (type === 'jsonb' || type === 'json') {
    return {
      name: c.databaseName,
      field: (e) => {
        const v = e[prop];
        return v === undefined || v === null ? NULL : escapeCopy(JSON.stringify(v));
      },
    };
  }
  if (c.isArray) {
    return {
      name: c.databaseName,
      field: (e) => {
        const v = e[prop] as unknown[] | null | undefined;
        return v === undefined || v === null ? NULL : escapeCopy(arrayLiteral(v));
      },
    };
  }
  return {
    name: c.databaseName,
    field: (e) => {
      const v = e[prop];
      return v === undefined || v === null ? NULL : scalarText(v, type);
    },
  };
}

/**
 * A row's columns but its id as one JSON object, as typeorm-store's change log keeps them for a
 * rollback's UPDATE: numbers that a JS number cannot hold (numeric, int8) and JSON columns as text.
 * jsonb_build_object takes at most 100 arguments, hence the chunks.
 */
function oldFields(cols: ColumnMetadata[]): string {
  const pairs = cols.map((c) => {
    const type = String(c.type);
    const col = `t."${c.databaseName.replace(/"/g, '""')}"`;
    const asText = !c.isArray && ['numeric', 'decimal', 'bigint', 'int8', 'json', 'jsonb'].includes(type);
    return `'${c.databaseName.replace(/'/g, "''")}', ${asText ? `${col}::text` : col}`;
  });
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  return chunks.length ? chunks.join(' || ') : `'{}'::jsonb`;
}

const plans = new Map<unknown, TablePlan>();

function planFor(em: EntityManager, cls: EntityClass): TablePlan {
  let p = plans.get(cls);
  if (p) return p;
  const meta = em.connection.getMetadata(cls);
  // Every column, the foreign keys of relations (virtual: no property of their own) included.
  const columns = meta.columns.map(planColumn);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const columnList = columns.map((c) => q(c.name)).join(', ');
  const staging = `stage_${meta.tableName}`;
  const updates = columns.filter((c) => c.name !== 'id').map((c) => `${q(c.name)} = EXCLUDED.${q(c.name)}`);
  const fields = oldFields(meta.columns.filter((c) => c.databaseName !== 'id'));
  const tableLit = `'${meta.tableName.replace(/'/g, "''")}'`;
  p = {
    tableName: meta.tableName,
    table: q(meta.tableName),
    columns,
    columnList,
    staging: q(staging),
    mergeSql:
      `INSERT INTO ${q(meta.tableName)} (${columnList}) SELECT ${columnList} FROM ${q(staging)} ` +
      `ON CONFLICT ("id") DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    upsertLogSql: (changeLog, blockHeight, firstIndex) =>
      `INSERT INTO ${changeLog} (block_height, index, change) ` +
      `SELECT ${blockHeight}::int4, ${firstIndex}::int4 + (row_number() OVER ())::int4 - 1, CASE WHEN t."id" IS NULL ` +
      `THEN jsonb_build_object('kind', 'insert', 'table', ${tableLit}, 'id', s."id") ` +
      `ELSE jsonb_build_object('kind', 'update', 'table', ${tableLit}, 'id', s."id", 'fields', ${fields}) END ` +
      `FROM ${q(staging)} s LEFT JOIN ${q(meta.tableName)} t ON t."id" = s."id"`,
  };
  plans.set(cls, p);
  return p;
}

/** The pg client of the batch's transaction (typeorm-store keeps its EntityManager on the store). */
export function transactionClient(em: EntityManager): PoolClient {
  const qr = em.queryRunner as unknown as { databaseConnection?: PoolClient; isTransactionActive?: boolean } | undefined;
  if (!qr?.databaseConnection || !qr.isTransactionActive) throw new Error('COPY needs the batch transaction of typeorm-store');
  return qr.databaseConnection;
}

const CHUNK = 1 << 16;

/** Streams the rows through COPY ... FROM STDIN (text format) into `target`. */
async function copyRows(client: PoolClient, target: string, plan: TablePlan, rows: readonly Entity[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${target} (${plan.columnList}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const cols = plan.columns;
  let buf = '';
  let ok = true;
  for (const row of rows) {
    const r = row as unknown as Record<string, unknown>;
    let line = cols[0]!.field(r);
    for (let i = 1; i < cols.length; i++) line += `\t${cols[i]!.field(r)}`;
    buf += `${line}\n`;
    if (buf.length >= CHUNK) {
      ok = stream.write(buf);
      buf = '';
      if (!ok) await new Promise<void>((r2) => stream.once('drain', r2));
    }
  }
  stream.end(buf);
  await done;
}

/**
 * The change log of a hot (unfinalized) block: typeorm-store's ChangeTracker, whose records a reorg
 * replays backwards (rollbackBlock). Its fields are private in typeorm-store; the records written
 * here take their indexes from its counter, so they interleave with its own (deletes) in order.
 */
export interface HotChangeLog {
  /** the change log's schema, already quoted */
  statusSchema: string;
  blockHeight: number;
  /** the next record's index within the block */
  index: number;
}

async function logInserts(client: PoolClient, log: HotChangeLog, plan: TablePlan, rows: readonly Entity[]): Promise<void> {
  const first = log.index;
  log.index += rows.length;
  await client.query(
    `INSERT INTO ${log.statusSchema}.hot_change_log (block_height, index, change) ` +
      `SELECT $1::int4, $2::int4 + (u.o)::int4 - 1, jsonb_build_object('kind', 'insert', 'table', $3::text, 'id', u.id) ` +
      `FROM unnest($4::text[]) WITH ORDINALITY AS u(id, o)`,
    [log.blockHeight, first, plan.tableName, rows.map((r) => r.id)],
  );
}

/**
 * Appends rows that are new by construction (one row per chain event): COPY into the table. In a hot
 * block, each row is recorded in the change log as an insert (a rollback deletes it).
 */
export async function copyInsert(em: EntityManager, cls: EntityClass, rows: readonly Entity[], hot?: HotChangeLog): Promise<void> {
  if (rows.length === 0) return;
  const plan = planFor(em, cls);
  const client = transactionClient(em);
  if (hot) await logInserts(client, hot, plan, rows);
  await copyRows(client, plan.table, plan, rows);
}

/** Staging tables already created on a connection (they live as long as it does). */
const staged = new WeakMap<PoolClient, Set<string>>();

/**
 * Inserts or updates (every column) by id: COPY into a staging table, then one merge. In a hot block,
 * the change log first records each row as an insert, or as an update with the values it replaces.
 */
export async function copyUpsert(em: EntityManager, cls: EntityClass, rows: readonly Entity[], hot?: HotChangeLog): Promise<void> {
  if (rows.length === 0) return;
  const plan = planFor(em, cls);
  const client = transactionClient(em);
  let have = staged.get(client);
  if (!have) {
    have = new Set();
    staged.set(client, have);
  }
  if (!have.has(plan.staging)) {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${plan.staging} (LIKE ${plan.table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    have.add(plan.staging);
  }
  await copyRows(client, plan.staging, plan, rows);
  // One round trip for the rest (simple query protocol: the numbers are written into the text). The
  // staging rows go at the end: one transaction can hold several batches (typeorm-store's transactHot2
  // writes a finalized prefix and then each hot block in one). A failed transaction takes them too.
  let sql = '';
  if (hot) {
    const first = hot.index;
    hot.index += rows.length;
    sql += `${plan.upsertLogSql(`${hot.statusSchema}.hot_change_log`, int(hot.blockHeight), int(first))}; `;
  }
  await client.query(`${sql}${plan.mergeSql}; DELETE FROM ${plan.staging}`);
}

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}
