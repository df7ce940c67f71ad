/**
 * Configuration of the keeper process: the only module of it that reads process.env.
 * Fails with one line that names the bad variable.
 */
import type { Hex } from 'viem';
import { z } from 'zod';
import { HARDHAT_KEEPER_KEY } from '../deploy-ledger';
import { KeeperConfigError } from '../errors';

export interface KeeperConfig {
  rpcUrl: string;
  deploymentFile: string;
  /** Private key holding the ledger's KEEPER_ROLE. */
  keeperKey: Hex;
  pollMs: number;
}

const schema = z.object({
  RPC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  DEPLOYMENT_FILE: z.string({ error: 'required: path of the deployment JSON written by the deployer' }).min(1, 'must not be empty'),
  // Default: Hardhat's account #9, which deployProtocol grants KEEPER_ROLE. Devnets only.
  KEEPER_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex private key')
    .default(HARDHAT_KEEPER_KEY),
  KEEPER_POLL_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(10).max(3_600_000))
    .default(1000),
});

export function loadKeeperConfig(env: NodeJS.ProcessEnv = process.env): KeeperConfig {
  // Empty strings count as unset, as shells often export VAR= for "nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    // Never echo a key back into logs.
    const shown = env[name] === undefined ? 'unset' : name === 'KEEPER_KEY' ? 'set' : JSON.stringify(env[name]);
    throw new KeeperConfigError(`${name} is invalid (${shown}): ${issue.message}`, { cause: result.error });
  }
  const e = result.data;
  return { rpcUrl: e.RPC_URL, deploymentFile: e.DEPLOYMENT_FILE, keeperKey: e.KEEPER_KEY as Hex, pollMs: e.KEEPER_POLL_MS };
}
