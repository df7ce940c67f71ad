// One description per entity of what the API exposes: column, kind, nullability, sortability.
// GraphQL object types, `where` inputs, `orderBy` enums and SQL are all derived from it
// (gateway/types.ts, gateway/sql/), so a new field is one line here.
import { JobEventKind, JobState, MarketKind, StakeEventKind, StatPeriod } from '../schema';

export type FieldKind = 'id' | 'string' | 'int' | 'bigint' | 'datetime' | 'enum' | 'boolean' | 'float' | 'intList' | 'json';

export interface FieldSpec {
  kind: FieldKind;
  /** Column in the snake_case table. */
  column: string;
  nullable?: boolean;
  /** May be used as `orderBy` (keyset pagination needs a non-null column). */
  sortable?: boolean;
  /**
   * Offered in `where` (default true for scalar kinds; never for intList and json). Set false where
   * no index leads with the column: test/gateway-protocol-indexes.test.ts holds every filterable and
   * sortable field to an index on the migrated database, so a slow filter cannot be added silently.
   */
  filterable?: boolean;
  /** Addresses and hashes: stored lowercase, so filter values are lowercased too. */
  lowercase?: boolean;
  /** For kind 'enum': the TS enum object and its GraphQL name. */
  enum?: { values: Record<string, string>; name: string };
  /** A many-to-one relation: the column is the foreign key, the field resolves to this entity. */
  relation?: EntityName;
  /**
   * For a relation to an entity with few rows (markets): the orders that an index on (this foreign
   * key, that column) serves. A page filtered through the relation (`market_: { kind: RENDER }`) in
   * one of them reads its first rows per matching related row from that index and merges them,
   * instead of walking the whole table in that order past every row of the other related rows.
   */
  fanOutOrders?: string[];
  description?: string;
}

export type EntityName =
  | 'Subnet'
  | 'Neuron'
  | 'StakePosition'
  | 'StakeEvent'
  | 'Market'
  | 'Provider'
  | 'Job'
  | 'JobEvent'
  | 'SubnetEpoch'
  | 'NeuronEpoch'
  | 'Weights'
  | 'MarketEpoch'
  | 'MarketStat'
  | 'ProviderEpoch'
  | 'Account'
  | 'TokenSupplyDay'
  | 'TokenSupplyEpoch'
  | 'ChainEvent';

export interface EntitySpec {
  name: EntityName;
  /** Root query field of the paged list. */
  plural: string;
  table: string;
  fields: Record<string, FieldSpec>;
  defaultOrderBy: string;
  description?: string;
  /**
   * Column holding the block of the row's last change. Subscriptions use it when the indexer's
   * NOTIFY gives counts instead of ids (a large batch): the rows changed in the batch's blocks.
   */
  changedAtColumn?: string;
  /**
   * A table of few rows (governance creates them: subnets, markets). The SQL lane joins it whole
   * to the rows that point at it, where a lookup per row read its one page of rows every time.
   */
  fewRows?: boolean;
}

const id = (description?: string): FieldSpec => ({ kind: 'id', column: 'id', sortable: true, description });
const int = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ kind: 'int', column, sortable: !extra.nullable, ...extra });
const big = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  kind: 'bigint',
  column,
  sortable: !extra.nullable,
  ...extra,
});
const time = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ kind: 'datetime', column, sortable: true, ...extra });
const str = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ kind: 'string', column, ...extra });
const hex = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ kind: 'string', column, lowercase: true, ...extra });
const enm = (column: string, values: Record<string, string>, name: string): FieldSpec => ({ kind: 'enum', column, enum: { values, name } });
const rel = (column: string, relation: EntityName, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  kind: 'id',
  column,
  relation,
  ...extra,
});
/** Shown, but neither filtered nor sorted on: no index serves it (see FieldSpec.filterable). */
const shown = (f: FieldSpec): FieldSpec => ({ ...f, filterable: false, sortable: false });
const bool = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ kind: 'boolean', column, ...extra });
const float = (column: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ kind: 'float', column, ...extra });

