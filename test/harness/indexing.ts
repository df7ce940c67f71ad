// Helpers for tests that run the real indexer process against a devnet and compare databases.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createPublicClient, http } from 'viem';
import { type Deployment, writeDeployment } from '../../chain';
import { type RunningProcess, runLib, waitFor } from './processes';

/** Block height the index has reached, hot (unfinalized) blocks included; -1 before the first batch. */
export async function indexedHeight(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      `select greatest((select max(height) from squid_processor.hot_block), (select height from squid_processor.status where id = 0)) as h`,
    );
    return r.rows[0]?.h ?? -1;
  } catch {
    return -1;
  } finally {
    await c.end();
  }
}

export async function chainHead(rpcUrl: string): Promise<number> {
  // cacheTime 0: viem otherwise answers from a cache up to 4 s old.
  return Number(await createPublicClient({ transport: http(rpcUrl) }).getBlockNumber({ cacheTime: 0 }));
}

/** Waits until the indexer has processed the chain's current head. */
export async function waitForHead(dbUrl: string, rpcUrl: string, indexer: RunningProcess, timeoutMs = 60_000): Promise<number> {
  const head = await chainHead(rpcUrl);
  await waitFor(`the index to reach block ${head}`, timeoutMs, async () => {
    if (indexer.child.exitCode !== null) throw new Error(`indexer exited (${indexer.child.exitCode}):\n${indexer.output()}`);
    return (await indexedHeight(dbUrl)) >= head;
  });
  return head;
}

export function writeTempDeployment(deployment: Deployment): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-deployment-'));
  const file = path.join(dir, 'deployment.json');
  writeDeployment(file, deployment);
  return file;
}

export function startIndexer(
  env: { DATABASE_URL: string; RPC_URL: string; DEPLOYMENT_FILE: string } & Record<string, string>,
): RunningProcess {
  return runLib('indexer/main.js', { INDEXER_FINALITY: '5', INDEXER_HEAD_POLL_MS: '100', INDEXER_METRICS_PORT: '0', ...env });
}

/** The indexed tables (public schema), each as its rows sorted by id: equal dumps mean equal indexes. */
export async function dumpTables(url: string): Promise<Record<string, unknown[]>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = await c.query(
      `select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'migrations' order by 1`,
    );
    const out: Record<string, unknown[]> = {};
    for (const { table_name } of tables.rows) {
      out[table_name] = (await c.query(`select * from "${table_name}" order by id`)).rows;
    }
    return out;
  } finally {
    await c.end();
  }
}
