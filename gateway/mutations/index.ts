// Signed mutations: EIP-712 typed data to sign, checks, and relaying through the ERC-2771 forwarder.
import { createPublicClient, type Hex, http, type PublicClient } from 'viem';
import type { Deployment } from '../../chain';
import type { QueryFn } from '../store';
import { createRelayer } from './relayer';
import { createMutationService, type MutationRateLimits, type MutationService } from './service';

export { ACTION_NAMES, type ActionName, decodeRevert, encodeAction } from './actions';
export { MutationResolver } from './mutation.resolver';
export { createRelayer, DEVNET_RELAYER_KEY, type Relayer } from './relayer';
export {
  createMutationService,
  DEFAULT_MUTATION_RATE_LIMITS,
  type MutationRateLimits,
  type MutationService,
  type RelayResult,
} from './service';
export { buildForwardRequestTypedData, buildPermitTypedData, type ForwardRequest, type Permit, type TypedDataJson } from './typed-data';

export interface CreateMutationsParameters {
  deployment: Deployment;
  rpcUrl: string;
  /** Without a relayer key the typed-data queries work and the mutations answer MUTATIONS_UNAVAILABLE. */
  relayerKey?: Hex;
  query: QueryFn;
  rateLimits?: MutationRateLimits;
}

/** The mutation service of one gateway: its reads and, given a key, its relayer. */
export function createMutations(p: CreateMutationsParameters): MutationService {
  const relayer = p.relayerKey ? createRelayer({ rpcUrl: p.rpcUrl, privateKey: p.relayerKey }) : undefined;
  const publicClient = relayer?.publicClient ?? (createPublicClient({ transport: http(p.rpcUrl, { retryCount: 0 }) }) as PublicClient);
  return createMutationService({ deployment: p.deployment, publicClient, relayer, query: p.query, rateLimits: p.rateLimits });
}
