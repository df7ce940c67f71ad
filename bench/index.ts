// `npm run bench -- index [--events N] [--seed S] [--node hardhat|anvil] [--sim-rounds R] [--freshness-blocks B] [--head-poll-ms MS] [--skip-ponder] [--cpu-prof]`
//
// Generates one devnet history of at least N events (bench/index/history.ts), then on that same chain:
// 1. backfills it with our indexer (the real process, fresh database on an embedded Postgres);
// 2. measures the bound: COPY of exactly the rows our indexer wrote into a fresh schema;
// 3. measures freshness in follow mode (block mined → NOTIFY at commit), p50/p95;
// 4. backfills it with Ponder (bench/ponder, the same tables);
// and prints the figures and ratios, and writes bench/results/index.json. Not part of `npm test`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DEVNET_NODES, type DevnetNode } from '../chain/devnet';
import { PROJECT_ROOT } from '../schema';
import { startEmbeddedPostgres } from '../scripts/postgres';
import { measureCopyBound, rowCounts } from './index/copy';
import { measureFreshness } from './index/freshness';
import { generateHistory } from './index/history';
import { backfillOurs } from './index/ours';
import { backfillPonder } from './index/ponder';
import { freePort, machineLoad } from './index/procs';
import { summarizeProfile } from './index/profile';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'freshness-blocks': { type: 'string', default: '200' },
    // The indexer's own default (indexer/config.ts); freshness depends on it directly.
    'head-poll-ms': { type: 'string', default: '250' },
    'skip-ponder': { type: 'boolean', default: false },
    // Stop the history after this many simulator rounds, even below --events (history.ts).
    'sim-rounds': { type: 'string' },
    // The devnet node that the history is generated into and read from (chain/devnet.ts): anvil
    // goes on where Hardhat runs out of memory (about 333k events of the large preset).
    node: { type: 'string', default: 'anvil' },
    // Profile our indexer (supervisor and worker) and print the worker's top costs.
    'cpu-prof': { type: 'boolean', default: false },
  },
});

async function countEvents(url: string, schema: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`select count(*)::int as n from "${schema}".chain_event`)).rows[0].n);
  } finally {
    await c.end();
  }
}

