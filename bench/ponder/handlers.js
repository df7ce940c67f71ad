// Ponder handlers that build the tables our indexer builds (indexer/families/*), from the same
// events, with the same rows: a ChainEvent per event, and per family the entity updates. Written the
// way Ponder is meant to be used (find/insert/update per event through its in-memory cache), which is
// the comparison the benchmark makes. Where ours keeps a value in its batch state (the token supply,
// neurons by hotkey) these keep it in the module, since Ponder runs handlers one at a time in order.
import { ponder } from 'ponder:registry';
import * as s from 'ponder:schema';
import { CONTRACTS } from './abis.js';

const ZERO = '0x0000000000000000000000000000000000000000';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MARKET_KINDS = ['RENDER', 'INFERENCE', 'TRAINING'];

/** JSON-safe: bigints as decimal strings, hex lowercase (families/events.ts toJson). */
function toJson(v) {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return /^0x[0-9a-fA-F]*$/.test(v) ? v.toLowerCase() : v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

const meta = (event) => ({
  block: Number(event.block.number),
  timestamp: new Date(Number(event.block.timestamp) * 1000),
  txHash: event.transaction.hash,
  id: event.id,
});

// ---- token ----
let supply = 0n;
async function account(db, address, block) {
  const a = await db.find(s.account, { id: address });
  return (
    a ?? { id: address, balance: 0n, minted: 0n, burned: 0n, transfersIn: 0, transfersOut: 0, firstSeenBlock: block, updatedAtBlock: block }
  );
}
async function transfer({ event, context: { db } }) {
  const m = meta(event);
  const from = event.args.from.toLowerCase();
  const to = event.args.to.toLowerCase();
  const value = event.args.value;
  if (from !== ZERO) {
    const a = await account(db, from, m.block);
    a.balance -= value;
    a.transfersOut += 1;
    if (to === ZERO) a.burned += value;
    a.updatedAtBlock = m.block;
    await db.insert(s.account).values(a).onConflictDoUpdate(a);
  }
  if (to !== ZERO) {
    const a = await account(db, to, m.block);
    a.balance += value;
    a.transfersIn += 1;
    if (from === ZERO) a.minted += value;
    a.updatedAtBlock = m.block;
    await db.insert(s.account).values(a).onConflictDoUpdate(a);
  }
  if (from === ZERO || to === ZERO) {
    const id = m.timestamp.toISOString().slice(0, 10);
    const day = (await db.find(s.tokenSupplyDay, { id })) ?? {
      id,
      day: new Date(`${id}T00:00:00Z`),
      minted: 0n,
      burned: 0n,
      supply,
      updatedAtBlock: m.block,
    };
    if (from === ZERO) {
      day.minted += value;
      supply += value;
    } else {
      day.burned += value;
      supply -= value;
    }
    day.supply = supply;
    day.updatedAtBlock = m.block;
    await db.insert(s.tokenSupplyDay).values(day).onConflictDoUpdate(day);
  }
}

// ---- registry ----
const neuronByHotkey = new Map();
const pendingHyperparameters = new Map();
const hp = (h) => toJson(h);

const registry = {
  async SubnetRegistered({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    await db.insert(s.subnet).values({
      id: String(a.netuid),
      netuid: a.netuid,
      name: a.name,
      owner: a.owner.toLowerCase(),
      tempo: a.tempo,
      registrationCost: a.registrationCost,
      neuronCount: 0,
      totalStake: 0n,
      createdAt: m.timestamp,
      createdAtBlock: m.block,
      updatedAtBlock: m.block,
      isCompute: false,
      hyperparameters: pendingHyperparameters.get(String(a.netuid)) ?? null,
      epochCount: 0,
      lastEpochBlock: null,
      totalEmission: 0n,
    });
  },
  async HyperparametersSet({ event, context: { db } }) {
    const id = String(event.args.netuid);
    if (!(await db.find(s.subnet, { id }))) pendingHyperparameters.set(id, hp(event.args.hyperparameters));
    else
      await db.update(s.subnet, { id }).set({
        hyperparameters: hp(event.args.hyperparameters),
        tempo: event.args.hyperparameters.tempo,
        updatedAtBlock: meta(event).block,
      });
  },
  async ComputeSubnetSet({ event, context: { db } }) {
    await db.update(s.subnet, { id: String(event.args.netuid) }).set({ isCompute: true, updatedAtBlock: meta(event).block });
  },
  async NeuronReplaced({ event, context: { db } }) {
    const { netuid, uid, oldHotkey } = event.args;
    await db.update(s.subnet, { id: String(netuid) }).set((r) => ({ neuronCount: r.neuronCount - 1 }));
    neuronByHotkey.delete(`${netuid}-${oldHotkey.toLowerCase()}`);
    await db.delete(s.weights, { id: `${netuid}-${uid}` });
  },
  async NeuronRegistered({ event, context: { db } }) {
    const m = meta(event);
    const { netuid, uid, hotkey, coldkey } = event.args;
    await db.update(s.subnet, { id: String(netuid) }).set((r) => ({ neuronCount: r.neuronCount + 1, updatedAtBlock: m.block }));
    const n = {
      id: `${netuid}-${uid}`,
      subnetId: String(netuid),
      netuid,
      uid,
      hotkey: hotkey.toLowerCase(),
      coldkey: coldkey.toLowerCase(),
      stake: 0n,
      registeredAtBlock: m.block,
      registeredAt: m.timestamp,
      updatedAtBlock: m.block,
      lastUpdateBlock: null,
      validatorPermit: false,
      stakeWeight: null,
      consensus: null,
      incentive: null,
      dividends: null,
      validatorTrust: null,
      rank: null,
      trust: null,
      lastEmission: null,
      totalEmission: 0n,
    };
    await db.insert(s.neuron).values(n).onConflictDoUpdate(n);
    neuronByHotkey.set(`${netuid}-${n.hotkey}`, n.id);
  },
  async WeightsSet({ event, context: { db } }) {
    const m = meta(event);
    const { netuid, uid, uids, values } = event.args;
    const n = await db.update(s.neuron, { id: `${netuid}-${uid}` }).set({ lastUpdateBlock: m.block, updatedAtBlock: m.block });
    const w = {
      id: n.id,
      subnetId: String(netuid),
      netuid,
      uid,
      hotkey: n.hotkey,
      uids: [...uids],
      values: [...values],
      block: m.block,
      timestamp: m.timestamp,
    };
    await db.insert(s.weights).values(w).onConflictDoUpdate(w);
  },
};
async function stake({ event, context: { db } }) {
  const m = meta(event);
  const a = event.args;
  const coldkey = a.coldkey.toLowerCase();
  const hotkey = a.hotkey.toLowerCase();
  await db.update(s.subnet, { id: String(a.netuid) }).set({ totalStake: a.subnetStake, updatedAtBlock: m.block });
  const nid = neuronByHotkey.get(`${a.netuid}-${hotkey}`);
  if (nid) await db.update(s.neuron, { id: nid }).set({ stake: a.hotkeyStake, updatedAtBlock: m.block });
  const p = {
    id: `${coldkey}-${hotkey}-${a.netuid}`,
    coldkey,
    hotkey,
    netuid: a.netuid,
    subnetId: String(a.netuid),
    amount: a.newStake,
    updatedAtBlock: m.block,
    updatedAt: m.timestamp,
  };
  await db.insert(s.stakePosition).values(p).onConflictDoUpdate(p);
  await db.insert(s.stakeEvent).values({
    id: m.id,
    kind: event.name === 'StakeAdded' ? 'ADD' : 'REMOVE',
    coldkey,
    hotkey,
    netuid: a.netuid,
    amount: a.amount,
    newAmount: a.newStake,
    blockNumber: m.block,
    timestamp: m.timestamp,
    txHash: m.txHash,
  });
}
registry.StakeAdded = stake;
registry.StakeRemoved = stake;

// ---- ledger ----
const ledger = {
  async EpochFinalized({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const id = `${a.netuid}-${a.epoch}`;
    const row = {
      id,
      subnetId: String(a.netuid),
      netuid: a.netuid,
      epoch: Number(a.epoch),
      block: Number(a.block),
      inputsHash: a.inputsHash,
      emission: a.emission,
      ownerCut: a.ownerCut,
      neuronCount: 0,
      postedAtBlock: m.block,
      timestamp: m.timestamp,
    };
    await db
      .insert(s.subnetEpoch)
      .values(row)
      .onConflictDoUpdate({ block: row.block, inputsHash: row.inputsHash, emission: a.emission, ownerCut: a.ownerCut });
    await db.update(s.subnet, { id: String(a.netuid) }).set((r) => ({
      epochCount: r.epochCount + 1,
      lastEpochBlock: row.block,
      totalEmission: r.totalEmission + a.emission,
      updatedAtBlock: m.block,
    }));
  },
  async NeuronEpoch({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const epochId = `${a.netuid}-${a.epoch}`;
    await db.update(s.subnetEpoch, { id: epochId }).set((r) => ({ neuronCount: r.neuronCount + 1 }));
    const nid = `${a.netuid}-${a.uid}`;
    const n = await db.find(s.neuron, { id: nid });
    const values = {
      stakeWeight: a.stakeWeight,
      consensus: a.consensus,
      incentive: a.incentive,
      dividends: a.dividends,
      validatorTrust: a.validatorTrust,
      rank: a.rank,
      trust: a.trust,
      validatorPermit: a.validatorPermit,
    };
    await db.insert(s.neuronEpoch).values({
      id: `${epochId}-${a.uid}`,
      subnetEpochId: epochId,
      netuid: a.netuid,
      epoch: Number(a.epoch),
      uid: a.uid,
      hotkey: n?.hotkey ?? '',
      ...values,
      emission: a.emission,
      block: m.block,
    });
    if (n) {
      await db
        .update(s.neuron, { id: nid })
        .set({ ...values, lastEmission: a.emission, totalEmission: n.totalEmission + a.emission, updatedAtBlock: m.block });
    }
  },
};

// ---- market ----
const statId = (marketId, period, t) => {
  const ms = period === 'HOUR' ? HOUR_MS : DAY_MS;
  const start = new Date(Math.floor(t.getTime() / ms) * ms);
  return [`${marketId}-${period}-${start.toISOString()}`, start];
};
async function stats(db, marketId, t, change) {
  const m = await db.find(s.market, { id: marketId });
  for (const period of ['HOUR', 'DAY']) {
    const [id, start] = statId(marketId, period, t);
    const row = (await db.find(s.marketStat, { id })) ?? {
      id,
      marketId,
      period,
      start,
      jobsPosted: 0,
      volume: 0n,
      workEstimated: 0n,
      jobsApproved: 0,
      workApproved: 0n,
      burned: 0n,
      usdPerUnit: m.usdPerUnit,
    };
    change(row);
    row.usdPerUnit = m.usdPerUnit;
    await db.insert(s.marketStat).values(row).onConflictDoUpdate(row);
  }
}
async function jobEvent(db, event, jobId, kind, actor) {
  const m = meta(event);
  await db.insert(s.jobEvent).values({
    id: m.id,
    jobId,
    kind,
    actor: actor.toLowerCase(),
    blockNumber: m.block,
    timestamp: m.timestamp,
    txHash: m.txHash,
  });
}
const updateMarket = (db, id, block, f) => db.update(s.market, { id: String(id) }).set((r) => ({ ...f(r), updatedAtBlock: block }));
async function providerEpoch(db, provider, marketId, epoch, change) {
  const id = `${provider.toLowerCase()}-${marketId}-${epoch}`;
  const row = (await db.find(s.providerEpoch, { id })) ?? {
    id,
    providerId: provider.toLowerCase(),
    marketId: Number(marketId),
    epoch: Number(epoch),
    jobsApproved: 0,
    workUnits: 0n,
    workReward: 0n,
    availabilityReward: 0n,
    available: false,
  };
  change(row);
  await db.insert(s.providerEpoch).values(row).onConflictDoUpdate(row);
}
async function endJob(state, kind, { event, context: { db } }) {
  const m = meta(event);
  const id = event.args.jobId.toString();
  const j = await db.find(s.job, { id });
  if (j.state === 'POSTED') await updateMarket(db, j.marketId, m.block, (r) => ({ openJobCount: r.openJobCount - 1 }));
  await db
    .update(s.job, { id })
    .set({ state, updatedAtBlock: m.block, ...(state === 'QUARANTINED' ? { failures: event.args.failures } : {}) });
  await jobEvent(db, event, id, kind, j.sender);
}
async function marketEpoch({ event, context: { db } }) {
  const m = meta(event);
  const a = event.args;
  const id = `${a.marketId}-${a.epoch}`;
  const row = (await db.find(s.marketEpoch, { id })) ?? {
    id,
    marketId: a.marketId,
    epoch: Number(a.epoch),
    emission: 0n,
    workApproved: 0n,
    availabilityEmission: 0n,
    availableProviders: 0,
    block: m.block,
    timestamp: m.timestamp,
  };
  if (!(await db.find(s.marketEpoch, { id }))) await updateMarket(db, a.marketId, m.block, (r) => ({ epochCount: r.epochCount + 1 }));
  if (event.name === 'MarketEpochClosed') Object.assign(row, { emission: a.emission, workApproved: a.workApproved });
  else Object.assign(row, { availabilityEmission: a.availabilityEmission, availableProviders: a.availableProviders });
  await db.insert(s.marketEpoch).values(row).onConflictDoUpdate(row);
}
async function availability({ event, context: { db } }) {
  await providerEpoch(db, event.args.provider, event.args.marketId, event.args.epoch, (r) => {
    r.available = event.name === 'ProviderHeartbeat';
  });
}
const market = {
  async MarketCreated({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    await db.insert(s.market).values({
      id: String(a.marketId),
      marketId: a.marketId,
      kind: MARKET_KINDS[a.kind],
      tier: a.tier,
      name: a.name,
      usdPerUnit: a.usdPerUnit,
      jobCount: 0,
      openJobCount: 0,
      volume: 0n,
      createdAt: m.timestamp,
      createdAtBlock: m.block,
      updatedAtBlock: m.block,
      approvedJobCount: 0,
      burned: 0n,
      fees: 0n,
      refunded: 0n,
      minted: 0n,
      epochCount: 0,
    });
  },
  MarketPriceSet: ({ event, context: { db } }) =>
    updateMarket(db, event.args.marketId, meta(event).block, () => ({ usdPerUnit: event.args.usdPerUnit })),
  MarketRequirementsSet: ({ event, context: { db } }) =>
    updateMarket(db, event.args.marketId, meta(event).block, () => ({ minVramGb: event.args.minVramGb })),
  MarketParamsSet: ({ event, context: { db } }) =>
    updateMarket(db, event.args.marketId, meta(event).block, () => ({
      reviewWindow: event.args.reviewWindow,
      epochBlocks: event.args.epochBlocks,
      workEmission: event.args.workEmission,
      availabilityEmission: event.args.availabilityEmission,
    })),
  async ProviderRegistered({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    await db.insert(s.provider).values({
      id: a.provider.toLowerCase(),
      gpuModel: a.gpuModel,
      vramGb: a.vramGb,
      benchmarkScore: a.benchmarkScore,
      tier: a.tier,
      jobsClaimed: 0,
      jobsCompleted: 0,
      workUnits: 0n,
      registeredAt: m.timestamp,
      createdAtBlock: m.block,
      updatedAtBlock: m.block,
      jobsApproved: 0,
      jobsRejected: 0,
      approvedWorkUnits: 0n,
      workRewards: 0n,
      availabilityRewards: 0n,
      earnings: 0n,
      successRate: null,
    });
  },
  async ProviderUpdated({ event, context: { db } }) {
    const a = event.args;
    await db
      .update(s.provider, { id: a.provider.toLowerCase() })
      .set({ gpuModel: a.gpuModel, vramGb: a.vramGb, benchmarkScore: a.benchmarkScore, tier: a.tier, updatedAtBlock: meta(event).block });
  },
  ProviderHeartbeat: availability,
  ProviderAvailabilityForfeited: availability,
  async JobPosted({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const marketId = String(a.marketId);
    await updateMarket(db, marketId, m.block, (r) => ({
      jobCount: r.jobCount + 1,
      openJobCount: r.openJobCount + 1,
      volume: r.volume + a.payment,
    }));
    await stats(db, marketId, m.timestamp, (r) => {
      r.jobsPosted += 1;
      r.volume += a.payment;
      r.workEstimated += a.workEstimate;
    });
    const id = a.jobId.toString();
    await db.insert(s.job).values({
      id,
      jobId: Number(a.jobId),
      marketId,
      sender: a.sender.toLowerCase(),
      providerId: null,
      state: 'POSTED',
      specHash: a.specHash,
      workEstimate: a.workEstimate,
      payment: a.payment,
      deadline: new Date(Number(a.deadline) * 1000),
      postedAtBlock: m.block,
      postedAt: m.timestamp,
      updatedAtBlock: m.block,
      failures: 0,
    });
    await jobEvent(db, event, id, 'POSTED', a.sender);
  },
  async JobClaimed({ event, context: { db } }) {
    const m = meta(event);
    const id = event.args.jobId.toString();
    const provider = event.args.provider.toLowerCase();
    const j = await db.update(s.job, { id }).set({
      providerId: provider,
      state: 'CLAIMED',
      claimedAtBlock: m.block,
      completedAtBlock: null,
      resultHash: null,
      workUnits: null,
      updatedAtBlock: m.block,
    });
    await updateMarket(db, j.marketId, m.block, (r) => ({ openJobCount: r.openJobCount - 1 }));
    await db.update(s.provider, { id: provider }).set((r) => ({ jobsClaimed: r.jobsClaimed + 1, updatedAtBlock: m.block }));
    await jobEvent(db, event, id, 'CLAIMED', provider);
  },
  async JobCompleted({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const id = a.jobId.toString();
    await db
      .update(s.provider, { id: a.provider.toLowerCase() })
      .set((r) => ({ jobsCompleted: r.jobsCompleted + 1, workUnits: r.workUnits + a.workUnits, updatedAtBlock: m.block }));
    await db
      .update(s.job, { id })
      .set({ state: 'COMPLETED', resultHash: a.resultHash, workUnits: a.workUnits, completedAtBlock: m.block, updatedAtBlock: m.block });
    await jobEvent(db, event, id, 'COMPLETED', a.provider);
  },
  async JobApproved({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const id = a.jobId.toString();
    const j = await db.update(s.job, { id }).set({
      state: 'APPROVED',
      approvedAtBlock: m.block,
      autoApproved: a.automatic,
      approvedBy: a.by.toLowerCase(),
      updatedAtBlock: m.block,
    });
    await updateMarket(db, j.marketId, m.block, (r) => ({ approvedJobCount: r.approvedJobCount + 1 }));
    await stats(db, j.marketId, m.timestamp, (r) => {
      r.jobsApproved += 1;
    });
    if (j.providerId) {
      await db.update(s.provider, { id: j.providerId }).set((r) => ({
        jobsApproved: r.jobsApproved + 1,
        successRate: (r.jobsApproved + 1) / (r.jobsApproved + 1 + r.jobsRejected),
        updatedAtBlock: m.block,
      }));
    }
    await jobEvent(db, event, id, 'APPROVED', a.by);
  },
  async JobRejected({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const id = a.jobId.toString();
    await db.update(s.job, { id }).set({ failures: a.failures, updatedAtBlock: m.block });
    await db.update(s.provider, { id: a.provider.toLowerCase() }).set((r) => ({
      jobsRejected: r.jobsRejected + 1,
      successRate: r.jobsApproved / (r.jobsApproved + r.jobsRejected + 1),
      updatedAtBlock: m.block,
    }));
    await jobEvent(db, event, id, 'REJECTED', a.by);
  },
  async JobReassigned({ event, context: { db } }) {
    const m = meta(event);
    const id = event.args.jobId.toString();
    const j = await db.update(s.job, { id }).set({
      state: 'POSTED',
      providerId: null,
      failures: event.args.failures,
      claimedAtBlock: null,
      completedAtBlock: null,
      updatedAtBlock: m.block,
    });
    await updateMarket(db, j.marketId, m.block, (r) => ({ openJobCount: r.openJobCount + 1 }));
    await jobEvent(db, event, id, 'REASSIGNED', j.sender);
  },
  JobQuarantined: (c) => endJob('QUARANTINED', 'QUARANTINED', c),
  JobCancelled: (c) => endJob('CANCELLED', 'CANCELLED', c),
  JobExpired: (c) => endJob('EXPIRED', 'EXPIRED', c),
  async JobRefunded({ event, context: { db } }) {
    const m = meta(event);
    const id = event.args.jobId.toString();
    const j = await db.update(s.job, { id }).set((r) => ({ refunded: (r.refunded ?? 0n) + event.args.amount, updatedAtBlock: m.block }));
    await updateMarket(db, j.marketId, m.block, (r) => ({ refunded: r.refunded + event.args.amount }));
    await jobEvent(db, event, id, 'REFUNDED', event.args.to);
  },
  async JobSettled({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const id = a.jobId.toString();
    const j = await db.update(s.job, { id }).set({ burned: a.burned, fee: a.fee, settledEpoch: Number(a.epoch), updatedAtBlock: m.block });
    await updateMarket(db, j.marketId, m.block, (r) => ({ burned: r.burned + a.burned, fees: r.fees + a.fee }));
    await stats(db, j.marketId, m.timestamp, (r) => {
      r.workApproved += a.workCredited;
      r.burned += a.burned;
    });
    await db.update(s.provider, { id: a.provider.toLowerCase() }).set((r) => ({ approvedWorkUnits: r.approvedWorkUnits + a.workCredited }));
    await providerEpoch(db, a.provider, j.marketId, a.epoch, (r) => {
      r.jobsApproved += 1;
      r.workUnits += a.workCredited;
    });
    await jobEvent(db, event, id, 'SETTLED', a.provider);
  },
  MarketEpochClosed: marketEpoch,
  MarketEpochAvailability: marketEpoch,
  async ProviderRewarded({ event, context: { db } }) {
    const m = meta(event);
    const a = event.args;
    const total = a.workReward + a.availabilityReward;
    await db.update(s.provider, { id: a.provider.toLowerCase() }).set((r) => ({
      workRewards: r.workRewards + a.workReward,
      availabilityRewards: r.availabilityRewards + a.availabilityReward,
      earnings: r.earnings + total,
      updatedAtBlock: m.block,
    }));
    await providerEpoch(db, a.provider, a.marketId, a.epoch, (r) => {
      r.workReward += a.workReward;
      r.availabilityReward += a.availabilityReward;
    });
    await updateMarket(db, a.marketId, m.block, (r) => ({ minted: r.minted + total }));
  },
};

const FAMILIES = { token: { Transfer: transfer }, registry, ledger, market, forwarder: {} };

// One handler per event of every contract: the ChainEvent row (every event is kept), then the family's work.
for (const [contract, abi] of Object.entries(CONTRACTS)) {
  const seen = new Set();
  for (const item of abi) {
    if (item.type !== 'event' || seen.has(item.name)) continue;
    seen.add(item.name);
    const family = FAMILIES[contract][item.name];
    ponder.on(`${contract}:${item.name}`, async (ctx) => {
      const { event, context } = ctx;
      const m = meta(event);
      await context.db.insert(s.chainEvent).values({
        id: m.id,
        contract,
        address: event.log.address.toLowerCase(),
        name: item.name,
        blockNumber: m.block,
        timestamp: m.timestamp,
        txHash: m.txHash,
        logIndex: event.log.logIndex,
        args: toJson(event.args),
      });
      if (family) await family(ctx);
    });
  }
}
