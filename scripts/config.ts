// `npm start`'s configuration: the only module of the orchestrator that reads process.env. Variables
// meant for the child processes (SIM_*, INDEXER_*, INFERENCE_*, GATEWAY_*) pass through to them.
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../schema';

const port = z.coerce.number().int().min(1).max(65535);
const schema = z.object({
  DATA_DIR: z.string().min(1).default(path.join(PROJECT_ROOT, '.data')),
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL')
    .optional(),
  PG_PORT: port.default(5433),
  RPC_URL: z.string().url().optional(),
  DEPLOYMENT_FILE: z.string().min(1).optional(),
  DEVNET_PORT: port.default(8545),
  DEVNET_BLOCK_TIME_MS: z.coerce.number().int().min(0).default(1000),
  SIMULATOR: z.enum(['on', 'off']).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  INFERENCE_PORT: port.default(4100),
  INDEXER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(4200),
});

export interface StartConfig {
  dataDir: string;
  /** An existing Postgres, or undefined for the embedded one. */
  databaseUrl?: string;
  pgPort: number;
  /** An existing chain (with its deployment file), or undefined for the embedded devnet. */
  chain?: { rpcUrl: string; deploymentFile: string };
  devnetPort: number;
  devnetBlockTimeMs: number;
  simulator: boolean;
  host: string;
  gatewayPort: number;
  inferencePort: number;
  /** 0: no metrics server */
  indexerMetricsPort: number;
  /** The environment the child processes inherit. */
  childEnv: NodeJS.ProcessEnv;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StartConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`${name} ${env[name] === undefined ? 'is not set' : `is invalid (${issue.message})`}`);
  }
  const e = parsed.data;
  if (e.RPC_URL && !e.DEPLOYMENT_FILE) {
    throw new ConfigError('RPC_URL is set but DEPLOYMENT_FILE is not: name the deployment file of that chain');
  }
  if (e.DEPLOYMENT_FILE && !e.RPC_URL) throw new ConfigError('DEPLOYMENT_FILE is set but RPC_URL is not');
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    dataDir,
    databaseUrl: e.DATABASE_URL,
    pgPort: e.PG_PORT,
    chain: e.RPC_URL && e.DEPLOYMENT_FILE ? { rpcUrl: e.RPC_URL, deploymentFile: path.resolve(e.DEPLOYMENT_FILE) } : undefined,
    devnetPort: e.DEVNET_PORT,
    devnetBlockTimeMs: e.DEVNET_BLOCK_TIME_MS,
    // On someone else's chain the simulator would send transactions there: off unless asked for.
    simulator: e.SIMULATOR ? e.SIMULATOR === 'on' : !e.RPC_URL,
    host: e.HOST,
    gatewayPort: e.PORT,
    inferencePort: e.INFERENCE_PORT,
    indexerMetricsPort: e.INDEXER_METRICS_PORT,
    childEnv: { ...env },
  };
}
