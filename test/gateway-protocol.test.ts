// The protocol queries in-process against a real migrated Postgres: the new tables' lists and field
// kinds, relations with their statement counts, every ranking compared with the same question
// computed here in plain TypeScript over the raw rows (a change at a window's start against a
// database seeded only up to that start), the cost of the heavy fields, and the token summary.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createGateway, type Gateway } from '../gateway';
import { addr, COUNTS, seed } from '../gateway/_test/fixture';
import { NEW_PROVIDERS, P, seedJobHistory } from '../gateway/_test/job-history';
import { ANCHOR, hotkeyOf, seedProtocol } from '../gateway/_test/protocol-fixture';
import { createInferenceService } from '../inference';
import { createDataSource } from '../schema';
import { createTestDatabase, statementRecorder, type TestDatabase } from './harness/db';

let db: TestDatabase;
let pg: Client;
let ds: DataSource;
let gateway: Gateway;
let inference: Awaited<ReturnType<typeof createInferenceService>>;
let statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await seed(pg);
  await seedProtocol(pg);
  await seedJobHistory(pg);
  ds = createDataSource({ url: db.url });
  ds.setOptions({ logger: statementRecorder((q) => void statements.push(q)) });
  await ds.initialize();
  inference = await createInferenceService({ databaseUrl: db.url });
  const { url: inferenceUrl } = await inference.listen(0, '127.0.0.1');
  gateway = await createGateway({ dataSource: ds, inferenceUrl });
});

afterAll(async () => {
  await gateway?.close();
  await inference?.close();
  await ds?.destroy();
  await pg?.end();
  await db?.drop();
});

// GraphQL results are checked field by field; `any` keeps the assertions readable.
async function gql(query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await gateway.execute(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data;
}

async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; count: number }> {
  statements = [];
  const result = await fn();
  return { result, count: statements.length };
}

