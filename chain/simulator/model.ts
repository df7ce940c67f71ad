/**
 * The simulator's in-memory model of protocol state. `applyAction` mirrors the contracts' rules and
 * throws where they would revert, so the planner can only emit transactions that succeed, and the
 * integration test can compare the model with the chain's views. Pure: no I/O.
 */
import type { Address, Hex } from 'viem';
import {
  applyMarketAction,
  type BmeTotals,
  type ChainClock,
  createBmeTotals,
  createClock,
  type EpochModel,
  landing,
  MARKET_DEFAULTS,
  type MarketAction,
} from './market-model';

export const TOKEN = 10n ** 18n;
/** Mirrors ComputeMarket.PAYMENT_SCALE: 1e18 token decimals / 1e3 work-unit thousandths. */
export const PAYMENT_SCALE = 10n ** 15n;

/** Mirrors IComputeMarket.JobState; 4-7 are terminal (Approved settles, the others refund). */
export enum JobState {
  None = 0,
  Posted = 1,
  Claimed = 2,
  Completed = 3,
  Approved = 4,
  Quarantined = 5,
  Cancelled = 6,
  Expired = 7,
}

export enum JobKind {
  Render = 0,
  Inference = 1,
  Training = 2,
}

export type Spender = 'registry' | 'market';

export type Action =
  | { type: 'mint'; from: Address; to: Address; amount: bigint }
  | { type: 'approve'; from: Address; spender: Spender }
  | { type: 'createMarket'; from: Address; kind: JobKind; tier: number; name: string; usdPerUnit: bigint }
  /** With weightsRateLimit: the registry's default hyperparameters but that one (registerSubnetWithHyperparameters). */
  | { type: 'registerSubnet'; from: Address; name: string; tempo: number; weightsRateLimit?: number }
  | { type: 'registerNeuron'; from: Address; netuid: number; hotkey: Address }
  /** SubnetRegistry.registerNeurons: several hotkeys of one coldkey, in order, into free slots. */
  | { type: 'registerNeurons'; from: Address; netuid: number; hotkeys: Address[] }
  | { type: 'addStake'; from: Address; hotkey: Address; netuid: number; amount: bigint }
  | { type: 'removeStake'; from: Address; hotkey: Address; netuid: number; amount: bigint }
  /** From a hotkey; planned against the chain's permits and LastUpdate (validators.ts), not the model. */
  | { type: 'setWeights'; from: Address; netuid: number; uids: number[]; values: number[] }
  | { type: 'registerProvider'; from: Address; gpuModel: string; vramGb: number; benchmarkScore: number; tier: number }
  | {
      type: 'postJob';
      from: Address;
      marketId: number;
      specHash: Hex;
      workEstimate: bigint;
      deadline: bigint;
      jobId: bigint;
      payment: bigint;
    }
  /** ComputeMarket.postJobs: several jobs of one sender in one transaction, ids consecutive. */
  | { type: 'postJobs'; from: Address; jobs: JobSpec[] }
  | { type: 'claimJob'; from: Address; jobId: bigint }
  /** ComputeMarket.claimJobs: a provider with several slots claims several jobs at once. */
  | { type: 'claimJobs'; from: Address; jobIds: bigint[] }
  /** resultGood: hidden truth (not sent), what a diligent sender finds when it reviews the result. */
  | { type: 'completeJob'; from: Address; jobId: bigint; resultHash: Hex; workUnits: bigint; resultGood?: boolean }
  /** ComputeMarket.completeJobs: several of the provider's jobs at once. */
  | { type: 'completeJobs'; from: Address; jobs: Completion[] }
  | MarketAction;

/** One job of a postJobs batch: the fields of a postJob action. */
export interface JobSpec {
  marketId: number;
  specHash: Hex;
  workEstimate: bigint;
  deadline: bigint;
  jobId: bigint;
  payment: bigint;
}

/** One job of a completeJobs batch. */
export interface Completion {
  jobId: bigint;
  resultHash: Hex;
  workUnits: bigint;
  resultGood?: boolean;
}

export interface SubnetModel {
  netuid: number;
  owner: Address;
  name: string;
  tempo: number;
  /** Hotkeys by uid. */
  hotkeys: Address[];
}

