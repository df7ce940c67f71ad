// Provider.score through the inference service's HTTP contract (POST /score, GET /health). The
// service belongs to another team, so a minimal stand-in speaking that contract runs here; it
// records the calls so that the test can assert one /score call per GraphQL request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createGateway, type Gateway } from '../gateway';
import { addr, seed } from '../gateway/_test/fixture';
import { createTestDatabase, type TestDatabase } from './harness';

interface FakeInference {
  url: string;
  calls: string[][];
  /** Addresses it knows; any other address in a request makes it answer 404, as the contract says. */
  known: Set<string>;
  status?: number;
  close(): Promise<void>;
}

const scoreOf = (a: string) => (Number.parseInt(a.slice(-4), 16) % 100) / 100;

async function startFakeInference(): Promise<FakeInference> {
  const fake = {
    calls: [] as string[][],
    known: new Set<string>(),
  } as FakeInference;
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (fake.status)
      return send(fake.status, {
        error: { code: 'BROKEN', message: 'broken' },
      });
    if (req.method === 'GET' && req.url === '/health')
      return send(200, {
        status: 'ok',
        executionProvider: 'cpu',
        models: [{ name: 'm' }],
      });
    if (req.method !== 'POST' || req.url !== '/score') return send(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    let text = '';
    for await (const chunk of req) text += chunk;
    const { addresses } = JSON.parse(text) as { addresses: string[] };
    fake.calls.push(addresses);
    const unknown = addresses.filter((a) => !fake.known.has(a));
    if (unknown.length)
      return send(404, {
        error: { code: 'UNKNOWN_ADDRESS', message: `unknown ${unknown[0]}` },
      });
    send(200, {
      model: { name: 'provider-reputation', version: '1' },
      executionProvider: 'cpu',
      results: addresses.map((a) => ({
        address: a,
        score: scoreOf(a),
        features: { jobsCompleted: 3, approvalRate: 0.5 },
      })),
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

let db: TestDatabase;
let fake: FakeInference;
let gateway: Gateway;

beforeAll(async () => {
  db = await createTestDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await seed(pg);
  await pg.end();
  fake = await startFakeInference();
  for (let i = 0; i < 70; i++) fake.known.add(addr(5000 + i));
  gateway = await createGateway({
    databaseUrl: db.url,
    inferenceUrl: fake.url,
    onInternalError: () => {},
  });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await db?.drop();
});

type Providers = {
  providers: {
    items: {
      address: string;
      score: number | null;
      scoreFeatures: { name: string; value: number }[] | null;
    }[];
  };
};

it('scores a page of 50 providers with one /score call', async () => {
  fake.calls = [];
  const res = await gateway.execute('{ providers(first: 50) { items { address score scoreFeatures { name value } } } }');
  expect(res.errors).toBeUndefined();
  expect(fake.calls).toHaveLength(1);
  expect(fake.calls[0]).toHaveLength(50);
  const items = (res.data as Providers).providers.items;
  expect(items).toHaveLength(50);
  for (const p of items) {
    expect(p.score).toBe(scoreOf(p.address));
    expect(p.scoreFeatures).toEqual([
      { name: 'jobsCompleted', value: 3 },
      { name: 'approvalRate', value: 0.5 },
    ]);
  }
});

it('reports the execution provider in _meta', async () => {
  expect((await gateway.execute('{ _meta { executionProvider } }')).data).toEqual({ _meta: { executionProvider: 'cpu' } });
});

it('leaves providers the service does not know without a score, and without an error', async () => {
  fake.known.delete(addr(5001));
  try {
    const res = await gateway.execute('{ providers(first: 3) { items { address score } } }');
    expect(res.errors).toBeUndefined();
    expect((res.data as Providers).providers.items).toEqual([
      { address: addr(5000), score: scoreOf(addr(5000)) },
      { address: addr(5001), score: null },
      { address: addr(5002), score: scoreOf(addr(5002)) },
    ]);
  } finally {
    fake.known.add(addr(5001));
  }
});

it('answers the rest of the query when the service fails, with INFERENCE_UNAVAILABLE on score', async () => {
  fake.status = 503;
  try {
    const res = await gateway.execute('{ providers(first: 2) { items { address score } } }');
    expect((res.data as Providers).providers.items).toEqual([
      { address: addr(5000), score: null },
      { address: addr(5001), score: null },
    ]);
    expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ['INFERENCE_UNAVAILABLE', ['providers', 'items', 0, 'score']],
      ['INFERENCE_UNAVAILABLE', ['providers', 'items', 1, 'score']],
    ]);
  } finally {
    fake.status = undefined;
  }
});

it('says INFERENCE_UNAVAILABLE when the service is down, and _meta.executionProvider is null', async () => {
  const down = await createGateway({
    databaseUrl: db.url,
    inferenceUrl: fake.url,
    onInternalError: () => {},
  });
  await fake.close();
  try {
    const res = await down.execute(`{ provider(address: "${addr(5003)}") { gpuModel score } _meta { executionProvider } }`);
    expect(res.data).toEqual({
      provider: { gpuModel: 'A100', score: null },
      _meta: { executionProvider: null },
    });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['INFERENCE_UNAVAILABLE']);
    expect(res.errors?.[0].message).toMatch(/ECONNREFUSED/);
  } finally {
    await down.close();
  }
});

it('says INFERENCE_UNAVAILABLE when no INFERENCE_URL is configured', async () => {
  const none = await createGateway({ databaseUrl: db.url });
  try {
    const res = await none.execute(`{ provider(address: "${addr(5003)}") { score } }`);
    expect(res.data).toEqual({ provider: { score: null } });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['INFERENCE_UNAVAILABLE']);
  } finally {
    await none.close();
  }
});
