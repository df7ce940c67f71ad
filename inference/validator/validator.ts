/**
 * The compute subnet's validator loop: each tempo, a validator (a hotkey holding a validator permit
 * on the compute subnet) asks the inference service for the scores of the subnet's miners (the
 * compute market's providers: a provider registers its own address as a hotkey there), turns them
 * into a u16 weight row (weights.ts) and sets it with SubnetRegistry.setWeights. Yuma, run by the
 * keeper, turns the weights of all validators into each provider's emission.
 *
 * I/O only; the arithmetic is weights.ts. Two ways in:
 * - createComputeValidator(): holds validator keys and sends the transactions itself (the process of
 *   main.ts, for a validator that runs on its own);
 * - createModelWeights(): only the row, for a host that sends transactions itself (the simulator's
 *   honest validators of the compute subnet).
 */
import { type Address, createPublicClient, createWalletClient, type Hex, http, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { computeMarketAbi, type Deployment, epochLedgerAbi, subnetRegistryAbi } from '../../chain';
import { type ScoresToWeightsOptions, scoresToWeights, type WeightRow } from './weights';

export class ValidatorError extends Error {
  override name = 'ValidatorError';
}

/** The compute subnet as a validator sees it at one block. */
export interface ComputeSubnetState {
  netuid: number;
  head: number;
  tempo: number;
  weightsRateLimit: number;
  /** EpochLedger.validatorPermits: bit per uid, and the block of the epoch that granted them (0: none yet). */
  permitBits: bigint;
  epochBlock: number;
  hotkeys: Address[];
  registeredAt: number[];
  lastUpdate: number[];
}

/** Scores of provider addresses from the inference service (`POST /score { addresses }`). */
export interface ProviderScorer {
  /** Score per address; addresses the service does not know (not indexed yet) are absent. */
  score(addresses: readonly Address[]): Promise<Map<Address, number>>;
}

export function createScoreClient(inferenceUrl: string, options: { model?: string; timeoutMs?: number } = {}): ProviderScorer {
  const url = new URL('/score', inferenceUrl).toString();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const post = async (addresses: readonly Address[]) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ addresses, ...(options.model ? { model: options.model } : {}) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { results?: { address: string; score: number }[]; error?: { code: string; message: string } };
    return { status: res.status, body };
  };
  return {
    async score(addresses) {
      const out = new Map<Address, number>();
      if (addresses.length === 0) return out;
      const { status, body } = await post(addresses);
      if (status === 404 && body.error?.code === 'UNKNOWN_ADDRESS') {
        // Some provider is on chain but not indexed yet: score the others one by one, skip it this time.
        const each = await Promise.all(addresses.map((a) => post([a])));
        for (const r of each) {
          if (r.status === 200) for (const x of r.body.results ?? []) out.set(x.address.toLowerCase() as Address, x.score);
          else if (r.status !== 404) throw new ValidatorError(`inference ${url} answered ${r.status}: ${r.body.error?.message ?? ''}`);
        }
        return out;
      }
      if (status !== 200) throw new ValidatorError(`inference ${url} answered ${status}: ${body.error?.message ?? JSON.stringify(body)}`);
      for (const x of body.results ?? []) out.set(x.address.toLowerCase() as Address, x.score);
      return out;
    },
  };
}

/** Remembers which hotkeys are registered providers (a registration is never undone). */
export function createMinerDirectory(client: PublicClient, market: Address) {
  const known = new Set<Address>();
  return {
    async miners(hotkeys: readonly Address[]): Promise<boolean[]> {
      const unknown = [...new Set(hotkeys.filter((h) => !known.has(h)))];
      const regs = await Promise.all(
        unknown.map((h) => client.readContract({ address: market, abi: computeMarketAbi, functionName: 'getProvider', args: [h] })),
      );
      unknown.forEach((h, i) => {
        if (regs[i]?.registered) known.add(h);
      });
      return hotkeys.map((h) => known.has(h));
    },
  };
}

