// The inference service over HTTP, in-process on port 0, against a real migrated Postgres with
// provider rows inserted here. This is the /score and /health contract the gateway relies on.
// The service is configured to serve provider-reputation@1 (INFERENCE_MODEL_VERSION=1): its inputs
// are columns of the provider table, so every expected score follows from the rows seeded here. The
// default (the newest, trained version, whose inputs come from job events) is checked against its own
// forward pass and the simulator's providers in inference-train*.test.ts and validator-loop.test.ts.
import { Client } from 'pg';
import {
  buildFeatureRecord,
  buildLogisticScores,
  createInferenceService,
  type InferenceService,
  loadConfig,
  PROVIDER_REPUTATION_FEATURES,
  PROVIDER_REPUTATION_PARAMETERS,
  type ProviderRow,
  silentLogger,
} from '../inference';
import { LATENCY_BUCKETS_SECONDS } from '../inference/metrics';
import { createTestDatabase, insertRow, type TestDatabase } from './harness';

const RELIABLE = '0x1111111111111111111111111111111111111111';
const FLAKY = '0x2222222222222222222222222222222222222222';
const NEWCOMER = '0x3333333333333333333333333333333333333333';
const UNKNOWN = '0x9999999999999999999999999999999999999999';

interface Seed {
  address: string;
  claimed: number;
  completed: number;
  workUnitsMilli: string;
  benchmark: number;
  vram: number;
  tier: number;
  registeredAt: number;
}

const SEEDS: Seed[] = [
  { address: RELIABLE, claimed: 50, completed: 49, workUnitsMilli: '250000', benchmark: 900, vram: 48, tier: 3, registeredAt: 100 },
  { address: FLAKY, claimed: 40, completed: 12, workUnitsMilli: '9000', benchmark: 900, vram: 48, tier: 3, registeredAt: 100 },
  { address: NEWCOMER, claimed: 0, completed: 0, workUnitsMilli: '0', benchmark: 400, vram: 16, tier: 1, registeredAt: 4900 },
];
/** The newest indexed block: a job posted there. */
const HEAD = 5000;

let db: TestDatabase;
let svc: InferenceService;
let url: string;

async function seed(dbUrl: string): Promise<void> {
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    for (const s of SEEDS) {
      await insertRow(c, 'provider', {
        id: s.address,
        address: s.address,
        gpu_model: 'RTX 4090',
        vram_gb: s.vram,
        benchmark_score: s.benchmark,
        tier: s.tier,
        jobs_claimed: s.claimed,
        jobs_completed: s.completed,
        work_units: s.workUnitsMilli,
        registered_at_block: s.registeredAt,
        updated_at_block: s.registeredAt,
      });
    }
    await insertRow(c, 'market', { id: '1', market_id: 1 });
    await insertRow(c, 'job', { id: '1', job_id: 1, market_id: '1', posted_at_block: HEAD, updated_at_block: HEAD });
  } finally {
    await c.end();
  }
}

function expectedRow(s: Seed): ProviderRow {
  return {
    address: s.address,
    jobsClaimed: s.claimed,
    jobsCompleted: s.completed,
    workUnitsMilli: Number(s.workUnitsMilli),
    benchmarkScore: s.benchmark,
    vramGb: s.vram,
    tier: s.tier,
    registeredAtBlock: s.registeredAt,
    headBlock: HEAD,
  };
}

const post = (path: string, body: string) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const score = (body: unknown) => post('/score', JSON.stringify(body));
// Response bodies are checked field by field below; `any` keeps those checks readable.
const jsonOf = (res: Response): Promise<any> => res.json();

beforeAll(async () => {
  db = await createTestDatabase();
  await seed(db.url);
  svc = await createInferenceService({ databaseUrl: db.url, logger: silentLogger, maxWaitMs: 10, modelVersion: 1 });
  ({ url } = await svc.listen(0));
});

afterAll(async () => {
  await svc?.close();
  await db?.drop();
});

