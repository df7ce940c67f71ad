// One description per entity of what the API exposes: column, kind, nullability, sortability.
// GraphQL object types, `where` inputs, `orderBy` enums and SQL are all derived from it
// (gateway/types.ts, gateway/sql/), so a new field is one line here.
import { JobEventKind, JobState, MarketKind, StakeEventKind } from '../schema';

export type FieldKind = 'id' | 'string' | 'int' | 'bigint' | 'datetime' | 'enum';

export interface FieldSpec {
  kind: FieldKind;
  /** Column in the snake_case table. */
  column: string;
  nullable?: boolean;
  /** May be used as `orderBy` (keyset pagination needs a non-null column). */
  sortable?: boolean;
  /** Addresses and hashes: stored lowercase, so filter values are lowercased too. */
  lowercase?: boolean;
  /** For kind 'enum': the TS enum object and its GraphQL name. */
  enum?: { values: Record<string, string>; name: string };
  /** A many-to-one relation: the column is the foreign key, the field resolves to this entity. */
  relation?: EntityName;
  description?: string;
}

export type EntityName = 'Subnet' | 'Neuron' | 'StakePosition' | 'StakeEvent' | 'Market' | 'Provider' | 'Job' | 'JobEvent';

export interface EntitySpec {
  name: EntityName;
  /** Root query field of the paged list. */
  plural: string;
  table: string;
  fields: Record<string, FieldSpec>;
  defaultOrderBy: string;
  description?: string;
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

export const Subnet: EntitySpec = {
  name: 'Subnet',
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
  },
};

export const Neuron: EntitySpec = {
  name: 'Neuron',
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
    registeredAt: time('registered_at'),
    updatedAtBlock: int('updated_at_block'),
  },
};

export const StakePosition: EntitySpec = {
  name: 'StakePosition',
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
    updatedAt: time('updated_at'),
  },
};

export const StakeEvent: EntitySpec = {
  name: 'StakeEvent',
  plural: 'stakeEvents',
  table: 'stake_event',
  defaultOrderBy: 'blockNumber',
  fields: {
    id: id('the log id'),
    kind: enm('kind', StakeEventKind, 'StakeEventKind'),
    coldkey: hex('coldkey'),
    hotkey: hex('hotkey'),
    netuid: int('netuid'),
    amount: big('amount'),
    newAmount: big('new_amount', { description: 'the position after the change' }),
    blockNumber: int('block_number'),
    timestamp: time('timestamp'),
    txHash: hex('tx_hash'),
  },
};

export const Market: EntitySpec = {
  name: 'Market',
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
  },
};

export const Provider: EntitySpec = {
  name: 'Provider',
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
    jobsClaimed: int('jobs_claimed'),
    jobsCompleted: int('jobs_completed'),
    workUnits: big('work_units', { description: 'thousandths of a work unit' }),
    registeredAtBlock: int('registered_at_block'),
    registeredAt: time('registered_at'),
    updatedAtBlock: int('updated_at_block'),
  },
};

export const Job: EntitySpec = {
  name: 'Job',
  plural: 'jobs',
  table: 'job',
  defaultOrderBy: 'jobId',
  fields: {
    id: id('job id as a decimal string'),
    jobId: int('job_id'),
    market: rel('market_id', 'Market'),
    sender: hex('sender'),
    provider: rel('provider_id', 'Provider', { nullable: true, lowercase: true }),
    state: enm('state', JobState, 'JobState'),
    specHash: hex('spec_hash'),
    workEstimate: big('work_estimate', { description: 'thousandths of a work unit' }),
    payment: big('payment', { description: 'token escrowed' }),
    deadline: time('deadline'),
    resultHash: hex('result_hash', { nullable: true }),
    workUnits: big('work_units', { nullable: true }),
    postedAtBlock: int('posted_at_block'),
    postedAt: time('posted_at'),
    claimedAtBlock: int('claimed_at_block', { nullable: true }),
    completedAtBlock: int('completed_at_block', { nullable: true }),
    updatedAtBlock: int('updated_at_block'),
  },
};

export const JobEvent: EntitySpec = {
  name: 'JobEvent',
  plural: 'jobEvents',
  table: 'job_event',
  defaultOrderBy: 'blockNumber',
  fields: {
    id: id('the log id'),
    job: rel('job_id', 'Job'),
    kind: enm('kind', JobEventKind, 'JobEventKind'),
    actor: hex('actor'),
    blockNumber: int('block_number'),
    timestamp: time('timestamp'),
    txHash: hex('tx_hash'),
  },
};

export const ENTITY_SPECS: Record<EntityName, EntitySpec> = { Subnet, Neuron, StakePosition, StakeEvent, Market, Provider, Job, JobEvent };
