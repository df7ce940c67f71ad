// The HTTP transport: the GraphQL-over-HTTP audits of the graphql-http package, automatic
// persisted queries, the per-IP rate limit, and the alias and cost limits as HTTP clients see them.
import { createHash } from 'node:crypto';
import { serverAudits } from 'graphql-http';
import { Client } from 'pg';
import { createGateway, type Gateway } from '../gateway';
import { seed } from '../gateway/_test/fixture';
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
  gateway = await createGateway({ databaseUrl: db.url, maxCost: 5000, maxAliases: 5 });
  url = (await gateway.listen(0)).url;
});

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
});

type Body = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

async function post(body: object, headers: Record<string, string> = {}, to = url) {
  const res = await fetch(to, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Body };
}

const codes = (b: Body) => (b.errors ?? []).map((e) => e.extensions?.code);

it('passes every MUST and SHOULD audit of graphql-http (GraphQL over HTTP spec)', async () => {
  const failed: string[] = [];
  const audits = serverAudits({ url });
  for (const audit of audits) {
    const r = await audit.fn();
    // `notice` is a MAY (GET without a CSRF-safe header, which Apollo's CSRF prevention refuses).
    if (r.status === 'warn' || r.status === 'error') failed.push(`${audit.id} ${audit.name}: ${r.reason}`);
  }
  expect(audits.length).toBeGreaterThan(40);
  expect(failed).toEqual([]);
});

describe('automatic persisted queries', () => {
  const query = '{ markets(first: 2) { items { marketId } } }';
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  const ext = { persistedQuery: { version: 1, sha256Hash } };
  const data = { markets: { items: [{ marketId: 1 }, { marketId: 2 }] } };

  it('asks for the query by hash, registers it, then answers the hash alone (POST and GET)', async () => {
    const miss = await post({ extensions: ext });
    expect(codes(miss.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const register = await post({ query, extensions: ext });
    expect(register.body).toEqual({ data });
    expect((await post({ extensions: ext })).body).toEqual({ data });
    const get = await fetch(`${url}?extensions=${encodeURIComponent(JSON.stringify(ext))}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data });
  });

  it('refuses a query whose hash does not match', async () => {
    const res = await post({ query: '{ jobs { totalCount } }', extensions: ext });
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual(['BAD_REQUEST']);
  });
});

describe('limits', () => {
  const nested = 'query($n: Int!, $m: Int!) { jobs(first: $n) { items { provider { jobs(first: $m) { items { id } } } } } }';

  it('prices `first` from the variables: small pages pass, large ones are QUERY_TOO_COMPLEX before any SQL', async () => {
    const ok = await post({ query: nested, variables: { n: 10, m: 10 } });
    expect(ok.body.errors).toBeUndefined();
    // 1000 × (1 + 1 × (1 + 1 × (1 + 100 × 2))) = 203000 > 5000
    const big = await post({ query: nested, variables: { n: 1000, m: 100 } });
    expect(big.status).toBe(200);
    expect(codes(big.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(big.body.errors?.[0].message).toBe(
      'query cost 203000 exceeds the budget of 5000; ask for smaller pages (first) or fewer nested lists',
    );
    expect(big.body.data).toBeUndefined();
    // With the spec's own media type, a request error is a 400.
    const strict = await post({ query: nested, variables: { n: 1000, m: 100 } }, { accept: 'application/graphql-response+json' });
    expect(strict.status).toBe(400);
    expect(codes(strict.body)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('counts aliases, fragments once per use', async () => {
    const five = `{ ${[1, 2, 3, 4, 5].map((i) => `a${i}: markets(first: 1) { totalCount }`).join(' ')} }`;
    expect((await post({ query: five })).body.errors).toBeUndefined();
    const viaFragment =
      '{ ...F ...F } fragment F on Query { a: markets(first: 1) { totalCount } b: markets(first: 1) { totalCount } c: _meta { block } }';
    expect(codes((await post({ query: viaFragment })).body)).toEqual(['TOO_MANY_ALIASES']);
  });

  it('refuses filters nested deeper than 32 levels, as variables or literals, with BAD_USER_INPUT', async () => {
    const nest = (depth: number) => {
      let w: object = { jobId: 1 };
      for (let i = 0; i < depth; i++) w = { or: [w] };
      return w;
    };
    const query = 'query($w: JobWhere) { jobs(where: $w) { totalCount } }';
    expect((await post({ query, variables: { w: nest(10) } })).body).toEqual({ data: { jobs: { totalCount: 1 } } });
    const deep = await post({ query, variables: { w: nest(40) } });
    expect(codes(deep.body)).toEqual(['BAD_USER_INPUT']);
    expect(deep.body.errors?.[0].message).toBe('variables are nested deeper than 32 levels');
    const literal = await post({ query: `{ jobs(where: ${'{ or: ['.repeat(40)}{ jobId: 1 }${'] }'.repeat(40)}) { totalCount } }` });
    expect(codes(literal.body)).toEqual(['BAD_USER_INPUT']);
  });

  it('measures a fragment bomb without expanding it', async () => {
    // F_k spreads F_(k-1) twice: 2^25 copies of the leaf if expanded naively.
    const fragments = ['fragment F0 on Job { id }'];
    for (let k = 1; k <= 25; k++) fragments.push(`fragment F${k} on Job { ...F${k - 1} ...F${k - 1} }`);
    const t0 = Date.now();
    const res = await post({ query: `{ jobs(first: 1) { items { ...F25 } } } ${fragments.join(' ')}` });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(res.status).toBeLessThan(500);
  });
});

describe('rate limit', () => {
  let limited: Gateway;
  let limitedUrl: string;
  beforeAll(async () => {
    limited = await createGateway({ databaseUrl: db.url, rateLimit: { perSecond: 1, burst: 3 } });
    limitedUrl = (await limited.listen(0)).url;
  });
  afterAll(() => limited?.close());

  it('answers 429 RATE_LIMITED with retry-after once the burst is spent', async () => {
    const query = { query: '{ _meta { block } }' };
    const first = await Promise.all([1, 2, 3].map(() => post(query, {}, limitedUrl)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = await post(query, {}, limitedUrl);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(codes(refused.body)).toEqual(['RATE_LIMITED']);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await post(query, {}, limitedUrl)).status).toBe(200);
  });

  it('ignores X-Forwarded-For unless told to trust a proxy (anyone can write it)', async () => {
    const query = { query: '{ _meta { block } }' };
    await new Promise((r) => setTimeout(r, 3100)); // a full bucket again
    const forged = await Promise.all(
      ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'].map((ip) => post(query, { 'x-forwarded-for': ip }, limitedUrl)),
    );
    expect(forged.map((r) => r.status)).toEqual([200, 200, 200, 429]);
  });

  it('behind a trusted proxy, limits each client by the address the proxy appended', async () => {
    const proxied = await createGateway({ databaseUrl: db.url, rateLimit: { perSecond: 1, burst: 1 }, trustedProxies: 1 });
    try {
      const to = (await proxied.listen(0)).url;
      const query = { query: '{ _meta { block } }' };
      // The proxy appends the address it saw; what the client wrote to the left does not count.
      const as = (client: string, forged = '9.9.9.9') => post(query, { 'x-forwarded-for': `${forged}, ${client}` }, to);
      expect((await as('1.1.1.1')).status).toBe(200);
      expect((await as('2.2.2.2')).status).toBe(200);
      const again = await as('1.1.1.1', '8.8.8.8');
      expect(again.status).toBe(429);
      expect(codes(again.body)).toEqual(['RATE_LIMITED']);
    } finally {
      await proxied.close();
    }
  });
});