/** The weight row the model gives: every miner of `state` scored, validator `selfUid` left out. */
export async function modelWeightRow(
  state: Pick<ComputeSubnetState, 'hotkeys'>,
  isMiner: readonly boolean[],
  scorer: ProviderScorer,
  options: ScoresToWeightsOptions = {},
): Promise<WeightRow> {
  const miners = state.hotkeys.map((h, uid) => ({ h, uid })).filter(({ uid }) => isMiner[uid]);
  const scores = await scorer.score(miners.map((m) => m.h));
  return scoresToWeights(
    miners.filter((m) => scores.has(m.h)).map((m) => ({ uid: m.uid, score: scores.get(m.h) as number })),
    options,
  );
}

/** Whether `uid` may set weights in the next block: permit of the last epoch, rate limit and tempo passed. */
export function isDue(state: ComputeSubnetState, uid: number): boolean {
  const permit =
    state.epochBlock > 0 && ((state.permitBits >> BigInt(uid)) & 1n) === 1n && (state.registeredAt[uid] as number) <= state.epochBlock;
  if (!permit) return false;
  const last = state.lastUpdate[uid] as number;
  // Once per tempo, and never against the chain's rate limit (subtensor: block − last ≥ limit).
  return last === 0 || state.head + 1 - last >= Math.max(state.weightsRateLimit, state.tempo);
}

export async function readComputeSubnet(client: PublicClient, deployment: Deployment): Promise<ComputeSubnetState | null> {
  const { registry, ledger } = deployment.contracts;
  const netuid = await client.readContract({ address: registry, abi: subnetRegistryAbi, functionName: 'computeNetuid' });
  if (netuid === 0) return null;
  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const at = { blockNumber: BigInt(head) } as const;
  const [[neurons, lastUpdates], hp, [bits, epochBlock]] = await Promise.all([
    client.readContract({ address: registry, abi: subnetRegistryAbi, functionName: 'getNeurons', args: [netuid], ...at }),
    client.readContract({ address: registry, abi: subnetRegistryAbi, functionName: 'getHyperparameters', args: [netuid], ...at }),
    client.readContract({ address: ledger, abi: epochLedgerAbi, functionName: 'validatorPermits', args: [netuid], ...at }),
  ]);
  return {
    netuid,
    head,
    tempo: Number(hp.tempo),
    weightsRateLimit: Number(hp.weightsRateLimit),
    permitBits: bits,
    epochBlock: Number(epochBlock),
    hotkeys: neurons.map((n) => n.hotkey.toLowerCase() as Address),
    registeredAt: neurons.map((n) => Number(n.registeredAtBlock)),
    lastUpdate: lastUpdates.map(Number),
  };
}

export interface ModelWeightsParameters {
  rpcUrl: string;
  deployment: Deployment;
  inferenceUrl: string;
  /** Model name at the service; its default model when absent. */
  model?: string;
  weights?: ScoresToWeightsOptions;
  log?: (line: string) => void;
}

/**
 * The row an honest validator of the compute subnet sets now, for a host that sends transactions
 * itself (the simulator). Resolves to undefined, with one log line, when the service cannot answer.
 */
export function createModelWeights(
  params: ModelWeightsParameters,
): (view: { hotkeys: readonly Address[] }) => Promise<WeightRow | undefined> {
  const client = createPublicClient({ transport: http(params.rpcUrl, { batch: { batchSize: 500 }, retryCount: 0 }) });
  const directory = createMinerDirectory(client, params.deployment.contracts.market);
  const scorer = createScoreClient(params.inferenceUrl, { model: params.model });
  let failing = false;
  return async (view) => {
    try {
      const hotkeys = view.hotkeys.map((h) => h.toLowerCase() as Address);
      const row = await modelWeightRow({ hotkeys }, await directory.miners(hotkeys), scorer, params.weights);
      if (failing) params.log?.('validator: inference service answers again');
      failing = false;
      return row.uids.length > 0 ? row : undefined;
    } catch (err) {
      if (!failing) params.log?.(`validator: no model weights this time (${(err as Error).message})`);
      failing = true;
      return undefined;
    }
  };
}