describe('POST /score', () => {
  it('scores addresses from indexed data with their features, in request order', async () => {
    const res = await score({ addresses: [FLAKY, RELIABLE.toUpperCase().replace('0X', '0x'), NEWCOMER] });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body.model).toEqual({ name: 'provider-reputation', version: 1 });
    expect(body.executionProvider).toBe('cpu');
    expect(body.results.map((r: { address: string }) => r.address)).toEqual([FLAKY, RELIABLE, NEWCOMER]);
    const names = PROVIDER_REPUTATION_FEATURES.map((f) => f.name);
    const seeds = [SEEDS[1]!, SEEDS[0]!, SEEDS[2]!];
    body.results.forEach((r: { score: number; features: Record<string, number> }, i: number) => {
      const want = buildFeatureRecord(expectedRow(seeds[i]!), names);
      expect(r.features).toEqual(want);
      const [ts] = buildLogisticScores(PROVIDER_REPUTATION_PARAMETERS, Float32Array.from(names.map((n) => want[n]!)));
      expect(Math.abs(r.score - ts!)).toBeLessThan(1e-5);
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThan(1);
    });
    // Age is measured to the newest job, not to the newest registration.
    expect(body.results[2].features.log_age_blocks).toBeCloseTo(Math.log1p(100), 10);
  });

  it('ranks a reliable, productive provider above an unreliable one with the same hardware', async () => {
    const body = await jsonOf(await score({ addresses: [RELIABLE, FLAKY] }));
    const [reliable, flaky] = body.results;
    expect(reliable.score).toBeGreaterThan(0.8);
    expect(flaky.score).toBeLessThan(0.2);
  });

  it('scores raw rows and echoes them as named features', async () => {
    const rows = [
      [0.95, 5, 900, 48, 3, 9],
      [0.4, 0, 100, 8, 1, 2],
    ];
    const res = await score({ rows, model: 'provider-reputation' });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    const want = buildLogisticScores(PROVIDER_REPUTATION_PARAMETERS, Float32Array.from(rows.flat()));
    expect(body.results).toHaveLength(2);
    body.results.forEach((r: { score: number; address?: string; features: Record<string, number> }, i: number) => {
      expect(r.address).toBeUndefined();
      expect(Math.abs(r.score - want[i]!)).toBeLessThan(1e-5);
      expect(Object.values(r.features)).toEqual(rows[i]);
    });
  });

  it('answers 404 UNKNOWN_ADDRESS naming the address', async () => {
    const res = await score({ addresses: [RELIABLE, UNKNOWN] });
    expect(res.status).toBe(404);
    const body = await jsonOf(res);
    expect(body.error.code).toBe('UNKNOWN_ADDRESS');
    expect(body.error.message).toContain(UNKNOWN);
    expect(body.error.message).not.toContain(RELIABLE);
  });

  it.each([
    ['NaN in a row (not JSON)', '{"rows":[[NaN,1,1,1,1,1]]}', 'BAD_JSON'],
    ['bad JSON', '{"addresses": [', 'BAD_JSON'],
    ['a string where a number goes', '{"rows":[["0.5",1,1,1,1,1]]}', 'INVALID_NUMBER'],
    ['null where a number goes', '{"rows":[[null,1,1,1,1,1]]}', 'INVALID_NUMBER'],
    ['a value beyond float32', '{"rows":[[1e39,1,1,1,1,1]]}', 'INVALID_NUMBER'],
    ['a short row', '{"rows":[[1,1,1,1,1,1],[1,2,3]]}', 'WRONG_ROW_LENGTH'],
    ['a row that is not an array', '{"rows":[5]}', 'WRONG_ROW_LENGTH'],
    ['a malformed address', '{"addresses":["0x1234"]}', 'INVALID_ADDRESS'],
    ['an unknown model', '{"rows":[[1,1,1,1,1,1]],"model":"nope"}', 'UNKNOWN_MODEL'],
    ['both addresses and rows', `{"rows":[],"addresses":[]}`, 'INVALID_REQUEST'],
    ['neither', '{}', 'INVALID_REQUEST'],
    ['an array body', '[]', 'INVALID_REQUEST'],
    ['an unknown field', '{"rows":[],"extra":1}', 'INVALID_REQUEST'],
  ])('answers 400 for %s', async (_what, body, code) => {
    const res = await post('/score', body);
    expect(res.status).toBe(400);
    const json = await jsonOf(res);
    expect(json.error.code).toBe(code);
    expect(typeof json.error.message).toBe('string');
  });

  it('answers 405 for GET /score and 404 for an unknown route', async () => {
    const get = await fetch(`${url}/score`);
    expect(get.status).toBe(405);
    expect((await jsonOf(get)).error.code).toBe('METHOD_NOT_ALLOWED');
    const none = await fetch(`${url}/nope`);
    expect(none.status).toBe(404);
    expect((await jsonOf(none)).error.code).toBe('NOT_FOUND');
  });

  it('serves concurrent requests in fewer onnxruntime runs, each getting its own rows', async () => {
    const batchesBefore = batchCount(await (await fetch(`${url}/metrics`)).text());
    const n = 20;
    const rows = Array.from({ length: n }, (_, i) => [0.5 + i / 50, i / 4, 100 + 40 * i, 8 + i, 1 + (i % 3), i / 3]);
    const bodies = await Promise.all(rows.map((row) => score({ rows: [row] }).then(jsonOf)));
    const want = buildLogisticScores(PROVIDER_REPUTATION_PARAMETERS, Float32Array.from(rows.flat()));
    for (const [i, b] of bodies.entries()) expect(Math.abs(b.results[0].score - want[i]!)).toBeLessThan(1e-5);
    const runs = batchCount(await (await fetch(`${url}/metrics`)).text()) - batchesBefore;
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(n);
  });
});

function batchCount(metrics: string): number {
  const m = metrics.match(/^inference_batch_size_count\{model="provider-reputation"\} (\d+)$/m);
  return m ? Number(m[1]) : 0;
}

