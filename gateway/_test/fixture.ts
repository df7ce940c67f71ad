/** @internal test fixture, not part of the public surface */
// Deterministic rows for the gateway tests, written with plain SQL (as the indexer would leave them).
// Values repeat on purpose (tiers, stakes, payments) so that ordering ties exercise the id tiebreak.
import type { Client } from 'pg';

export const addr = (n: number) => `0x${n.toString(16).padStart(40, '0').replace(/^0/, 'a')}`;
const hash = (n: number) => `0x${n.toString(16).padStart(64, 'f')}`;
const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
// Above 2^64: would lose precision as a JS number
const BIG = 10n ** 24n;

async function insert(c: Client, table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const params: unknown[] = [];
  const values = rows.map((r) => {
    const placeholders = cols.map((k) => {
      params.push(r[k]);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  await c.query(`INSERT INTO "${table}" (${cols.map((k) => `"${k}"`).join(', ')}) VALUES ${values.join(', ')}`, params);
}

export const COUNTS = { subnets: 4, neuronsPerSubnet: 6, stakePositions: 15, stakeEvents: 23, markets: 5, providers: 70, jobs: 130 };

export async function seed(c: Client) {
  const subnets = Array.from({ length: COUNTS.subnets }, (_, i) => ({
    id: String(i + 1),
    netuid: i + 1,
    name: `subnet ${i + 1}`,
    owner: addr(1000 + i),
    tempo: 100 + (i % 2) * 260,
    registration_cost: String(BIG * BigInt(i % 3)),
    neuron_count: COUNTS.neuronsPerSubnet,
    total_stake: String(BIG * BigInt(i % 2) + 7n),
    created_at_block: 10 + i,
    created_at: at(i),
    updated_at_block: 20 + i,
    is_compute: i === 0,
    epoch_count: 0,
    total_emission: '0',
  }));
  await insert(c, 'subnet', subnets);
  const neurons = subnets.flatMap((s) =>
    Array.from({ length: COUNTS.neuronsPerSubnet }, (_, uid) => ({
      id: `${s.netuid}-${uid}`,
      subnet_id: s.id,
      netuid: s.netuid,
      uid,
      hotkey: addr(2000 + s.netuid * 100 + uid),
      coldkey: addr(3000 + (uid % 3)),
      stake: String(BigInt(uid % 4) * BIG),
      registered_at_block: 30 + uid,
      registered_at: at(uid),
      updated_at_block: 40,
      validator_permit: uid < 2,
      total_emission: '0',
    })),
  );
  await insert(c, 'neuron', neurons);
  await insert(
    c,
    'stake_position',
    Array.from({ length: COUNTS.stakePositions }, (_, i) => ({
      id: `${addr(3000 + (i % 3))}-${addr(2000 + i)}-${(i % COUNTS.subnets) + 1}`,
      coldkey: addr(3000 + (i % 3)),
      hotkey: addr(2000 + i),
      netuid: (i % COUNTS.subnets) + 1,
      subnet_id: String((i % COUNTS.subnets) + 1),
      amount: String(BigInt(i % 5) * BIG + 1n),
      updated_at_block: 50 + (i % 4),
      updated_at: at(i % 4),
    })),
  );
  await insert(
    c,
    'stake_event',
    Array.from({ length: COUNTS.stakeEvents }, (_, i) => ({
      id: `${String(60 + (i >> 1)).padStart(10, '0')}-${String(i).padStart(6, '0')}`,
      kind: i % 3 === 0 ? 'REMOVE' : 'ADD',
      coldkey: addr(3000 + (i % 3)),
      hotkey: addr(2000 + (i % 7)),
      netuid: (i % COUNTS.subnets) + 1,
      amount: String(BigInt(i) * BIG),
      new_amount: String(BigInt(i % 4) * BIG),
      block_number: 60 + (i >> 1),
      timestamp: at(i >> 1),
      tx_hash: hash(i),
    })),
  );
  const kinds = ['RENDER', 'INFERENCE', 'TRAINING'];
  await insert(
    c,
    'market',
    Array.from({ length: COUNTS.markets }, (_, i) => ({
      id: String(i + 1),
      market_id: i + 1,
      kind: kinds[i % 3],
      tier: i % 2,
      name: `market ${i + 1}`,
      usd_per_unit: String(100_000_000 * (i + 1)),
      job_count: 0,
      open_job_count: 0,
      volume: String(BIG * BigInt(i % 2)),
      created_at_block: 5,
      created_at: at(0),
      updated_at_block: 6,
      approved_job_count: 0,
      burned: '0',
      fees: '0',
      refunded: '0',
      minted: '0',
      epoch_count: 0,
    })),
  );
  const gpus = ['RTX 4090', 'RTX 3090', 'H100', 'A100'];
  await insert(
    c,
    'provider',
    Array.from({ length: COUNTS.providers }, (_, i) => ({
      id: addr(5000 + i),
      address: addr(5000 + i),
      gpu_model: gpus[i % 4],
      vram_gb: [24, 24, 80, 40][i % 4],
      benchmark_score: 1000 + ((i * 37) % 500),
      tier: i % 3,
      jobs_claimed: i % 5,
      jobs_completed: i % 4,
      work_units: String(BigInt(i) * 1000n),
      registered_at_block: 100 + (i >> 2),
      registered_at: at(i >> 2),
      updated_at_block: 200,
      jobs_approved: 0,
      jobs_rejected: 0,
      approved_work_units: '0',
      work_rewards: '0',
      availability_rewards: '0',
      earnings: '0',
    })),
  );
  const states = ['POSTED', 'CLAIMED', 'COMPLETED'];
  const jobs = Array.from({ length: COUNTS.jobs }, (_, i) => {
    const state = states[i % 3];
    return {
      id: String(i + 1),
      job_id: i + 1,
      market_id: String((i % COUNTS.markets) + 1),
      sender: addr(7000 + (i % 9)),
      provider_id: state === 'POSTED' ? null : addr(5000 + (i % COUNTS.providers)),
      state,
      spec_hash: hash(10_000 + i),
      work_estimate: String(1000 * (i % 7)),
      payment: String(BIG * BigInt(i % 11) + BigInt(i % 2)),
      deadline: at(1000 + i),
      result_hash: state === 'COMPLETED' ? hash(20_000 + i) : null,
      work_units: state === 'COMPLETED' ? String(900 * (i % 7)) : null,
      posted_at_block: 300 + (i >> 3),
      posted_at: at(300 + (i >> 3)),
      claimed_at_block: state === 'POSTED' ? null : 400 + i,
      completed_at_block: state === 'COMPLETED' ? 500 + i : null,
      updated_at_block: 600,
      failures: 0,
    };
  });
  await insert(c, 'job', jobs);
  const evKinds = ['POSTED', 'CLAIMED', 'COMPLETED'];
  await insert(
    c,
    'job_event',
    jobs.flatMap((j, i) =>
      evKinds.slice(0, (i % 3) + 1).map((kind, k) => ({
        id: `${String(300 + i + k * 200).padStart(10, '0')}-${String(k).padStart(6, '0')}-${j.id}`,
        job_id: j.id,
        kind,
        actor: k === 0 ? j.sender : (j.provider_id as string),
        block_number: 300 + i + k * 200,
        timestamp: at(300 + i + k * 200),
        tx_hash: hash(30_000 + i * 3 + k),
      })),
    ),
  );
}
