// The indexer process. It checks the chain it is pointed at against the database (starting over, or
// refusing, when the chain changed), then runs the processor in a worker process (worker.ts) and
// supervises it: a reorg deeper than the finality window, which Subsquid's processor cannot undo,
// is detected here and the index is rebuilt; any other failure restarts the worker with backoff.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
// The deployment module alone: the chain package's index brings viem and the simulator, tens of MB
// this long-lived process does not need (nor TypeORM: migrations run in prepare.ts's own process).
import { readDeployment } from '../chain/deployment';
import type { GuardOutcome, IndexedChain, ResetCause } from './chain-guard';
import { ConfigError, type IndexerConfig, loadConfig, workerEnv } from './config';
import { ChainChangedError } from './errors';
import { createIndexerMetrics, type IndexerMetrics, type WorkerMessage } from './metrics';
import type { PrepareAnswer, PrepareRequest } from './prepare';
import { buildProgressLine, type ProgressSample } from './progress';
import { fetchChainIdentity, RpcBadAnswerError, RpcUnavailableError, rpcCall } from './rpc';

const log = (msg: string) => console.log(`indexer: ${msg}`);

/** Errors that need the user to fix something: one line, no stack. */
const USER_ERRORS = [ConfigError, RpcUnavailableError, RpcBadAnswerError, ChainChangedError];
const MAX_BACKOFF_MS = 30_000;
/** A worker that ran this long was healthy: the next failure starts the backoff afresh. */
const HEALTHY_MS = 60_000;

let worker: ChildProcess | undefined;
let stopping = false;

interface RunningWorker {
  /** Lets the worker start indexing (it loads its modules meanwhile, and waits for this). */
  start(): void;
  /** Resolves when it exits, with its fatal error lines held back: whether they are news depends on
   * what the database says next (a deep reorg gets one line of ours instead). */
  exited: Promise<{ code: number | null; fatal: string[] }>;
}

/** Spawns the worker; it indexes once start() is called (after the database is prepared). */
function startWorker(cfg: IndexerConfig, metrics: IndexerMetrics, progress: Progress): RunningWorker {
  const exited = new Promise<{ code: number | null; fatal: string[] }>((resolve) => {
    // The IPC channel carries batch reports, and lets the worker notice when we die (even by SIGKILL):
    // one writer at a time.
    // --expose-gc: the worker collects its garbage after each large backfill batch (worker.ts).
    // --max-semi-space-size=4 (MB; V8's default is 16): a backfill batch's objects mostly live until
    // the batch is written, and a large young generation copies more of them between its two halves
    // before they are promoted, holding them twice. On 700k events of the large preset: the same
    // speed, 45 MB less peak memory (2 MB: 5% slower).
    const child = spawn(process.execPath, ['--expose-gc', '--max-semi-space-size=4', path.join(__dirname, 'worker.js')], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: workerEnv(cfg),
    });
    worker = child;
    const fatal: string[] = [];
    const onLine = (line: string, out: NodeJS.WriteStream) => {
      if (/^\{"level":5,/.test(line)) fatal.push(line);
      else out.write(`${line}\n`);
      if (/^\{"level":3,.*"ns":"sqd:processor:rpc/.test(line)) metrics.onRpcError();
    };
    lines(child.stdout, (l) => onLine(l, process.stdout));
    lines(child.stderr, (l) => onLine(l, process.stderr));
    child.on('message', (msg: WorkerMessage) => {
      metrics.onWorkerMessage(msg);
      progress.onWorkerMessage(msg);
    });
    child.once('exit', (code) => {
      worker = undefined;
      resolve({ code, fatal });
    });
  });
  const child = worker as ChildProcess;
  return {
    start: () => {
      if (child.connected) child.send({ type: 'start' });
    },
    exited,
  };
}

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() as string;
    for (const l of parts) onLine(l);
  });
  stream?.on('end', () => {
    if (partial) onLine(partial);
  });
}

/** Prints the progress line: every progressMs during a backfill, every 12th time when following. */
function createProgress(cfg: IndexerConfig, from: number, metrics: IndexerMetrics) {
  let head: number | null = null;
  let following = false;
  let prev: ProgressSample = { at: Date.now(), height: from - 1, events: 0 };
  let now: ProgressSample = { ...prev };
  let ticks = 0;
  let caughtUp = false;
  const pollHead = async () => {
    try {
      head = Number(BigInt(await rpcCall<string>(cfg.rpcUrl, 'eth_blockNumber', [], 3000)));
      metrics.setHead(head);
    } catch {
      metrics.onRpcError(); // the worker retries the RPC itself; this only skips a progress figure
    }
  };
  const timer = setInterval(async () => {
    await pollHead();
    ticks++;
    if (following && ticks % 12 !== 0) return;
    const sample = { ...now, at: Date.now() };
    if (sample.height >= from) log(buildProgressLine({ from, head, prev, now: sample, following }).replace(/^indexer: /, ''));
    prev = sample;
  }, cfg.progressMs);
  timer.unref();
  return {
    onWorkerMessage(msg: WorkerMessage): void {
      if (msg.type !== 'batch') return;
      now = { at: Date.now(), height: msg.height, events: now.events + msg.events };
      if (msg.isHead && !caughtUp) log(`caught up with the chain head at block ${msg.height}; following it`);
      caughtUp ||= msg.isHead;
      following = msg.isHead;
    },
    restart(): void {
      following = false;
      caughtUp = false;
    },
  };
}
type Progress = ReturnType<typeof createProgress>;

