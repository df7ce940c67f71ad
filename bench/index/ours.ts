// Our indexer, as users run it: `node lib/indexer/main.js` (supervisor + worker) on a fresh database.
// It never exits on its own (it waits for finality, then follows the head), so the backfill ends
// when squid_processor says the chain head is indexed, hot blocks included.
import path from 'node:path';
import { Client } from 'pg';
import { type Child, type RssSampler, sampleRss, sleep, startChild } from './procs';
import { createProgress } from './progress';

export interface OursRun {
  indexer: Child;
  rss: RssSampler;
  seconds: number;
  peakRssMb: number;
  peakWorkerRssMb: number;
  cpuProfDir?: string;
}

export async function indexedHeight(c: Client): Promise<number> {
  try {
    const r = await c.query(
      `select greatest((select max(height) from squid_processor.hot_block), (select height from squid_processor.status where id = 0)) as h`,
    );
    return r.rows[0]?.h ?? -1;
  } catch {
    return -1; // the processor has not created its tables yet
  }
}

export async function backfillOurs(p: {
  root: string;
  databaseUrl: string;
  rpcUrl: string;
  deploymentFile: string;
  head: number;
  events: number;
  headPollMs: number;
  /** Where supervisor and worker write --cpu-prof profiles (on exit); none when omitted. */
  cpuProfDir?: string;
}): Promise<OursRun> {
  const db = new Client({ connectionString: p.databaseUrl });
  await db.connect();
  const started = performance.now();
  const indexer = startChild(process.execPath, [path.join(p.root, 'lib', 'indexer', 'main.js')], {
    cwd: p.root,
    env: {
      ...process.env,
      DATABASE_URL: p.databaseUrl,
      RPC_URL: p.rpcUrl,
      DEPLOYMENT_FILE: p.deploymentFile,
      INDEXER_METRICS_PORT: '0',
      INDEXER_HEAD_POLL_MS: String(p.headPollMs),
      // The supervisor passes its environment on to the worker, so both get profiled.
      ...(p.cpuProfDir
        ? {
            BENCH_CPU_PROF_DIR: p.cpuProfDir,
            NODE_OPTIONS:
              `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(path.join(__dirname, 'cpu-prof-preload.js'))}`.trim(),
          }
        : {}),
    },
  });
  const rss = sampleRss(indexer.child.pid!);
  const bar = createProgress('ours: backfill', p.head, 'blocks');
  try {
    for (;;) {
      if (indexer.child.exitCode !== null) throw new Error(`our indexer exited (${indexer.child.exitCode}):\n${indexer.tail()}`);
      const h = await indexedHeight(db);
      bar.update(Math.max(0, h));
      if (h >= p.head) break;
      await sleep(50);
    }
  } finally {
    await db.end();
  }
  const seconds = (performance.now() - started) / 1000;
  bar.finish(`${Math.round(p.events / seconds).toLocaleString('en-US')} events/s`);
  const byPid = rss.peakByPid();
  byPid.delete(indexer.child.pid!);
  return {
    indexer,
    rss,
    seconds,
    peakRssMb: rss.peakTreeMb(),
    peakWorkerRssMb: Math.max(0, ...byPid.values()),
    cpuProfDir: p.cpuProfDir,
  };
}