export const Subnet: EntitySpec = {
  name: 'Subnet',
  changedAtColumn: 'updated_at_block',
  fewRows: true,
  plural: 'subnets',
  table: 'subnet',
  defaultOrderBy: 'netuid',
  fields: {
    id: id('netuid as a decimal string'),
    netuid: int('netuid'),
    name: str('name', { sortable: true }),
    owner: hex('owner'),
    tempo: int('tempo'),
    registrationCost: big('registration_cost'),
    neuronCount: int('neuron_count'),
    totalStake: big('total_stake'),
    createdAtBlock: int('created_at_block'),
    createdAt: time('created_at'),
    updatedAtBlock: int('updated_at_block'),
    isCompute: bool('is_compute', { description: "the compute subnet: its miners are the market's providers" }),
    maxUids: int('max_uids', { nullable: true }),
    maxAllowedValidators: int('max_allowed_validators', { nullable: true }),
    kappa: int('kappa', { nullable: true, description: 'consensus majority, /65535' }),
    bondsMovingAverage: int('bonds_moving_average', { nullable: true }),
    bondsPenalty: int('bonds_penalty', { nullable: true, description: '/65535' }),
    yuma3: bool('yuma3', { nullable: true }),
    liquidAlpha: bool('liquid_alpha', { nullable: true }),
    alphaLow: int('alpha_low', { nullable: true }),
    alphaHigh: int('alpha_high', { nullable: true }),
    alphaSigmoidSteepness: int('alpha_sigmoid_steepness', { nullable: true }),
    activityCutoff: big('activity_cutoff', { nullable: true }),
    immunityPeriod: big('immunity_period', { nullable: true }),
    weightsRateLimit: big('weights_rate_limit', { nullable: true }),
    stakeThreshold: big('stake_threshold', { nullable: true }),
    epochCount: int('epoch_count'),
    lastEpochBlock: int('last_epoch_block', { nullable: true }),
    totalEmission: big('total_emission', { description: "everything minted for this subnet's epochs" }),
    lastEpochEmission: big('last_epoch_emission', {
      nullable: true,
      description: 'what its newest posted epoch minted (tempo × 1 token per block); null before its first epoch',
    }),
  },
};

export const Neuron: EntitySpec = {
  name: 'Neuron',
  changedAtColumn: 'updated_at_block',
  plural: 'neurons',
  table: 'neuron',
  defaultOrderBy: 'uid',
  fields: {
    id: id('netuid-uid'),
    subnet: rel('subnet_id', 'Subnet'),
    netuid: int('netuid'),
    uid: int('uid'),
    hotkey: hex('hotkey'),
    coldkey: hex('coldkey'),
    stake: big('stake', { description: 'total stake on this hotkey in this subnet, from every coldkey' }),
    registeredAtBlock: int('registered_at_block'),
    registeredAt: shown(time('registered_at')),
    updatedAtBlock: shown(int('updated_at_block')),
    lastUpdateBlock: shown(
      int('last_update_block', { nullable: true, description: 'the block this neuron last set weights (LastUpdate)' }),
    ),
    validatorPermit: shown(bool('validator_permit', { description: 'from the last epoch' })),
    // The last epoch's results (u16, /65535), null before the first; rankings sort them (neuronRankings).
    stakeWeight: shown(int('stake_weight', { nullable: true })),
    consensus: shown(int('consensus', { nullable: true })),
    incentive: int('incentive', { nullable: true }),
    dividends: int('dividends', { nullable: true }),
    validatorTrust: int('validator_trust', { nullable: true }),
    rank: shown(int('rank', { nullable: true })),
    trust: shown(int('trust', { nullable: true })),
    lastEmission: shown(big('last_emission', { nullable: true })),
    totalEmission: big('total_emission'),
  },
};

export const StakePosition: EntitySpec = {
  name: 'StakePosition',
  changedAtColumn: 'updated_at_block',
  plural: 'stakePositions',
  table: 'stake_position',
  defaultOrderBy: 'updatedAtBlock',
  fields: {
    id: id('coldkey-hotkey-netuid'),
    coldkey: hex('coldkey'),
    hotkey: hex('hotkey'),
    netuid: int('netuid'),
    subnet: rel('subnet_id', 'Subnet'),
    amount: big('amount'),
    updatedAtBlock: int('updated_at_block'),
    updatedAt: shown(time('updated_at')),
  },
};

