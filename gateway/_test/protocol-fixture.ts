/** @internal test fixture, not part of the public surface */
// The protocol's index-time tables on top of fixture.ts's rows (run seed() first): epochs per subnet
// and neuron, weights, market epochs and stats, provider epochs, accounts, token days and chain
// events, spread over the two weeks before ANCHOR (the newest event's time) so that every ranking
// window (hour, day, week) and the window before it hold different rows. Values repeat on purpose.
import type { Client } from 'pg';
import { addr, COUNTS } from './fixture';

export const ANCHOR = Date.UTC(2025, 1, 1);
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(ANCHOR - hours * HOUR).toISOString();
const E18 = 10n ** 18n;

async function insert(c: Client, table: string, rows: Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const cols = Object.keys(chunk[0]);
    const params: unknown[] = [];
    const values = chunk.map((r) => {
      const ph = cols.map((k) => {
        params.push(r[k]);
        return `$${params.length}`;
      });
      return `(${ph.join(', ')})`;
    });
    await c.query(`INSERT INTO "${table}" (${cols.map((k) => `"${k}"`).join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

/** Epoch k of every subnet is `EPOCH_HOURS[k-1]` hours before ANCHOR. */
export const EPOCH_HOURS = [300, 160, 40, 30, 20, 10, 0.5];
export const hotkeyOf = (netuid: number, uid: number) => addr(2000 + netuid * 100 + uid);

export async function seedProtocol(c: Client) {
  const epochs: Record<string, unknown>[] = [];
  const neuronEpochs: Record<string, unknown>[] = [];
  for (let netuid = 1; netuid <= COUNTS.subnets; netuid++) {
    EPOCH_HOURS.forEach((h, k) => {
      const epoch = k + 1;
      const block = 1000 + netuid * 100 + epoch * 10;
      epochs.push({
        id: `${netuid}-${epoch}`,
        subnet_id: String(netuid),
        netuid,
        epoch,
        block,
        inputs_hash: `0x${'ab'.repeat(32)}`,
        emission: String(BigInt((netuid * 7 + epoch * 3) % 11) * E18),
        owner_cut: '0',
        neuron_count: COUNTS.neuronsPerSubnet,
        posted_at_block: block + 1,
        timestamp: ago(h),
      });
      for (let uid = 0; uid < COUNTS.neuronsPerSubnet; uid++) {
        // Subnet 1's uid 5 was held by another hotkey for its first three epochs (replaced since).
        const hotkey = netuid === 1 && uid === 5 && epoch <= 3 ? addr(9999) : hotkeyOf(netuid, uid);
        neuronEpochs.push({
          id: `${netuid}-${epoch}-${uid}`,
          subnet_epoch_id: `${netuid}-${epoch}`,
          netuid,
          epoch,
          uid,
          hotkey,
          stake_weight: (uid * 1000 + epoch) % 65536,
          consensus: 0,
          incentive: (uid * 7919 + epoch * 104729 + netuid * 31) % 65536,
          dividends: uid < 2 ? (uid * 3001 + epoch * 7001) % 65536 : 0,
          validator_trust: uid < 2 ? (epoch * 9001 + netuid) % 65536 : 0,
          rank: 0,
          trust: 0,
          emission: String(BigInt((uid + epoch * netuid) % 5) * E18),
          validator_permit: uid < 2,
          block,
        });
      }
    });
  }
  await insert(c, 'subnet_epoch', epochs);
  await insert(c, 'neuron_epoch', neuronEpochs);
  // The neuron rows carry the last epoch's results and their total, as the indexer leaves them.
  await c.query(`UPDATE "neuron" n SET incentive = ne.incentive, dividends = ne.dividends, validator_trust = ne.validator_trust,
      last_emission = ne.emission, validator_permit = ne.validator_permit,
      total_emission = (SELECT sum(x.emission) FROM neuron_epoch x WHERE x.netuid = n.netuid AND x.uid = n.uid AND x.hotkey = n.hotkey)
    FROM neuron_epoch ne WHERE ne.netuid = n.netuid AND ne.uid = n.uid AND ne.epoch = ${EPOCH_HOURS.length}`);
  // Subnet 4 never got results for uid 3 (registered after the last epoch).
  await c.query(`UPDATE "neuron" SET incentive = NULL, dividends = NULL, validator_trust = NULL WHERE id = '4-3'`);
  await c.query(`UPDATE "subnet" s SET epoch_count = ${EPOCH_HOURS.length},
      total_emission = (SELECT sum(emission) FROM subnet_epoch e WHERE e.netuid = s.netuid)`);

  await insert(
    c,
    'weights',
    Array.from({ length: COUNTS.subnets }, (_, i) => i + 1).flatMap((netuid) =>
      [0, 1].map((uid) => ({
        id: `${netuid}-${uid}`,
        subnet_id: String(netuid),
        netuid,
        uid,
        hotkey: hotkeyOf(netuid, uid),
        uids: [2, 3, 4],
        values: [65535, uid * 100, 7],
        block: 900 + netuid * 10 + uid,
        timestamp: ago(50 - uid),
      })),
    ),
  );

  // Stake moves near ANCHOR (fixture.ts's are weeks older): positions of subnet neurons' hotkeys.
  await insert(
    c,
    'stake_event',
    Array.from({ length: 40 }, (_, i) => {
      const netuid = (i % COUNTS.subnets) + 1;
      return {
        id: `${String(5000 + i).padStart(10, '0')}-000000`,
        kind: i % 4 === 3 ? 'REMOVE' : 'ADD',
        coldkey: addr(3000 + (i % 3)),
        hotkey: hotkeyOf(netuid, i % COUNTS.neuronsPerSubnet),
        netuid,
        amount: String(BigInt((i * 13) % 17) * E18),
        new_amount: '0',
        block_number: 5000 + i,
        timestamp: ago([0.2, 5, 20, 30, 100, 170, 250][i % 7]),
        tx_hash: `0x${(i + 1).toString(16).padStart(64, 'e')}`,
      };
    }),
  );

  // Stake by coldkey on subnet 1's neurons (fixture.ts's positions are on other hotkeys).
  await insert(
    c,
    'stake_position',
    Array.from({ length: 8 }, (_, i) => ({
      id: `${addr(3000 + (i % 3))}-${hotkeyOf(1, i % 4)}-1`,
      coldkey: addr(3000 + (i % 3)),
      hotkey: hotkeyOf(1, i % 4),
      netuid: 1,
      subnet_id: '1',
      amount: String(BigInt(i + 1) * E18),
      updated_at_block: 700 + (i % 2),
      updated_at: ago(i),
    })).filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i),
  );
  await insert(
    c,
    'market_epoch',
    Array.from({ length: COUNTS.markets }, (_, i) => i + 1).flatMap((m) =>
      [1, 2, 3, 4].map((epoch) => ({
        id: `${m}-${epoch}`,
        market_id: String(m),
        epoch,
        // Epoch 4 is in progress: no emission yet, and the provider rankings leave it out.
        closed: epoch < 4,
        start_block: 2000 + m * 10 + epoch - 1,
        emission: String(epoch < 4 ? BigInt(m * epoch) * E18 : 0n),
        work_approved: String(m * 1000),
        availability_emission: '0',
        available_providers: 2,
        jobs_posted: (m + epoch) % 3,
        volume: String(BigInt((m + epoch) % 3) * E18 + BigInt(epoch)),
        work_estimated: String(((m + epoch) % 3) * 1500),
        avg_price_per_unit:
          (m + epoch) % 3 === 0
            ? null
            : String(((BigInt((m + epoch) % 3) * E18 + BigInt(epoch)) * 1000n) / BigInt(((m + epoch) % 3) * 1500)),
        jobs_approved: epoch % 2,
        burned: String(BigInt(epoch % 2) * 95n * 10n ** 16n),
        minted: String(epoch < 4 ? BigInt(m * epoch) * E18 : 0n),
        usd_per_unit: String(100_000_000 + m * epoch),
        block: 2000 + m * 10 + epoch,
        timestamp: ago([200, 30, 10, 0.5][epoch - 1]),
        updated_at_block: 2000 + m * 10 + epoch + (epoch === 2 ? 5 : 0),
      })),
    ),
  );
  // The token supply over those epochs: each market's epochs divide the same transfers.
  await insert(
    c,
    'token_supply_epoch',
    Array.from({ length: COUNTS.markets }, (_, i) => i + 1).flatMap((m) =>
      [1, 2, 3, 4].map((epoch) => ({
        id: `${m}-${epoch}`,
        market_id: String(m),
        epoch,
        closed: epoch < 4,
        start_block: 2000 + m * 10 + epoch - 1,
        minted: String(BigInt(10 * m + epoch) * E18),
        burned: String(BigInt(epoch) * E18),
        supply: String(BigInt(1000 + 10 * m * epoch) * E18),
        block: 2000 + m * 10 + epoch,
        timestamp: ago([200, 30, 10, 0.5][epoch - 1]),
      })),
    ),
  );
  await insert(
    c,
    'provider_epoch',
    Array.from({ length: 30 }, (_, i) => i).flatMap((p) =>
      [1, 2, 3, 4]
        .filter((epoch) => (p + epoch) % 3 !== 0)
        .map((epoch) => {
          const marketId = (p % COUNTS.markets) + 1;
          return {
            id: `${addr(5000 + p)}-${marketId}-${epoch}`,
            provider_id: addr(5000 + p),
            market_id: marketId,
            epoch,
            jobs_approved: (p + epoch) % 4,
            work_units: String(((p * 37 + epoch * 11) % 50) * 1000),
            work_reward: String(BigInt((p * 5 + epoch) % 9) * E18),
            availability_reward: String(BigInt(epoch % 2) * E18),
            available: epoch % 2 === 1,
          };
        }),
    ),
  );
  // Lifetime totals and success rates of those providers (the ALL window and SUCCESS_RATE read them).
  await c.query(`UPDATE "provider" p SET earnings = t.e, approved_work_units = t.w, work_rewards = t.wr, availability_rewards = t.ar
    FROM (SELECT provider_id, sum(work_reward + availability_reward) e, sum(work_units) w, sum(work_reward) wr, sum(availability_reward) ar
          FROM provider_epoch GROUP BY provider_id) t WHERE t.provider_id = p.id`);
  await c.query(`UPDATE "provider" SET jobs_approved = tier + 1, jobs_rejected = vram_gb % 3,
    success_rate = (tier + 1)::numeric / (tier + 1 + vram_gb % 3) WHERE benchmark_score % 2 = 0`);

  const stats: Record<string, unknown>[] = [];
  for (let m = 1; m <= COUNTS.markets; m++) {
    for (const [period, hours] of [
      ['HOUR', [0, 0.5, 1, 1.5, 2, 3]],
      ['DAY', [0, 24, 48, 96, 24 * 7, 24 * 8, 24 * 13]],
    ] as const) {
      for (const h of hours) {
        const start = ago(h);
        stats.push({
          id: `${m}-${period}-${start}`,
          market_id: String(m),
          period,
          start,
          jobs_posted: Math.round(m * 3 + h * 2) % 7,
          volume: String(BigInt(Math.round(m * 5 + h) % 13) * E18),
          work_estimated: '0',
          jobs_approved: 0,
          work_approved: '0',
          burned: '0',
          usd_per_unit: '100000000',
          avg_price_per_unit: h % 2 === 0 ? String(BigInt(m) * 4n * 10n ** 15n + BigInt(h)) : null,
        });
      }
    }
  }
  await insert(c, 'market_stat', stats);

  await insert(
    c,
    'account',
    [...Array.from({ length: 3 }, (_, i) => addr(3000 + i)), addr(5000), addr(5001), addr(7000)].map((a, i) => ({
      id: a,
      balance: String(BigInt(i * 3 + 1) * E18),
      minted: String(BigInt(i) * E18),
      burned: '0',
      transfers_in: i,
      transfers_out: 0,
      first_seen_block: 10 + i,
      updated_at_block: 100 + i,
    })),
  );
  await insert(
    c,
    'token_supply_day',
    [9, 8, 7, 5, 1, 0].map((d, i) => {
      const day = new Date(ANCHOR - d * 24 * HOUR);
      return {
        id: day.toISOString().slice(0, 10),
        day: day.toISOString(),
        minted: String(BigInt(100 + i * 10) * E18),
        burned: String(BigInt(i * 3) * E18),
        supply: String(BigInt(1000 + i * 50) * E18),
        updated_at_block: 3000 + i,
      };
    }),
  );

  // Registrations (a replacement is NeuronReplaced + NeuronRegistered) and, last, the newest block.
  const events: Record<string, unknown>[] = [];
  const regs: [number, number, boolean][] = [
    [1, 0.3, true],
    [1, 2, false],
    [2, 5, false],
    [2, 10, false],
    [3, 30, false],
    [4, 0.1, false],
    [4, 0.2, false],
    [4, 50, false],
  ];
  regs.forEach(([netuid, h, replaced], i) => {
    const names = replaced ? ['NeuronReplaced', 'NeuronRegistered'] : ['NeuronRegistered'];
    names.forEach((name, k) => {
      events.push({
        id: `${String(8000 + i).padStart(10, '0')}-${k}`,
        contract: 'registry',
        address: addr(42),
        name,
        block_number: 8000 + i,
        timestamp: ago(h),
        tx_hash: `0x${(i + 1).toString(16).padStart(64, 'c')}`,
        log_index: k,
        netuid,
        args: JSON.stringify({ netuid, uid: i % COUNTS.neuronsPerSubnet, hotkey: addr(6000 + i), coldkey: addr(3000) }),
      });
    });
  });
  events.push({
    id: `${String(9000).padStart(10, '0')}-0`,
    contract: 'token',
    address: addr(43),
    name: 'Transfer',
    block_number: 9000,
    timestamp: new Date(ANCHOR).toISOString(),
    tx_hash: `0x${'d'.repeat(64)}`,
    log_index: 0,
    netuid: null,
    args: JSON.stringify({ from: addr(3000), to: addr(3001), value: (2n ** 70n).toString() }),
  });
  await insert(c, 'chain_event', events);
}
