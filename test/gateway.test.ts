// The gateway in-process (server.executeOperation) against a real migrated Postgres: every list
// field paged to the end and compared with the same question asked in SQL, relations, lookups,
// error codes, statement counts.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createGateway, type Gateway } from '../gateway';
import { addr, COUNTS, seed } from '../gateway/_test/fixture';
import { createDataSource } from '../schema';
import { createTestDatabase, statementRecorder, type TestDatabase } from './harness';

const BIG = 10n ** 24n;

let db: TestDatabase;
let pg: Client;
let ds: DataSource;
let gateway: Gateway;
let statements: string[] = [];
const internalErrors: unknown[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await seed(pg);
  ds = createDataSource({ url: db.url });
  ds.setOptions({ logger: statementRecorder((q) => void statements.push(q)) });
  await ds.initialize();
  gateway = await createGateway({
    dataSource: ds,
    onInternalError: (e) => internalErrors.push(e),
  });
});

afterAll(async () => {
  await gateway?.close();
  await ds?.destroy();
  await pg?.end();
  await db?.drop();
});

async function gql(query: string, variables?: Record<string, unknown>) {
  return gateway.execute(query, variables);
}

async function sqlIds(sql: string, params: unknown[] = []): Promise<string[]> {
  return (await pg.query(sql, params)).rows.map((r) => r.id);
}

