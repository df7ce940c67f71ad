// The read path's two lanes give the same answers: every operation the SQL compiler takes
// (gateway/sql/operation.ts, one statement with its JSON built in Postgres) is also run through the
// resolvers (graphql-js execute on the same schema), and the two results must be identical, key
// order included. Every list field, every sortable field in both directions over three pages (so
// every cursor kind), relations, lookups, filters, aliases, fragments and directives.
import { execute, type OperationDefinitionNode, parse } from 'graphql';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createGateway, ENTITY_SPECS, type Gateway } from '../gateway';
import { addr, seed } from '../gateway/_test/fixture';
import { seedProtocol } from '../gateway/_test/protocol-fixture';
import { type CompileOptions, compileOperation, FAN_OUT_ARMS } from '../gateway/sql/operation';
import { createDataSource } from '../schema';
import { createTestDatabase, statementRecorder, type TestDatabase } from './harness/db';

let db: TestDatabase;
let pg: Client;
let ds: DataSource;
let gateway: Gateway;
let statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await seed(pg);
  await seedProtocol(pg);
  ds = createDataSource({ url: db.url });
  ds.setOptions({ logger: statementRecorder((q) => void statements.push(q)) });
  await ds.initialize();
  gateway = await createGateway({ dataSource: ds });
});

afterAll(async () => {
  await gateway?.close();
  await ds?.destroy();
  await pg?.end();
  await db?.drop();
});

function compile(query: string, variables?: Record<string, unknown>, options?: CompileOptions) {
  const document = parse(query);
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  return op ? compileOperation(gateway.schema, document, op, variables, options) : null;
}

/** Whether the compiler takes the operation (else the resolvers answer it alone). */
function compiles(query: string, variables?: Record<string, unknown>): boolean {
  return compile(query, variables) !== null;
}

/** Both lanes' answers as JSON text: the fast lane through Apollo, the resolvers through graphql-js. */
async function bothLanes(query: string, variables?: Record<string, unknown>): Promise<{ fast: any; slow: any; statements: number }> {
  statements = [];
  const fast = await gateway.execute(query, variables);
  const count = statements.length;
  const slow = await execute({
    schema: gateway.schema,
    document: parse(query),
    variableValues: variables,
    contextValue: gateway.createContext(),
  });
  return { fast: JSON.parse(JSON.stringify(fast)), slow: JSON.parse(JSON.stringify(slow)), statements: count };
}

async function same(query: string, variables?: Record<string, unknown>): Promise<any> {
  expect(compiles(query, variables)).toBe(true);
  const { fast, slow, statements: n } = await bothLanes(query, variables);
  expect(fast.errors).toBeUndefined();
  expect(JSON.stringify(fast.data)).toBe(JSON.stringify(slow.data));
  expect(n).toBe(1);
  return fast.data;
}

const scalarFields = (name: keyof typeof ENTITY_SPECS) =>
  Object.entries(ENTITY_SPECS[name].fields)
    .map(([f, spec]) => (spec.relation ? `${f} { id __typename }` : f))
    .join(' ');

describe('every list, every sortable field, both directions, three pages', () => {
  for (const spec of Object.values(ENTITY_SPECS)) {
    const sortable = Object.entries(spec.fields)
      .filter(([, f]) => f.sortable)
      .map(([n]) => n);
    it(`${spec.plural}`, async () => {
      for (const orderBy of sortable) {
        for (const dir of ['ASC', 'DESC']) {
          const q = `query P($after: String) { ${spec.plural}(first: 4, orderBy: ${orderBy}, orderDirection: ${dir}, after: $after) {
            __typename items { __typename ${scalarFields(spec.name)} } pageInfo { hasNextPage endCursor } totalCount } }`;
          let after: string | null = null;
          for (let page = 0; page < 3; page++) {
            const data = await same(q, { after });
            after = data[spec.plural].pageInfo.endCursor;
            if (!data[spec.plural].pageInfo.hasNextPage) break;
          }
        }
      }
    });
  }
});

