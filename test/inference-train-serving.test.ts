// Address scoring with a trained version (history features) over the real Postgres schema: the
// service computes the manifest's inputs from job events with the definitions training used.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createInferenceService, DEFAULT_MODEL_DIR, silentLogger } from '../inference';
import { buildHistoryFeatureRows } from '../inference/features/provider-history';
import { TRAINED_FEATURES } from '../inference/training/train';
import { createTestDatabase, insertRow, type TestDatabase } from './harness';

const P = '0x00000000000000000000000000000000000000aa';
let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    await insertRow(c, 'provider', { id: P, address: P, vram_gb: 48, benchmark_score: 900, tier: 2, registered_at_block: 10 });
    await insertRow(c, 'market', { id: '1', market_id: 1 });
    const t = (b: number) => new Date(b * 12_000);
    await insertRow(c, 'job', {
      id: '1',
      job_id: 1,
      market_id: '1',
      provider_id: P,
      state: 'APPROVED',
      work_estimate: '2000',
      work_units: '2500',
      deadline: t(500),
      posted_at_block: 90,
    });
    await insertRow(c, 'job', {
      id: '2',
      job_id: 2,
      market_id: '1',
      provider_id: P,
      state: 'CLAIMED',
      work_estimate: '1000',
      deadline: t(150),
      posted_at_block: 190,
    });
    const events: [string, string, string, number][] = [
      ['e1', '1', 'CLAIMED', 100],
      ['e2', '1', 'COMPLETED', 130],
      ['e3', '1', 'APPROVED', 140],
      ['e4', '2', 'CLAIMED', 200],
    ];
    for (const [id, job, kind, block] of events) {
      await insertRow(c, 'job_event', {
        id,
        job_id: job,
        kind,
        actor: kind === 'APPROVED' ? '0xsender' : P,
        block_number: block,
        timestamp: t(block),
      });
    }
  } finally {
    await c.end();
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-train-serving-'));
  cpSync(DEFAULT_MODEL_DIR, tmp, { recursive: true });
});
afterAll(async () => {
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

it('scores an address with the default (trained) version from its job events at the index head', async () => {
  const svc = await createInferenceService({ databaseUrl: db.url, modelDir: tmp, logger: silentLogger });
  try {
    const res = await svc.score({ addresses: [P] });
    expect(res.model.name).toBe('provider-reputation');
    expect(res.model.version).toBeGreaterThanOrEqual(2); // trained versions take history features
    const want = buildHistoryFeatureRows(
      new Map([[P, { address: P, benchmarkScore: 900, vramGb: 48, tier: 2, registeredAtBlock: 10 }]]),
      [
        {
          jobId: '1',
          kind: 'CLAIMED',
          actor: P,
          blockNumber: 100,
          timestamp: 1200,
          deadline: 6000,
          workEstimateMilli: 2000,
          workUnitsMilli: 2500,
        },
        {
          jobId: '1',
          kind: 'COMPLETED',
          actor: P,
          blockNumber: 130,
          timestamp: 1560,
          deadline: 6000,
          workEstimateMilli: 2000,
          workUnitsMilli: 2500,
        },
        {
          jobId: '1',
          kind: 'APPROVED',
          actor: '0xsender',
          blockNumber: 140,
          timestamp: 1680,
          deadline: 6000,
          workEstimateMilli: 2000,
          workUnitsMilli: 2500,
        },
        {
          jobId: '2',
          kind: 'CLAIMED',
          actor: P,
          blockNumber: 200,
          timestamp: 2400,
          deadline: 1800,
          workEstimateMilli: 1000,
          workUnitsMilli: null,
        },
      ],
      { block: 200, time: 2400 },
      [P],
      TRAINED_FEATURES,
    )[0] as number[];
    const got = res.results[0]?.features as Record<string, number>;
    expect(Object.keys(got)).toEqual([...TRAINED_FEATURES]);
    TRAINED_FEATURES.forEach((name, c) => {
      expect(got[name]).toBeCloseTo(want[c] as number, 9);
    });
    expect(got.lateness).toBeCloseTo(1 / 3); // job 2 is open past its deadline
    expect(res.results[0]?.score).toBeGreaterThan(0);
    await expect(svc.score({ addresses: ['0x00000000000000000000000000000000000000cc'] })).rejects.toThrow(/no provider registered/);
  } finally {
    await svc.close();
  }
});
