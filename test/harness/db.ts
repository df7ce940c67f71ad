// A fresh database per test file on the embedded Postgres of globalSetup, with the committed
// migrations applied (never `synchronize`), dropped again at the end.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Logger } from 'typeorm';
import { migrate } from '../../schema';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_PG_URL;
  if (!url) throw new Error('TEST_PG_URL is not set: run tests through jest (globalSetup starts Postgres)');
  return url;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database; with `migrated` (default) the migrations are applied. */
export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  if (opts.migrated !== false) await migrate(url.toString());
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/**
 * Inserts one row, filling every NOT NULL column without a default that `values` leaves out with a
 * zero of its type: the indexer's schema grows columns these tests do not care about.
 */
export async function insertRow(c: Client, table: string, values: Record<string, unknown>): Promise<void> {
  const { rows } = await c.query<{ column_name: string; data_type: string; udt_name: string }>(
    `select column_name, data_type, udt_name from information_schema.columns
      where table_schema = current_schema() and table_name = $1 and is_nullable = 'NO' and column_default is null`,
    [table],
  );
  const row: Record<string, unknown> = {};
  for (const col of rows) {
    if (col.column_name in values) continue;
    if (col.data_type === 'USER-DEFINED') {
      const e = await c.query<{ label: string }>(
        'select enumlabel as label from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typname = $1 order by enumsortorder limit 1',
        [col.udt_name],
      );
      row[col.column_name] = e.rows[0]?.label;
    } else if (/timestamp|date/.test(col.data_type)) row[col.column_name] = new Date(0);
    else if (col.data_type === 'boolean') row[col.column_name] = false;
    else if (/char|text/.test(col.data_type)) row[col.column_name] = '';
    else row[col.column_name] = 0;
  }
  Object.assign(row, values);
  const cols = Object.keys(row);
  await c.query(
    `insert into "${table}" (${cols.map((k) => `"${k}"`).join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
    Object.values(row),
  );
}

/** A TypeORM logger that hands on every statement sent (TypeORM calls logQuery for each, logging or not). */
export function statementRecorder(record: (statement: string) => void): Logger {
  return {
    logQuery: (q) => record(q),
    logQueryError: () => {},
    logQuerySlow: () => {},
    logSchemaBuild: () => {},
    logMigration: () => {},
    log: () => {},
  };
}
