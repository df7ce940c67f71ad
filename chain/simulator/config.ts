/**
 * Configuration of the simulator process: the only module of it that reads process.env.
 * Fails with one line that names the bad variable.
 */
import { z } from 'zod';
import { SimulatorConfigError } from '../errors';
import { PRESET_NAMES, type PresetName } from './presets';

export interface SimulatorConfig {
  rpcUrl: string;
  deploymentFile: string;
  seed: number;
  preset: PresetName;
  /** Pause between rounds. */
  roundMs: number;
  /** Log one line every this many rounds. */
  logEvery: number;
  /** The inference service: the compute subnet's honest validators set its scores as weights (inference/validator). */
  inferenceUrl?: string;
}

const int = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'expected a non-negative integer').transform(Number).pipe(z.number().int().min(min).max(max));

const schema = z.object({
  RPC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  DEPLOYMENT_FILE: z.string({ error: 'required: path of the deployment JSON written by the deployer' }).min(1, 'must not be empty'),
  SIM_SEED: int(0, 0xffffffff).default(42),
  SIM_PRESET: z
    .enum(PRESET_NAMES as [PresetName, ...PresetName[]], { error: `expected one of ${PRESET_NAMES.join(', ')}` })
    .default('small'),
  SIM_ROUND_MS: int(0, 3_600_000).default(1000),
  SIM_LOG_EVERY: int(1, 1_000_000).default(10),
  INFERENCE_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the inference service' }).optional(),
});

export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  // Empty strings count as unset, as shells often export VAR= for "nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const shown = env[name] === undefined ? 'unset' : JSON.stringify(env[name]);
    throw new SimulatorConfigError(`${name} is invalid (${shown}): ${issue.message}`, { cause: result.error });
  }
  const e = result.data;
  return {
    rpcUrl: e.RPC_URL,
    deploymentFile: e.DEPLOYMENT_FILE,
    seed: e.SIM_SEED,
    preset: e.SIM_PRESET,
    roundMs: e.SIM_ROUND_MS,
    logEvery: e.SIM_LOG_EVERY,
    inferenceUrl: e.INFERENCE_URL,
  };
}
