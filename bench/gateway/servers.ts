// The two servers of `npm run bench -- gateway`, each as its users run it, as its own process over
// the same database: our gateway (`node lib/gateway/main.js`) and Subsquid's GraphQL server from the
// bench project bench/subsquid (its own package.json and lockfile, installed on first use), run
// from a directory holding a copy of schema/schema.graphql, which is all it reads of our project.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Child, freePort, sleep, startChild } from '../index/procs';

/** Both servers get the same number of database connections: our gateway's default pool (schema/db.ts). */
export const POOL_SIZE = 10;

export function ensureSubsquidInstalled(root: string): string {
  const dir = path.join(root, 'bench', 'subsquid');
  const installed = ['@subsquid/graphql-server', 'autocannon'].every((p) =>
    fs.existsSync(path.join(dir, 'node_modules', p, 'package.json')),
  );
  if (!installed) {
    console.log('subsquid: installing bench/subsquid dependencies (npm ci, first run only)');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm ci in ${dir} failed (${r.status})`);
  }
  return dir;
}

export interface Server {
  url: string;
  pid: number;
  child: Child;
}

async function waitReady(name: string, child: Child, url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.child.exitCode !== null) throw new Error(`${name} exited (${child.child.exitCode}):\n${child.tail()}`);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer at ${url} within 60 s:\n${child.tail()}`);
    await sleep(200);
  }
}

export async function startOurs(root: string, databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const child = startChild(process.execPath, [path.join(root, 'lib', 'gateway', 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      // One client sends everything: the per-IP limit would measure the limiter.
      GATEWAY_RATE_LIMIT_PER_SECOND: '0',
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitReady('our gateway', child, url);
  return { url, pid: child.child.pid!, child };
}

export async function startSubsquid(root: string, databaseUrl: string): Promise<Server> {
  const projectDir = ensureSubsquidInstalled(root);
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-subsquid-'));
  fs.copyFileSync(path.join(root, 'schema', 'schema.graphql'), path.join(run, 'schema.graphql'));
  const port = await freePort();
  const child = startChild(
    process.execPath,
    [path.join(projectDir, 'node_modules', '@subsquid', 'graphql-server', 'bin', 'run.js'), '--no-squid-status'],
    {
      cwd: run,
      env: {
        ...process.env,
        DB_URL: databaseUrl,
        GQL_PORT: String(port),
        GQL_DB_CONNECTION_POOL_SIZE: String(POOL_SIZE),
        SQD_LOG_LEVEL: 'WARN',
      },
    },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitReady("Subsquid's server", child, url);
  return { url, pid: child.child.pid!, child };
}