describe('new tables and field kinds', () => {
  it('serves JSON, int lists, booleans and floats, and filters on booleans', async () => {
    const data = await gql(`{
      chainEvents(where: { contract: "token" }) { items { name args } }
      weights(where: { netuid: 2 }, orderBy: block) { items { id uids values } }
      subnets(where: { isCompute: true }) { items { netuid isCompute } }
      providers(first: 1000) { items { id successRate } }
    }`);
    // 2^70 stays exact: the JSON scalar passes the indexed document through.
    expect(data.chainEvents.items).toEqual([
      { name: 'Transfer', args: { from: addr(3000), to: addr(3001), value: (2n ** 70n).toString() } },
    ]);
    expect(data.weights.items).toEqual([
      { id: '2-0', uids: [2, 3, 4], values: [65535, 0, 7] },
      { id: '2-1', uids: [2, 3, 4], values: [65535, 100, 7] },
    ]);
    expect(data.subnets.items).toEqual([{ netuid: 1, isCompute: true }]);
    const { rows } = await pg.query(`select id, success_rate::float8 as r from provider`);
    const rates = new Map(rows.map((r) => [r.id, r.r]));
    for (const p of data.providers.items) expect(p.successRate).toBe(rates.get(p.id));
    expect(data.providers.items.some((p: { successRate: number | null }) => p.successRate !== null && p.successRate < 1)).toBe(true);
  });

  it('offers no filter or sort on a column no index serves', async () => {
    const res = await gateway.execute(`{ jobs(where: { deadline_gt: "2025-01-01T00:00:00Z" }) { items { id } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const sort = await gateway.execute(`{ neuronEpochs(orderBy: incentive) { items { id } } }`);
    expect(sort.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('looks up an epoch by (netuid, number) and an account by address in any case', async () => {
    const data = await gql(`{ epoch(netuid: 3, number: 2) { id block neuronCount subnet { netuid } } old: epoch(netuid: 3, epoch: 2) { id }
      account(address: "${addr(3001).toUpperCase().replace('0X', '0x')}") { id balance } none: epoch(netuid: 3, epoch: 99) { id } }`);
    expect(data.epoch).toEqual({ id: '3-2', block: 1000 + 300 + 20, neuronCount: 6, subnet: { netuid: 3 } });
    expect(data.old).toEqual({ id: '3-2' });
    for (const args of ['netuid: 3', 'netuid: 3, number: 2, epoch: 2']) {
      const res = await gateway.execute(`{ epoch(${args}) { id } }`);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(data.account).toEqual({ id: addr(3001), balance: String(4n * 10n ** 18n) });
    expect(data.none).toBeNull();
  });
});

describe('relations, one statement per relation per request', () => {
  it('subnet → epochs → neurons, subnet → weights → neuron', async () => {
    const { result: data, count } = await counted(() =>
      gql(`{ subnets(first: 4) { items { id
        epochs(first: 2, orderBy: epoch, orderDirection: DESC) { items { id neurons(first: 2) { items { id uid } } } }
        weights { items { id neuron { id } } } } } }`),
    );
    // subnets, epochs, epoch neurons, weights, weights' neurons by id
    expect(count).toBe(5);
    expect(data.subnets.items[2].epochs.items.map((e: { id: string }) => e.id)).toEqual(['3-7', '3-6']);
    expect(data.subnets.items[2].epochs.items[0].neurons.items).toEqual([
      { id: '3-7-0', uid: 0 },
      { id: '3-7-1', uid: 1 },
    ]);
    expect(data.subnets.items[1].weights.items).toEqual([
      { id: '2-0', neuron: { id: '2-0' } },
      { id: '2-1', neuron: { id: '2-1' } },
    ]);
  });

  it("neuron → its own epochs (not a replaced uid's), weights, stake by coldkey, account", async () => {
    const { result: data, count } = await counted(() =>
      gql(`{ neurons(where: { netuid: 1 }, first: 6) { items { id hotkey
        epochs(first: 3, orderDirection: DESC) { totalCount items { epoch hotkey } }
        weights { uids } stakePositions(first: 100) { totalCount items { id coldkey hotkey netuid } } account { id } } } }`),
    );
    // neurons, epochs page and count, weights by id, positions page and count, accounts by id
    expect(count).toBe(7);
    const n5 = data.neurons.items.find((n: { id: string }) => n.id === '1-5');
    expect(n5.epochs.totalCount).toBe(4); // epochs 4..7; epochs 1..3 were another hotkey's
    expect(n5.epochs.items.map((e: { epoch: number }) => e.epoch)).toEqual([7, 6, 5]);
    expect(data.neurons.items[0].epochs.totalCount).toBe(7);
    expect(data.neurons.items[0].weights).toEqual({ uids: [2, 3, 4] });
    expect(data.neurons.items[3].weights).toBeNull();
    for (const n of data.neurons.items) {
      const { rows } = await pg.query(`select id from stake_position where netuid = 1 and hotkey = $1 order by updated_at_block, id`, [
        n.hotkey,
      ]);
      expect(n.stakePositions.items.map((p: { id: string }) => p.id)).toEqual(rows.map((r) => r.id));
      expect(n.stakePositions.totalCount).toBe(rows.length);
      const { rows: acc } = await pg.query(`select a.id from neuron n join account a on a.id = n.coldkey where n.id = $1`, [n.id]);
      expect(n.account).toEqual(acc[0] ?? null);
    }
    expect(data.neurons.items.some((n: { stakePositions: { totalCount: number } }) => n.stakePositions.totalCount > 0)).toBe(true);
  });

  it('market → epochs and stats(period), provider → epochs and account, account → stake, jobs sent, provider', async () => {
    const { result: data, count } = await counted(() =>
      gql(`{
        markets { items { id epochs { items { id } } stats(period: HOUR, first: 3, orderDirection: DESC) { items { start period } } } }
        providers(first: 3) { items { id epochs(first: 10) { totalCount items { id market { id } } } account { id } } }
        accounts(first: 10, orderBy: balance) { items { id stakePositions { totalCount } jobsSent { totalCount } provider { id } neurons { totalCount } } }
      }`),
    );
    // markets, epochs, stats; providers, epochs page and count, their markets, accounts by id;
    // accounts, then page and count of positions, jobs and neurons (Store.related reads the page
    // even when only totalCount is selected), providers by id
    expect(count).toBe(3 + 5 + 1 + 6 + 1);
    expect(data.markets.items[0].epochs.items.map((e: { id: string }) => e.id)).toEqual(['1-1', '1-2', '1-3', '1-4']);
    const hours = data.markets.items[0].stats.items.map((s: { start: string }) => (ANCHOR - Date.parse(s.start)) / 3_600_000);
    expect(hours).toEqual([0, 0.5, 1]);
    expect(data.markets.items[0].stats.items.every((s: { period: string }) => s.period === 'HOUR')).toBe(true);
    const p0 = data.providers.items.find((p: { id: string }) => p.id === addr(5000));
    const { rows } = await pg.query(`select id, market_id from provider_epoch where provider_id = $1 order by epoch, id`, [addr(5000)]);
    expect(p0.epochs.totalCount).toBe(rows.length);
    expect(p0.epochs.items).toEqual(rows.map((r) => ({ id: r.id, market: { id: String(r.market_id) } })));
    expect(p0.account).toEqual({ id: addr(5000) });
    for (const a of data.accounts.items) {
      const one = async (sql: string) => Number((await pg.query(sql, [a.id])).rows[0].n);
      expect(a.stakePositions.totalCount).toBe(await one(`select count(*) n from stake_position where coldkey = $1`));
      expect(a.jobsSent.totalCount).toBe(await one(`select count(*) n from job where sender = $1`));
      expect(a.neurons.totalCount).toBe(await one(`select count(*) n from neuron where coldkey = $1`));
      expect(a.provider).toEqual((await pg.query(`select id from provider where id = $1`, [a.id])).rows[0] ?? null);
    }
    expect(data.accounts.items.some((a: { jobsSent: { totalCount: number } }) => a.jobsSent.totalCount > 0)).toBe(true);
  });
});

// ---- rankings, computed independently from the raw rows ----

const HOURS = { HOUR: 1, DAY: 24, WEEK: 168 } as const;
type Win = keyof typeof HOURS | 'ALL';
interface Expected {
  id: string;
  value: bigint | number;
  change: bigint | number | null;
}
const t = (d: Date | string) => new Date(d).getTime();
const inCur = (w: keyof typeof HOURS, ts: Date | string) => t(ts) > ANCHOR - HOURS[w] * 3_600_000;
const inPrev = (w: keyof typeof HOURS, ts: Date | string) => t(ts) > ANCHOR - 2 * HOURS[w] * 3_600_000 && !inCur(w, ts);
const sum = <T>(rows: T[], f: (r: T) => bigint) => rows.reduce((a, r) => a + f(r), 0n);

/** Ranked as the API promises: value descending, ties share a rank; listed (rank, id) for comparison. */
function rank(rows: Expected[]) {
  const sorted = [...rows].sort((a, b) => (a.value === b.value ? 0 : a.value > b.value ? -1 : 1));
  return sorted
    .map((r) => ({
      rank: sorted.findIndex((x) => x.value === r.value) + 1,
      id: r.id,
      value: String(r.value),
      change: r.change === null ? null : String(r.change),
    }))
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1));
}

async function ranking(field: string, entity: string, args: string) {
  const data = await gql(`{ r: ${field}(${args}, first: 1000) { rank value change ${entity} { id } } }`);
  return (data.r as { rank: number; value: string; change: string | null; [k: string]: unknown }[])
    .map((r) => ({ rank: r.rank, id: (r[entity] as { id: string }).id, value: r.value, change: r.change }))
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1));
}

const rows = async (sql: string) => (await pg.query(sql)).rows;
const netStake = (events: { kind: string; amount: string }[]) => sum(events, (e) => (e.kind === 'ADD' ? 1n : -1n) * BigInt(e.amount));

describe('rankings equal the same question computed over the raw rows', () => {
  const windows: Win[] = ['HOUR', 'DAY', 'WEEK', 'ALL'];

  // The index as it stood at each window's start: the same rows seeded up to that time, and an
  // inference service over them (what it would have answered then).
  const asOf = new Map<Win, { db: TestDatabase; pg: Client; svc: Awaited<ReturnType<typeof createInferenceService>> }>();
  beforeAll(async () => {
    for (const w of ['HOUR', 'DAY', 'WEEK'] as const) {
      const db2 = await createTestDatabase();
      const pg2 = new Client({ connectionString: db2.url });
      await pg2.connect();
      await seed(pg2);
      await seedProtocol(pg2);
      await seedJobHistory(pg2, ANCHOR - HOURS[w] * 3_600_000);
      asOf.set(w, { db: db2, pg: pg2, svc: await createInferenceService({ databaseUrl: db2.url }) });
    }
  });
  afterAll(async () => {
    for (const a of asOf.values()) {
      await a.svc.close();
      await a.pg.end();
      await a.db.drop();
    }
  });

  it.each(windows)('subnets by EMISSION, STAKE, NEURONS and GROWTH over %s', async (w) => {
    const subnets = await rows(`select id, netuid, total_emission, total_stake, neuron_count from subnet`);
    const epochs = await rows(`select netuid, emission, timestamp from subnet_epoch`);
    const stakes = await rows(`select netuid, kind, amount, timestamp from stake_event`);
    const regs = await rows(`select name, (args->>'netuid')::int as netuid, timestamp from chain_event where name like 'Neuron%'`);
    const of = <T extends { netuid: number }>(xs: T[], s: { netuid: number }) => xs.filter((x) => x.netuid === s.netuid);
    const expected = {
      EMISSION: subnets.map((s) =>
        w === 'ALL'
          ? { id: s.id, value: BigInt(s.total_emission), change: null }
          : (() => {
              const cur = sum(
                of(epochs, s).filter((e) => inCur(w, e.timestamp)),
                (e) => BigInt(e.emission),
              );
              const pre = sum(
                of(epochs, s).filter((e) => inPrev(w, e.timestamp)),
                (e) => BigInt(e.emission),
              );
              return { id: s.id, value: cur, change: cur - pre };
            })(),
      ),
      STAKE: subnets.map((s) => ({
        id: s.id,
        value: BigInt(s.total_stake),
        change: w === 'ALL' ? null : netStake(of(stakes, s).filter((e) => inCur(w, e.timestamp))),
      })),
      NEURONS: subnets.map((s) => ({
        id: s.id,
        value: BigInt(s.neuron_count),
        change:
          w === 'ALL'
            ? null
            : BigInt(
                of(regs, s).filter((e) => inCur(w, e.timestamp) && e.name === 'NeuronRegistered').length -
                  of(regs, s).filter((e) => inCur(w, e.timestamp) && e.name === 'NeuronReplaced').length,
              ),
      })),
      GROWTH: subnets.map((s) => {
        if (w === 'ALL') return { id: s.id, value: BigInt(s.total_stake), change: null };
        const cur = netStake(of(stakes, s).filter((e) => inCur(w, e.timestamp)));
        return { id: s.id, value: cur, change: cur - netStake(of(stakes, s).filter((e) => inPrev(w, e.timestamp))) };
      }),
    };
    for (const [by, exp] of Object.entries(expected)) {
      expect({ by, r: await ranking('subnetRankings', 'subnet', `by: ${by}, window: ${w}`) }).toEqual({ by, r: rank(exp) });
    }
    // Some change is not zero in a bounded window, or the window logic would go untested.
    if (w !== 'ALL') expect(expected.EMISSION.some((e) => e.change !== 0n) || w === 'HOUR').toBe(true);
  });

  it.each(windows)("subnet 1's neurons by every measure over %s", async (w) => {
    const neurons = await rows(
      `select id, uid, hotkey, stake, incentive, dividends, validator_trust, total_emission from neuron where netuid = 1`,
    );
    const nes = await rows(
      `select ne.uid, ne.hotkey, ne.epoch, ne.incentive, ne.dividends, ne.validator_trust, ne.emission, se.timestamp
         from neuron_epoch ne join subnet_epoch se on se.id = ne.subnet_epoch_id where ne.netuid = 1`,
    );
    const stakes = await rows(`select hotkey, kind, amount, timestamp from stake_event where netuid = 1`);
    const mine = (n: { uid: number; hotkey: string }) => nes.filter((e) => e.uid === n.uid && e.hotkey === n.hotkey);
    const baseEpoch =
      w === 'ALL' ? undefined : Math.max(-1, ...nes.filter((e) => t(e.timestamp) <= ANCHOR - HOURS[w] * 3_600_000).map((e) => e.epoch));
    const level = (col: 'incentive' | 'dividends' | 'validator_trust') =>
      neurons
        .filter((n) => n[col] !== null)
        .map((n) => {
          const base = mine(n).find((e) => e.epoch === baseEpoch);
          return { id: n.id, value: n[col] as number, change: w === 'ALL' || !base ? null : n[col] - base[col] };
        });
    const expected = {
      INCENTIVE: level('incentive'),
      DIVIDENDS: level('dividends'),
      VALIDATOR_TRUST: level('validator_trust'),
      EMISSION: neurons.map((n) => {
        if (w === 'ALL') return { id: n.id, value: BigInt(n.total_emission), change: null };
        const cur = sum(
          mine(n).filter((e) => inCur(w, e.timestamp)),
          (e) => BigInt(e.emission),
        );
        return {
          id: n.id,
          value: cur,
          change:
            cur -
            sum(
              mine(n).filter((e) => inPrev(w, e.timestamp)),
              (e) => BigInt(e.emission),
            ),
        };
      }),
      STAKE: neurons.map((n) => ({
        id: n.id,
        value: BigInt(n.stake),
        change: w === 'ALL' ? null : netStake(stakes.filter((e) => e.hotkey === n.hotkey && inCur(w, e.timestamp))),
      })),
    };
    for (const [by, exp] of Object.entries(expected)) {
      expect({ by, r: await ranking('neuronRankings', 'neuron', `netuid: 1, by: ${by}, window: ${w}`) }).toEqual({ by, r: rank(exp) });
    }
    if (w === 'WEEK') {
      // The base epoch was the replaced hotkey's: no change for uid 5, rather than a stranger's.
      expect(expected.INCENTIVE.find((e) => e.id === '1-5')?.change).toBeNull();
      expect(expected.INCENTIVE.find((e) => e.id === '1-0')?.change).not.toBeNull();
    }
  });

  it.each(windows)('providers by EARNINGS, WORK and SUCCESS_RATE, and markets by VOLUME and JOBS, over %s', async (w) => {
    const providers = await rows(`select id, earnings, approved_work_units, success_rate::text as rate from provider`);
    const pes = await rows(
      `select pe.provider_id, pe.work_reward, pe.availability_reward, pe.work_units, me.timestamp
         from provider_epoch pe join market_epoch me on me.market_id = pe.market_id::text and me.epoch = pe.epoch
        where me.closed`,
    );
    const flow = (f: (r: (typeof pes)[number]) => bigint, total: string) =>
      providers.map((p) => {
        if (w === 'ALL') return { id: p.id, value: BigInt(p[total]), change: null };
        const own = pes.filter((e) => e.provider_id === p.id);
        const cur = sum(
          own.filter((e) => inCur(w, e.timestamp)),
          f,
        );
        return {
          id: p.id,
          value: cur,
          change:
            cur -
            sum(
              own.filter((e) => inPrev(w, e.timestamp)),
              f,
            ),
        };
      });
    const expectedP = {
      EARNINGS: flow((e) => BigInt(e.work_reward) + BigInt(e.availability_reward), 'earnings'),
      WORK: flow((e) => BigInt(e.work_units), 'approved_work_units'),
    };
    for (const [by, exp] of Object.entries(expectedP)) {
      expect({ by, r: await ranking('providerRankings', 'provider', `by: ${by}, window: ${w}`) }).toEqual({ by, r: rank(exp) });
    }
    // Rates are decimals: compare the order and the numbers. The rate at the window's start is the
    // one the index held then; null where the provider had no review yet (or did not exist).
    const before =
      w === 'ALL'
        ? new Map<string, string | null>()
        : new Map<string, string | null>(
            (await asOf.get(w)!.pg.query(`select id, success_rate::text as rate from provider`)).rows.map((r) => [r.id, r.rate]),
          );
    const rates = providers
      .filter((p) => p.rate !== null)
      .map((p) => {
        const then = before.get(p.id);
        return { id: p.id, value: Number(p.rate), change: then == null ? null : Number(p.rate) - Number(then) };
      });
    const got = await ranking('providerRankings', 'provider', `by: SUCCESS_RATE, window: ${w}`);
    const asNumbers = (r: { change: string | null; value: string }) => ({
      ...r,
      value: Number(r.value),
      change: r.change === null ? null : Number(r.change),
    });
    expect(got.map(asNumbers)).toEqual(rank(rates).map(asNumbers));
    if (w !== 'ALL') {
      // Reviews in the window moved some rates, and a provider first reviewed in it has no rate to compare.
      expect(rates.some((r) => r.change !== null && r.change !== 0)).toBe(true);
      expect(rates.some((r) => r.change === 0)).toBe(true);
      if (w === 'HOUR') expect(rates.find((r) => r.id === NEW_PROVIDERS[0])).toEqual({ id: NEW_PROVIDERS[0], value: 0, change: null });
    }

    // Markets: the jobs posted in the rolling window (start, now] and the one before, from the job rows.
    const markets = await rows(`select id, volume, job_count from market`);
    const jobs = await rows(`select market_id, payment, posted_at from job`);
    const mflow = (f: (j: (typeof jobs)[number]) => bigint, total: string) =>
      markets.map((m) => {
        if (w === 'ALL') return { id: m.id, value: BigInt(m[total]), change: null };
        const own = jobs.filter((j) => j.market_id === m.id);
        const cur = sum(
          own.filter((j) => inCur(w, j.posted_at)),
          f,
        );
        return {
          id: m.id,
          value: cur,
          change:
            cur -
            sum(
              own.filter((j) => inPrev(w, j.posted_at)),
              f,
            ),
        };
      });
    const expectedM = { VOLUME: mflow((j) => BigInt(j.payment), 'volume'), JOBS: mflow(() => 1n, 'job_count') };
    for (const [by, exp] of Object.entries(expectedM)) {
      expect({ by, r: await ranking('marketRankings', 'market', `by: ${by}, window: ${w}`) }).toEqual({ by, r: rank(exp) });
    }
    if (w !== 'ALL') {
      // ANCHOR is midnight UTC: a calendar day (or clock hour) ending there would hold no job at all.
      expect(expectedM.JOBS.some((m) => m.value !== 0n)).toBe(true);
      expect(expectedM.JOBS.some((m) => m.change !== 0n)).toBe(true);
    }
    if (w === 'HOUR') {
      // Market 1's jobs 1.5 h and exactly 1 h ago are the hour before, not this one.
      expect(expectedM.JOBS.find((m) => m.id === '1')).toEqual({ id: '1', value: 0n, change: -2n });
    }
  });

  it.each(windows)(
    'providers by REPUTATION over %s: the score now, its features, and the change from the score at the start',
    async (w) => {
      const data = await gql(`{ providers(first: 1000) { items { id score scoreFeatures { name value } } } }`);
      const now = data.providers.items.filter((p: { score: number | null }) => p.score !== null) as {
        id: string;
        score: number;
        scoreFeatures: { name: string; value: number }[];
      }[];
      expect(now.length).toBe(COUNTS.providers + NEW_PROVIDERS.length);
      // What the inference service answered over the index as it stood at the window's start.
      const past = new Map<string, { score: number; features: Record<string, number> }>();
      if (w !== 'ALL') {
        const a = asOf.get(w)!;
        const ids = (await a.pg.query(`select id from provider`)).rows.map((r) => r.id as string);
        for (const r of (await a.svc.score({ addresses: ids })).results) past.set(r.address as string, r);
      }
      const res = await gql(`{ r: providerRankings(by: REPUTATION, window: ${w}, first: 1000) {
      rank value change features { name value } featuresAtWindowStart { name value } provider { id } } }`);
      type Feature = { name: string; value: number };
      const got = (
        res.r as {
          rank: number;
          value: string;
          change: string | null;
          features: Feature[];
          featuresAtWindowStart: Feature[] | null;
          provider: { id: string };
        }[]
      )
        .map(({ provider, ...r }) => ({ ...r, id: provider.id }))
        .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1));
      const expected = rank(
        now.map((p) => {
          const then = past.get(p.id);
          return { id: p.id, value: p.score, change: then ? p.score - then.score : null };
        }),
      );
      expect(got.map(({ rank, id, value, change }) => ({ rank, id, value, change }))).toEqual(expected);
      for (const r of got) {
        const then = past.get(r.id);
        expect({ id: r.id, features: r.features }).toEqual({ id: r.id, features: now.find((p) => p.id === r.id)!.scoreFeatures });
        expect({ id: r.id, start: r.featuresAtWindowStart }).toEqual({
          id: r.id,
          start: then ? Object.entries(then.features).map(([name, value]) => ({ name, value })) : null,
        });
      }
      if (w === 'ALL') return;
      // The change is real, and null for the providers registered after the start.
      expect(got.some((r) => r.change !== null && Number(r.change) !== 0)).toBe(true);
      expect(got.find((r) => r.id === NEW_PROVIDERS[1])?.change).toBeNull();
      expect(got.find((r) => r.id === NEW_PROVIDERS[0])?.change === null).toBe(w === 'WEEK'); // registered 30 h ago
      // P2's hardware changed 3 h ago: the day's and week's start scored the old benchmark.
      const bench = (fs: Feature[] | null) => fs?.find((f) => f.name === 'benchmark_score')?.value;
      const p2 = got.find((r) => r.id === P[2])!;
      expect([bench(p2.features), bench(p2.featuresAtWindowStart)]).toEqual([700, w === 'HOUR' ? 700 : 1074]);
    },
  );

  it('computes the past reputation only when change or the past features are asked, once per page', async () => {
    const q = (fields: string) => `{ providerRankings(by: REPUTATION, window: DAY, first: 5) { ${fields} } }`;
    const plain = await counted(() => gql(q('rank value features { name }')));
    expect(plain.count).toBe(1); // the providers' ids
    const full = await counted(() => gql(q('rank value change featuresAtWindowStart { name value }')));
    expect(full.count).toBe(4); // and the head, the registrations and the job events as of the start
    // The page's changes are those of the whole ranking.
    const all = await gql(`{ providerRankings(by: REPUTATION, window: DAY, first: 1000) { value change } }`);
    expect(full.result.providerRankings.map((r: { change: string | null }) => r.change)).toEqual(
      all.providerRankings.slice(0, 5).map((r: { change: string | null }) => r.change),
    );
  });

  it('prices verify and REPUTATION as passes over a whole history: several are QUERY_TOO_COMPLEX, one alone answers', async () => {
    const codes = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);
    const verifies = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `v${i}: epoch(netuid: 1, number: ${i + 1}) { verify { matches } }`).join(' ')} }`;
    // The fixture holds no registry history to replay, so verify itself fails there; what matters is that it ran.
    const ran = (r: { errors?: readonly { path?: readonly (string | number)[] }[] }, n: number) =>
      expect((r.errors ?? []).map((e) => e.path)).toEqual(Array.from({ length: n }, (_, i) => [`v${i}`, 'verify']));
    ran(await gateway.execute(verifies(1)), 1);
    ran(await gateway.execute(verifies(2)), 2);
    const three = await gateway.execute(verifies(3));
    expect(codes(three)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(three.data).toBeUndefined();

    // A page of epochs is one replay per subnet: priced once, not per epoch.
    const page = await gateway.execute(`{ subnetEpochs(first: 1000, where: { netuid: 1 }) { items { verify { matches } } } }`);
    expect(codes(page)).not.toContain('QUERY_TOO_COMPLEX');
    expect((page.data as { subnetEpochs: { items: unknown[] } }).subnetEpochs.items).toHaveLength(7);

    const rep = (window: string) => `providerRankings(by: REPUTATION, window: ${window}, first: 1) { value }`;
    expect(codes(await gateway.execute(`{ a: ${rep('DAY')} }`))).toEqual([]);
    expect(codes(await gateway.execute(`{ a: ${rep('DAY')} v: epoch(netuid: 1, number: 1) { verify { matches } } }`))).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    expect(codes(await gateway.execute(`{ a: ${rep('ALL')} b: ${rep('ALL')} c: ${rep('ALL')} }`))).toEqual(['QUERY_TOO_COMPLEX']);
    // The measure may come in a variable: cheap measures stay cheap.
    const byVar = `query($by: ProviderRankingBy!) { a: providerRankings(by: $by) { value } b: providerRankings(by: $by) { value } c: providerRankings(by: $by) { value } }`;
    expect(codes(await gateway.execute(byVar, { by: 'EARNINGS' }))).toEqual([]);
    expect(codes(await gateway.execute(byVar, { by: 'REPUTATION' }))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('ranks in one statement and cuts at first', async () => {
    const { result, count } = await counted(() =>
      gql(`{ subnetRankings(by: EMISSION, window: WEEK, first: 2) { rank value subnet { id } } }`),
    );
    expect(count).toBe(2); // the ranking, and the selected subnets by id
    const all = await ranking('subnetRankings', 'subnet', 'by: EMISSION, window: WEEK');
    expect(result.subnetRankings.map((r: { value: string }) => r.value)).toEqual(all.slice(0, 2).map((r) => r.value));
    const bad = await gateway.execute(`{ subnetRankings(by: STAKE, first: 1001) { rank } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

it('token: supply at the newest day, minted and burned over all days', async () => {
  const data = await gql(
    `{ token { supply minted burned } tokenSupplyDays(orderBy: day, orderDirection: DESC, first: 2) { items { id supply } } }`,
  );
  const days = (await rows(`select day, minted, burned, supply from token_supply_day`)).sort((a, b) => t(b.day) - t(a.day));
  expect(data.token).toEqual({
    supply: days[0].supply,
    minted: String(sum(days, (d) => BigInt(d.minted))),
    burned: String(sum(days, (d) => BigInt(d.burned))),
  });
  expect(data.tokenSupplyDays.items[0]).toEqual({ id: new Date(ANCHOR).toISOString().slice(0, 10), supply: days[0].supply });
  expect(hotkeyOf(1, 0)).toBe(addr(2100));
});

it("token → epochs of one market's clock; market → epochs with the one in progress; average prices as stored", async () => {
  const data = await gql(`{
    token { epochs(marketId: 2, orderDirection: DESC, first: 3) { totalCount items { id epoch closed minted burned supply market { id } } } }
    tokenSupplyEpochs(where: { closed: false }, first: 100) { totalCount items { id } }
    market(marketId: 3) { epochs(where: { closed: false }) { items { id epoch closed startBlock jobsPosted volume workEstimated avgPricePerUnit usdPerUnit } } }
    marketStats(first: 1000) { items { id avgPricePerUnit } }
  }`);
  const supply = await rows(
    `select id, epoch, closed, minted, burned, supply from token_supply_epoch where market_id = '2' order by epoch desc`,
  );
  expect(data.token.epochs.totalCount).toBe(supply.length);
  expect(data.token.epochs.items).toEqual(supply.slice(0, 3).map((r) => ({ ...r, market: { id: '2' } })));
  expect(data.token.epochs.items.map((e: { closed: boolean }) => e.closed)).toEqual([false, true, true]);
  const open = await rows(`select id from token_supply_epoch where not closed order by epoch, id`);
  expect(data.tokenSupplyEpochs.items).toEqual(open);
  expect(data.tokenSupplyEpochs.totalCount).toBe(COUNTS.markets);
  const [me] = await rows(
    `select id, epoch, closed, start_block, jobs_posted, volume, work_estimated, avg_price_per_unit, usd_per_unit
       from market_epoch where market_id = '3' and not closed`,
  );
  expect(data.market.epochs.items).toEqual([
    {
      id: me.id,
      epoch: me.epoch,
      closed: false,
      startBlock: me.start_block,
      jobsPosted: me.jobs_posted,
      volume: me.volume,
      workEstimated: me.work_estimated,
      avgPricePerUnit: me.avg_price_per_unit,
      usdPerUnit: me.usd_per_unit,
    },
  ]);
  const stats = new Map((await rows(`select id, avg_price_per_unit from market_stat`)).map((r) => [r.id, r.avg_price_per_unit]));
  expect(data.marketStats.items.length).toBe(stats.size);
  for (const s of data.marketStats.items) expect(s.avgPricePerUnit).toBe(stats.get(s.id));
  expect(data.marketStats.items.some((s: { avgPricePerUnit: string | null }) => s.avgPricePerUnit === null)).toBe(true);
  expect(data.marketStats.items.some((s: { avgPricePerUnit: string | null }) => s.avgPricePerUnit !== null)).toBe(true);
  const bad = await gateway.execute(`{ token { epochs { items { id } } } }`);
  expect(bad.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
});
