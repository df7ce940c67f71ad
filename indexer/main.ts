// The indexer process. It checks the chain it is pointed at against the database (starting over, or
// refusing, when the chain changed), then runs the processor in a worker process (worker.ts) and
// supervises it: a reorg deeper than the finality window, which Subsquid's processor cannot undo,
// is detected here and the index is rebuilt; any other failure restarts the worker with backoff.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { readDeployment } from '../chain';
import { ChainChangedError, type IndexedChain, prepareDatabase } from './chain-guard';
import { ConfigError, type IndexerConfig, loadConfig } from './config';
import { fetchChainIdentity, RpcBadAnswerError, RpcUnavailableError } from './rpc';

const log = (msg: string) => console.log(`indexer: ${msg}`);

/** Errors that need the user to fix something: one line, no stack. */
const USER_ERRORS = [ConfigError, RpcUnavailableError, RpcBadAnswerError, ChainChangedError];
const MAX_BACKOFF_MS = 30_000;
/** A worker that ran this long was healthy: the next failure starts the backoff afresh. */
const HEALTHY_MS = 60_000;

let worker: ChildProcess | undefined;
let stopping = false;

/**
 * Runs the worker until it exits. Its fatal error lines are held back and returned: whether they are
 * news depends on what the database says next (a deep reorg gets one line of ours instead).
 */
function runWorker(): Promise<{ code: number | null; fatal: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'worker.js')], { stdio: ['ignore', 'inherit', 'pipe'] });
    worker = child;
    const fatal: string[] = [];
    let partial = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() as string;
      for (const line of lines) {
        if (/^\{"level":[56],/.test(line)) fatal.push(line);
        else process.stderr.write(`${line}\n`);
      }
    });
    child.once('exit', (code) => {
      worker = undefined;
      if (partial) fatal.push(partial);
      resolve({ code, fatal });
    });
  });
}

/** Makes the database ready for this chain; true when it had to be emptied. */
async function prepare(cfg: IndexerConfig, current: IndexedChain, after: 'start' | 'failure'): Promise<boolean> {
  const outcome = await prepareDatabase(cfg.databaseUrl, cfg.rpcUrl, current, cfg.onChainChange);
  if (outcome.action === 'reset') {
    log(
      outcome.cause === 'reorg'
        ? `${outcome.reason}: a reorg deeper than INDEXER_FINALITY=${cfg.finality}; re-indexing from block ${current.startBlock}`
        : `${outcome.reason}; starting over with an empty index`,
    );
    return true;
  }
  if (after === 'start') {
    log(outcome.action === 'resume' ? `resuming after block ${outcome.height}` : `indexing chain ${current.chainId} from block ${current.startBlock}`);
  }
  return false;
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  const deployment = readDeployment(cfg.deploymentFile);
  const chain = await fetchChainIdentity(cfg.rpcUrl);
  if (chain.chainId !== deployment.chainId) {
    throw new ChainChangedError(`RPC_URL serves chain ${chain.chainId} but ${cfg.deploymentFile} is a deployment on chain ${deployment.chainId}`);
  }
  const current: IndexedChain = { ...chain, contracts: deployment.contracts, startBlock: deployment.startBlock };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopping = true;
      if (worker) worker.kill('SIGTERM');
      else process.exit(0);
    });
  }

  await prepare(cfg, current, 'start');
  let backoffMs = 1000;
  for (;;) {
    const started = Date.now();
    const { code, fatal } = await runWorker();
    if (stopping || code === 0) process.exit(0);
    if (Date.now() - started > HEALTHY_MS) backoffMs = 1000;
    // The database tells whether the chain moved under the index (a deep reorg, a new chain);
    // prepare() then resets it and indexing starts again at once. Otherwise the failure was the
    // worker's own (RPC answering garbage, database gone): report it and try again later.
    try {
      if (await prepare(cfg, current, 'failure')) continue;
    } catch (err) {
      if (err instanceof ChainChangedError) throw err;
      log(`cannot check the chain (${(err as Error).message})`);
    }
    for (const line of fatal) process.stderr.write(`${line}\n`);
    const why = fatal.length ? `: ${summarize(fatal[fatal.length - 1])}` : '';
    log(`the worker stopped (code ${code}${why}); restarting in ${backoffMs / 1000} s`);
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
