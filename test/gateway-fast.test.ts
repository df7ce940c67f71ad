// The HTTP fast lane (gateway/sql/fast.ts): JSON POSTs of queries over the entity API are answered
// from the statement's JSON text without Apollo; the answers, status and content type must be those
// of the Apollo lane, and whatever the lane does not take (errors, limits, persisted queries, odd
// Accept headers) must reach Apollo unchanged.
import { createRequire } from 'node:module';
import { Client } from 'pg';
import { createGateway, type Gateway } from '../gateway';
import { addr, seed } from '../gateway/_test/fixture';
import { chooseContentType } from '../gateway/sql/fast';
import { createTestDatabase, type TestDatabase } from './harness/db';

let db: TestDatabase;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await seed(pg);
  await pg.end();
  gateway = await createGateway({ databaseUrl: db.url, maxCost: 5000 });
  url = (await gateway.listen(0)).url;
});

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
});

async function post(body: object, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

// Postgres writes `"key" : value`; Apollo's JSON.stringify writes `"key":value`. That is how a test
// tells which lane answered.
const byFastLane = (text: string) => text.includes('" : ');

/** The request through the fast lane and (an `extensions` object sends it to Apollo) through Apollo. */
async function bothLanes(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const fast = await post({ query, variables }, headers);
  const apollo = await post({ query, variables, extensions: {} }, headers);
  return { fast, apollo };
}

describe('the same answers as Apollo', () => {
  it.each([
    [
      'a list page with provider and market',
      `query { jobs(first: 50, orderBy: postedAt, orderDirection: DESC) { items { id jobId state payment workEstimate postedAt deadline
        market { id marketId name kind usdPerUnit } provider { id gpuModel vramGb tier } } } }`,
      undefined,
    ],
    [
      'a neuron ranking',
      'query R($netuid: Int!) { neurons(where: { netuid: $netuid }, orderBy: totalEmission, orderDirection: DESC, first: 50) { items { id uid stake totalEmission } } }',
      { netuid: 1 },
    ],
    [
      "a provider's epochs",
      'query E($a: String!) { provider(address: $a) { id earnings epochs(first: 100, orderBy: epoch, orderDirection: DESC) { items { marketId epoch workReward } } } }',
      { a: addr(5000) },
    ],
    [
      'a job timeline',
      'query T($id: Int!) { job(jobId: $id) { id state market { id name } provider { id } events(first: 50) { items { id kind blockNumber timestamp } } } }',
      { id: 7 },
    ],
    [
      'a deep filter with pages and counts',
      `query D($p: BigInt!) { jobs(where: { state_in: [APPROVED, COMPLETED, CLAIMED], payment_gte: $p, market_: { kind_in: [RENDER, INFERENCE] },
        provider_: { tier_gte: 2 } }, orderBy: payment, orderDirection: DESC, first: 5) { items { id payment } pageInfo { hasNextPage endCursor } totalCount } }`,
      { p: '1' },
    ],
    ['a missing row', '{ job(jobId: 999999) { id } }', undefined],
  ])('%s', async (_name, query, variables) => {
    const { fast, apollo } = await bothLanes(query, variables);
    expect(byFastLane(fast.text)).toBe(true);
    expect(byFastLane(apollo.text)).toBe(false);
    expect(fast.status).toBe(apollo.status);
    expect(fast.contentType).toBe(apollo.contentType);
    expect(JSON.parse(fast.text)).toEqual(JSON.parse(apollo.text));
  });

  it('answers a query text again with other variables by their own statement', async () => {
    // The lane keeps compiled statements by variables: a repeat must not get another's answer, and an
    // invalid set (cached as "not here") must still go to Apollo.
    const query = 'query J($id: Int!) { job(jobId: $id) { jobId payment provider { id } } }';
    const seen = new Map<number, unknown>();
    for (const id of [3, 7, 3, 11, 7]) {
      const { fast, apollo } = await bothLanes(query, { id });
      expect(byFastLane(fast.text)).toBe(true);
      expect(JSON.parse(fast.text)).toEqual(JSON.parse(apollo.text));
      expect((JSON.parse(fast.text) as { data: { job: { jobId: number } } }).data.job.jobId).toBe(id);
      if (seen.has(id)) expect(fast.text).toBe(seen.get(id));
      seen.set(id, fast.text);
    }
    for (let i = 0; i < 2; i++) {
      const bad = await post({ query, variables: { id: 'x' } });
      expect(byFastLane(bad.text)).toBe(false);
      expect(bad.status).toBeLessThan(500);
      expect(JSON.parse(bad.text).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('chooses the content type from Accept as Apollo does', async () => {
    const query = '{ markets(first: 1) { items { marketId } } }';
    for (const accept of [
      'application/graphql-response+json',
      'application/json',
      'application/graphql-response+json, application/json;q=0.9',
      'application/json, application/graphql-response+json',
      '*/*',
    ]) {
      const { fast, apollo } = await bothLanes(query, undefined, { accept });
      expect(byFastLane(fast.text)).toBe(true);
      expect([accept, fast.status, fast.contentType]).toEqual([accept, apollo.status, apollo.contentType]);
    }
  });
});

describe('what the lane leaves to Apollo', () => {
  it.each([
    ['a syntax error', { query: '{ jobs { ' }],
    ['a validation error', { query: '{ jobs { nope } }' }],
    ['a variable of the wrong type', { query: 'query($n: Int) { jobs(first: $n) { totalCount } }', variables: { n: 'x' } }],
    ['first over the maximum', { query: '{ jobs(first: 5000) { items { id } } }' }],
    ['a cost over the budget', { query: '{ jobs(first: 1000) { items { provider { jobs(first: 100) { items { id } } } } } }' }],
    ['an unknown operation name', { query: 'query A { jobs { totalCount } }', operationName: 'B' }],
    ['two operations without a name', { query: 'query A { jobs { totalCount } } query B { jobs { totalCount } }' }],
    ['a mutation', { query: 'mutation { cancelJob(input: {}) { hash } }' }],
    ['rankings (resolvers only)', { query: '{ _meta { block } }' }],
  ])('%s', async (_name, body) => {
    const res = await post(body);
    expect(byFastLane(res.text)).toBe(false);
    expect(res.status).toBeLessThan(500);
  });

  it('answers a named operation of several by the fast lane', async () => {
    const res = await post({
      query: 'query A { jobs(first: 1) { totalCount } } query B { markets(first: 1) { totalCount } }',
      operationName: 'B',
    });
    expect(byFastLane(res.text)).toBe(true);
    expect(JSON.parse(res.text)).toEqual({ data: { markets: { totalCount: 5 } } });
  });
});

describe('chooseContentType', () => {
  // Apollo's own choice: Negotiator (its dependency) over the two JSON media types and the callback one.
  const Negotiator = createRequire(require.resolve('@apollo/server'))('negotiator') as new (req: {
    headers: { accept?: string };
  }) => { mediaType(types: string[]): string | undefined };
  const apollo = (accept: string | undefined) =>
    accept
      ? (new Negotiator({ headers: { accept } }).mediaType([
          'application/json; charset=utf-8',
          'application/graphql-response+json; charset=utf-8',
          'application/json; callbackSpec=1.0; charset=utf-8',
        ]) ?? null)
      : 'application/json; charset=utf-8';

  it.each([
    undefined,
    '',
    '*/*',
    'application/*',
    'application/json',
    'APPLICATION/JSON',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json;q=0.9',
    'application/json;q=0.9, application/graphql-response+json',
    'application/json, application/graphql-response+json',
    'application/graphql-response+json, application/json',
    'application/graphql-response+json;q=0.5, */*',
    'text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8',
    'text/html',
    'application/json;q=0',
    'application/*;q=0.2, application/graphql-response+json;q=0.1',
    'application/json; charset=utf-8',
    'application/json; callbackSpec=1.0',
    'nonsense',
  ])('%s', (accept) => {
    const ours = chooseContentType(accept);
    // Undefined: the lane does not decide and Apollo answers; otherwise it must decide as Apollo would.
    if (ours !== undefined) expect(ours).toBe(apollo(accept));
  });

  it('decides the common headers itself', () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/graphql-response+json, application/json;q=0.9']) {
      expect(chooseContentType(accept)).toBeDefined();
    }
  });
});