export interface MarketModel {
  id: number;
  kind: JobKind;
  tier: number;
  name: string;
  usdPerUnit: bigint;
  minVramGb: number;
  reviewWindow: number;
  epochBlocks: number;
  workEmission: bigint;
  availabilityEmission: bigint;
  /** The open epoch, and the latest block it can have started at. */
  epoch: number;
  epochStartHi: number;
  /** Epochs not yet fully paid out. */
  epochs: Map<number, EpochModel>;
}

export interface ProviderModel {
  address: Address;
  tier: number;
  vramGb: number;
  /** The jobs it has claimed and not yet completed (as many as its slots; one for most presets). */
  activeJobs: bigint[];
}

export interface JobModel {
  id: bigint;
  marketId: number;
  sender: Address;
  state: JobState;
  workEstimate: bigint;
  payment: bigint;
  provider?: Address;
  claimedRound?: number;
  deadline: bigint;
  postedRound: number;
  failures: number;
  workUnits?: bigint;
  resultGood?: boolean;
  /** Bounds of the block from which the completed work auto-approves. */
  reviewEndLo?: number;
  reviewEndHi?: number;
}

export interface SimModel {
  round: number;
  registrationCost: bigint;
  /** Burned per neuron registration (SubnetRegistry.neuronRegistrationCost). */
  neuronRegistrationCost: bigint;
  usdPerToken: bigint;
  balances: Map<Address, bigint>;
  approvals: Set<string>;
  subnets: SubnetModel[];
  hotkeyOwner: Map<Address, Address>;
  /** key: `${coldkey}:${hotkey}:${netuid}` */
  stakes: Map<string, bigint>;
  /** key: `${netuid}:${hotkey}` */
  hotkeyStake: Map<string, bigint>;
  subnetStake: Map<number, bigint>;
  totalStake: bigint;
  markets: MarketModel[];
  providers: Map<Address, ProviderModel>;
  jobs: JobModel[];
  /** Indexed by JobState. */
  jobsInState: number[];
  escrowed: bigint;
  /** The chain's head as the simulator last read it; bounds where this round's transactions land. */
  clock: ChainClock;
  /** Receives the market's fees (the deployer, unless changed). */
  treasury?: Address;
  bme: BmeTotals;
}

export class ModelError extends Error {
  override name = 'ModelError';
}

export function createModel(params: {
  registrationCost: bigint;
  usdPerToken: bigint;
  neuronRegistrationCost?: bigint;
  /** Subnets the deployment already has (the compute subnet). */
  subnets?: SubnetModel[];
}): SimModel {
  return {
    round: 0,
    registrationCost: params.registrationCost,
    neuronRegistrationCost: params.neuronRegistrationCost ?? 0n,
    usdPerToken: params.usdPerToken,
    balances: new Map(),
    approvals: new Set(),
    subnets: params.subnets ?? [],
    hotkeyOwner: new Map(),
    stakes: new Map(),
    hotkeyStake: new Map(),
    subnetStake: new Map(),
    totalStake: 0n,
    markets: [],
    providers: new Map(),
    jobs: [],
    jobsInState: [0, 0, 0, 0, 0, 0, 0, 0],
    escrowed: 0n,
    clock: createClock(0n),
    bme: createBmeTotals(),
  };
}

export const stakeKey = (coldkey: Address, hotkey: Address, netuid: number) => `${coldkey}:${hotkey}:${netuid}`;
export const hotkeyStakeKey = (netuid: number, hotkey: Address) => `${netuid}:${hotkey}`;

/** Token payment escrowed for a job: ceil(workEstimate * usdPerUnit * 1e15 / usdPerToken), as on chain. */
export function quotePayment(workEstimate: bigint, usdPerUnit: bigint, usdPerToken: bigint): bigint {
  const num = workEstimate * usdPerUnit * PAYMENT_SCALE;
  return (num + usdPerToken - 1n) / usdPerToken;
}

export const balanceOf = (m: SimModel, who: Address) => m.balances.get(who) ?? 0n;

export function debit(m: SimModel, who: Address, amount: bigint, spender: Spender | null) {
  const bal = balanceOf(m, who);
  if (bal < amount) throw new ModelError(`${who} has ${bal} wei of token, needs ${amount}`);
  if (spender && !m.approvals.has(`${who}:${spender}`)) throw new ModelError(`${who} has not approved the ${spender}`);
  m.balances.set(who, bal - amount);
}

export const credit = (m: SimModel, who: Address, amount: bigint) => m.balances.set(who, balanceOf(m, who) + amount);