/** chain-guard's prepareDatabase, run in its own short-lived process (prepare.ts). */
function prepareDatabase(cfg: IndexerConfig, current: IndexedChain): Promise<GuardOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'prepare.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: PrepareAnswer | undefined;
    child.once('message', (a: PrepareAnswer) => {
      answer = a;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!answer) reject(new Error(`the database preparation stopped (code ${code})`));
      else if (answer.ok) resolve(answer.outcome);
      else reject(answer.chainChanged ? new ChainChangedError(answer.message) : new Error(answer.message));
    });
    const req: PrepareRequest = { databaseUrl: cfg.databaseUrl, rpcUrl: cfg.rpcUrl, current, onChainChange: cfg.onChainChange };
    child.send(req);
  });
}

/** Makes the database ready for this chain; says why when it had to be emptied. */
async function prepare(cfg: IndexerConfig, current: IndexedChain, after: 'start' | 'failure'): Promise<ResetCause | undefined> {
  const outcome = await prepareDatabase(cfg, current);
  if (outcome.action === 'reset') {
    log(
      outcome.cause === 'reorg'
        ? `${outcome.reason}: a reorg deeper than INDEXER_FINALITY=${cfg.finality}; re-indexing from block ${current.startBlock}`
        : `${outcome.reason}; starting over with an empty index`,
    );
    return outcome.cause;
  }
  if (after === 'start') {
    log(
      outcome.action === 'resume'
        ? `resuming after block ${outcome.height}`
        : `indexing chain ${current.chainId} from block ${current.startBlock}`,
    );
  }
  return undefined;
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  const deployment = readDeployment(cfg.deploymentFile);
  const chain = await fetchChainIdentity(cfg.rpcUrl);
  if (chain.chainId !== deployment.chainId) {
    throw new ChainChangedError(
      `RPC_URL serves chain ${chain.chainId} but ${cfg.deploymentFile} is a deployment on chain ${deployment.chainId}`,
    );
  }
  const current: IndexedChain = { ...chain, contracts: deployment.contracts, startBlock: deployment.startBlock };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopping = true;
      if (worker) worker.kill('SIGTERM');
      else process.exit(0);
    });
  }

  const metrics = createIndexerMetrics();
  if (cfg.metricsPort) {
    await metrics.serve(cfg.metricsPort).catch((err: NodeJS.ErrnoException) => {
      throw new ConfigError(
        err.code === 'EADDRINUSE'
          ? `port ${cfg.metricsPort} is already in use (INDEXER_METRICS_PORT)`
          : `cannot serve metrics: ${err.message}`,
      );
    });
  }
  const progress = createProgress(cfg, current.startBlock, metrics);

  let prepared = false;
  let backoffMs = 1000;
  for (;;) {
    const started = Date.now();
    progress.restart();
    // The worker loads its modules (about a second) while the database is prepared.
    const w = startWorker(cfg, metrics, progress);
    if (!prepared) {
      try {
        await prepare(cfg, current, 'start');
      } catch (err) {
        worker?.kill('SIGKILL');
        throw err;
      }
      prepared = true;
    }
    w.start();
    const { code, fatal } = await w.exited;
    if (stopping || code === 0) process.exit(0);
    if (Date.now() - started > HEALTHY_MS) backoffMs = 1000;
    // The database tells whether the chain moved under the index (a deep reorg, a new chain);
    // prepare() then resets it and indexing starts again at once. Otherwise the failure was the
    // worker's own (RPC answering garbage, database gone): report it and try again later.
    try {
      const reset = await prepare(cfg, current, 'failure');
      if (reset === 'reorg') metrics.onDeepReorg();
      if (reset) continue;
    } catch (err) {
      if (err instanceof ChainChangedError) throw err;
      log(`cannot check the chain (${(err as Error).message})`);
    }
    for (const line of fatal) process.stderr.write(`${line}\n`);
    const why = fatal.length ? `: ${summarize(fatal[fatal.length - 1])}` : '';
    log(`the worker stopped (code ${code}${why}); restarting in ${backoffMs / 1000} s`);
    metrics.onRestart();
    await new Promise((r) => setTimeout(r, backoffMs));
    if (stopping) process.exit(0);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** Subsquid logs errors as JSON lines; keep the message. */
function summarize(line: string): string {
  try {
    const j = JSON.parse(line) as { msg?: string; err?: { message?: string; stack?: string } };
    return (j.err?.message ?? j.err?.stack?.split('\n')[0] ?? j.msg ?? line).slice(0, 200);
  } catch {
    return line.slice(0, 200);
  }
}

main().catch((err: unknown) => {
  const e = err as Error;
  if (USER_ERRORS.some((E) => err instanceof E) || e?.name === 'DeploymentFileError') console.error(`indexer: ${e.message}`);
  else console.error('indexer: failed', err);
  process.exit(1);
});