const codes = (res: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (res.errors ?? []).map((e) => e.extensions?.code);

describe('lists page through every row in (sort key, id) order, as SQL says', () => {
  const cases: {
    field: string;
    entity: string;
    where: object;
    orderBy: string;
    dir: 'ASC' | 'DESC';
    first: number;
    sql: string;
  }[] = [
    {
      field: 'subnets',
      entity: 'Subnet',
      where: { registrationCost_lt: String(2n * BIG) },
      orderBy: 'registrationCost',
      dir: 'DESC',
      first: 1,
      sql: `select id from subnet where registration_cost < ${2n * BIG} order by registration_cost desc, id desc`,
    },
    {
      field: 'neurons',
      entity: 'Neuron',
      where: {
        netuid_in: [1, 3],
        coldkey: addr(3000).toUpperCase().replace('0X', '0x'),
      },
      orderBy: 'stake',
      dir: 'DESC',
      first: 2,
      sql: `select id from neuron where netuid in (1, 3) and coldkey = '${addr(3000)}' order by stake desc, id desc`,
    },
    {
      field: 'stakePositions',
      entity: 'StakePosition',
      where: { amount_gte: '2', subnet_in: ['1', '2'] },
      orderBy: 'amount',
      dir: 'ASC',
      first: 2,
      sql: `select id from stake_position where amount >= 2 and subnet_id in ('1', '2') order by amount, id`,
    },
    {
      field: 'stakeEvents',
      entity: 'StakeEvent',
      where: { kind: 'ADD', hotkey_not_in: [addr(2001), addr(2002)] },
      orderBy: 'timestamp',
      dir: 'DESC',
      first: 3,
      sql: `select id from stake_event where kind = 'ADD' and hotkey not in ('${addr(2001)}', '${addr(2002)}') order by timestamp desc, id desc`,
    },
    {
      field: 'markets',
      entity: 'Market',
      where: { kind_in: ['RENDER', 'TRAINING'] },
      orderBy: 'volume',
      dir: 'ASC',
      first: 1,
      sql: `select id from market where kind in ('RENDER', 'TRAINING') order by volume, id`,
    },
    {
      field: 'providers',
      entity: 'Provider',
      where: { gpuModel_contains: 'RTX', tier_not: 1 },
      orderBy: 'tier',
      dir: 'DESC',
      first: 7,
      sql: `select id from provider where gpu_model like '%RTX%' and tier <> 1 order by tier desc, id desc`,
    },
    {
      field: 'jobs',
      entity: 'Job',
      where: {
        or: [{ state: 'POSTED' }, { payment_gte: String(8n * BIG) }],
        market_not: '2',
      },
      orderBy: 'payment',
      dir: 'DESC',
      first: 9,
      sql: `select id from job where (state = 'POSTED' or payment >= ${8n * BIG}) and market_id <> '2' order by payment desc, id desc`,
    },
    {
      field: 'jobs',
      entity: 'Job',
      where: { postedAt_gte: '2025-01-01T05:05:00Z', provider: null },
      orderBy: 'postedAt',
      dir: 'ASC',
      first: 4,
      sql: `select id from job where posted_at >= '2025-01-01T05:05:00Z' and provider_id is null order by posted_at, id`,
    },
    {
      field: 'jobs',
      entity: 'Job',
      // A sender's jobs in a time range; the address in upper case matches (addresses match in any case).
      where: { sender: addr(7003).toUpperCase().replace('0X', '0x'), postedAt_lt: '2025-01-01T10:00:00Z', state_not_in: ['CANCELLED'] },
      orderBy: 'postedAt',
      dir: 'DESC',
      first: 3,
      sql: `select id from job where sender = '${addr(7003)}' and posted_at < '2025-01-01T10:00:00Z' and state <> 'CANCELLED' order by posted_at desc, id desc`,
    },
    {
      field: 'jobEvents',
      entity: 'JobEvent',
      where: {
        kind_not: 'POSTED',
        actor_starts_with: '0xA00000000000000000000000000000000000138',
      },
      orderBy: 'blockNumber',
      dir: 'DESC',
      first: 5,
      sql: `select id from job_event where kind <> 'POSTED' and actor like '0xa00000000000000000000000000000000000138%' order by block_number desc, id desc`,
    },
  ];

  it.each(cases)('$field where $where by $orderBy $dir, $first per page', async (c) => {
    const query = `query($where: ${c.entity}Where, $orderBy: ${c.entity}OrderBy!, $dir: OrderDirection!, $first: Int!, $after: String) {
      page: ${c.field}(where: $where, orderBy: $orderBy, orderDirection: $dir, first: $first, after: $after) {
        items { id } pageInfo { hasNextPage endCursor } totalCount } }`;
    const expected = await sqlIds(c.sql);
    expect(expected.length).toBeGreaterThan(c.first); // several pages, or the case tests nothing
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; ; pages++) {
      const res = await gql(query, {
        where: c.where,
        orderBy: c.orderBy,
        dir: c.dir,
        first: c.first,
        after,
      });
      expect(res.errors).toBeUndefined();
      const page = (
        res.data as {
          page: {
            items: { id: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
            totalCount: number;
          };
        }
      ).page;
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.items.map((i) => i.id));
      expect(pages).toBeLessThan(200);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('uses the default order and page size of 50', async () => {
    const res = await gql('{ jobs { items { jobId } pageInfo { hasNextPage } } }');
    const ids = (res.data as { jobs: { items: { jobId: number }[] } }).jobs.items.map((j) => j.jobId);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(res.data).toMatchObject({
      jobs: { pageInfo: { hasNextPage: true } },
    });
  });
});

describe('values', () => {
  it('returns BigInt amounts as exact decimal strings and timestamps as ISO strings', async () => {
    const res = await gql('{ job(jobId: 21) { id payment workEstimate workUnits postedAt deadline resultHash state provider { id } } }');
    const { rows } = await pg.query(
      `select payment::text, work_estimate::text, work_units::text, posted_at, deadline from job where job_id = 21`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      job: {
        id: '21',
        payment: rows[0].payment,
        workEstimate: rows[0].work_estimate,
        workUnits: rows[0].work_units,
        postedAt: rows[0].posted_at.toISOString(),
        deadline: rows[0].deadline.toISOString(),
        resultHash: expect.stringMatching(/^0x/),
        state: 'COMPLETED',
        provider: { id: addr(5020) },
      },
    });
    expect(BigInt(rows[0].payment)).toBeGreaterThan(2n ** 64n);
  });

  it('looks up by unique keys, addresses in any case', async () => {
    const res = await gql(`{
      subnet(netuid: 2) { id name } neuron(netuid: 3, uid: 4) { id hotkey }
      byHotkey: neuronByHotkey(netuid: 3, hotkey: "${addr(2304).toUpperCase().replace('0X', '0x')}") { id uid }
      elsewhere: neuronByHotkey(netuid: 2, hotkey: "${addr(2304)}") { id }
      market(marketId: 5) { kind } provider(address: "${addr(5007).toUpperCase().replace('0X', '0x')}") { address gpuModel }
      missing: provider(address: "0x0000000000000000000000000000000000000001") { address } job(jobId: 9999) { id } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      subnet: { id: '2', name: 'subnet 2' },
      neuron: { id: '3-4', hotkey: addr(2304) },
      byHotkey: { id: '3-4', uid: 4 },
      elsewhere: null,
      market: { kind: 'INFERENCE' },
      provider: { address: addr(5007), gpuModel: 'A100' },
      missing: null,
      job: null,
    });
  });
});

describe('relations', () => {
  it('resolves a job with its market, provider and event timeline', async () => {
    const res = await gql(
      '{ job(jobId: 3) { market { marketId } provider { address } events { items { kind blockNumber job { jobId } } totalCount } } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      job: {
        market: { marketId: 3 },
        provider: { address: addr(5002) },
        events: {
          items: [
            { kind: 'POSTED', blockNumber: 302, job: { jobId: 3 } },
            { kind: 'CLAIMED', blockNumber: 502, job: { jobId: 3 } },
            { kind: 'COMPLETED', blockNumber: 702, job: { jobId: 3 } },
          ],
          totalCount: 3,
        },
      },
    });
  });

  it('pages subnet.neurons with its own cursor', async () => {
    const q = `query($after: String) { subnet(netuid: 2) { neurons(first: 4, orderBy: uid, orderDirection: DESC, after: $after) {
      items { uid subnet { netuid } } pageInfo { hasNextPage endCursor } totalCount } } }`;
    const p1 = (await gql(q)).data as {
      subnet: {
        neurons: {
          items: { uid: number }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
          totalCount: number;
        };
      };
    };
    expect(p1.subnet.neurons.items.map((n) => n.uid)).toEqual([5, 4, 3, 2]);
    expect(p1.subnet.neurons).toMatchObject({
      pageInfo: { hasNextPage: true },
      totalCount: COUNTS.neuronsPerSubnet,
    });
    const p2 = (await gql(q, { after: p1.subnet.neurons.pageInfo.endCursor })).data as typeof p1;
    expect(p2.subnet.neurons.items).toEqual([
      { uid: 1, subnet: { netuid: 2 } },
      { uid: 0, subnet: { netuid: 2 } },
    ]);
    expect(p2.subnet.neurons.pageInfo.hasNextPage).toBe(false);
  });

  it('answers a relation of many parents, pages and counts, in one statement', async () => {
    statements = [];
    const res =
      await gql(`{ markets(first: 5) { items { marketId jobs(first: 2, where: { state: COMPLETED }, orderBy: payment, orderDirection: DESC) {
      items { id } totalCount } } } }`);
    expect(res.errors).toBeUndefined();
    expect(statements).toHaveLength(1);
    for (const m of (
      res.data as {
        markets: {
          items: {
            marketId: number;
            jobs: { items: { id: string }[]; totalCount: number };
          }[];
        };
      }
    ).markets.items) {
      const ids = await sqlIds(`select id from job where market_id = $1 and state = 'COMPLETED' order by payment desc, id desc`, [
        String(m.marketId),
      ]);
      expect(m.jobs.items.map((j) => j.id)).toEqual(ids.slice(0, 2));
      expect(m.jobs.totalCount).toBe(ids.length);
    }
  });
});

describe('N+1', () => {
  it('reads a page of 50 jobs with market and provider in 1 statement', async () => {
    statements = [];
    const res = await gql('{ jobs(first: 50, orderBy: jobId) { items { jobId market { name } provider { address gpuModel } } } }');
    expect(res.errors).toBeUndefined();
    expect(statements).toHaveLength(1);
    const { rows } = await pg.query(
      `select j.job_id, m.name, p.address, p.gpu_model from job j join market m on m.id = j.market_id
       left join provider p on p.id = j.provider_id order by j.job_id limit 50`,
    );
    expect((res.data as { jobs: { items: unknown[] } }).jobs.items).toEqual(
      rows.map((r) => ({
        jobId: r.job_id,
        market: { name: r.name },
        provider: r.address ? { address: r.address, gpuModel: r.gpu_model } : null,
      })),
    );
  });

  it('counts only when totalCount is selected, in the same statement', async () => {
    statements = [];
    await gql('{ jobs(first: 5) { items { id } } }');
    expect(statements).toHaveLength(1);
    expect(statements[0]).not.toContain('count(*)');
    statements = [];
    await gql('{ jobs(first: 5) { totalCount } }');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('count(*)');
  });
});

describe('errors', () => {
  it.each([
    ['first above 1000', '{ jobs(first: 1001) { items { id } } }'],
    ['negative first', '{ providers(first: -1) { items { id } } }'],
    ['a malformed cursor', '{ markets(after: "%%%") { items { id } } }'],
    ['a cursor that is base64 but not ours', `{ markets(after: "${Buffer.from('[1,2]').toString('base64url')}") { items { id } } }`],
    ['a BigInt literal that is not an integer', '{ jobs(where: { payment_gt: "1.5" }) { items { id } } }'],
    ['a BigInt given as a number literal', '{ jobs(where: { payment_gt: 15 }) { items { id } } }'],
    ['a DateTime that is not ISO', '{ jobs(where: { postedAt_gt: "yesterday" }) { items { id } } }'],
  ])('%s is BAD_USER_INPUT', async (_name, query) => {
    const res = await gql(query);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it.each([['abc'], ['1e3'], [12], ['0x10']])('BigInt variable %j is BAD_USER_INPUT', async (value) => {
    const res = await gql('query($p: BigInt!) { jobs(where: { payment_gt: $p }) { items { id } } }', { p: value });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a cursor made for another orderBy', async () => {
    const res = await gql('{ jobs(first: 1, orderBy: payment) { pageInfo { endCursor } } }');
    const cursor = (res.data as { jobs: { pageInfo: { endCursor: string } } }).jobs.pageInfo.endCursor;
    const again = await gql(`{ jobs(orderBy: jobId, after: "${cursor}") { items { id } } }`);
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses queries deeper than 10 levels before touching the database', async () => {
    statements = [];
    const res = await gql(
      '{ jobs { items { market { jobs { items { provider { jobs { items { market { jobs { items { id } } } } } } } } } } } }',
    );
    expect(codes(res)).toEqual(['QUERY_TOO_DEEP']);
    expect(statements).toHaveLength(0);
    // Introspection is deep too, and allowed
    const intro = await gql('{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }');
    expect(intro.errors).toBeUndefined();
  });

  it("keeps Apollo's codes for malformed and invalid operations", async () => {
    expect(codes(await gql('{ jobs { items { id } '))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes(await gql('{ jobs { items { nope } } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('hides database errors behind INTERNAL_SERVER_ERROR, without SQL or stack', async () => {
    await pg.query('alter table market rename to market_gone');
    try {
      const res = await gql('{ markets { items { id } } }');
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(res.errors?.[0].message).toBe('Internal server error');
      expect(JSON.stringify(res)).not.toMatch(/market_gone|SELECT|relation|stack/i);
      expect(internalErrors.length).toBeGreaterThan(0); // but the server logs it
    } finally {
      await pg.query('alter table market_gone rename to market');
    }
  });
});

describe('_meta', () => {
  it('reports nulls before the processor has created its schema', async () => {
    const res = await gql('{ _meta { block finalizedBlock chainHead lag executionProvider } }');
    expect(res).toEqual({
      data: {
        _meta: {
          block: null,
          finalizedBlock: null,
          chainHead: null,
          lag: null,
          executionProvider: null,
        },
      },
    });
  });

  it("reads the processor's finalized and hot blocks", async () => {
    await pg.query(`create schema squid_processor;
      create table squid_processor.status (id int primary key, height int not null, hash text not null, nonce int not null);
      create table squid_processor.hot_block (height int primary key, hash text not null);
      insert into squid_processor.status values (0, -1, '0x', 0);`);
    expect((await gql('{ _meta { block finalizedBlock } }')).data).toEqual({
      _meta: { block: null, finalizedBlock: null },
    });
    await pg.query(`update squid_processor.status set height = 120`);
    expect((await gql('{ _meta { block finalizedBlock } }')).data).toEqual({
      _meta: { block: 120, finalizedBlock: 120 },
    });
    await pg.query(`insert into squid_processor.hot_block values (121, '0xa'), (122, '0xb')`);
    expect((await gql('{ _meta { block finalizedBlock lag } }')).data).toEqual({
      _meta: { block: 122, finalizedBlock: 120, lag: null },
    });
  });
});