describe('relations, lookups, filters', () => {
  it.each([
    [
      'list page with provider and market',
      `{ jobs(first: 50, orderBy: postedAt, orderDirection: DESC) { items { id jobId state payment postedAt deadline
        market { id marketId name kind usdPerUnit } provider { id gpuModel vramGb tier successRate } } } }`,
    ],
    [
      'to-many pages of many parents, with where, order, counts',
      `{ markets(first: 5) { items { marketId jobs(first: 2, where: { state: COMPLETED }, orderBy: payment, orderDirection: DESC) {
        items { id payment } totalCount pageInfo { hasNextPage endCursor } } epochs(first: 3) { items { epoch emission } } } } }`,
    ],
    [
      'a subnet with its neurons, epochs, stake positions and weights',
      `{ subnet(netuid: 2) { netuid name neurons(first: 3, orderBy: stake, orderDirection: DESC) { items { uid stake subnet { netuid } } totalCount }
        epochs(first: 2) { items { epoch emission neurons(first: 2) { items { uid incentive } } } } stakePositions { items { id amount } }
        weights { items { id uids values } } } }`,
    ],
    [
      'a job timeline',
      `{ job(jobId: 7) { id state market { name } provider { id } events(first: 10) { items { id kind actor blockNumber timestamp txHash job { jobId } } } } }`,
    ],
    ['a missing job', '{ job(jobId: 999999) { id } }'],
    [
      'a provider by address in upper case',
      `{ provider(address: "${addr(5000).toUpperCase()}") { id address epochs { items { epoch workUnits } } jobs(first: 3) { items { id } } } }`,
    ],
    [
      'lookups',
      `{ neuron(netuid: 1, uid: 2) { id hotkey } h: neuronByHotkey(netuid: 1, hotkey: "${addr(2102).toUpperCase()}") { id uid } market(marketId: 2) { name } a: subnet(netuid: 1) { name } b: subnet(netuid: 3) { name } }`,
    ],
    [
      'deep filter with relation filters, or and sorting',
      `{ jobs(where: { state_in: [APPROVED, COMPLETED, CLAIMED], payment_gte: "1", market_: { kind_in: [RENDER, INFERENCE] },
        or: [{ provider_: { tier_gte: 2 } }, { provider: null }] }, orderBy: payment, orderDirection: DESC, first: 20) {
        items { id payment market { kind } provider { tier } } totalCount } }`,
    ],
    ['string filters', `{ providers(where: { gpuModel_contains: "A", address_starts_with: "0xa" }) { items { id gpuModel } totalCount } }`],
    ['only totalCount', '{ jobs(where: { provider: null }) { totalCount } }'],
    ['first: 0', '{ jobs(first: 0) { items { id } pageInfo { hasNextPage endCursor } } }'],
    [
      'keys longer than a Postgres column name (63 bytes)',
      `{ jobs(first: 3) { items { ${'a'.repeat(70)}: id ${'b'.repeat(63)}: jobId market { ${'c'.repeat(64)}: name } } } job(jobId: 7) { ${'d'.repeat(80)}: id } }`,
    ],
    [
      'aliases, fragments, inline fragments, __typename',
      `query { __typename x: jobs(first: 3) { ...P items { ... on Job { a: id } id } } }
       fragment P on JobPage { pageInfo { hasNextPage } items { jobId market { ...M } } }
       fragment M on Market { name marketId }`,
    ],
  ])('%s', async (_name, query) => {
    await same(query);
  });

  it('applies @skip and @include from variables', async () => {
    const q = `query Q($s: Boolean!, $i: Boolean!) { jobs(first: 3) { items { id jobId @skip(if: $s) state @include(if: $i) } } }`;
    for (const s of [true, false]) for (const i of [true, false]) await same(q, { s, i });
  });

  it('pages through a market filter by payment (one index read per market, merged) in both directions', async () => {
    for (const dir of ['ASC', 'DESC']) {
      const q = `query P($after: String) { jobs(first: 7, orderBy: payment, orderDirection: ${dir}, after: $after,
        where: { market_: { kind_in: [RENDER, INFERENCE] }, state_not: CANCELLED }) {
        items { id payment market { kind } } pageInfo { hasNextPage endCursor } totalCount } }`;
      let after: string | null = null;
      for (let page = 0; page < 4; page++) {
        const data = await same(q, { after });
        expect(data.jobs.items.every((j: { market: { kind: string } }) => j.market.kind !== 'TRAINING')).toBe(true);
        after = data.jobs.pageInfo.endCursor;
        if (!data.jobs.pageInfo.hasNextPage) break;
      }
    }
    // Nested under a parent, and with a market filter that matches no market.
    await same(
      `{ providers(first: 3) { items { id jobs(first: 2, orderBy: payment, where: { market_: { kind: RENDER } }) { items { id } } } } }`,
    );
    await same(`{ jobs(first: 5, orderBy: payment, where: { market_: { name: "no such market" } }) { items { id } totalCount } }`);
  });

  it('keeps the page order when Postgres joins the items to their relations by hash', async () => {
    // Without nested loops the market join (a table of few rows) becomes a hash join that may read
    // the markets and probe the page's rows, emitting them in the markets' order: the aggregates must sort.
    const q = `query P($after: String, $dir: OrderDirection) { jobs(first: 30, orderBy: payment, orderDirection: $dir, after: $after) {
      items { id payment market { name } provider { id tier } } pageInfo { hasNextPage endCursor } } }`;
    const unnumbered = '{ jobs(first: 30, orderBy: postedAt) { items { id postedAt provider { id } market { kind } } } }';
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('SET enable_nestloop = off; SET enable_mergejoin = off');
      const hashed: string[] = [];
      for (const [query, vars] of [
        [q, { dir: 'DESC', after: null }],
        [q, { dir: 'ASC', after: null }],
        [unnumbered, {}],
      ] as const) {
        const compiled = compile(query, vars)!;
        const plan = await c.query(`EXPLAIN ${compiled.sql}`, compiled.params);
        hashed.push(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
        const { rows } = await c.query(compiled.sql, compiled.params);
        const slow = await execute({
          schema: gateway.schema,
          document: parse(query),
          variableValues: vars,
          contextValue: gateway.createContext(),
        });
        expect(JSON.stringify(rows[0].data)).toBe(JSON.stringify(slow.data));
      }
      // The hash join this test is about happened.
      expect(hashed.join('\n')).toMatch(/Hash Right Join/);
    } finally {
      await c.end();
    }
  });

  it('pages with a cursor from either lane', async () => {
    const q =
      'query P($after: String) { jobs(first: 20, orderBy: payment, after: $after) { items { id payment } pageInfo { endCursor } } }';
    const first = await same(q, {});
    await same(q, { after: first.jobs.pageInfo.endCursor });
  });
});