export function findJob(m: SimModel, jobId: bigint): JobModel {
  const job = m.jobs[Number(jobId) - 1];
  if (!job) throw new ModelError(`unknown job ${jobId}`);
  return job;
}

export function moveJob(m: SimModel, job: JobModel, to: JobState) {
  m.jobsInState[job.state]--;
  m.jobsInState[to]++;
  job.state = to;
}

/** Applies one action to the model, as the contract would, or throws ModelError where it would revert. */
export function applyAction(m: SimModel, a: Action): void {
  m.clock.txs++; // every action is one transaction of the round: see landing()
  switch (a.type) {
    case 'mint':
      credit(m, a.to, a.amount);
      return;
    case 'approve':
      m.approvals.add(`${a.from}:${a.spender}`);
      return;
    case 'createMarket':
      m.markets.push({
        id: m.markets.length + 1,
        kind: a.kind,
        tier: a.tier,
        name: a.name,
        usdPerUnit: a.usdPerUnit,
        ...MARKET_DEFAULTS,
        epoch: 0,
        epochStartHi: landing(m).hi,
        epochs: new Map(),
      });
      return;
    case 'registerSubnet':
      debit(m, a.from, m.registrationCost, 'registry');
      m.subnets.push({ netuid: m.subnets.length + 1, owner: a.from, name: a.name, tempo: a.tempo, hotkeys: [] });
      return;
    case 'registerNeuron':
      registerNeuron(m, a.from, a.netuid, a.hotkey);
      return;
    case 'registerNeurons':
      if (a.hotkeys.length === 0) throw new ModelError('no hotkeys to register');
      for (const h of a.hotkeys) registerNeuron(m, a.from, a.netuid, h);
      return;
    case 'addStake': {
      const s = m.subnets[a.netuid - 1];
      if (!s?.hotkeys.includes(a.hotkey)) throw new ModelError(`hotkey ${a.hotkey} not registered on subnet ${a.netuid}`);
      if (a.amount <= 0n) throw new ModelError('zero stake');
      debit(m, a.from, a.amount, 'registry');
      changeStake(m, a.from, a.hotkey, a.netuid, a.amount);
      return;
    }
    case 'removeStake': {
      const current = m.stakes.get(stakeKey(a.from, a.hotkey, a.netuid)) ?? 0n;
      if (a.amount <= 0n || current < a.amount) throw new ModelError(`cannot remove ${a.amount} of ${current} stake`);
      changeStake(m, a.from, a.hotkey, a.netuid, -a.amount);
      credit(m, a.from, a.amount);
      return;
    }
    case 'setWeights': {
      const s = m.subnets[a.netuid - 1];
      if (!s?.hotkeys.includes(a.from)) throw new ModelError(`hotkey ${a.from} not registered on subnet ${a.netuid}`);
      return;
    }
    case 'registerProvider':
      if (m.providers.has(a.from)) throw new ModelError(`provider ${a.from} already registered`);
      m.providers.set(a.from, { address: a.from, tier: a.tier, vramGb: a.vramGb, activeJobs: [] });
      return;
    case 'postJob':
      postJob(m, a.from, a);
      return;
    case 'postJobs':
      if (a.jobs.length === 0) throw new ModelError('no jobs to post');
      for (const j of a.jobs) postJob(m, a.from, j);
      return;
    case 'claimJob':
      claimJob(m, a.from, a.jobId);
      return;
    case 'claimJobs':
      if (a.jobIds.length === 0) throw new ModelError('no jobs to claim');
      for (const id of a.jobIds) claimJob(m, a.from, id);
      return;
    case 'completeJob':
      completeJob(m, a.from, a);
      return;
    case 'completeJobs':
      if (a.jobs.length === 0) throw new ModelError('no jobs to complete');
      for (const j of a.jobs) completeJob(m, a.from, j);
      return;
    default:
      applyMarketAction(m, a);
      return;
  }
}

function postJob(m: SimModel, from: Address, a: JobSpec) {
  const market = m.markets[a.marketId - 1];
  if (!market) throw new ModelError(`unknown market ${a.marketId}`);
  const payment = quotePayment(a.workEstimate, market.usdPerUnit, m.usdPerToken);
  if (payment !== a.payment) throw new ModelError(`job payment ${a.payment} != quote ${payment}`);
  if (a.jobId !== BigInt(m.jobs.length + 1)) throw new ModelError(`job id ${a.jobId} out of sequence`);
  if (a.deadline <= landing(m).tsHi) throw new ModelError(`job ${a.jobId}'s deadline may pass before it is posted`);
  debit(m, from, payment, 'market');
  m.escrowed += payment;
  m.jobs.push({
    id: a.jobId,
    marketId: a.marketId,
    sender: from,
    state: JobState.Posted,
    workEstimate: a.workEstimate,
    payment,
    deadline: a.deadline,
    postedRound: m.round,
    failures: 0,
  });
  m.jobsInState[JobState.Posted]++;
}

