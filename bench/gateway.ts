// `npm run bench -- gateway [--events N] [--seed S] [--node anvil|hardhat] [--seconds S] [--rounds R] [--connections C]
//   [--db-dir DIR] [--database-url URL] [--only 1,3]`
//
// Indexes one devnet history of at least N events once (bench/index/history.ts and our real indexer
// process, as the index benchmark does), then serves that database with our gateway and with
// Subsquid's GraphQL server (bench/subsquid), and loads both with autocannon at the same concurrency
// on the same five queries (bench/gateway/queries.ts), next to the bound (sqlRps): the statement our
// gateway itself runs for each request (its compiler, gateway/index.ts compileQuery, with the same
// parameters in the same order) straight through `pg` at that concurrency. Prints requests/s,
// p50/p99 and the ratios; writes bench/results/gateway.json. With --db-dir the indexed database is
// kept there and reused by the next run (index once, measure many times); with --database-url an
// already indexed database is measured (nothing generated, indexed or migrated). --only picks
// queries by number. Not part of `npm test`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DEVNET_NODES, type DevnetNode } from '../chain/devnet';
import { buildGatewaySchema } from '../gateway';
import { migrate, PROJECT_ROOT } from '../schema';
import { startEmbeddedPostgres } from '../scripts/postgres';
import { type LoadResult, loadGraphql, loadSql, postGraphql } from './gateway/load';
import { type BenchQuery, gatewayStatements, QUERIES, sampleParameters, unwrapItems } from './gateway/queries';
import { ensureSubsquidInstalled, POOL_SIZE, startOurs, startSubsquid } from './gateway/servers';
import { rowCounts } from './index/copy';
import { generateHistory } from './index/history';
import { backfillOurs } from './index/ours';
import { freePort, machineLoad } from './index/procs';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    // The devnet the history is generated into (bench/index/history.ts).
    node: { type: 'string', default: 'anvil' },
    connections: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    'warmup-seconds': { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    'db-dir': { type: 'string' },
    // An indexed database to measure as it is (nothing generated, indexed or migrated).
    'database-url': { type: 'string' },
    only: { type: 'string' },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** mulberry32, so that every run asks for the same parameters in the same order. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Marker {
  events: number;
  seed: number;
  head: number;
}

/** Generates and indexes the history into `url`, unless `dbDir` already holds one of at least `events`. */
async function indexHistory(url: string, events: number, seed: number, markerFile?: string): Promise<Marker> {
  if (markerFile && fs.existsSync(markerFile)) {
    const m = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as Marker;
    if (m.events >= events && m.seed === seed) {
      console.log(`history: reusing the indexed database (${m.events.toLocaleString('en-US')} events, head ${m.head})`);
      // Migrations committed since (indexes the gateway needs) apply to the kept database too.
      const applied = await migrate(url);
      if (applied.length) console.log(`history: applied ${applied.join(', ')}`);
      return m;
    }
    throw new Error(`${path.dirname(markerFile)} holds another history (${JSON.stringify(m)}); remove it or pass another --db-dir`);
  }
  const history = await generateHistory({ events, seed, node: args.node as DevnetNode });
  console.log(
    `history: ${history.events.toLocaleString('en-US')} events in ${history.head} blocks (${history.epochsPosted} epochs) in ${history.seconds.toFixed(0)} s`,
  );
  try {
    const ours = await backfillOurs({
      root: PROJECT_ROOT,
      databaseUrl: url,
      rpcUrl: history.devnet.rpcUrl,
      deploymentFile: history.deploymentFile,
      head: history.head,
      events: history.events,
      headPollMs: 250,
    });
    ours.rss.stop();
    await ours.indexer.stop();
  } finally {
    await history.stop();
  }
  const m = { events: history.events, seed, head: history.head };
  if (markerFile) fs.writeFileSync(markerFile, JSON.stringify(m));
  return m;
}

interface MeasureOptions {
  connections: number;
  seconds: number;
  warmup: number;
  rounds: number;
  queries: BenchQuery[];
  projectDir: string;
}

/** Serves `url` with both servers, checks they agree, loads each query and prints and writes the figures. */
async function measure(url: string, events: number | null, o: MeasureOptions): Promise<void> {
  const { connections, seconds, warmup, rounds, queries, projectDir } = o;
  const servers: { stop(): Promise<void> }[] = [];
  try {
    const db = new Client({ connectionString: url });
    await db.connect();
    // Fresh statistics and visibility maps, as a settled database has: the same for every server.
    console.log('database: VACUUM ANALYZE');
    await db.query('VACUUM ANALYZE');
    const counts = await rowCounts(url, 'public', ['job', 'job_event', 'provider', 'provider_epoch', 'market', 'neuron', 'neuron_epoch']);
    console.log(
      `rows: ${Object.entries(counts)
        .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
        .join(', ')}`,
    );
    const samples = await sampleParameters(db);
    // The bound runs what our gateway runs: its statement for each request, from its own compiler.
    const statement = gatewayStatements(await buildGatewaySchema());

    console.log(`servers: starting our gateway and Subsquid's server (pool of ${POOL_SIZE} connections each)`);
    const ours = await startOurs(PROJECT_ROOT, url);
    servers.push(ours.child);
    const peer = await startSubsquid(PROJECT_ROOT, url);
    servers.push(peer.child);

    // The same data from both, once per query, before any load.
    for (const q of queries) {
      const p = q.pick(samples, prng(7));
      const [a, b] = await Promise.all([postGraphql(ours.url, q.ours(p)), postGraphql(peer.url, q.peer(p))]);
      if (a.errors || !a.data) throw new Error(`our gateway failed "${q.name}": ${JSON.stringify(a.errors)}`);
      if (b.errors || !b.data) throw new Error(`Subsquid's server failed "${q.name}": ${JSON.stringify(b.errors)}`);
      const x = JSON.stringify(unwrapItems(Object.values(a.data)[0]));
      const y = JSON.stringify(unwrapItems(Object.values(b.data)[0]));
      if (x !== y) console.log(`check: "${q.name}": the answers differ\n  ours: ${x.slice(0, 300)}\n  peer: ${y.slice(0, 300)}`);
      else console.log(`check: "${q.name}": same answer from both (${x.length.toLocaleString('en-US')} bytes)`);
      // The bound's statement gives our gateway's answer, or it measures something else.
      const s = statement(q.ours(p));
      const row = (await db.query({ text: s.text, values: s.values })).rows[0] as { data: unknown } | undefined;
      if (JSON.stringify(row?.data) !== JSON.stringify(a.data)) {
        throw new Error(`the bound's statement for "${q.name}" does not give our gateway's answer:\n${s.text}`);
      }
    }
    await db.end();

    type Target = 'ours' | 'peer' | 'sql';
    const runs = new Map<string, LoadResult[]>();
    const total = queries.length * 3 * rounds;
    let step = 0;
    for (let round = 0; round < rounds; round++) {
      for (const q of queries) {
        // Alternate who goes first, so that neither always runs on the warmer machine.
        const order: Target[] = round % 2 === 0 ? ['ours', 'peer', 'sql'] : ['peer', 'ours', 'sql'];
        for (const target of order) {
          step++;
          const rnd = prng(1000 * round + 17);
          const run = (s: number) =>
            target === 'sql'
              ? loadSql({ databaseUrl: url, connections, seconds: s, next: () => statement(q.ours(q.pick(samples, rnd))) })
              : loadGraphql({
                  projectDir,
                  url: target === 'ours' ? ours.url : peer.url,
                  connections,
                  seconds: s,
                  next: () => (target === 'ours' ? q.ours(q.pick(samples, rnd)) : q.peer(q.pick(samples, rnd))),
                });
          if (round === 0 && warmup > 0) await run(warmup);
          const r = await run(seconds);
          const key = `${q.name}\0${target}`;
          runs.set(key, [...(runs.get(key) ?? []), r]);
          console.log(
            `[${step}/${total}] round ${round + 1} ${target.padEnd(4)} ${q.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms${r.errors ? `, ${r.errors} ERRORS` : ''}; ${machineLoad()}`,
          );
        }
      }
    }

    const med = (q: string, t: Target, k: keyof LoadResult) => median(runs.get(`${q}\0${t}`)!.map((r) => r[k]));
    const results = queries.map((q) => ({
      name: q.name,
      oursRps: Math.round(med(q.name, 'ours', 'rps')),
      peerRps: Math.round(med(q.name, 'peer', 'rps')),
      oursP50Ms: Number(med(q.name, 'ours', 'p50Ms').toFixed(2)),
      oursP99Ms: Number(med(q.name, 'ours', 'p99Ms').toFixed(2)),
      peerP50Ms: Number(med(q.name, 'peer', 'p50Ms').toFixed(2)),
      peerP99Ms: Number(med(q.name, 'peer', 'p99Ms').toFixed(2)),
      sqlRps: Math.round(med(q.name, 'sql', 'rps')),
    }));

    console.log('');
    console.log(
      `medians of ${rounds} round(s), concurrency ${connections}, ${events === null ? 'an existing database,' : `${events.toLocaleString('en-US')} events`} indexed:`,
    );
    console.log(
      `${'query'.padEnd(40)}${'ours req/s'.padStart(11)}${'p50/p99 ms'.padStart(14)}${'subsquid'.padStart(10)}${'p50/p99 ms'.padStart(14)}${'sql req/s'.padStart(11)}${'ours/sub'.padStart(10)}${'ours/sql'.padStart(10)}`,
    );
    const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');
    for (const r of results) {
      console.log(
        `${r.name.slice(0, 39).padEnd(40)}${String(r.oursRps).padStart(11)}${`${r.oursP50Ms.toFixed(1)}/${r.oursP99Ms.toFixed(1)}`.padStart(14)}${String(r.peerRps).padStart(10)}${`${r.peerP50Ms.toFixed(1)}/${r.peerP99Ms.toFixed(1)}`.padStart(14)}${String(r.sqlRps).padStart(11)}${`${(r.oursRps / r.peerRps).toFixed(2)}x`.padStart(10)}${`${(r.oursRps / r.sqlRps).toFixed(2)}`.padStart(10)}`,
      );
    }
    console.log('');
    const ratioOk = results.every((r) => r.oursRps >= 2 * r.peerRps);
    const p99Ok = results.every((r) => r.oursP99Ms < 50);
    console.log(`goal ours >= 2x Subsquid's req/s on every query: ${goal(ratioOk)}`);
    console.log(`goal our p99 < 50 ms on every query: ${goal(p99Ok)}`);
    console.log(`machine: ${machineLoad()}`);
    const out = path.join(PROJECT_ROOT, 'bench', 'results', 'gateway.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify({ concurrency: connections, events, queries: results }, null, 2)}\n`);
    console.log(`wrote ${path.relative(PROJECT_ROOT, out)}`);
  } finally {
    for (const s of servers.reverse()) await s.stop().catch(() => {});
  }
}

async function main(): Promise<void> {
  const events = Number(args.events);
  const connections = Number(args.connections);
  const seconds = Number(args.seconds);
  const warmup = Number(args['warmup-seconds']);
  const rounds = Number(args.rounds);
  if (!Number.isInteger(events) || events < 1000) throw new Error(`--events must be an integer >= 1000, got ${args.events}`);
  if (!(connections >= 1 && seconds >= 1 && rounds >= 1 && warmup >= 0)) throw new Error('--connections, --seconds, --rounds must be >= 1');
  if (!DEVNET_NODES.includes(args.node as DevnetNode))
    throw new Error(`--node must be one of ${DEVNET_NODES.join(', ')}, got ${args.node}`);
  const queries = args.only ? QUERIES.filter((_, i) => args.only!.split(',').includes(String(i + 1))) : QUERIES;
  console.log(
    `bench gateway: ${events.toLocaleString('en-US')} events; concurrency ${connections}; ${rounds} round(s) of ${seconds} s per query and server; ${machineLoad()}`,
  );
  const projectDir = ensureSubsquidInstalled(PROJECT_ROOT);

  if (args['database-url']) {
    await measure(args['database-url'], null, { connections, seconds, warmup, rounds, queries, projectDir });
    return;
  }
  const keep = args['db-dir'] ? path.resolve(args['db-dir']) : undefined;
  const pgDir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-gw-pg-'));
  fs.mkdirSync(pgDir, { recursive: true });
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(pgDir, 'data'),
    port: await freePort(),
    persistent: !!keep,
    database: 'ours',
  });
  try {
    const marker = await indexHistory(pg.url, events, Number(args.seed), keep ? path.join(pgDir, 'history.json') : undefined);
    await measure(pg.url, marker.events, { connections, seconds, warmup, rounds, queries, projectDir });
  } finally {
    await pg.stop().catch(() => {});
    if (!keep) fs.rmSync(pgDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench gateway:', err);
  process.exit(1);
});