describe('a page filtered through markets, by payment (the fan-out: one index read per market, merged)', () => {
  /** The compiled statement with `fanOutArms` index-read arms, straight through pg. */
  async function fanOut(query: string, variables: Record<string, unknown>, fanOutArms: number) {
    const compiled = compile(query, variables, { fanOutArms });
    expect(compiled?.sql).toContain(' UNION ALL ');
    const { rows } = await pg.query(compiled!.sql, compiled!.params);
    return JSON.stringify(rows[0].data);
  }

  /** The resolvers' answer: the plain ORDER BY … LIMIT (sql/list.ts buildListQuery). */
  async function plain(query: string, variables: Record<string, unknown>) {
    const res = await execute({
      schema: gateway.schema,
      document: parse(query),
      variableValues: variables,
      contextValue: gateway.createContext(),
    });
    expect(res.errors).toBeUndefined();
    return res.data as any;
  }

  // 5 markets: one arm reads one market and the shared arm the other four; 8 arms read each its own.
  const ARMS = [1, 2, 3, FAN_OUT_ARMS];

  it("returns the plain order's rows for random filters, directions, sizes and cursors", async () => {
    let state = 7;
    const rnd = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const some = <T>(xs: T[]) => xs.filter(() => rnd() < 0.5);
    const payments = (await pg.query('select distinct payment::text as p from job order by 1')).rows.map((r) => r.p as string);
    const q = `query P($w: JobWhere, $dir: OrderDirection, $n: Int, $after: String) {
      jobs(where: $w, orderBy: payment, orderDirection: $dir, first: $n, after: $after) {
        items { id payment market { marketId } provider { tier } } pageInfo { hasNextPage endCursor } } }`;
    let compared = 0;
    for (let i = 0; i < 40; i++) {
      const w: Record<string, unknown> = {
        market_: pick([
          { kind_in: some(['RENDER', 'INFERENCE', 'TRAINING']) },
          { marketId_in: some([1, 2, 3, 4, 5]) },
          { kind: 'RENDER' },
          { tier: 1 },
          {},
        ]),
      };
      if (rnd() < 0.5) w.state_in = some(['POSTED', 'CLAIMED', 'COMPLETED']);
      if (rnd() < 0.6) w[pick(['payment_gte', 'payment_lt'])] = pick(payments);
      const r = rnd();
      if (r < 0.3) w.provider_ = { tier_gte: pick([0, 1, 2]) };
      else if (r < 0.5) w.or = [{ provider_: { tier: pick([0, 1, 2]) } }, { provider: null }];
      const vars: Record<string, unknown> = { w, dir: pick(['ASC', 'DESC']), n: pick([1, 3, 7, 25, 60]), after: null };
      for (let page = 0; page < 3; page++) {
        const expected = await plain(q, vars);
        for (const arms of ARMS) expect([arms, await fanOut(q, vars, arms)]).toEqual([arms, JSON.stringify(expected)]);
        compared += expected.jobs.items.length;
        if (!expected.jobs.pageInfo.hasNextPage) break;
        vars.after = expected.jobs.pageInfo.endCursor;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it("returns the plain order's rows under a parent, and without matching markets", async () => {
    for (const [q, vars] of [
      [
        `query N($dir: OrderDirection) { providers(first: 6) { items { id jobs(first: 2, orderBy: payment, orderDirection: $dir,
          where: { market_: { kind_in: [RENDER, TRAINING] }, state_not: POSTED }) { items { id payment } pageInfo { hasNextPage endCursor } } } } }`,
        { dir: 'DESC' },
      ],
      ['{ jobs(first: 5, orderBy: payment, where: { market_: { name: "no such market" } }) { items { id } } }', {}],
    ] as const) {
      const expected = JSON.stringify(await plain(q, vars));
      for (const arms of ARMS) expect(await fanOut(q, vars, arms)).toBe(expected);
    }
  });

  it('keeps one generic plan of its prepared statement across values (its arms take milliseconds to plan)', async () => {
    const q = `query D($p: BigInt!, $t: Int!) { jobs(where: { state_in: [CLAIMED, COMPLETED], payment_gte: $p, market_: { kind_in: [RENDER, INFERENCE] },
      provider_: { tier_gte: $t } }, orderBy: payment, orderDirection: DESC, first: 5) { items { id } totalCount } }`;
    // Every value opaque to the planner (sql/params.ts): any visible one could make Postgres plan it anew.
    const { sql } = compile(q, { p: '1', t: 1 })!;
    expect(sql.match(/\(SELECT \$\d+::/g)).toHaveLength(sql.match(/\$\d+::/g)!.length);
    expect(compile('{ jobs(where: { payment_gte: "1" }) { items { id } } }')!.sql).not.toContain('(SELECT $');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      for (let i = 0; i < 12; i++) {
        const compiled = compile(q, { p: String(i * 10 ** 18), t: i % 3 })!;
        await c.query({ name: 'fan', text: compiled.sql, values: compiled.params });
      }
      const { rows } = await c.query(`select generic_plans, custom_plans from pg_prepared_statements where name = 'fan'`);
      // Postgres plans the first five executions with their values, then the generic plan wins.
      expect(rows).toEqual([{ generic_plans: '7', custom_plans: '5' }]);
    } finally {
      await c.end();
    }
  });
});

describe('what the compiler leaves to the resolvers', () => {
  it.each([
    ['_meta', '{ _meta { block } }'],
    ['a ranking', '{ neuronRankings(netuid: 1, by: INCENTIVE) { items { rank } } }'],
    ['a provider score', '{ providers(first: 1) { items { score } } }'],
    ['a market series with a period', '{ markets(first: 1) { items { stats(period: DAY) { items { start } } } } }'],
  ])('%s', (_name, query) => {
    expect(compiles(query)).toBe(false);
  });

  it.each([
    ['a bad cursor', '{ jobs(after: "nope") { items { id } } }'],
    ['a page too large', '{ jobs(first: 5000) { items { id } } }'],
    ['a bad BigInt', '{ jobs(where: { payment_gt: "1.5" }) { items { id } } }'],
  ])('%s: not compiled, and the resolvers report BAD_USER_INPUT', async (_name, query) => {
    expect(compiles(query)).toBe(false);
    const res = await gateway.execute(query);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
