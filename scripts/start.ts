// `npm start`: the whole network on one machine. Brings up, in order, Postgres, the devnet, the
// contracts, the simulator, the indexer, the inference service and the gateway; Ctrl-C or SIGTERM
// stops them in the reverse order. Each failure to start is one line that names the problem.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { deployProtocol, readDeployment, startDevnet, writeDeployment } from '../chain';
import { DEVNET_RELAYER_KEY } from '../gateway';
import { PROJECT_ROOT } from '../schema';
import { ConfigError, loadConfig, type StartConfig } from './config';
import { assertPortFree, PortInUseError } from './ports';

const log = (msg: string) => console.log(`start: ${msg}`);

class StartError extends Error {
  override name = 'StartError';
}

interface Service {
  name: string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 4000;
const running: Service[] = [];
let stopping: Promise<void> | undefined;

/** Stops everything started so far, newest first. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const s of running.splice(0).reverse()) {
      await s.stop().catch((err: Error) => console.error(`start: stopping ${s.name}: ${err.message}`));
    }
  })();
  return stopping;
}

function lib(...p: string[]): string {
  return path.join(PROJECT_ROOT, 'lib', ...p);
}

/**
 * Runs a node process of ours, detached into its own process group (so Ctrl-C reaches only us and we
 * choose the order of shutdown) with an IPC channel (so it stops if we die).
 */
function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv, stdio: 'inherit' | 'ignore' = 'inherit') {
  const child = spawn(process.execPath, ['-r', path.join(PROJECT_ROOT, 'scripts', 'parent-guard.js'), script], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', stdio, stdio, 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: Service = {
    name,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
  running.push(service);
  return { child, exited, service };
}

/** Fails start-up if the child exits before `ready` resolves; afterwards, stops everything. */
async function supervise(name: string, proc: { child: ChildProcess; exited: Promise<number | null> }, ready: () => Promise<void>) {
  let up = false;
  const died = proc.exited.then((code) => {
    if (stopping) return;
    if (up) {
      console.error(`start: ${name} exited (code ${code}); stopping everything`);
      void stopAll().then(() => process.exit(1));
    }
    throw new StartError(`${name} exited during start-up (code ${code})`);
  });
  await Promise.race([ready(), died]);
  up = true;
  died.catch(() => {});
}

async function poll(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new StartError(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s`);
}

async function checkDatabase(url: string): Promise<void> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query('select 1');
  } catch (err) {
    throw new StartError(`cannot connect to DATABASE_URL (${(err as Error).message || (err as { code?: string }).code})`);
  } finally {
    await c.end().catch(() => {});
  }
}

async function checkRpc(url: string): Promise<void> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { result?: string };
    if (!body.result) throw new Error(`no chain id in the answer (HTTP ${res.status})`);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new StartError(`cannot reach RPC_URL ${url} (${e.cause?.code ?? e.message})`);
  }
}

async function startPostgres(cfg: StartConfig): Promise<string> {
  if (cfg.databaseUrl) {
    log(`postgres: using DATABASE_URL (${new URL(cfg.databaseUrl).host})`);
    return cfg.databaseUrl;
  }
  const dataDir = path.join(cfg.dataDir, 'postgres');
  const proc = spawnNode('postgres', lib('scripts', 'postgres-keeper.js'), {
    ...cfg.childEnv,
    PG_DATA_DIR: dataDir,
    PG_PORT: String(cfg.pgPort),
  });
  const ready = await new Promise<{ url: string; dataDir: string }>((resolve, reject) => {
    proc.child.once('message', (m: { url?: string; dataDir?: string; error?: string }) =>
      m.url && m.dataDir ? resolve({ url: m.url, dataDir: m.dataDir }) : reject(new StartError(`embedded Postgres: ${m.error}`)),
    );
    proc.exited.then((code) => reject(new StartError(`embedded Postgres exited during start-up (code ${code})`)));
  });
  const where =
    ready.dataDir === dataDir ? path.relative(process.cwd(), dataDir) : `${ready.dataDir} (the postgres user cannot reach ${dataDir})`;
  log(`postgres: embedded PostgreSQL on port ${cfg.pgPort}, data in ${where}`);
  return ready.url;
}

async function startChain(cfg: StartConfig): Promise<{ rpcUrl: string; deploymentFile: string }> {
  if (cfg.chain) {
    log(`devnet: using RPC_URL ${cfg.chain.rpcUrl}`);
    log(`contracts: using the deployment in ${cfg.chain.deploymentFile}`);
    return cfg.chain;
  }
  const devnet = await startDevnet({ port: cfg.devnetPort, blockTimeMs: cfg.devnetBlockTimeMs });
  running.push({ name: 'devnet', stop: () => devnet.stop() });
  log(
    `devnet: Hardhat node at ${devnet.rpcUrl} (chain ${devnet.chainId}, ${
      cfg.devnetBlockTimeMs ? `a block every ${cfg.devnetBlockTimeMs} ms` : 'automine'
    })`,
  );
  const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
  const deploymentFile = path.join(cfg.dataDir, 'deployment.json');
  writeDeployment(deploymentFile, deployment);
  log(
    `contracts: deployed at block ${deployment.startBlock} (registry ${deployment.contracts.registry}, market ${deployment.contracts.market})`,
  );
  return { rpcUrl: devnet.rpcUrl, deploymentFile };
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  // Every port we will bind, checked before anything starts.
  if (!cfg.databaseUrl) await assertPortFree(cfg.pgPort, 'embedded Postgres (PG_PORT)');
  if (!cfg.chain) await assertPortFree(cfg.devnetPort, 'the devnet (DEVNET_PORT)');
  if (cfg.indexerMetricsPort) await assertPortFree(cfg.indexerMetricsPort, "the indexer's metrics (INDEXER_METRICS_PORT)");
  await assertPortFree(cfg.inferencePort, 'the inference service (INFERENCE_PORT)');
  await assertPortFree(cfg.gatewayPort, 'the gateway (PORT)');
  // Then what we will use but not start: named before anything starts.
  if (cfg.databaseUrl) await checkDatabase(cfg.databaseUrl);
  if (cfg.chain) {
    await checkRpc(cfg.chain.rpcUrl);
    if (!fs.existsSync(cfg.chain.deploymentFile)) throw new StartError(`DEPLOYMENT_FILE ${cfg.chain.deploymentFile} does not exist`);
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      log(`${sig}: stopping`);
      void stopAll().then(() => {
        log('stopped');
        process.exit(0);
      });
    });
  }

  const databaseUrl = await startPostgres(cfg);
  const chain = await startChain(cfg);
  const env = { ...cfg.childEnv, DATABASE_URL: databaseUrl, RPC_URL: chain.rpcUrl, DEPLOYMENT_FILE: chain.deploymentFile };

  const inferenceUrl = `http://${cfg.host}:${cfg.inferencePort}`;
  if (cfg.simulator) {
    // With INFERENCE_URL the compute subnet's honest validators weight providers by the model's scores
    // (inference/validator); until the service is up they skip their turn there.
    // The medium preset unless SIM_PRESET says otherwise: a live network sized for the 1 block/s devnet.
    const sim = spawnNode('simulator', lib('chain', 'simulator', 'main.js'), {
      ...env,
      SIM_PRESET: cfg.childEnv.SIM_PRESET || 'medium',
      INFERENCE_URL: inferenceUrl,
    });
    await supervise('simulator', sim, async () => {});
    log(`simulator: running (preset ${cfg.childEnv.SIM_PRESET || 'medium'}, seed ${cfg.childEnv.SIM_SEED ?? 'default'})`);
  } else {
    log('simulator: off');
  }

  // The epoch keeper: every tempo blocks per subnet it runs Yuma on the chain's state and posts the
  // results. On someone else's chain it needs KEEPER_KEY (a key with the ledger's keeper role).
  if (!cfg.chain || cfg.childEnv.KEEPER_KEY) {
    const keeper = spawnNode('keeper', lib('chain', 'keeper', 'main.js'), env);
    await supervise('keeper', keeper, async () => {});
    log('keeper: posting each subnet epoch every tempo blocks');
  } else {
    log('keeper: off (set KEEPER_KEY to run it on this chain)');
  }

  const indexer = spawnNode('indexer', lib('indexer', 'main.js'), env);
  // Ready once it has checked this chain against the database (a previous run's tables may exist).
  const { genesisHash } = readDeployment(chain.deploymentFile);
  await supervise('indexer', indexer, () =>
    poll('the indexer', 60_000, async () => {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        const r = await c.query(
          `select 1 from gridmind.chain_identity i where i.genesis_hash = $1
             and exists (select 1 from information_schema.tables where table_schema = 'squid_processor' and table_name = 'status')`,
          [genesisHash],
        );
        return r.rowCount === 1;
      } finally {
        await c.end();
      }
    }),
  );
  log('indexer: following the chain');

  const inference = spawnNode('inference', lib('inference', 'main.js'), {
    ...env,
    INFERENCE_HOST: cfg.host,
    INFERENCE_PORT: String(cfg.inferencePort),
  });
  await supervise('inference', inference, () =>
    poll('the inference service', 60_000, async () => (await fetch(`${inferenceUrl}/health`)).ok),
  );
  log(`inference: ready at ${inferenceUrl}`);

  // The validator loop as a process of its own, for validator hotkeys whose keys the operator holds
  // (the simulator's own validators run the same loop in-process: it sends their transactions).
  if (cfg.childEnv.VALIDATOR_KEYS) {
    const validator = spawnNode('validator', lib('inference', 'validator', 'main.js'), { ...env, INFERENCE_URL: inferenceUrl });
    await supervise('validator', validator, async () => {});
    log('validator: setting compute-subnet weights from the inference scores each tempo');
  } else {
    log(
      `validator: ${cfg.simulator ? 'in the simulator (its honest compute-subnet validators); ' : ''}set VALIDATOR_KEYS to run one as a process`,
    );
  }

  const gatewayUrl = `http://${cfg.host}:${cfg.gatewayPort}/graphql`;
  const gateway = spawnNode('gateway', lib('gateway', 'main.js'), {
    ...env,
    HOST: cfg.host,
    PORT: String(cfg.gatewayPort),
    INFERENCE_URL: inferenceUrl,
    // Signed mutations are relayed by a Hardhat account of their own on the embedded devnet; on
    // someone else's chain only with the RELAYER_KEY given (the gateway then serves typed data only).
    ...(cfg.chain ? {} : { RELAYER_KEY: cfg.childEnv.RELAYER_KEY || DEVNET_RELAYER_KEY }),
  });
  await supervise('gateway', gateway, () =>
    poll('the gateway', 60_000, async () => {
      const res = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      return res.ok;
    }),
  );
  log(`gateway: ready at ${gatewayUrl}`);

  console.log(
    [
      '',
      '  Gridmind is running',
      `    GraphQL     ${gatewayUrl}`,
      `    inference   ${inferenceUrl}/health`,
      ...(cfg.indexerMetricsPort ? [`    metrics     http://127.0.0.1:${cfg.indexerMetricsPort}/metrics (indexer)`] : []),
      `    chain RPC   ${chain.rpcUrl}`,
      `    Postgres    ${databaseUrl.replace(/\/\/([^:]+):[^@]*@/, '//$1:***@')}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch(async (err: unknown) => {
  const known = err instanceof StartError || err instanceof ConfigError || err instanceof PortInUseError;
  const e = err as Error;
  if (known || e?.name === 'PortInUseError' || e?.name === 'DeploymentFileError') console.error(`start: ${e.message}`);
  else console.error('start: failed:', err);
  await stopAll();
  process.exit(1);
});
