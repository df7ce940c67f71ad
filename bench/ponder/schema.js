// The tables our indexer writes (schema/schema.graphql), as Ponder tables: same entities, columns
// and main indexes, so that both indexers do the same work per event.
import { index, onchainTable as ponderTable } from 'ponder';

// Ponder 1.0.0 (drizzle-orm 0.39.3) cannot keep a timestamp column in its cache: every insert or
// update passes each value through mapFromDriverValue(mapToDriverValue(v)), i.e.
// new Date(v.toISOString() + '+0000'), an Invalid Date ('...Z+0000'), and the cache then fails at
// flush with `RangeError: Invalid time value`. Fixed once for all tables: every timestamp column
// (without time zone) writes its driver value without the zone letter, in UTC as the column stores
// it, which parses back to the same instant; so new rows and rows found and saved again both work.
function utcTimestamps(table) {
  for (const column of Object.values(table)) {
    if (column?.columnType !== 'PgTimestamp' || column.withTimezone) continue;
    column.mapToDriverValue = (value) => {
      const d = value instanceof Date ? value : new Date(value);
      if (Number.isNaN(d.getTime())) throw new RangeError(`invalid timestamp for ${column.name}: ${String(value)}`);
      return d.toISOString().slice(0, -1);
    };
  }
  return table;
}
const onchainTable = (name, columns, extra) => utcTimestamps(ponderTable(name, columns, extra));

const at = (t) => ({ createdAtBlock: t.integer().notNull(), updatedAtBlock: t.integer().notNull() });

export const chainEvent = onchainTable(
  'chain_event',
  (t) => ({
    id: t.text().primaryKey(),
    contract: t.text().notNull(),
    address: t.text().notNull(),
    name: t.text().notNull(),
    blockNumber: t.integer().notNull(),
    timestamp: t.timestamp().notNull(),
    txHash: t.text().notNull(),
    logIndex: t.integer().notNull(),
    args: t.json().notNull(),
  }),
  (t) => ({ name: index().on(t.name), block: index().on(t.blockNumber), tx: index().on(t.txHash), cn: index().on(t.contract, t.name) }),
);

export const account = onchainTable(
  'account',
  (t) => ({
    id: t.text().primaryKey(),
    balance: t.bigint().notNull(),
    minted: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    transfersIn: t.integer().notNull(),
    transfersOut: t.integer().notNull(),
    firstSeenBlock: t.integer().notNull(),
    updatedAtBlock: t.integer().notNull(),
  }),
  (t) => ({ balance: index().on(t.balance), updated: index().on(t.updatedAtBlock) }),
);

export const tokenSupplyDay = onchainTable(
  'token_supply_day',
  (t) => ({
    id: t.text().primaryKey(),
    day: t.timestamp().notNull(),
    minted: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    supply: t.bigint().notNull(),
    updatedAtBlock: t.integer().notNull(),
  }),
  (t) => ({ day: index().on(t.day) }),
);

export const subnet = onchainTable(
  'subnet',
  (t) => ({
    id: t.text().primaryKey(),
    netuid: t.integer().notNull(),
    name: t.text().notNull(),
    owner: t.text().notNull(),
    tempo: t.integer().notNull(),
    registrationCost: t.bigint().notNull(),
    neuronCount: t.integer().notNull(),
    totalStake: t.bigint().notNull(),
    createdAt: t.timestamp().notNull(),
    ...at(t),
    isCompute: t.boolean().notNull(),
    hyperparameters: t.json(),
    epochCount: t.integer().notNull(),
    lastEpochBlock: t.integer(),
    totalEmission: t.bigint().notNull(),
  }),
  (t) => ({ netuid: index().on(t.netuid), owner: index().on(t.owner) }),
);

