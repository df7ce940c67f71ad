// A job history to train on when no DATABASE_URL is given: a devnet, the protocol, the simulator
// and the epoch keeper for some rounds, indexed by the real indexer process into an embedded
// Postgres. Returns the database URL and a stop function; progress goes to `log`.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createPublicClient, http } from 'viem';
import {
  createKeeper,
  createSimulator,
  deployProtocol,
  PRESET_NAMES,
  type PresetName,
  presets,
  type SimPreset,
  startDevnet,
  writeDeployment,
} from '../../chain';
import { PROJECT_ROOT } from '../../schema';
import { startEmbeddedPostgres } from '../../scripts/postgres';

export interface SimulatedHistoryOptions {
  preset: PresetName;
  seed: number;
  rounds: number;
  /** Overrides of the preset's actor counts (more providers: more examples per round). */
  providers?: number;
  senders?: number;
  log: (line: string) => void;
}

export interface SimulatedHistory {
  databaseUrl: string;
  /** Simulator's hidden provider traits, by lowercase address (for the report, never for training). */
  truth: Map<string, { reliability: number; speed: number }>;
  head: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function indexedHeight(url: string): Promise<number> {
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

export async function createSimulatedHistory(opts: SimulatedHistoryOptions): Promise<SimulatedHistory> {
  if (!PRESET_NAMES.includes(opts.preset)) throw new Error(`unknown simulator preset ${opts.preset} (have ${PRESET_NAMES.join(', ')})`);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-train-'));
    stops.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
    opts.log('train: starting embedded Postgres');
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), persistent: false });
    stops.push(() => pg.stop());
    opts.log('train: starting the devnet and deploying the protocol');
    const devnet = await startDevnet({ port: 0 });
    stops.push(() => devnet.stop());
    const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    const deploymentFile = path.join(tmp, 'deployment.json');
    writeDeployment(deploymentFile, deployment);

    const indexer = spawn(process.execPath, [path.join(PROJECT_ROOT, 'lib', 'indexer', 'main.js')], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: pg.url,
        RPC_URL: devnet.rpcUrl,
        DEPLOYMENT_FILE: deploymentFile,
        INDEXER_FINALITY: '5',
        INDEXER_HEAD_POLL_MS: '100',
        INDEXER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let indexerOut = '';
    indexer.stdout?.on('data', (b: Buffer) => (indexerOut = (indexerOut + b.toString()).slice(-4000)));
    indexer.stderr?.on('data', (b: Buffer) => (indexerOut = (indexerOut + b.toString()).slice(-4000)));
    stops.push(() => killChild(indexer));

    const base: SimPreset = presets[opts.preset];
    const preset: SimPreset = { ...base, providers: opts.providers ?? base.providers, senders: opts.senders ?? base.senders };
    const simulator = createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: opts.seed, preset });
    const keeper = createKeeper({ rpcUrl: devnet.rpcUrl, deployment });
    opts.log(
      `train: simulating ${opts.rounds} rounds (preset ${opts.preset}: ${preset.providers} providers, ${preset.senders} senders; seed ${opts.seed})`,
    );
    await simulator.setup();
    const start = Date.now();
    let last = 0;
    for (let r = 1; r <= opts.rounds; r++) {
      await simulator.round();
      await keeper.tick();
      if (Date.now() - last > 5000 || r === opts.rounds) {
        last = Date.now();
        const eta = ((Date.now() - start) / r) * (opts.rounds - r);
        opts.log(`train: round ${r}/${opts.rounds} (${Math.round((100 * r) / opts.rounds)}%), ETA ${Math.ceil(eta / 1000)} s`);
      }
    }
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    opts.log(`train: waiting for the indexer to reach block ${head}`);
    const deadline = Date.now() + 300_000;
    let lastLog = 0;
    for (;;) {
      if (indexer.exitCode !== null) throw new Error(`the indexer exited (${indexer.exitCode}):\n${indexerOut}`);
      const h = await indexedHeight(pg.url);
      if (h >= head) break;
      if (Date.now() > deadline) throw new Error(`the indexer did not reach block ${head} in 300 s (at ${h}):\n${indexerOut}`);
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        opts.log(`train: indexed ${Math.max(h, 0)}/${head}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const truth = new Map(simulator.actors.providers.map((p) => [p.address.toLowerCase(), { reliability: p.reliability, speed: p.speed }]));
    return { databaseUrl: pg.url, truth, head, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
