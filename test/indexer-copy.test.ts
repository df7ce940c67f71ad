// The COPY write path of finalized batches (indexer/copy.ts) writes exactly what typeorm-store's
// INSERT/upsert would: every column type of the schema, NULLs, relations, text that COPY must escape,
// JSON, arrays; an upsert updates every column of an existing row; and a failed batch leaves nothing.
import type { DataSource, EntityManager } from 'typeorm';
import { copyInsert, copyUpsert } from '../indexer/copy';
import { loadWhere } from '../indexer/load';
import {
  ChainEvent,
  createDataSource,
  Job,
  JobEvent,
  JobEventKind,
  JobState,
  Market,
  MarketKind,
  Provider,
  Subnet,
  Weights,
} from '../schema';
import { createTestDatabase, type TestDatabase } from './harness';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource({ url: db.url });
  await ds.initialize();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const T = new Date('2026-11-25T07:00:00.123Z');

function subnet(id: number, name: string): Subnet {
  return new Subnet({
    id: String(id),
    netuid: id,
    name,
    owner: '0xabc',
    tempo: 100,
    registrationCost: 10n ** 30n + 7n,
    neuronCount: 3,
    totalStake: 0n,
    createdAtBlock: 1,
    createdAt: T,
    updatedAtBlock: 2,
    isCompute: id === 1,
    maxUids: null,
    kappa: 32767,
    yuma3: true,
    liquidAlpha: null,
    activityCutoff: 5000n,
    epochCount: 0,
    lastEpochBlock: null,
    totalEmission: 0n,
  });
}

/** The entity's set fields (NULL reads back as null; a field never set is NULL too). */
const fields = (e: object) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined && v !== null));

const tx = <T>(fn: (em: EntityManager) => Promise<T>) => ds.transaction('SERIALIZABLE', fn);

it('writes every column type as TypeORM reads it back', async () => {
  const tricky = 'tab\there, newline\nthere, cr\r, backslash \\ and "quotes", ünïcödé \\N';
  const s1 = subnet(1, tricky);
  const s2 = subnet(2, '\\N');
  const market = new Market({
    id: '1',
    marketId: 1,
    kind: MarketKind.INFERENCE,
    tier: 2,
    name: 'm',
    usdPerUnit: 123n,
    jobCount: 1,
    openJobCount: 1,
    volume: 5n,
    createdAtBlock: 1,
    createdAt: T,
    updatedAtBlock: 1,
    minVramGb: null,
    reviewWindow: null,
    epochBlocks: 10n,
    workEmission: null,
    availabilityEmission: null,
    approvedJobCount: 0,
    burned: 0n,
    fees: 0n,
    refunded: 0n,
    minted: 0n,
    epochCount: 0,
  });
  const provider = new Provider({
    id: '0xp',
    address: '0xp',
    gpuModel: 'H100',
    vramGb: 80,
    benchmarkScore: 1,
    tier: 2,
    jobsClaimed: 0,
    jobsCompleted: 0,
    workUnits: 0n,
    registeredAtBlock: 1,
    registeredAt: T,
    updatedAtBlock: 1,
    jobsApproved: 2,
    jobsRejected: 1,
    approvedWorkUnits: 0n,
    workRewards: 0n,
    availabilityRewards: 0n,
    earnings: 0n,
    successRate: 2 / 3,
  });
  const job = new Job({
    id: '7',
    jobId: 7,
    market,
    sender: '0xs',
    provider: null,
    state: JobState.POSTED,
    specHash: '0x01',
    workEstimate: 1000n,
    payment: 99n,
    deadline: T,
    resultHash: null,
    workUnits: null,
    postedAtBlock: 3,
    postedAt: T,
    claimedAtBlock: null,
    completedAtBlock: null,
    updatedAtBlock: 3,
    failures: 0,
    approvedAtBlock: null,
    autoApproved: null,
    approvedBy: null,
    burned: null,
    fee: null,
    settledEpoch: null,
    refunded: null,
  });
  const weights = new Weights({
    id: '1-0',
    subnet: s1,
    netuid: 1,
    uid: 0,
    hotkey: '0xh',
    uids: [0, 1, 2],
    values: [65535, 0, 7],
    block: 4,
    timestamp: T,
  });
  const event = new ChainEvent({
    id: '0000000004-abcde-000001',
    contract: 'registry',
    address: '0xr',
    name: 'X',
    blockNumber: 4,
    timestamp: T,
    txHash: '0xt',
    logIndex: 1,
    netuid: null,
    args: { text: tricky, big: '123456789012345678901234567890', list: [1, '2', { a: null }], nested: { b: true } },
  });
  const jobEvent = new JobEvent({
    id: '0000000004-abcde-000002',
    job: new Job({ id: '7' }),
    kind: JobEventKind.POSTED,
    actor: '0xs',
    blockNumber: 4,
    timestamp: T,
    txHash: '0xt',
  });
  await tx(async (em) => {
    await copyUpsert(em, Subnet, [s1, s2]);
    await copyUpsert(em, Market, [market]);
    await copyUpsert(em, Provider, [provider]);
    await copyUpsert(em, Job, [job]);
    await copyUpsert(em, Weights, [weights]);
    await copyInsert(em, ChainEvent, [event]);
    await copyInsert(em, JobEvent, [jobEvent]);
  });
  const em = ds.manager;
  expect(fields(await em.findOneByOrFail(Subnet, { id: '1' }))).toEqual(fields(s1));
  expect(fields(await em.findOneByOrFail(Subnet, { id: '2' }))).toEqual(fields(s2));
  expect(fields(await em.findOneByOrFail(Market, { id: '1' }))).toEqual(fields(market));
  expect(fields(await em.findOneByOrFail(Provider, { id: '0xp' }))).toEqual(fields(provider));
  const j = await em.findOneOrFail(Job, { where: { id: '7' }, relations: { market: true, provider: true } });
  expect(fields({ ...j, market: j.market.id })).toEqual(fields({ ...job, market: '1' }));
  const w = await em.findOneOrFail(Weights, { where: { id: '1-0' }, relations: { subnet: true } });
  expect(w.uids).toEqual([0, 1, 2]);
  expect(w.values).toEqual([65535, 0, 7]);
  expect(w.subnet.id).toBe('1');
  expect(fields(await em.findOneByOrFail(ChainEvent, { id: event.id }))).toEqual(fields(event));
  const je = await em.findOneOrFail(JobEvent, { where: { id: jobEvent.id }, relations: { job: true } });
  expect(je.job.id).toBe('7');
  expect(je.kind).toBe(JobEventKind.POSTED);
});

