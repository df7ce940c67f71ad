// The write path of finalized batches: COPY instead of TypeORM's multi-row INSERTs, in the batch's own
// transaction (so a crash or a failed batch still writes nothing). Append-only rows are copied into
// their table; changed entities are copied into a temporary staging table and merged with one
// INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE. Hot (unfinalized) blocks never come here: their
// writes go through typeorm-store, whose change log rolls them back on a reorg.
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
  table: string;
  columns: CopyColumn[];
  /** "col1","col2",... */
  columnList: string;
  staging: string;
  /** INSERT from the staging table, updating every column of a row that exists. */
  mergeSql: string;
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
  p = {
    table: q(meta.tableName),
    columns,
    columnList,
    staging: q(staging),
    mergeSql:
      `INSERT INTO ${q(meta.tableName)} (${columnList}) SELECT ${columnList} FROM ${q(staging)} ` +
      `ON CONFLICT ("id") DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
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

/** Appends rows that are new by construction (one row per chain event): COPY into the table. */
export async function copyInsert(em: EntityManager, cls: EntityClass, rows: readonly Entity[]): Promise<void> {
  if (rows.length === 0) return;
  const plan = planFor(em, cls);
  await copyRows(transactionClient(em), plan.table, plan, rows);
}

/** Staging tables already created on a connection (they live as long as it does). */
const staged = new WeakMap<PoolClient, Set<string>>();

/** Inserts or updates (every column) by id: COPY into a staging table, then one merge. */
export async function copyUpsert(em: EntityManager, cls: EntityClass, rows: readonly Entity[]): Promise<void> {
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
  await client.query(plan.mergeSql);
  // The staging rows go at commit (ON COMMIT DELETE ROWS), or with the transaction when it fails: a
  // batch upserts each type once (BatchState.flush), so nothing else reads them in between.
}