export const StakeEvent: EntitySpec = {
  name: 'StakeEvent',
  changedAtColumn: 'block_number',
  plural: 'stakeEvents',
  table: 'stake_event',
  defaultOrderBy: 'blockNumber',
  fields: {
    id: id('the log id'),
    kind: enm('kind', StakeEventKind, 'StakeEventKind'),
    coldkey: hex('coldkey'),
    hotkey: hex('hotkey'),
    netuid: int('netuid'),
    amount: shown(big('amount')),
    newAmount: shown(big('new_amount', { description: 'the position after the change' })),
    blockNumber: int('block_number'),
    timestamp: time('timestamp'),
    txHash: hex('tx_hash'),
  },
};

export const Market: EntitySpec = {
  name: 'Market',
  changedAtColumn: 'updated_at_block',
  fewRows: true,
  plural: 'markets',
  table: 'market',
  defaultOrderBy: 'marketId',
  fields: {
    id: id('market id as a decimal string'),
    marketId: int('market_id'),
    kind: enm('kind', MarketKind, 'MarketKind'),
    tier: int('tier'),
    name: str('name', { sortable: true }),
    usdPerUnit: big('usd_per_unit', { description: 'USD per work unit, 8 decimals' }),
    jobCount: int('job_count'),
    openJobCount: int('open_job_count'),
    volume: big('volume', { description: 'token escrowed by every job posted to this market' }),
    createdAtBlock: int('created_at_block'),
    createdAt: time('created_at'),
    updatedAtBlock: int('updated_at_block'),
    minVramGb: int('min_vram_gb', { nullable: true }),
    reviewWindow: big('review_window', { nullable: true, description: 'blocks a sender or validator has to review completed work' }),
    epochBlocks: big('epoch_blocks', { nullable: true, description: 'blocks per market epoch' }),
    workEmission: big('work_emission', { nullable: true, description: 'provider emission minted per market epoch, for approved work' }),
    availabilityEmission: big('availability_emission', { nullable: true, description: 'and for availability' }),
    approvedJobCount: int('approved_job_count'),
    burned: big('burned', { description: '95% of approved payments' }),
    fees: big('fees', { description: '5% of approved payments, to the treasury' }),
    refunded: big('refunded'),
    minted: big('minted', { description: "provider emission minted by this market's epochs" }),
    epochCount: int('epoch_count'),
  },
};

export const Provider: EntitySpec = {
  name: 'Provider',
  changedAtColumn: 'updated_at_block',
  plural: 'providers',
  table: 'provider',
  defaultOrderBy: 'registeredAtBlock',
  fields: {
    id: { ...id("the provider's address"), lowercase: true },
    address: hex('address'),
    gpuModel: str('gpu_model', { sortable: true }),
    vramGb: int('vram_gb'),
    benchmarkScore: int('benchmark_score'),
    tier: int('tier'),
    jobsClaimed: shown(int('jobs_claimed')),
    jobsCompleted: shown(int('jobs_completed')),
    workUnits: shown(big('work_units', { description: 'thousandths of a work unit' })),
    registeredAtBlock: int('registered_at_block'),
    registeredAt: shown(time('registered_at')),
    updatedAtBlock: shown(int('updated_at_block')),
    jobsApproved: shown(int('jobs_approved')),
    jobsRejected: shown(int('jobs_rejected')),
    approvedWorkUnits: shown(big('approved_work_units', { description: 'work of approved jobs (thousandths)' })),
    workRewards: shown(big('work_rewards')),
    availabilityRewards: shown(big('availability_rewards')),
    earnings: big('earnings', { description: 'work and availability rewards' }),
    successRate: shown(
      float('success_rate', { nullable: true, description: 'jobsApproved / (jobsApproved + jobsRejected), null before the first review' }),
    ),
  },
};

