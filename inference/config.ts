// The only module of inference/ that reads process.env. Validates every variable with zod and
// fails with one line naming the variable.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT_MS } from './batcher';
import { DEFAULT_MODEL_DIR } from './paths';
import { EXECUTION_PROVIDERS, type ExecutionProviderName } from './session';

export interface InferenceConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  modelDir: string;
  modelName: string;
  /** Version of the default model: a number, or 'latest' (the newest in the registry). */
  modelVersion: number | 'latest';
  /** Bearer token of POST /admin/reload; undefined turns the admin routes off. */
  adminToken: string | undefined;
  providers: ExecutionProviderName[];
  maxBatch: number;
  maxWaitMs: number;
  intraOpThreads: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`inference: invalid ${variable}: ${message}`);
  }
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be an integer from ${min} to ${max}`).max(max, `must be an integer from ${min} to ${max}`));

const VARIABLES = {
  INFERENCE_PORT: int(0, 65535).default(4100),
  INFERENCE_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  INFERENCE_MODEL_DIR: z.string().min(1).optional(),
  INFERENCE_MODEL: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a model name (lowercase words joined by -)')
    .default('provider-reputation'),
  INFERENCE_MODEL_VERSION: z
    .string()
    .regex(/^(latest|[1-9][0-9]*)$/, 'must be "latest" or a positive integer')
    .transform((s) => (s === 'latest' ? ('latest' as const) : Number(s)))
    .default('latest'),
  // Long enough that it cannot be guessed by trying; never echoed in an error.
  INFERENCE_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  INFERENCE_PROVIDERS: z
    .string()
    .default('cpu')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(EXECUTION_PROVIDERS, `must be a comma-separated list of ${EXECUTION_PROVIDERS.join(', ')}`))
        .min(1, 'must list at least one provider'),
    ),
  INFERENCE_MAX_BATCH: int(1, 65536).default(DEFAULT_MAX_BATCH),
  INFERENCE_MAX_WAIT_MS: int(0, 10_000).default(DEFAULT_MAX_WAIT_MS),
  INFERENCE_INTRA_OP_THREADS: int(1, 256).default(1),
};

/** Reads the configuration from `env` (default process.env); throws ConfigError on the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(VARIABLES)) {
    // An empty variable counts as unset, as shells often export VAR= to clear one.
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      // Never echo DATABASE_URL (it may hold a password) or the admin token.
      const got = name === 'DATABASE_URL' || name === 'INFERENCE_ADMIN_TOKEN' ? '' : ` (got ${JSON.stringify(raw)})`;
      throw new ConfigError(name, `${parsed.error.issues[0]?.message}${got}`);
    }
    values[name] = parsed.data;
  }
  const v = values as { [K in keyof typeof VARIABLES]: z.output<(typeof VARIABLES)[K]> };
  return {
    port: v.INFERENCE_PORT,
    host: v.INFERENCE_HOST,
    databaseUrl: v.DATABASE_URL,
    modelDir: v.INFERENCE_MODEL_DIR ? path.resolve(v.INFERENCE_MODEL_DIR) : DEFAULT_MODEL_DIR,
    modelName: v.INFERENCE_MODEL,
    modelVersion: v.INFERENCE_MODEL_VERSION,
    adminToken: v.INFERENCE_ADMIN_TOKEN,
    providers: v.INFERENCE_PROVIDERS,
    maxBatch: v.INFERENCE_MAX_BATCH,
    maxWaitMs: v.INFERENCE_MAX_WAIT_MS,
    intraOpThreads: v.INFERENCE_INTRA_OP_THREADS,
  };
}
