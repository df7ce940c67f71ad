/**
 * Configuration of the validator process: the only module of it that reads process.env. Fails
 * with one line that names the bad variable.
 */
import type { Hex } from 'viem';
import { z } from 'zod';

export interface ValidatorConfig {
  rpcUrl: string;
  deploymentFile: string;
  inferenceUrl: string;
  /** Private keys of the validator hotkeys this process sets weights for. */
  keys: Hex[];
  pollMs: number;
  sharpness: number;
  topK?: number;
  model?: string;
}

export class ValidatorConfigError extends Error {
  override name = 'ValidatorConfigError';
}

const int = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'expected a non-negative integer').transform(Number).pipe(z.number().int().min(min).max(max));

const schema = z.object({
  RPC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  DEPLOYMENT_FILE: z.string({ error: 'required: path of the deployment JSON written by the deployer' }).min(1),
  INFERENCE_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the inference service' }),
  VALIDATOR_KEYS: z
    .string({ error: 'required: comma-separated 0x private keys of the validator hotkeys' })
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'each key must be 0x and 64 hex digits')).min(1)),
  VALIDATOR_POLL_MS: int(50, 3_600_000).default(2000),
  VALIDATOR_SHARPNESS: z
    .string()
    .trim()
    .transform(Number)
    .pipe(z.number({ error: 'expected a number' }).positive().max(16))
    .default(2),
  VALIDATOR_TOP_K: int(1, 256).optional(),
  VALIDATOR_MODEL: z.string().min(1).optional(),
});

export function loadValidatorConfig(env: NodeJS.ProcessEnv = process.env): ValidatorConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    // Never echo a private key back.
    const shown = env[name] === undefined ? 'unset' : name === 'VALIDATOR_KEYS' ? '(hidden)' : JSON.stringify(env[name]);
    throw new ValidatorConfigError(`${name} is invalid (${shown}): ${issue.message}`, { cause: result.error });
  }
  const e = result.data;
  return {
    rpcUrl: e.RPC_URL,
    deploymentFile: e.DEPLOYMENT_FILE,
    inferenceUrl: e.INFERENCE_URL,
    keys: e.VALIDATOR_KEYS as Hex[],
    pollMs: e.VALIDATOR_POLL_MS,
    sharpness: e.VALIDATOR_SHARPNESS,
    topK: e.VALIDATOR_TOP_K,
    model: e.VALIDATOR_MODEL,
  };
}
