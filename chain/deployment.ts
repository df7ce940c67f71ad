/**
 * The Deployment record (which chain, which contracts, from which block) and its file format.
 * Every process that talks to the protocol (indexer, gateway, simulator) reads it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DeploymentFileError } from './errors';

const address = z
  .string()
  .regex(/^0x[0-9a-f]{40}$/, 'expected a lowercase 0x-prefixed 20-byte address')
  .transform((s) => s as `0x${string}`);

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  genesisHash: z
    .string()
    .regex(/^0x[0-9a-f]{64}$/, 'expected a lowercase 0x-prefixed 32-byte hash')
    .transform((s) => s as `0x${string}`),
  /** Block of the first deployment transaction: where indexing starts. */
  startBlock: z.number().int().nonnegative(),
  contracts: z.object({
    token: address,
    forwarder: address,
    registry: address,
    market: address,
    ledger: address,
  }),
  deployer: address,
});

/** Addresses are lowercase everywhere, so they compare with === and match indexed rows. */
export type Deployment = z.output<typeof deploymentSchema>;

/** Validates an unknown value as a Deployment; `source` names it in errors. */
export function parseDeployment(value: unknown, source: string): Deployment {
  const result = deploymentSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new DeploymentFileError(source, `invalid field "${field}": ${issue.message}`, { cause: result.error });
  }
  return result.data;
}

export function readDeployment(file: string): Deployment {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DeploymentFileError(file, `cannot read deployment file (${(cause as Error).message})`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DeploymentFileError(file, `not valid JSON (${(cause as Error).message})`, { cause });
  }
  return parseDeployment(json, file);
}

/** Writes atomically (temp file + rename) so a reader never sees half a file. */
export function writeDeployment(file: string, deployment: Deployment): void {
  const valid = parseDeployment(deployment, file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