it('loads rows as TypeORM finds them, relations as stubs that hold the related id', async () => {
  const em = ds.manager;
  for (const [cls, id, rels] of [
    [Subnet, '1', []],
    [Market, '1', []],
    [Provider, '0xp', []],
    [Job, '7', ['market', 'provider']],
    [Weights, '1-0', ['subnet']],
    [ChainEvent, '0000000004-abcde-000001', []],
  ] as const) {
    const relations = Object.fromEntries(rels.map((r) => [r, true]));
    const found = (await em.findOneOrFail(cls as any, { where: { id }, relations })) as Record<string, any>;
    const [loaded] = (await ds.transaction((tx) => loadWhere(tx, cls, 'id', [id]))) as Record<string, any>[];
    expect(loaded).toBeInstanceOf(cls);
    const strip = (e: Record<string, unknown>) => ({
      ...e,
      ...Object.fromEntries(rels.map((r) => [r, (e[r] as { id: string } | null)?.id ?? null])),
    });
    expect(strip(loaded!)).toEqual(strip(found));
  }
  // A NULL relation stays null; a secondary text column selects too.
  const [job] = await ds.transaction((tx) => loadWhere<Job>(tx, Job, 'sender', ['0xs']));
  expect(job!.provider).toBeNull();
});

it('updates every column of rows that exist, and inserts the others, in one upsert', async () => {
  const changed = Object.assign(subnet(1, 'renamed'), { neuronCount: 9, maxUids: 256, kappa: null, totalStake: 42n });
  const fresh = subnet(3, 'three');
  await tx(async (em) => copyUpsert(em, Subnet, [changed, fresh]));
  expect(fields(await ds.manager.findOneByOrFail(Subnet, { id: '1' }))).toEqual(fields(changed));
  expect(fields(await ds.manager.findOneByOrFail(Subnet, { id: '3' }))).toEqual(fields(fresh));
  // The staging table is empty again after the commit: the next batch merges only its own rows.
  const again = Object.assign(subnet(4, 'four'), {});
  await tx(async (em) => copyUpsert(em, Subnet, [again]));
  expect(fields(await ds.manager.findOneByOrFail(Subnet, { id: '1' }))).toEqual(fields(changed));
  expect(await ds.manager.countBy(Subnet, {})).toBe(4);
});

it('writes nothing when the batch fails after its COPY', async () => {
  await expect(
    tx(async (em) => {
      await copyUpsert(em, Subnet, [subnet(5, 'five')]);
      await copyInsert(em, ChainEvent, [
        new ChainEvent({
          id: 'x',
          contract: 'c',
          address: 'a',
          name: 'n',
          blockNumber: 1,
          timestamp: T,
          txHash: 't',
          logIndex: 0,
          netuid: 5,
          args: {},
        }),
      ]);
      throw new Error('the batch failed');
    }),
  ).rejects.toThrow('the batch failed');
  expect(await ds.manager.countBy(Subnet, { id: '5' })).toBe(0);
  expect(await ds.manager.countBy(ChainEvent, { id: 'x' })).toBe(0);
});

