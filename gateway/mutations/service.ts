// The mutation pipeline. `prepare*` builds what a wallet signs (the call, the signer's next nonce,
// a deadline on the chain's clock, a gas limit); `submit*` checks a signed request in order (shape,
// signature, rate limits, deadline, nonce, role from the index, a simulation of the call) and only
// then relays it and reads what it created from the receipt. Every refusal is a MutationError (or
// BAD_USER_INPUT / RATE_LIMITED) raised before anything is sent, so it changes nothing.
// Reads and simulations use the latest block, not 'pending': on an interval-mining node every
// pending-state call executes the whole mempool again, which made 64 parallel mutations take 8 s
// instead of 2. So a signer's next request is accepted once the previous one is mined (the default,
// wait: true, answers only then); sent with wait: false, the next one gets NONCE_USED until then.
import {
  type Address,
  BaseError,
  concat,
  encodeFunctionData,
  type Hex,
  isHex,
  type PublicClient,
  parseEventLogs,
  parseSignature as splitSignature,
  type TransactionReceipt,
} from 'viem';
import { computeMarketAbi, type Deployment, forwarderAbi, gridTokenAbi, ROLES } from '../../chain';
import { BadUserInputError, ErrorCode, MutationError, RateLimitedError } from '../errors';
import { createRateLimiter, type RateLimiter } from '../ratelimit';
import type { QueryFn } from '../store';
import {
  ACTIONS,
  type ActionName,
  type ActionOutcome,
  type ContractKey,
  decodeAction,
  decodeRevert,
  encodeAction,
  readOutcome,
  revertCode,
} from './actions';
import type { Relayer } from './relayer';
import { type ChainReads, checkRole } from './roles';
import {
  buildForwardRequestTypedData,
  buildPermitTypedData,
  type Eip712Domain,
  type ForwardRequest,
  type Permit,
  parseAddress,
  parseForwardRequest,
  parsePermit,
  parseSignature,
  recoverSigner,
  type TypedDataJson,
} from './typed-data';

/** Requests signed now expire this long after the chain's current time unless asked otherwise. */
export const DEFAULT_EXPIRES_IN_S = 600;
export const MAX_EXPIRES_IN_S = 7 * 24 * 3600;
/** Forwarded gas when the call cannot be estimated yet (it would revert now, e.g. before an approval). */
const FALLBACK_GAS = 1_000_000n;

export interface MutationRateLimits {
  /** Mutations per minute per signer address (token bucket). */
  perAddressPerMinute: number;
  perAddressBurst: number;
  /** Mutations per minute per client IP. */
  perIpPerMinute: number;
  perIpBurst: number;
}

export const DEFAULT_MUTATION_RATE_LIMITS: MutationRateLimits = {
  perAddressPerMinute: 30,
  perAddressBurst: 10,
  perIpPerMinute: 120,
  perIpBurst: 30,
};

export interface MutationServiceOptions {
  deployment: Deployment;
  /** Reads (nonces, allowances, simulations); the relayer's client when there is one. */
  publicClient: PublicClient;
  /** Without one the typed-data queries work and the mutations answer MUTATIONS_UNAVAILABLE. */
  relayer?: Relayer;
  query: QueryFn;
  rateLimits?: MutationRateLimits;
  now?: () => number;
}

export type RelayStatus = 'SUCCESS' | 'PENDING';

export interface RelayResult extends Partial<ActionOutcome> {
  transactionHash: Hex;
  status: RelayStatus;
  signer: Address;
  nonce: bigint;
  blockNumber: number | null;
  gasUsed: bigint | null;
}

export interface Signable<R> {
  typedData: TypedDataJson;
  request: R;
}

export interface SubmitOptions {
  clientIp?: string;
  /** false: answer once the transaction is sent (status PENDING); true (default): once it is mined. */
  wait?: boolean;
}

export type TokenSpender = 'market' | 'registry';

export interface MutationService {
  readonly relayerAddress: Address | null;
  prepare(action: ActionName, from: string, args: readonly unknown[], expiresIn?: number): Promise<Signable<ForwardRequest>>;
  submit(action: ActionName, request: Record<string, unknown>, signature: unknown, opts?: SubmitOptions): Promise<RelayResult>;
  preparePermit(owner: string, spender: TokenSpender, amount: bigint, expiresIn?: number): Promise<Signable<Permit>>;
  submitPermit(permit: Record<string, unknown>, signature: unknown, opts?: SubmitOptions): Promise<RelayResult>;
  /** The chain's clock (the latest block's timestamp), which deadlines are measured on. */
  chainTime(): Promise<bigint>;
}