export const Job: EntitySpec = {
  name: 'Job',
  changedAtColumn: 'updated_at_block',
  plural: 'jobs',
  table: 'job',
  defaultOrderBy: 'jobId',
  fields: {
    id: id('job id as a decimal string'),
    jobId: int('job_id'),
    market: rel('market_id', 'Market', { fanOutOrders: ['payment'] }),
    sender: hex('sender'),
    provider: rel('provider_id', 'Provider', { nullable: true, lowercase: true }),
    state: enm('state', JobState, 'JobState'),
    specHash: shown(hex('spec_hash')),
    workEstimate: shown(big('work_estimate', { description: 'thousandths of a work unit' })),
    payment: big('payment', { description: 'token escrowed' }),
    deadline: shown(time('deadline')),
    resultHash: shown(hex('result_hash', { nullable: true })),
    workUnits: shown(big('work_units', { nullable: true })),
    postedAtBlock: int('posted_at_block'),
    postedAt: time('posted_at'),
    claimedAtBlock: shown(int('claimed_at_block', { nullable: true })),
    completedAtBlock: shown(int('completed_at_block', { nullable: true })),
    updatedAtBlock: shown(int('updated_at_block')),
    failures: shown(int('failures', { description: 'rejections so far; three quarantine the job' })),
    approvedAtBlock: shown(int('approved_at_block', { nullable: true })),
    autoApproved: shown(bool('auto_approved', { nullable: true, description: 'approved because its review window passed' })),
    approvedBy: shown(hex('approved_by', { nullable: true })),
    burned: shown(big('burned', { nullable: true })),
    fee: shown(big('fee', { nullable: true })),
    settledEpoch: shown(int('settled_epoch', { nullable: true, description: 'the market epoch whose emission the work counts toward' })),
    refunded: shown(big('refunded', { nullable: true })),
  },
};

export const JobEvent: EntitySpec = {
  name: 'JobEvent',
  changedAtColumn: 'block_number',
  plural: 'jobEvents',
  table: 'job_event',
  defaultOrderBy: 'blockNumber',
  fields: {
    id: id('the log id'),
    job: rel('job_id', 'Job'),
    kind: enm('kind', JobEventKind, 'JobEventKind'),
    actor: hex('actor'),
    blockNumber: int('block_number'),
    timestamp: shown(time('timestamp')),
    txHash: shown(hex('tx_hash')),
  },
};

export const SubnetEpoch: EntitySpec = {
  name: 'SubnetEpoch',
  plural: 'subnetEpochs',
  table: 'subnet_epoch',
  defaultOrderBy: 'block',
  changedAtColumn: 'posted_at_block',
  description: "One subnet epoch as the keeper posted it (Yuma's results per neuron are in NeuronEpoch)",
  fields: {
    id: id('netuid-epoch'),
    subnet: rel('subnet_id', 'Subnet'),
    netuid: int('netuid'),
    epoch: int('epoch'),
    block: int('block', { description: 'the block whose state the epoch was computed from' }),
    inputsHash: shown(hex('inputs_hash')),
    emission: shown(big('emission')),
    ownerCut: shown(big('owner_cut')),
    neuronCount: shown(int('neuron_count')),
    postedAtBlock: shown(int('posted_at_block')),
    timestamp: time('timestamp'),
  },
};

export const NeuronEpoch: EntitySpec = {
  name: 'NeuronEpoch',
  plural: 'neuronEpochs',
  table: 'neuron_epoch',
  defaultOrderBy: 'epoch',
  changedAtColumn: 'block',
  description: "One neuron's results in one epoch (u16 fixed point, /65535) and its emission, as the keeper posted them",
  fields: {
    id: id('netuid-epoch-uid'),
    subnetEpoch: rel('subnet_epoch_id', 'SubnetEpoch'),
    netuid: int('netuid'),
    epoch: int('epoch'),
    uid: shown(int('uid')),
    hotkey: hex('hotkey'),
    stakeWeight: shown(int('stake_weight')),
    consensus: shown(int('consensus')),
    incentive: shown(int('incentive')),
    dividends: shown(int('dividends')),
    validatorTrust: shown(int('validator_trust')),
    rank: shown(int('rank')),
    trust: shown(int('trust')),
    emission: shown(big('emission')),
    validatorPermit: shown(bool('validator_permit')),
    block: shown(int('block', { description: "the epoch's block" })),
  },
};