export const neuron = onchainTable(
  'neuron',
  (t) => ({
    id: t.text().primaryKey(),
    subnetId: t.text().notNull(),
    netuid: t.integer().notNull(),
    uid: t.integer().notNull(),
    hotkey: t.text().notNull(),
    coldkey: t.text().notNull(),
    stake: t.bigint().notNull(),
    registeredAtBlock: t.integer().notNull(),
    registeredAt: t.timestamp().notNull(),
    updatedAtBlock: t.integer().notNull(),
    lastUpdateBlock: t.integer(),
    validatorPermit: t.boolean().notNull(),
    stakeWeight: t.integer(),
    consensus: t.integer(),
    incentive: t.integer(),
    dividends: t.integer(),
    validatorTrust: t.integer(),
    rank: t.integer(),
    trust: t.integer(),
    lastEmission: t.bigint(),
    totalEmission: t.bigint().notNull(),
  }),
  (t) => ({
    slot: index().on(t.subnetId, t.uid),
    netuid: index().on(t.netuid),
    hotkey: index().on(t.hotkey),
    coldkey: index().on(t.coldkey),
    incentive: index().on(t.incentive),
    dividends: index().on(t.dividends),
    vtrust: index().on(t.validatorTrust),
    emission: index().on(t.totalEmission),
  }),
);

export const weights = onchainTable('weights', (t) => ({
  id: t.text().primaryKey(),
  subnetId: t.text().notNull(),
  netuid: t.integer().notNull(),
  uid: t.integer().notNull(),
  hotkey: t.text().notNull(),
  uids: t.integer().array().notNull(),
  values: t.integer().array().notNull(),
  block: t.integer().notNull(),
  timestamp: t.timestamp().notNull(),
}));

export const subnetEpoch = onchainTable(
  'subnet_epoch',
  (t) => ({
    id: t.text().primaryKey(),
    subnetId: t.text().notNull(),
    netuid: t.integer().notNull(),
    epoch: t.integer().notNull(),
    block: t.integer().notNull(),
    inputsHash: t.text().notNull(),
    emission: t.bigint().notNull(),
    ownerCut: t.bigint().notNull(),
    neuronCount: t.integer().notNull(),
    postedAtBlock: t.integer().notNull(),
    timestamp: t.timestamp().notNull(),
  }),
  (t) => ({ ne: index().on(t.netuid, t.epoch), block: index().on(t.block), ts: index().on(t.timestamp) }),
);

export const neuronEpoch = onchainTable(
  'neuron_epoch',
  (t) => ({
    id: t.text().primaryKey(),
    subnetEpochId: t.text().notNull(),
    netuid: t.integer().notNull(),
    epoch: t.integer().notNull(),
    uid: t.integer().notNull(),
    hotkey: t.text().notNull(),
    stakeWeight: t.integer().notNull(),
    consensus: t.integer().notNull(),
    incentive: t.integer().notNull(),
    dividends: t.integer().notNull(),
    validatorTrust: t.integer().notNull(),
    rank: t.integer().notNull(),
    trust: t.integer().notNull(),
    emission: t.bigint().notNull(),
    validatorPermit: t.boolean().notNull(),
    block: t.integer().notNull(),
  }),
  (t) => ({ nue: index().on(t.netuid, t.uid, t.epoch), se: index().on(t.subnetEpochId), hotkey: index().on(t.hotkey) }),
);

export const stakePosition = onchainTable(
  'stake_position',
  (t) => ({
    id: t.text().primaryKey(),
    coldkey: t.text().notNull(),
    hotkey: t.text().notNull(),
    netuid: t.integer().notNull(),
    subnetId: t.text().notNull(),
    amount: t.bigint().notNull(),
    updatedAtBlock: t.integer().notNull(),
    updatedAt: t.timestamp().notNull(),
  }),
  (t) => ({ coldkey: index().on(t.coldkey), nh: index().on(t.netuid, t.hotkey), subnet: index().on(t.subnetId) }),
);

export const stakeEvent = onchainTable(
  'stake_event',
  (t) => ({
    id: t.text().primaryKey(),
    kind: t.text().notNull(),
    coldkey: t.text().notNull(),
    hotkey: t.text().notNull(),
    netuid: t.integer().notNull(),
    amount: t.bigint().notNull(),
    newAmount: t.bigint().notNull(),
    blockNumber: t.integer().notNull(),
    timestamp: t.timestamp().notNull(),
    txHash: t.text().notNull(),
  }),
  (t) => ({ coldkey: index().on(t.coldkey), hotkey: index().on(t.hotkey), netuid: index().on(t.netuid), block: index().on(t.blockNumber) }),
);