/** The contract lets a provider hold any number of jobs; the planner keeps each within its slots. */
function claimJob(m: SimModel, from: Address, jobId: bigint) {
  const job = findJob(m, jobId);
  const p = m.providers.get(from);
  if (!p) throw new ModelError(`provider ${from} not registered`);
  if (job.state !== JobState.Posted) throw new ModelError(`job ${jobId} is not open`);
  const market = m.markets[job.marketId - 1]!;
  if (p.tier < market.tier || p.vramGb < market.minVramGb) throw new ModelError(`provider not qualified for job ${jobId}`);
  if (job.deadline <= landing(m).tsHi) throw new ModelError(`job ${jobId}'s deadline may pass before it is claimed`);
  job.provider = from;
  job.claimedRound = m.round;
  p.activeJobs.push(jobId);
  moveJob(m, job, JobState.Claimed);
}

function completeJob(m: SimModel, from: Address, a: Completion) {
  const job = findJob(m, a.jobId);
  if (job.state !== JobState.Claimed || job.provider !== from) throw new ModelError(`job ${a.jobId} not claimed by ${from}`);
  if (a.workUnits <= 0n) throw new ModelError('zero work');
  const land = landing(m);
  if (job.deadline <= land.tsHi) throw new ModelError(`job ${a.jobId}'s deadline may pass before it is completed`);
  const { reviewWindow } = m.markets[job.marketId - 1]!;
  Object.assign(job, {
    workUnits: a.workUnits,
    resultGood: a.resultGood ?? true,
    reviewEndLo: land.lo + reviewWindow,
    reviewEndHi: land.hi + reviewWindow,
  });
  releaseJob(m, from, a.jobId);
  moveJob(m, job, JobState.Completed);
}

/** The provider no longer works on the job (completed or expired). */
export function releaseJob(m: SimModel, provider: Address, jobId: bigint) {
  const p = m.providers.get(provider);
  if (p) p.activeJobs = p.activeJobs.filter((id) => id !== jobId);
}

function registerNeuron(m: SimModel, from: Address, netuid: number, hotkey: Address) {
  const s = m.subnets[netuid - 1];
  if (!s) throw new ModelError(`unknown subnet ${netuid}`);
  const owner = m.hotkeyOwner.get(hotkey);
  if (owner && owner !== from) throw new ModelError(`hotkey ${hotkey} belongs to ${owner}`);
  if (s.hotkeys.includes(hotkey)) throw new ModelError(`hotkey ${hotkey} already on subnet ${netuid}`);
  if (s.hotkeys.length >= 256) throw new ModelError(`subnet ${netuid} is full`);
  debit(m, from, m.neuronRegistrationCost, 'registry');
  m.hotkeyOwner.set(hotkey, from);
  s.hotkeys.push(hotkey);
}

function changeStake(m: SimModel, coldkey: Address, hotkey: Address, netuid: number, delta: bigint) {
  const k = stakeKey(coldkey, hotkey, netuid);
  const next = (m.stakes.get(k) ?? 0n) + delta;
  if (next === 0n) m.stakes.delete(k);
  else m.stakes.set(k, next);
  const hk = hotkeyStakeKey(netuid, hotkey);
  m.hotkeyStake.set(hk, (m.hotkeyStake.get(hk) ?? 0n) + delta);
  m.subnetStake.set(netuid, (m.subnetStake.get(netuid) ?? 0n) + delta);
  m.totalStake += delta;
}

/** Credits what an epoch minted: each uid's emission to its hotkey's coldkey, the rest to the owner. */
export function creditEpoch(m: SimModel, netuid: number, emission: readonly bigint[], ownerCut: bigint): void {
  const s = m.subnets[netuid - 1];
  if (!s) throw new ModelError(`unknown subnet ${netuid}`);
  emission.forEach((e, uid) => {
    if (e > 0n) credit(m, m.hotkeyOwner.get(s.hotkeys[uid]!)!, e);
  });
  if (ownerCut > 0n) credit(m, s.owner, ownerCut);
}