/** The biggest profile in the folder is the worker's (the supervisor mostly waits). */
function printProfile(dir: string): void {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) {
    console.log(`cpu profile: none written to ${dir}`);
    return;
  }
  const biggest = files.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
  const s = summarizeProfile(biggest);
  console.log(`cpu profile of the worker (${biggest}, ${s.totalMs.toFixed(0)} ms), self time:`);
  for (const f of s.topPackages) console.log(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
  console.log('  top functions:');
  for (const f of s.topFunctions) console.log(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
}

async function main(): Promise<void> {
  const target = Number(args.events);
  if (!Number.isInteger(target) || target < 1000) throw new Error(`--events must be an integer >= 1000, got ${args.events}`);
  const node = args.node as DevnetNode;
  if (!DEVNET_NODES.includes(node)) throw new Error(`--node must be one of ${DEVNET_NODES.join(', ')}, got ${args.node}`);
  console.log(`bench index: ${target.toLocaleString('en-US')} events on ${node}; ${machineLoad()}`);

  const history = await generateHistory({
    events: target,
    seed: Number(args.seed),
    node,
    simRounds: args['sim-rounds'] === undefined ? undefined : Number(args['sim-rounds']),
  });
  console.log(
    `history: ${history.events.toLocaleString('en-US')} events in ${history.head} blocks (${history.epochsPosted} epochs) in ${history.seconds.toFixed(0)} s`,
  );
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-pg-'));
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(pgDir, 'data'),
    port: await freePort(),
    persistent: false,
    database: 'ours',
  });
  try {
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('create database ponder');
    await admin.end();
    const ponderUrl = pg.url.replace(/\/ours$/, '/ponder');

    // 1. Ours.
    const loadBefore = machineLoad();
    const ours = await backfillOurs({
      root: PROJECT_ROOT,
      databaseUrl: pg.url,
      rpcUrl: history.devnet.rpcUrl,
      deploymentFile: history.deploymentFile,
      head: history.head,
      events: history.events,
      headPollMs: Number(args['head-poll-ms']),
      cpuProfDir: args['cpu-prof'] ? fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-prof-')) : undefined,
    });
    const events = await countEvents(pg.url, 'public');
    const oursRows = await rowCounts(pg.url, 'public');

    // 2. The COPY bound, while the indexer only polls the head.
    const copy = await measureCopyBound(pg.url);
    console.log(`copy bound: ${copy.rows.toLocaleString('en-US')} rows in ${copy.seconds.toFixed(2)} s`);

    // 3. Freshness.
    const fresh = await measureFreshness({
      databaseUrl: pg.url,
      rpcUrl: history.devnet.rpcUrl,
      blocks: Number(args['freshness-blocks']),
      head: history.head,
      mintOne: history.mintOne,
    });
    ours.rss.stop();
    await ours.indexer.stop();
    if (ours.cpuProfDir) printProfile(ours.cpuProfDir);

    // 4. Ponder, on the same chain (with the freshness blocks, counted in its own events).
    let ponder: { seconds: number; peakRssMb: number; events: number; rows: Record<string, number> } | undefined;
    if (!args['skip-ponder']) {
      const r = await backfillPonder({
        root: PROJECT_ROOT,
        databaseUrl: ponderUrl,
        rpcUrl: history.devnet.rpcUrl,
        deploymentFile: history.deploymentFile,
        head: history.head + fresh.samplesMs.length,
        events: history.events,
      });
      ponder = { ...r, events: await countEvents(ponderUrl, r.schema), rows: await rowCounts(ponderUrl, r.schema, Object.keys(oursRows)) };
    }

    const eventsPerSec = events / ours.seconds;
    const ponderEventsPerSec = ponder ? ponder.events / ponder.seconds : null;
    const result = {
      events,
      eventsPerSec: Math.round(eventsPerSec),
      ponderEventsPerSec: ponderEventsPerSec === null ? null : Math.round(ponderEventsPerSec),
      rowsWritten: copy.rows,
      copySeconds: Number(copy.seconds.toFixed(3)),
      backfillSeconds: Number(ours.seconds.toFixed(3)),
      freshnessP50Ms: Math.round(fresh.p50),
      freshnessP95Ms: Math.round(fresh.p95),
      peakRssMb: Math.round(ours.peakRssMb),
    };
    const share = copy.seconds / ours.seconds;
    const rows: [string, string, string][] = [
      ['', 'ours', 'ponder'],
      ['events', events.toLocaleString('en-US'), ponder ? ponder.events.toLocaleString('en-US') : '-'],
      ['backfill s', ours.seconds.toFixed(1), ponder ? ponder.seconds.toFixed(1) : '-'],
      [
        'events/s',
        Math.round(eventsPerSec).toLocaleString('en-US'),
        ponderEventsPerSec ? Math.round(ponderEventsPerSec).toLocaleString('en-US') : '-',
      ],
      [
        'peak RSS MB',
        `${ours.peakRssMb.toFixed(0)} (worker ${ours.peakWorkerRssMb.toFixed(0)})`,
        ponder ? ponder.peakRssMb.toFixed(0) : '-',
      ],
    ];
    console.log('');
    for (const [a, b, c] of rows) console.log(`${a.padEnd(14)}${b.padStart(22)}${c.padStart(16)}`);
    console.log('');
    console.log('rows per table (ours / ponder):');
    for (const [t, n] of Object.entries(oursRows))
      console.log(`  ${t.padEnd(20)}${String(n).padStart(10)}${String(ponder?.rows[t] ?? '-').padStart(10)}`);
    console.log('');
    const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');
    if (ponderEventsPerSec)
      console.log(
        `ours / ponder events/s: ${(eventsPerSec / ponderEventsPerSec).toFixed(2)}x (goal >= 3x: ${goal(eventsPerSec >= 3 * ponderEventsPerSec)})`,
      );
    console.log(
      `share of the COPY bound: ${(100 * share).toFixed(1)}% (COPY ${copy.seconds.toFixed(2)} s / backfill ${ours.seconds.toFixed(1)} s; goal >= 25%: ${goal(share >= 0.25)})`,
    );
    console.log(
      `freshness over ${fresh.samplesMs.length} blocks: p50 ${fresh.p50.toFixed(0)} ms, p95 ${fresh.p95.toFixed(0)} ms, max ${fresh.max.toFixed(0)} ms (head poll ${args['head-poll-ms']} ms; goal p95 < 300 ms: ${goal(fresh.p95 < 300)})`,
    );
    console.log(
      `peak memory of our indexer: ${ours.peakRssMb.toFixed(0)} MB, supervisor and worker (goal < 512 MB: ${goal(ours.peakRssMb < 512)})`,
    );
    console.log(`machine: before our backfill ${loadBefore}; now ${machineLoad()}`);
    const out = path.join(PROJECT_ROOT, 'bench', 'results', 'index.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${path.relative(PROJECT_ROOT, out)}`);
  } finally {
    await pg.stop().catch(() => {});
    fs.rmSync(pgDir, { recursive: true, force: true });
    await history.stop();
  }
}

main().catch((err: unknown) => {
  console.error('bench index:', err);
  process.exit(1);
});
