// Provider.score, Provider.scoreFeatures and _meta.executionProvider against the real inference
// service (gateway-inference.test.ts uses a stand-in speaking its contract): the gateway reports the
// execution provider the service runs on, and each provider's features are the ones the service
// computes for it from the indexed job history, equal to those computed here from the same rows.
import { Client, Pool } from 'pg';
import { createGateway, type Gateway } from '../gateway';
import { seed } from '../gateway/_test/fixture';
import { seedProtocol } from '../gateway/_test/protocol-fixture';
import { createInferenceService, type InferenceService, silentLogger } from '../inference';
import { buildHistoryFeatureRows, type ProviderHistoryFeatureName } from '../inference/features/provider-history';
import { fetchProviderHistory } from '../inference/features/provider-history-rows';
import { createTestDatabase, type TestDatabase } from './harness';

let db: TestDatabase;
let svc: InferenceService;
let gateway: Gateway;

beforeAll(async () => {
  db = await createTestDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    await seed(pg);
    await seedProtocol(pg);
  } finally {
    await pg.end();
  }
  svc = await createInferenceService({ databaseUrl: db.url, logger: silentLogger });
  const { url } = await svc.listen(0);
  gateway = await createGateway({ databaseUrl: db.url, inferenceUrl: url, onInternalError: () => {} });
});

afterAll(async () => {
  await gateway?.close();
  await svc?.close();
  await db?.drop();
});

interface ProviderItem {
  address: string;
  score: number | null;
  scoreFeatures: { name: string; value: number }[] | null;
}

it("reports the service's execution provider in _meta", async () => {
  const res = await gateway.execute('{ _meta { executionProvider } }');
  expect(res.errors).toBeUndefined();
  expect(svc.health().executionProvider).toBe('cpu');
  expect(res.data).toEqual({ _meta: { executionProvider: svc.executionProvider } });
});

it('returns, for each provider, the score and the feature values the service computes for it', async () => {
  const res = await gateway.execute('{ providers(first: 1000) { items { address score scoreFeatures { name value } } } }');
  expect(res.errors).toBeUndefined();
  const items = (res.data as { providers: { items: ProviderItem[] } }).providers.items;
  const scored = items.filter((p) => p.score !== null);
  // Every provider of the fixture is in the provider table, so the service scores all of them.
  expect(scored.length).toBe(items.length);
  expect(scored.length).toBeGreaterThan(10);

  // What the service answers in-process for the same addresses, in the model's input order.
  const inputs = svc.health().models.find((m) => m.name === svc.model.name)!.inputs as ProviderHistoryFeatureName[];
  expect(inputs.length).toBeGreaterThan(6); // the trained default: history features
  const direct = await svc.score({ addresses: scored.map((p) => p.address) });
  const byAddress = new Map(direct.results.map((r) => [r.address!, r]));

  // And the same features computed here from the indexed rows with the definitions training used.
  const pool = new Pool({ connectionString: db.url, max: 1 });
  let want: number[][];
  try {
    const hist = await fetchProviderHistory(
      pool,
      scored.map((p) => p.address),
    );
    want = buildHistoryFeatureRows(
      hist.providers,
      hist.events,
      hist.head,
      scored.map((p) => p.address),
      inputs,
    );
  } finally {
    await pool.end();
  }

  let varied = 0;
  scored.forEach((p, i) => {
    const own = byAddress.get(p.address)!;
    expect(p.score).toBe(own.score);
    expect(p.scoreFeatures!.map((f) => f.name)).toEqual(inputs);
    expect(p.scoreFeatures!.map((f) => f.value)).toEqual(inputs.map((n) => own.features[n]));
    p.scoreFeatures!.forEach((f, c) => {
      expect(f.value).toBeCloseTo(want[i]![c]!, 12);
    });
    if (p.scoreFeatures!.some((f, c) => f.value !== scored[0]!.scoreFeatures![c]!.value)) varied++;
  });
  // Not a vacuous comparison: providers differ in their features and scores.
  expect(varied).toBeGreaterThan(0);
  expect(new Set(scored.map((p) => p.score)).size).toBeGreaterThan(1);
});
