// The mutations the gateway relays: which contract function each one calls, how its calldata is
// built and read back, what its receipt created, and which contract errors have codes of their
// own. Pure: no I/O.
import {
  type Abi,
  type Address,
  decodeErrorResult,
  decodeFunctionData,
  encodeFunctionData,
  type Hex,
  type Log,
  parseEventLogs,
} from 'viem';
import { computeMarketAbi, forwarderAbi, gridTokenAbi, subnetRegistryAbi } from '../../chain';
import { BadUserInputError, ErrorCode, type MutationErrorCode } from '../errors';

export type ContractKey = 'market' | 'registry';

const ABIS: Record<ContractKey, Abi> = { market: computeMarketAbi, registry: subnetRegistryAbi };

/** Mutation name → the contract function it calls (the request's `to` and the selector of its `data`). */
export const ACTIONS = {
  registerProvider: { contract: 'market', functionName: 'registerProvider' },
  updateProvider: { contract: 'market', functionName: 'updateProvider' },
  submitJob: { contract: 'market', functionName: 'postJob' },
  cancelJob: { contract: 'market', functionName: 'cancelJob' },
  claimJob: { contract: 'market', functionName: 'claimJob' },
  submitJobResult: { contract: 'market', functionName: 'completeJob' },
  approveJob: { contract: 'market', functionName: 'approveJob' },
  rejectJob: { contract: 'market', functionName: 'rejectJob' },
  addStake: { contract: 'registry', functionName: 'addStake' },
  removeStake: { contract: 'registry', functionName: 'removeStake' },
  setWeights: { contract: 'registry', functionName: 'setWeights' },
} as const satisfies Record<string, { contract: ContractKey; functionName: string }>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

/** The decoded arguments of each action's call, as the role checks read them. */
export type ActionCall =
  | { action: 'registerProvider' | 'updateProvider'; gpuModel: string; vramGb: number; benchmarkScore: number; tier: number }
  | { action: 'submitJob'; marketId: number; specHash: Hex; workEstimate: bigint; deadline: bigint }
  | { action: 'cancelJob' | 'claimJob' | 'approveJob' | 'rejectJob'; jobId: bigint }
  | { action: 'submitJobResult'; jobId: bigint; resultHash: Hex; workUnits: bigint }
  | { action: 'addStake' | 'removeStake'; hotkey: Address; netuid: number; amount: bigint }
  | { action: 'setWeights'; netuid: number; uids: number[]; values: number[] };