/** `data` of one error in a chain: the revert data as hex, or nested as `{ data }` (JSON-RPC error objects). */
function hexData(e: unknown): Hex | undefined {
  const data = (e as { data?: unknown } | null)?.data;
  if (typeof data === 'string' && isHex(data)) return data;
  const nested = (data as { data?: unknown } | null)?.data;
  return typeof nested === 'string' && isHex(nested) ? nested : undefined;
}

/** The revert data inside a viem error (CallExecutionError, EstimateGasExecutionError, ...), if any. */
function revertDataOf(err: unknown): Hex | undefined {
  if (!(err instanceof BaseError)) return undefined;
  return hexData(err.walk((e) => hexData(e) !== undefined));
}

function revertError(err: unknown, what: string): MutationError {
  const decoded = decodeRevert(revertDataOf(err));
  const code = revertCode(decoded?.name);
  const reason = decoded ? `${decoded.name}(${Object.values(decoded.args).join(', ')})` : 'a revert without a known error';
  return new MutationError(code, `${what} would revert on chain: ${reason}`, {
    extensions: { contractError: decoded ?? { name: null, args: {} } },
    originalError: err as Error,
  });
}

/** r, s and v (27 or 28: OpenZeppelin's ECDSA refuses 0 and 1, which some wallets send), and the three packed. */
function rsv(signature: Hex): { r: Hex; s: Hex; v: number; packed: Hex } {
  const { r, s, yParity } = splitSignature(signature);
  const v = 27 + yParity;
  return { r, s, v, packed: concat([r, s, `0x${v.toString(16)}`]) };
}

function expiresInOrDefault(expiresIn: number | undefined): bigint {
  const s = expiresIn ?? DEFAULT_EXPIRES_IN_S;
  if (!Number.isInteger(s) || s < 1 || s > MAX_EXPIRES_IN_S)
    throw new BadUserInputError(`expiresIn must be between 1 and ${MAX_EXPIRES_IN_S} seconds`);
  return BigInt(s);
}