export const Weights: EntitySpec = {
  name: 'Weights',
  plural: 'weights',
  table: 'weights',
  defaultOrderBy: 'block',
  changedAtColumn: 'block',
  description: 'The weights a validator last set (stored u16, max-upscaled per row, as subtensor stores them)',
  fields: {
    id: id('netuid-uid of the validator'),
    subnet: rel('subnet_id', 'Subnet'),
    netuid: int('netuid'),
    uid: shown(int('uid')),
    hotkey: hex('hotkey'),
    uids: { kind: 'intList', column: 'uids', description: 'the uids weighted, ascending' },
    values: { kind: 'intList', column: 'values', description: 'their weights, the largest 65535' },
    block: int('block'),
    timestamp: shown(time('timestamp')),
  },
};

/** The average price of jobs posted (MarketStat, MarketEpoch): volume over work, as the indexer keeps it. */
const AVG_PRICE =
  'the average price of the jobs posted, in token base units per whole work unit: floor(volume * 1000 / workEstimated); null when no job was posted';

export const MarketEpoch: EntitySpec = {
  name: 'MarketEpoch',
  plural: 'marketEpochs',
  table: 'market_epoch',
  defaultOrderBy: 'block',
  changedAtColumn: 'updated_at_block',
  description:
    'One epoch of a market (its BME clock): jobs posted and approved in it, token burned and minted for it, and once closed the provider emission it set aside. The epoch in progress is listed too (closed: false), with its figures so far',
  fields: {
    id: id('marketId-epoch'),
    // The schema's marketId and market share the column market_id (the market's id); one field serves both.
    market: rel('market_id', 'Market'),
    epoch: int('epoch', { description: 'from 0' }),
    closed: bool('closed', { description: 'false for the epoch in progress' }),
    startBlock: shown(
      int('start_block', { description: "the block it opened in: the market's creation, or the close of the epoch before" }),
    ),
    emission: shown(big('emission', { description: 'work emission fixed at close (0 while open)' })),
    workApproved: shown(big('work_approved', { description: 'work approved in it (thousandths)' })),
    availabilityEmission: shown(big('availability_emission', { description: 'availability emission fixed at close (0 while open)' })),
    availableProviders: shown(int('available_providers', { description: 'providers available at close (0 while open)' })),
    jobsPosted: shown(int('jobs_posted')),
    volume: shown(big('volume', { description: 'token escrowed by the jobs posted' })),
    workEstimated: shown(big('work_estimated', { description: 'work estimated by the jobs posted (thousandths)' })),
    avgPricePerUnit: shown(big('avg_price_per_unit', { nullable: true, description: AVG_PRICE })),
    jobsApproved: shown(int('jobs_approved', { description: 'jobs approved (settled) in it' })),
    burned: shown(big('burned', { description: 'token burned by the jobs approved in it' })),
    minted: shown(big('minted', { description: 'provider rewards minted for it so far (claimed once it is closed)' })),
    usdPerUnit: shown(big('usd_per_unit', { description: "the market's USD price per work unit at its end (now, while open)" })),
    block: int('block', { description: 'the block that closed it; while open, the newest block that changed it' }),
    timestamp: shown(time('timestamp')),
    updatedAtBlock: int('updated_at_block', { description: 'the block of its last change (rewards are minted for it after it closed)' }),
  },
};

export const MarketStat: EntitySpec = {
  name: 'MarketStat',
  plural: 'marketStats',
  table: 'market_stat',
  defaultOrderBy: 'start',
  description: "A market's activity per hour and per day (kept at index time)",
  fields: {
    id: id('marketId-period-start'),
    market: rel('market_id', 'Market'),
    period: enm('period', StatPeriod, 'StatPeriod'),
    start: time('start'),
    jobsPosted: shown(int('jobs_posted')),
    volume: shown(big('volume', { description: 'token escrowed by the jobs posted' })),
    workEstimated: shown(big('work_estimated', { description: 'work estimated by the jobs posted (thousandths)' })),
    jobsApproved: shown(int('jobs_approved')),
    workApproved: shown(big('work_approved', { description: 'work approved (thousandths)' })),
    burned: shown(big('burned')),
    usdPerUnit: shown(big('usd_per_unit', { description: "the market's USD price per work unit at the end of the period" })),
    avgPricePerUnit: shown(big('avg_price_per_unit', { nullable: true, description: AVG_PRICE })),
  },
};

