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
