// The bound: COPY of exactly the rows our indexer wrote (every table of schema public but the
// migrations) into a fresh schema of the same Postgres, tables created LIKE the originals with their
// indexes, so that the bound pays the same index maintenance the indexer does. One transaction.
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

export interface CopyBound {
  seconds: number;
  rows: number;
  perTable: Record<string, number>;
}

export async function measureCopyBound(databaseUrl: string): Promise<CopyBound> {
  const src = new Client({ connectionString: databaseUrl });
  const dst = new Client({ connectionString: databaseUrl });
  await src.connect();
  await dst.connect();
  try {
    const tables = (
      await src.query<{ t: string }>(
        `select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'migrations' order by 1`,
      )
    ).rows.map((r) => r.t);
    await dst.query('drop schema if exists copy_bound cascade; create schema copy_bound');
    for (const t of tables) await dst.query(`create table copy_bound."${t}" (like public."${t}" including all)`);
    const perTable: Record<string, number> = {};
    const started = performance.now();
    await dst.query('begin');
    for (const t of tables) {
      const out = src.query(copyTo(`copy public."${t}" to stdout`));
      const into = dst.query(copyFrom(`copy copy_bound."${t}" from stdin`));
      await pipeline(out, into);
      perTable[t] = Number(into.rowCount);
    }
    await dst.query('commit');
    const seconds = (performance.now() - started) / 1000;
    await dst.query('drop schema copy_bound cascade');
    return { seconds, rows: Object.values(perTable).reduce((a, b) => a + b, 0), perTable };
  } finally {
    await src.end();
    await dst.end();
  }
}

/** Rows per table of a schema, for comparing what two indexers built. */
export async function rowCounts(databaseUrl: string, schema: string, only?: string[]): Promise<Record<string, number>> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const tables = (
      await c.query<{ t: string }>(
        `select table_name as t from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' and table_name <> 'migrations' order by 1`,
        [schema],
      )
    ).rows.map((r) => r.t);
    const out: Record<string, number> = {};
    for (const t of tables) {
      if (only && !only.includes(t)) continue;
      out[t] = Number((await c.query(`select count(*)::int as n from "${schema}"."${t}"`)).rows[0].n);
    }
    return out;
  } finally {
    await c.end();
  }
}
