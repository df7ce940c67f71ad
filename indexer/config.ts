// The indexer's configuration: the only module of this process that reads process.env.
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL'),
  RPC_URL: z.string().url(),
  DEPLOYMENT_FILE: z.string().min(1),
  /** Blocks after which a block is final; reorgs within it are rolled back (hot blocks). */
  INDEXER_FINALITY: z.coerce.number().int().min(1).max(10_000).default(10),
  INDEXER_HEAD_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(250),
  INDEXER_RPC_RATE_LIMIT: z.coerce.number().int().min(1).default(1000),
  /**
   * RPC requests in flight at once; while backfilling, splits in flight (at most 5; ingest.ts sizes
   * them). More hide a remote node's latency and hold more fetched blocks in memory; a local node
   * serves one at a time (on 700k events of the large preset, anvil: 1 and 2 at the same speed).
   */
  INDEXER_RPC_CAPACITY: z.coerce.number().int().min(1).max(100).default(1),
  /** What to do when the chain behind RPC_URL is not the one the database holds. */
  INDEXER_ON_CHAIN_CHANGE: z.enum(['reset', 'refuse']).default('reset'),
  /** Prometheus metrics at http://127.0.0.1:PORT/metrics; 0 turns them off. */
  INDEXER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(4200),
  /** How often the progress line is printed during a backfill (following the head: every 12th time). */
  INDEXER_PROGRESS_MS: z.coerce.number().int().min(100).default(5000),
  /** A backfill batch (one transaction) ends after this many logs (or 2,000 blocks, or at the chain head). */
  INDEXER_BATCH_LOGS: z.coerce.number().int().min(1).max(1_000_000).default(30_000),
});

export interface IndexerConfig {
  databaseUrl: string;
  rpcUrl: string;
  deploymentFile: string;
  finality: number;
  headPollMs: number;
  rpcRateLimit: number;
  rpcCapacity: number;
  onChainChange: 'reset' | 'refuse';
  metricsPort: number;
  progressMs: number;
  batchLogs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    const problem = env[name] === undefined ? 'is not set' : `is invalid (${issue.message})`;
    throw new ConfigError(`${name} ${problem}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    rpcUrl: e.RPC_URL,
    deploymentFile: e.DEPLOYMENT_FILE,
    finality: e.INDEXER_FINALITY,
    headPollMs: e.INDEXER_HEAD_POLL_MS,
    rpcRateLimit: e.INDEXER_RPC_RATE_LIMIT,
    rpcCapacity: e.INDEXER_RPC_CAPACITY,
    onChainChange: e.INDEXER_ON_CHAIN_CHANGE,
    metricsPort: e.INDEXER_METRICS_PORT,
    progressMs: e.INDEXER_PROGRESS_MS,
    batchLogs: e.INDEXER_BATCH_LOGS,
  };
}

/**
 * The environment of the worker process: Subsquid's TypeormDatabase reads its connection from DB_URL,
 * and Subsquid's own info lines (progress every 5 s) give way to ours unless SQD_* asks for them.
 * (Set at spawn: Subsquid's logger reads its levels once, when it is loaded.)
 */
export function workerEnv(cfg: IndexerConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const sqdConfigured = Object.keys(env).some((k) => /^SQD_(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)$/.test(k));
  return { ...env, DB_URL: cfg.databaseUrl, ...(sqdConfigured ? {} : { SQD_WARN: 'sqd:*' }) };
}