export const ProviderEpoch: EntitySpec = {
  name: 'ProviderEpoch',
  plural: 'providerEpochs',
  table: 'provider_epoch',
  defaultOrderBy: 'epoch',
  description: 'What a provider did and earned in one epoch of one market',
  fields: {
    id: id('address-marketId-epoch'),
    provider: rel('provider_id', 'Provider', { lowercase: true }),
    marketId: shown(int('market_id')),
    epoch: int('epoch'),
    jobsApproved: shown(int('jobs_approved')),
    workUnits: shown(big('work_units', { description: 'work credited by approved jobs (thousandths)' })),
    workReward: shown(big('work_reward')),
    availabilityReward: shown(big('availability_reward')),
    available: shown(bool('available')),
  },
};

export const Account: EntitySpec = {
  name: 'Account',
  plural: 'accounts',
  table: 'account',
  defaultOrderBy: 'balance',
  changedAtColumn: 'updated_at_block',
  description: 'A holder of the network token',
  fields: {
    id: { ...id('the address'), lowercase: true },
    balance: big('balance'),
    minted: shown(big('minted', { description: 'token minted to this account' })),
    burned: shown(big('burned', { description: 'token burned from this account' })),
    transfersIn: shown(int('transfers_in')),
    transfersOut: shown(int('transfers_out')),
    firstSeenBlock: shown(int('first_seen_block')),
    updatedAtBlock: int('updated_at_block'),
  },
};

export const TokenSupplyDay: EntitySpec = {
  name: 'TokenSupplyDay',
  plural: 'tokenSupplyDays',
  table: 'token_supply_day',
  defaultOrderBy: 'day',
  changedAtColumn: 'updated_at_block',
  description: 'Token supply per UTC day: what was minted and burned that day, and the supply at its end',
  fields: {
    id: id('YYYY-MM-DD'),
    day: time('day'),
    minted: shown(big('minted')),
    burned: shown(big('burned')),
    supply: shown(big('supply')),
    updatedAtBlock: shown(int('updated_at_block')),
  },
};

export const TokenSupplyEpoch: EntitySpec = {
  name: 'TokenSupplyEpoch',
  plural: 'tokenSupplyEpochs',
  table: 'token_supply_epoch',
  defaultOrderBy: 'epoch',
  changedAtColumn: 'block',
  description:
    "Token supply per market epoch: everything minted and burned while one market's epoch was open, and the supply at its end. Each market has its own epoch clock, so filter by market: rows of different markets cover the same transfers. The epoch in progress is listed too (closed: false)",
  fields: {
    id: id('marketId-epoch, as the MarketEpoch it spans'),
    market: rel('market_id', 'Market'),
    epoch: int('epoch', { description: 'from 0' }),
    closed: bool('closed', { description: 'false for the epoch in progress' }),
    startBlock: shown(int('start_block', { description: 'the block it opened in' })),
    minted: shown(big('minted')),
    burned: shown(big('burned')),
    supply: shown(big('supply', { description: 'the supply at its end (now, while open)' })),
    block: int('block', { description: 'the block that closed it; while open, the newest block that changed it' }),
    timestamp: shown(time('timestamp')),
  },
};

export const ChainEvent: EntitySpec = {
  name: 'ChainEvent',
  plural: 'chainEvents',
  table: 'chain_event',
  defaultOrderBy: 'blockNumber',
  changedAtColumn: 'block_number',
  description: "Every event of the protocol's contracts, decoded: the audit trail behind every other table",
  fields: {
    id: id('the log id'),
    contract: str('contract', { description: 'token, forwarder, registry, ledger or market' }),
    address: shown(hex('address')),
    name: str('name'),
    blockNumber: int('block_number'),
    timestamp: shown(time('timestamp')),
    txHash: hex('tx_hash'),
    logIndex: shown(int('log_index')),
    args: { kind: 'json', column: 'args', description: "the event's arguments by name; integers beyond 2^53 as decimal strings" },
  },
};

export const ENTITY_SPECS: Record<EntityName, EntitySpec> = {
  Subnet,
  Neuron,
  StakePosition,
  StakeEvent,
  Market,
  Provider,
  Job,
  JobEvent,
  SubnetEpoch,
  NeuronEpoch,
  Weights,
  MarketEpoch,
  MarketStat,
  ProviderEpoch,
  Account,
  TokenSupplyDay,
  TokenSupplyEpoch,
  ChainEvent,
};