describe('GET /health and /metrics', () => {
  it('reports status, execution provider and models with their inputs', async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({
      status: 'ok',
      executionProvider: 'cpu',
      models: [{ name: 'provider-reputation', version: 1, inputs: PROVIDER_REPUTATION_FEATURES.map((f) => f.name) }],
      draining: [],
    });
  });

  it('counts requests, rows, errors and latency in Prometheus text', async () => {
    const read = async () => (await fetch(`${url}/metrics`)).text();
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };
    const before = await read();
    await score({
      rows: [
        [1, 1, 1, 1, 1, 1],
        [2, 2, 2, 2, 2, 2],
        [3, 3, 3, 3, 3, 3],
      ],
    });
    await score({ addresses: [UNKNOWN] });
    await post('/score', 'nope');
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const after = await res.text();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('inference_requests_total{route="/score",status="200"}')).toBe(1);
    expect(delta('inference_requests_total{route="/score",status="404"}')).toBe(1);
    expect(delta('inference_requests_total{route="/score",status="400"}')).toBe(1);
    expect(delta('inference_rows_scored_total{model="provider-reputation"}')).toBe(3);
    expect(delta('inference_errors_total{code="UNKNOWN_ADDRESS"}')).toBe(1);
    expect(delta('inference_errors_total{code="BAD_JSON"}')).toBe(1);
    expect(delta('inference_score_duration_seconds_count')).toBe(3);
    expect(delta('inference_score_duration_seconds_sum')).toBeGreaterThan(0);
    // The latency is a histogram: its cumulative buckets hold those three requests (each under a second
    // here), never fewer in a wider bucket, and +Inf equals the count.
    expect(after).toContain('# TYPE inference_score_duration_seconds histogram');
    const buckets = LATENCY_BUCKETS_SECONDS.map((le) => delta(`inference_score_duration_seconds_bucket{le="${le}"}`));
    expect(buckets.at(-1)).toBe(3);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    expect(delta('inference_score_duration_seconds_bucket{le="+Inf"}')).toBe(3);
    // The slowest of the three took at least their mean, so a bucket below the mean cannot hold all three.
    const meanSeconds = delta('inference_score_duration_seconds_sum') / 3;
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
      if (le < meanSeconds) expect(buckets[i]).toBeLessThan(3);
    });
    expect(after).toContain('# TYPE inference_batch_size histogram');
    // The one 3-row request was one run (nothing else was in flight): the batch histogram's le="4" bucket holds it.
    expect(delta('inference_batch_size_bucket{model="provider-reputation",le="2"}')).toBe(0);
    expect(delta('inference_batch_size_bucket{model="provider-reputation",le="4"}')).toBe(1);
    expect(delta('inference_batch_size_count{model="provider-reputation"}')).toBe(1);
    expect(delta('inference_batch_size_sum{model="provider-reputation"}')).toBe(3);
  });
});

describe('in-process use', () => {
  it('score() answers like /score and throws the same coded errors', async () => {
    const res = await svc.score({ addresses: [RELIABLE] });
    expect(res.results[0]!.address).toBe(RELIABLE);
    await expect(svc.score({ addresses: [UNKNOWN] })).rejects.toMatchObject({ code: 'UNKNOWN_ADDRESS', status: 404 });
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('score() refuses %s in a row with 400 INVALID_NUMBER, before any run', async (_what, v) => {
    const runs = () => batchCount(svc.metrics());
    const before = runs();
    await expect(
      svc.score({
        rows: [
          [1, 1, 1, 1, 1, 1],
          [1, 1, v, 1, 1, 1],
        ],
      }),
    ).rejects.toMatchObject({
      name: 'InferenceRequestError',
      code: 'INVALID_NUMBER',
      status: 400,
      message: 'rows[1][2] (benchmark_score) must be a finite number',
    });
    expect(runs()).toBe(before);
  });

  it('without a database, rows still score and addresses answer 503', async () => {
    const local = await createInferenceService({ logger: silentLogger, modelVersion: 1 });
    try {
      // Its batcher defaults are the process's (INFERENCE_MAX_BATCH / INFERENCE_MAX_WAIT_MS unset): 256 rows, 0 ms.
      const { maxBatch, maxWaitMs } = loadConfig({});
      expect(local.batching).toEqual({ maxBatch, maxWaitMs });
      expect(local.batching).toEqual({ maxBatch: 256, maxWaitMs: 0 });
      expect(svc.batching).toEqual({ maxBatch: 256, maxWaitMs: 10 });
      expect((await local.score({ rows: [[1, 1, 1, 1, 1, 1]] })).results).toHaveLength(1);
      await expect(local.score({ addresses: [RELIABLE] })).rejects.toMatchObject({ code: 'ADDRESS_SCORING_UNAVAILABLE', status: 503 });
    } finally {
      await local.close();
    }
  });
});