it('refuses to run outside a transaction', async () => {
  await expect(copyInsert(ds.manager, Subnet, [subnet(6, 'six')])).rejects.toThrow(/transaction/);
});

it("records a hot block's writes in typeorm-store's change log, and a rollback restores every row", async () => {
  const em0 = ds.manager;
  await em0.query('CREATE SCHEMA IF NOT EXISTS squid_processor');
  await em0.query('CREATE TABLE IF NOT EXISTS squid_processor.hot_block (height int4 primary key, hash text not null)');
  await em0.query(`CREATE TABLE IF NOT EXISTS squid_processor.hot_change_log (
    block_height int4 not null references squid_processor.hot_block on delete cascade, index int4 not null,
    change jsonb not null, PRIMARY KEY (block_height, index))`);
  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const t of ['subnet', 'weights', 'chain_event', 'job']) out[t] = await em0.query(`SELECT * FROM "${t}" ORDER BY id`);
    return out;
  };
  // Old values a rollback must bring back exactly: numerics beyond 2^53, NULLs, arrays, JSON, times.
  await tx(async (em) => {
    await copyUpsert(em, Subnet, [Object.assign(subnet(1, 'before'), { totalStake: 2n ** 200n + 1n, maxUids: null, kappa: 7 })]);
  });
  const before = await snapshot();
  const { ChangeTracker, rollbackBlock } = require('@subsquid/typeorm-store/lib/hot');
  await tx(async (em) => {
    for (const [height, name] of [
      [100, 'hot one'],
      [101, 'hot two'],
    ] as const) {
      await em.query('INSERT INTO squid_processor.hot_block (height, hash) VALUES ($1, $2)', [height, `0x${height}`]);
      const log = new ChangeTracker(em, 'squid_processor', height);
      // typeorm-store's own record first: the indexes of ours must follow it.
      await log.trackInsert(ChainEvent, [{ id: `own-${height}` }]);
      await em.query(
        `INSERT INTO chain_event (id, contract, address, name, block_number, timestamp, tx_hash, log_index, args) VALUES ($1, 'c', 'a', 'n', 1, now(), 't', 0, '{}')`,
        [`own-${height}`],
      );
      const changed = Object.assign(subnet(1, name), { totalStake: 3n, maxUids: 256, kappa: null, lastEpochBlock: height });
      await copyUpsert(em, Subnet, [changed, subnet(height, 'new')], log);
      await copyUpsert(
        em,
        Weights,
        [
          Object.assign(new Weights({ id: '1-0' }), {
            subnet: s1stub(),
            netuid: 1,
            uid: 0,
            hotkey: name,
            uids: [height],
            values: [1],
            block: height,
            timestamp: new Date(),
          }),
        ],
        log,
      );
      await copyInsert(
        em,
        ChainEvent,
        [
          new ChainEvent({
            id: `hot-${height}`,
            contract: 'c',
            address: 'a',
            name: 'n',
            blockNumber: height,
            timestamp: T,
            txHash: 't',
            logIndex: 0,
            netuid: 1,
            args: { big: '1', list: [1] },
          }),
        ],
        log,
      );
      expect(log.index).toBe(1 + 2 + 1 + 1);
    }
  });
  const kinds = await em0.query(
    `SELECT block_height, index, change->>'kind' AS kind, change->>'table' AS t, change->>'id' AS id FROM squid_processor.hot_change_log ORDER BY block_height, index`,
  );
  expect(
    kinds
      .filter((r: { block_height: number }) => r.block_height === 100)
      .map((r: Record<string, unknown>) => `${r.index} ${r.kind} ${r.t} ${r.id}`),
  ).toEqual([
    '0 insert chain_event own-100',
    '1 update subnet 1',
    '2 insert subnet 100',
    '3 update weights 1-0',
    '4 insert chain_event hot-100',
  ]);
  expect((await em0.findOneByOrFail(Subnet, { id: '1' })).name).toBe('hot two');
  await tx(async (em) => {
    await rollbackBlock('squid_processor', em, 101);
    await rollbackBlock('squid_processor', em, 100);
  });
  expect(await snapshot()).toEqual(before);
  expect((await em0.findOneByOrFail(Subnet, { id: '1' })).totalStake).toBe(2n ** 200n + 1n);
});

function s1stub(): Subnet {
  return new Subnet({ id: '1' });
}
