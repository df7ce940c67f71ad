// Crash safety: the indexer is killed with SIGKILL at random points of a backfill, again and again;
// after a last run to the head the database must equal an uninterrupted index, table by table.
import { Client } from 'pg';
import { createSimulator, type Deployment, type Devnet, deployProtocol, startDevnet } from '../chain';
import { createTestDatabase, dumpTables, startIndexer, type TestDatabase, waitFor, waitForHead, writeTempDeployment } from './harness';

jest.setTimeout(180_000);

describe('indexer crash safety', () => {
  let devnet: Devnet;
  let deployment: Deployment;
  let deploymentFile: string;
  const dbs: TestDatabase[] = [];

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    deploymentFile = writeTempDeployment(deployment);
    await createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: 11, preset: 'small' }).run({ rounds: 25 });
  });

  afterAll(async () => {
    for (const d of dbs) await d.drop();
    await devnet.stop();
  });

  async function db(): Promise<TestDatabase> {
    const d = await createTestDatabase({ migrated: false });
    dbs.push(d);
    return d;
  }

  it('loses and doubles nothing when killed with SIGKILL mid-backfill', async () => {
    // A slow RPC budget stretches the backfill over seconds, so that the kills land mid-way.
    const slow = { RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: deploymentFile, INDEXER_RPC_RATE_LIMIT: '15' };
    const crashed = await db();
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let kills = 0;
    for (let i = 0; i < 4; i++) {
      const indexer = startIndexer({ ...slow, DATABASE_URL: crashed.url });
      // Kill it once it is indexing (its first line is out) plus a random delay.
      await waitFor('the indexer to start', 30_000, async () => /indexer: (indexing|resuming)/.test(indexer.output()));
      await new Promise((r) => setTimeout(r, 100 + random() * 900));
      if (indexer.child.exitCode === null) {
        // The whole process group: the supervisor and its worker.
        indexer.child.kill('SIGKILL');
        kills++;
      }
      await indexer.exited;
      // SIGKILL leaves the worker orphaned; it notices its parent is gone (parent-guard) or is killed below.
      await waitFor('the worker to die', 10_000, async () => !(await workerAlive(crashed.url)));
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const last = startIndexer({ RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: deploymentFile, DATABASE_URL: crashed.url });
    await waitForHead(crashed.url, devnet.rpcUrl, last);
    const afterCrashes = await dumpTables(crashed.url);
    await last.stop();

    const clean = await db();
    const uninterrupted = startIndexer({ RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: deploymentFile, DATABASE_URL: clean.url });
    await waitForHead(clean.url, devnet.rpcUrl, uninterrupted);
    const reference = await dumpTables(clean.url);
    await uninterrupted.stop();

    expect(reference.job_event.length).toBeGreaterThan(100);
    expect(afterCrashes).toEqual(reference);
  });
});

/** Whether a worker still holds a connection to this database. */
async function workerAlive(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const r = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    return r.rows[0].n > 0;
  } finally {
    await c.end();
  }
}