/** Calldata of `action` with its contract arguments in the function's order; BAD_USER_INPUT if they do not fit the ABI. */
export function encodeAction(action: ActionName, args: readonly unknown[]): Hex {
  const { contract, functionName } = ACTIONS[action];
  try {
    return encodeFunctionData({ abi: ABIS[contract], functionName, args } as never);
  } catch (err) {
    throw new BadUserInputError(`arguments of ${action} do not fit ${functionName}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Reads a request's calldata back as `action`'s call; BAD_USER_INPUT when the request calls another
 * function (a request signed for approveJob cannot be sent as cancelJob, nor to another contract).
 */
export function decodeAction(action: ActionName, to: Address, contracts: Record<ContractKey, Address>, data: Hex): ActionCall {
  const { contract, functionName } = ACTIONS[action];
  if (to !== contracts[contract]) throw new BadUserInputError(`request.to must be the ${contract} (${contracts[contract]}) for ${action}`);
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: ABIS[contract], data });
  } catch {
    throw new BadUserInputError(`request.data is not a call of the ${contract}`);
  }
  if (decoded.functionName !== functionName) {
    throw new BadUserInputError(`request.data calls ${decoded.functionName}, but ${action} relays ${functionName}`);
  }
  const a = decoded.args ?? [];
  switch (action) {
    case 'registerProvider':
    case 'updateProvider':
      return { action, gpuModel: a[0] as string, vramGb: Number(a[1]), benchmarkScore: Number(a[2]), tier: Number(a[3]) };
    case 'submitJob':
      return { action, marketId: Number(a[0]), specHash: a[1] as Hex, workEstimate: a[2] as bigint, deadline: a[3] as bigint };
    case 'cancelJob':
    case 'claimJob':
    case 'approveJob':
    case 'rejectJob':
      return { action, jobId: a[0] as bigint };
    case 'submitJobResult':
      return { action, jobId: a[0] as bigint, resultHash: a[1] as Hex, workUnits: a[2] as bigint };
    case 'addStake':
    case 'removeStake':
      return { action, hotkey: (a[0] as string).toLowerCase() as Address, netuid: Number(a[1]), amount: a[2] as bigint };
    case 'setWeights':
      return {
        action,
        netuid: Number(a[0]),
        uids: (a[1] as readonly number[]).map(Number),
        values: (a[2] as readonly number[]).map(Number),
      };
  }
}

/** What a relayed action created or changed, read from its receipt's logs. */
export interface ActionOutcome {
  /** The entity's id as the index keys it: a job id, a provider address, coldkey-hotkey-netuid, netuid-uid. */
  id: string;
  jobId?: number;
  provider?: Address;
}

const OUTCOME_EVENT: Record<ActionName, string> = {
  registerProvider: 'ProviderRegistered',
  updateProvider: 'ProviderUpdated',
  submitJob: 'JobPosted',
  cancelJob: 'JobCancelled',
  claimJob: 'JobClaimed',
  submitJobResult: 'JobCompleted',
  approveJob: 'JobApproved',
  rejectJob: 'JobRejected',
  addStake: 'StakeAdded',
  removeStake: 'StakeRemoved',
  setWeights: 'WeightsSet',
};

export function readOutcome(action: ActionName, contractAddress: Address, logs: readonly Log[]): ActionOutcome | undefined {
  const { contract } = ACTIONS[action];
  const events = parseEventLogs({
    abi: ABIS[contract],
    logs: logs.filter((l) => l.address.toLowerCase() === contractAddress) as Log[],
  }) as unknown as { eventName: string; args: Record<string, unknown> }[];
  const e = events.find((x) => x.eventName === OUTCOME_EVENT[action]);
  if (!e) return undefined;
  const args = e.args;
  const lower = (v: unknown) => String(v).toLowerCase() as Address;
  switch (action) {
    case 'registerProvider':
    case 'updateProvider':
      return { id: lower(args.provider), provider: lower(args.provider) };
    case 'addStake':
    case 'removeStake':
      return { id: `${lower(args.coldkey)}-${lower(args.hotkey)}-${Number(args.netuid)}` };
    case 'setWeights':
      return { id: `${Number(args.netuid)}-${Number(args.uid)}` };
    default: {
      const jobId = Number(args.jobId as bigint);
      return { id: String(jobId), jobId };
    }
  }
}

/** Every error the relayed calls can revert with: the contracts', the token's (through SafeERC20) and the forwarder's. */
const ERROR_ABI = [computeMarketAbi, subnetRegistryAbi, gridTokenAbi, forwarderAbi]
  .flat()
  .filter((item) => item.type === 'error')
  .filter((item, i, all) => all.findIndex((o) => o.type === 'error' && o.name === item.name) === i) as Abi;

export interface DecodedRevert {
  name: string;
  /** Arguments by name (integers as decimal strings), for `extensions.contractError`. */
  args: Record<string, string | boolean | string[]>;
}

const show = (v: unknown): string | boolean | string[] =>
  Array.isArray(v) ? v.map((x) => String(x)) : typeof v === 'boolean' ? v : typeof v === 'string' ? v.toLowerCase() : String(v);

/** A revert's data decoded against the protocol's errors; null when it is not one of them (or empty). */
export function decodeRevert(data: Hex | undefined): DecodedRevert | null {
  if (!data || data === '0x') return null;
  try {
    const { errorName, args, abiItem } = decodeErrorResult({ abi: ERROR_ABI, data });
    const inputs = (abiItem as { inputs?: readonly { name?: string }[] }).inputs ?? [];
    const named: DecodedRevert['args'] = {};
    (args ?? []).forEach((v, i) => {
      named[inputs[i]?.name || `arg${i}`] = show(v);
    });
    return { name: errorName, args: named };
  } catch {
    return null;
  }
}

/** The code a contract error maps to: the few that say what the user lacks, else CONTRACT_REVERTED. */
export function revertCode(name: string | undefined): MutationErrorCode {
  switch (name) {
    case 'ERC20InsufficientBalance':
      return ErrorCode.INSUFFICIENT_BALANCE;
    case 'ERC20InsufficientAllowance':
      return ErrorCode.INSUFFICIENT_ALLOWANCE;
    case 'InsufficientStake':
      return ErrorCode.INSUFFICIENT_STAKE;
    case 'ERC2771ForwarderInvalidSigner':
      return ErrorCode.INVALID_SIGNATURE;
    case 'ERC2771ForwarderExpiredRequest':
    case 'ERC2612ExpiredSignature':
      return ErrorCode.REQUEST_EXPIRED;
    case 'ERC2612InvalidSigner':
      return ErrorCode.INVALID_SIGNATURE;
    default:
      return ErrorCode.CONTRACT_REVERTED;
  }
}