export const market = onchainTable('market', (t) => ({
  id: t.text().primaryKey(),
  marketId: t.integer().notNull(),
  kind: t.text().notNull(),
  tier: t.integer().notNull(),
  name: t.text().notNull(),
  usdPerUnit: t.bigint().notNull(),
  jobCount: t.integer().notNull(),
  openJobCount: t.integer().notNull(),
  volume: t.bigint().notNull(),
  createdAt: t.timestamp().notNull(),
  ...at(t),
  minVramGb: t.integer(),
  reviewWindow: t.bigint(),
  epochBlocks: t.bigint(),
  workEmission: t.bigint(),
  availabilityEmission: t.bigint(),
  approvedJobCount: t.integer().notNull(),
  burned: t.bigint().notNull(),
  fees: t.bigint().notNull(),
  refunded: t.bigint().notNull(),
  minted: t.bigint().notNull(),
  epochCount: t.integer().notNull(),
}));

export const marketEpoch = onchainTable('market_epoch', (t) => ({
  id: t.text().primaryKey(),
  marketId: t.integer().notNull(),
  epoch: t.integer().notNull(),
  emission: t.bigint().notNull(),
  workApproved: t.bigint().notNull(),
  availabilityEmission: t.bigint().notNull(),
  availableProviders: t.integer().notNull(),
  block: t.integer().notNull(),
  timestamp: t.timestamp().notNull(),
}));

export const marketStat = onchainTable(
  'market_stat',
  (t) => ({
    id: t.text().primaryKey(),
    marketId: t.text().notNull(),
    period: t.text().notNull(),
    start: t.timestamp().notNull(),
    jobsPosted: t.integer().notNull(),
    volume: t.bigint().notNull(),
    workEstimated: t.bigint().notNull(),
    jobsApproved: t.integer().notNull(),
    workApproved: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    usdPerUnit: t.bigint().notNull(),
  }),
  (t) => ({ start: index().on(t.start) }),
);

export const provider = onchainTable('provider', (t) => ({
  id: t.text().primaryKey(),
  gpuModel: t.text().notNull(),
  vramGb: t.integer().notNull(),
  benchmarkScore: t.integer().notNull(),
  tier: t.integer().notNull(),
  jobsClaimed: t.integer().notNull(),
  jobsCompleted: t.integer().notNull(),
  workUnits: t.bigint().notNull(),
  registeredAt: t.timestamp().notNull(),
  ...at(t),
  jobsApproved: t.integer().notNull(),
  jobsRejected: t.integer().notNull(),
  approvedWorkUnits: t.bigint().notNull(),
  workRewards: t.bigint().notNull(),
  availabilityRewards: t.bigint().notNull(),
  earnings: t.bigint().notNull(),
  successRate: t.doublePrecision(),
}));

export const providerEpoch = onchainTable('provider_epoch', (t) => ({
  id: t.text().primaryKey(),
  providerId: t.text().notNull(),
  marketId: t.integer().notNull(),
  epoch: t.integer().notNull(),
  jobsApproved: t.integer().notNull(),
  workUnits: t.bigint().notNull(),
  workReward: t.bigint().notNull(),
  availabilityReward: t.bigint().notNull(),
  available: t.boolean().notNull(),
}));

export const job = onchainTable(
  'job',
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.integer().notNull(),
    marketId: t.text().notNull(),
    sender: t.text().notNull(),
    providerId: t.text(),
    state: t.text().notNull(),
    specHash: t.text().notNull(),
    workEstimate: t.bigint().notNull(),
    payment: t.bigint().notNull(),
    deadline: t.timestamp().notNull(),
    resultHash: t.text(),
    workUnits: t.bigint(),
    postedAtBlock: t.integer().notNull(),
    postedAt: t.timestamp().notNull(),
    claimedAtBlock: t.integer(),
    completedAtBlock: t.integer(),
    updatedAtBlock: t.integer().notNull(),
    failures: t.integer().notNull(),
    approvedAtBlock: t.integer(),
    autoApproved: t.boolean(),
    approvedBy: t.text(),
    burned: t.bigint(),
    fee: t.bigint(),
    settledEpoch: t.integer(),
    refunded: t.bigint(),
  }),
  (t) => ({ market: index().on(t.marketId), sender: index().on(t.sender), provider: index().on(t.providerId), state: index().on(t.state) }),
);

export const jobEvent = onchainTable(
  'job_event',
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.text().notNull(),
    kind: t.text().notNull(),
    actor: t.text().notNull(),
    blockNumber: t.integer().notNull(),
    timestamp: t.timestamp().notNull(),
    txHash: t.text().notNull(),
  }),
  (t) => ({ job: index().on(t.jobId), block: index().on(t.blockNumber) }),
);
