// The read path's two lanes give the same answers: every operation the SQL compiler takes
// (gateway/sql/operation.ts, one statement with its JSON built in Postgres) is also run through the
// resolvers (graphql-js execute on the same schema), and the two results must be identical, key
// order included. Every list field, every sortable field in both directions over three pages (so
// every cursor kind), relations, lookups, filters, aliases, fragments and directives.
import { execute, parse } from 'graphql';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createGateway, ENTITY_SPECS, type Gateway } from '../gateway';
import { addr, seed } from '../gateway/_test/fixture';
import { seedProtocol } from '../gateway/_test/protocol-fixture';
import { compileOperation } from '../gateway/sql/operation';
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

/** Whether the compiler takes the operation (else the resolvers answer it alone). */
function compiles(query: string, variables?: Record<string, unknown>): boolean {
  const document = parse(query);
  const op = document.definitions.find((d) => d.kind === 'OperationDefinition');
  return !!op && compileOperation(gateway.schema, document, op, variables) !== null;
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
      '{ neuron(netuid: 1, uid: 2) { id hotkey } market(marketId: 2) { name } a: subnet(netuid: 1) { name } b: subnet(netuid: 3) { name } }',
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

  it('pages with a cursor from either lane', async () => {
    const q =
      'query P($after: String) { jobs(first: 20, orderBy: payment, after: $after) { items { id payment } pageInfo { endCursor } } }';
    const first = await same(q, {});
    await same(q, { after: first.jobs.pageInfo.endCursor });
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