export interface ComputeValidatorParameters extends ModelWeightsParameters {
  /** Private keys of the validators' hotkeys. */
  keys: readonly Hex[];
  chainId?: number;
}

export interface TickReport {
  head: number;
  /** Validators that set weights in this tick, with their rows. */
  set: { hotkey: Address; uid: number; row: WeightRow; tx: Hex }[];
  /** Why nothing was sent, when nothing was. */
  idle?: string;
}

export interface ComputeValidator {
  /** Checks the chain once and sets the weights of every validator that is due. */
  tick(): Promise<TickReport>;
  /** Ticks every pollMs until the signal aborts; errors of one tick are logged, not thrown. */
  run(opts: { pollMs: number; signal?: AbortSignal; onTick?: (r: TickReport) => void }): Promise<void>;
}

export function createComputeValidator(params: ComputeValidatorParameters): ComputeValidator {
  if (params.keys.length === 0) throw new ValidatorError('no validator keys');
  const log = params.log ?? ((line: string) => console.log(line));
  const client = createPublicClient({ transport: http(params.rpcUrl, { batch: { batchSize: 500 }, retryCount: 0 }) });
  const directory = createMinerDirectory(client, params.deployment.contracts.market);
  const scorer = createScoreClient(params.inferenceUrl, { model: params.model });
  const chain = {
    id: params.chainId ?? params.deployment.chainId,
    name: 'gridmind',
    nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [params.rpcUrl] } },
  } as const;
  const wallets = params.keys.map((key) => {
    const account = privateKeyToAccount(key);
    return {
      hotkey: account.address.toLowerCase() as Address,
      client: createWalletClient({ account, chain, transport: http(params.rpcUrl, { retryCount: 0 }) }),
    };
  });

  async function tick(): Promise<TickReport> {
    const state = await readComputeSubnet(client, params.deployment);
    if (!state) return { head: 0, set: [], idle: 'the deployment has no compute subnet' };
    const due = wallets.map((w) => ({ ...w, uid: state.hotkeys.indexOf(w.hotkey) })).filter((w) => w.uid >= 0 && isDue(state, w.uid));
    if (due.length === 0) return { head: state.head, set: [], idle: 'no validator due (permit, tempo or rate limit)' };
    const isMiner = await directory.miners(state.hotkeys);
    // One scoring for all: the model's view does not depend on who asks.
    const scored = await modelWeightRow(state, isMiner, scorer, params.weights);
    const set: TickReport['set'] = [];
    for (const w of due) {
      const keep = scored.uids.map((u, k) => [u, scored.values[k] as number] as const).filter(([u]) => u !== w.uid);
      const best = Math.max(0, ...keep.map(([, v]) => v));
      if (best === 0) continue;
      const row = { uids: keep.map(([u]) => u), values: keep.map(([, v]) => v) };
      const tx = await w.client.writeContract({
        address: params.deployment.contracts.registry,
        abi: subnetRegistryAbi,
        functionName: 'setWeights',
        args: [state.netuid, row.uids, row.values],
        gas: 2_000_000n,
      });
      const receipt = await client.waitForTransactionReceipt({ hash: tx, pollingInterval: 100, timeout: 60_000 });
      if (receipt.status !== 'success') throw new ValidatorError(`setWeights of ${w.hotkey} (uid ${w.uid}) reverted in ${tx}`);
      set.push({ hotkey: w.hotkey, uid: w.uid, row, tx });
    }
    return { head: state.head, set, idle: set.length === 0 ? 'no miner scored above 0 (none indexed yet?)' : undefined };
  }

  async function run(opts: { pollMs: number; signal?: AbortSignal; onTick?: (r: TickReport) => void }): Promise<void> {
    while (!opts.signal?.aborted) {
      try {
        const r = await tick();
        opts.onTick?.(r);
      } catch (err) {
        log(`validator: tick failed: ${(err as Error).message.split('\n')[0]}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollMs);
        opts.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
  }

  return { tick, run };
}