export function createMutationService(opts: MutationServiceOptions): MutationService {
  const { deployment, publicClient: client, relayer, query } = opts;
  const contracts = deployment.contracts;
  const targets: Record<ContractKey, Address> = { market: contracts.market, registry: contracts.registry };
  const limits = opts.rateLimits ?? DEFAULT_MUTATION_RATE_LIMITS;
  const limiter = (perMinute: number, burst: number): RateLimiter | undefined =>
    perMinute > 0 ? createRateLimiter({ perSecond: perMinute / 60, burst, now: opts.now }) : undefined;
  const byAddress = limiter(limits.perAddressPerMinute, limits.perAddressBurst);
  const byIp = limiter(limits.perIpPerMinute, limits.perIpBurst);
  /** Requests between their nonce check and their receipt: a second one with the same signer and nonce is a replay. */
  const inFlight = new Set<string>();

  const domains = new Map<Address, Promise<Eip712Domain>>();
  /** ERC-5267 eip712Domain() of the forwarder or the token, read once. */
  const domainOf = (address: Address) => {
    let d = domains.get(address);
    if (!d) {
      d = client
        .readContract({ address, abi: forwarderAbi, functionName: 'eip712Domain' })
        .then(([, name, version, chainId, verifyingContract]) => ({
          name,
          version,
          chainId: Number(chainId),
          verifyingContract: verifyingContract.toLowerCase() as Address,
        }));
      d.catch(() => domains.delete(address));
      domains.set(address, d);
    }
    return d;
  };

  const chainTime = async () => (await client.getBlock({ blockTag: 'latest' })).timestamp;
  const forwarderNonce = (from: Address) =>
    client.readContract({ address: contracts.forwarder, abi: forwarderAbi, functionName: 'nonces', args: [from] });
  const tokenNonce = (owner: Address) =>
    client.readContract({ address: contracts.token, abi: gridTokenAbi, functionName: 'nonces', args: [owner] });

  const reads: ChainReads = {
    quotePayment: (marketId, workEstimate) =>
      client.readContract({
        address: contracts.market,
        abi: computeMarketAbi,
        functionName: 'quotePayment',
        args: [marketId, workEstimate],
      }),
    allowance: (owner, spender) =>
      client.readContract({
        address: contracts.token,
        abi: gridTokenAbi,
        functionName: 'allowance',
        args: [owner, spender],
      }),
  };

  const rateLimit = (limiterOf: RateLimiter | undefined, key: string | undefined) => {
    if (!limiterOf || !key) return;
    const r = limiterOf.take(key);
    if (!r.ok) throw new RateLimitedError(r.retryAfterMs);
  };

  const requireRelayer = (): Relayer => {
    if (!relayer) {
      throw new MutationError(ErrorCode.MUTATIONS_UNAVAILABLE, 'this gateway relays no mutations (no RELAYER_KEY configured)');
    }
    return relayer;
  };

  const checkDeadline = async (deadline: bigint) => {
    const now = await chainTime();
    if (deadline <= now) {
      throw new MutationError(ErrorCode.REQUEST_EXPIRED, `the request expired at ${deadline}; the chain's time is ${now}: sign a new one`, {
        extensions: { deadline: deadline.toString(), chainTime: now.toString() },
      });
    }
  };

  /** Claims (signer, nonce) for this request, or throws NONCE_USED / NONCE_TOO_HIGH. The caller releases it. */
  const claimNonce = (kind: string, signer: Address, nonce: bigint, current: bigint): string => {
    const key = `${kind}:${signer}:${nonce}`;
    if (nonce < current || inFlight.has(key)) {
      throw new MutationError(ErrorCode.NONCE_USED, `nonce ${nonce} of ${signer} was used already (the next is ${current}): a replay`, {
        extensions: { nonce: nonce.toString(), expectedNonce: current.toString() },
      });
    }
    if (nonce > current) {
      throw new MutationError(ErrorCode.NONCE_TOO_HIGH, `nonce ${nonce} is ahead of ${signer}'s next nonce ${current}: sign again`, {
        extensions: { nonce: nonce.toString(), expectedNonce: current.toString() },
      });
    }
    inFlight.add(key);
    return key;
  };

  const relay = async (
    r: Relayer,
    tx: { to: Address; data: Hex },
    what: string,
    wait: boolean,
    release: () => void,
  ): Promise<{ hash: Hex; receipt?: TransactionReceipt }> => {
    let gas: bigint;
    try {
      // 'latest' explicitly: a node's eth_estimateGas defaults to the pending block (see the top).
      gas = await client.estimateGas({ account: r.address, to: tx.to, data: tx.data, blockTag: 'latest' });
    } catch (err) {
      const data = revertDataOf(err);
      if (data) throw revertError(err, what);
      throw new MutationError(ErrorCode.RELAY_FAILED, `cannot estimate the relay of ${what}: ${(err as Error).message.split('\n')[0]}`, {
        originalError: err as Error,
      });
    }
    let hash: Hex;
    try {
      hash = await r.send({ to: tx.to, data: tx.data, gas: (gas * 6n) / 5n + 10_000n });
    } catch (err) {
      throw new MutationError(ErrorCode.RELAY_FAILED, `the relayer could not send ${what}: ${(err as Error).message.split('\n')[0]}`, {
        originalError: err as Error,
      });
    }
    const mined = r.wait(hash).finally(release);
    if (!wait) {
      mined.catch(() => undefined);
      return { hash };
    }
    let receipt: TransactionReceipt;
    try {
      receipt = await mined;
    } catch (err) {
      throw new MutationError(
        ErrorCode.RELAY_FAILED,
        `sent ${what} as ${hash} but saw no receipt: ${(err as Error).message.split('\n')[0]}`,
        {
          extensions: { transactionHash: hash },
          originalError: err as Error,
        },
      );
    }
    if (receipt.status !== 'success') {
      // Something changed between the simulation and the block (another transaction got there first).
      throw new MutationError(ErrorCode.CONTRACT_REVERTED, `${what} reverted on chain in ${hash}; nothing changed, the nonce is unused`, {
        extensions: { transactionHash: hash, contractError: { name: null, args: {} } },
      });
    }
    return { hash, receipt };
  };

  const result = (
    hash: Hex,
    receipt: TransactionReceipt | undefined,
    signer: Address,
    nonce: bigint,
    outcome: Partial<ActionOutcome> | undefined,
  ): RelayResult => ({
    transactionHash: hash,
    status: receipt ? 'SUCCESS' : 'PENDING',
    signer,
    nonce,
    blockNumber: receipt ? Number(receipt.blockNumber) : null,
    gasUsed: receipt ? receipt.gasUsed : null,
    ...outcome,
  });

  return {
    relayerAddress: relayer?.address ?? null,
    chainTime,

    async prepare(action, fromInput, args, expiresIn) {
      const from = parseAddress(fromInput, 'from');
      const ttl = expiresInOrDefault(expiresIn);
      const { contract } = ACTIONS[action];
      const data = encodeAction(action, args);
      const to = targets[contract];
      const [domain, nonce, now, estimate] = await Promise.all([
        domainOf(contracts.forwarder),
        forwarderNonce(from),
        chainTime(),
        // As the forwarder will call it: from the forwarder, with the signer appended (ERC-2771).
        client.estimateGas({ account: contracts.forwarder, to, data: concat([data, from]), blockTag: 'latest' }).catch(() => undefined),
      ]);
      const gas = estimate === undefined ? FALLBACK_GAS : (estimate * 3n) / 2n + 50_000n;
      const request: ForwardRequest = { from, to, value: 0n, gas, nonce, deadline: now + ttl, data };
      return { typedData: buildForwardRequestTypedData(domain, request), request };
    },

    async submit(action, input, signatureInput, submitOpts = {}) {
      rateLimit(byIp, submitOpts.clientIp);
      const r = requireRelayer();
      const request = parseForwardRequest(input);
      const signature = parseSignature(signatureInput);
      if (request.value !== 0n) throw new BadUserInputError('request.value must be 0: the protocol takes no ETH');
      const call = decodeAction(action, request.to, targets, request.data);
      const typedData = buildForwardRequestTypedData(await domainOf(contracts.forwarder), request);
      const signer = await recoverSigner(typedData, signature);
      if (signer !== request.from) {
        throw new MutationError(ErrorCode.INVALID_SIGNATURE, `the signature is not ${request.from}'s over this request`, {
          extensions: { recovered: signer },
        });
      }
      rateLimit(byAddress, signer);
      await checkDeadline(request.deadline);
      const key = claimNonce('forward', signer, request.nonce, await forwarderNonce(signer));
      let released = false;
      const release = () => {
        if (!released) inFlight.delete(key);
        released = true;
      };
      try {
        await checkRole(call, signer, { query, chain: reads, contracts: targets, validatorRole: ROLES.VALIDATOR });
        // The call as the target will see it, from the forwarder with the signer appended: a revert
        // comes back with the contract's own error, not the forwarder's FailedCall.
        try {
          await client.call({
            account: contracts.forwarder,
            to: request.to,
            data: concat([request.data, signer]),
            gas: request.gas,
          });
        } catch (err) {
          throw revertError(err, action);
        }
        const execute = encodeFunctionData({
          abi: forwarderAbi,
          functionName: 'execute',
          args: [
            {
              from: request.from,
              to: request.to,
              value: request.value,
              gas: request.gas,
              deadline: Number(request.deadline),
              data: request.data,
              signature: rsv(signature).packed,
            },
          ],
        });
        const { hash, receipt } = await relay(r, { to: contracts.forwarder, data: execute }, action, submitOpts.wait !== false, release);
        const outcome = receipt ? readOutcome(action, request.to, receipt.logs) : undefined;
        return result(hash, receipt, signer, request.nonce, outcome);
      } catch (err) {
        release();
        throw err;
      }
    },

    async preparePermit(ownerInput, spender, amount, expiresIn) {
      const owner = parseAddress(ownerInput, 'owner');
      const ttl = expiresInOrDefault(expiresIn);
      const [domain, nonce, now] = await Promise.all([domainOf(contracts.token), tokenNonce(owner), chainTime()]);
      const permit: Permit = { owner, spender: targets[spender], value: amount, nonce, deadline: now + ttl };
      return { typedData: buildPermitTypedData(domain, permit), request: permit };
    },

    async submitPermit(input, signatureInput, submitOpts = {}) {
      rateLimit(byIp, submitOpts.clientIp);
      const r = requireRelayer();
      const permit = parsePermit(input);
      const signature = parseSignature(signatureInput);
      if (permit.spender !== targets.market && permit.spender !== targets.registry) {
        throw new BadUserInputError(`permit.spender must be the market (${targets.market}) or the registry (${targets.registry})`);
      }
      const typedData = buildPermitTypedData(await domainOf(contracts.token), permit);
      const signer = await recoverSigner(typedData, signature);
      if (signer !== permit.owner) {
        throw new MutationError(ErrorCode.INVALID_SIGNATURE, `the signature is not ${permit.owner}'s over this permit`, {
          extensions: { recovered: signer },
        });
      }
      rateLimit(byAddress, signer);
      await checkDeadline(permit.deadline);
      const key = claimNonce('permit', signer, permit.nonce, await tokenNonce(signer));
      let released = false;
      const release = () => {
        if (!released) inFlight.delete(key);
        released = true;
      };
      try {
        const { r: sr, s, v } = rsv(signature);
        const data = encodeFunctionData({
          abi: gridTokenAbi,
          functionName: 'permit',
          args: [permit.owner, permit.spender, permit.value, permit.deadline, v, sr, s],
        });
        try {
          await client.call({ account: r.address, to: contracts.token, data });
        } catch (err) {
          throw revertError(err, 'approveToken');
        }
        const { hash, receipt } = await relay(r, { to: contracts.token, data }, 'approveToken', submitOpts.wait !== false, release);
        let outcome: Partial<ActionOutcome> | undefined;
        if (receipt) {
          const approval = parseEventLogs({ abi: gridTokenAbi, eventName: 'Approval', logs: receipt.logs })[0];
          if (approval) outcome = { id: `${approval.args.owner.toLowerCase()}-${approval.args.spender.toLowerCase()}` };
        }
        return result(hash, receipt, signer, permit.nonce, outcome);
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}
