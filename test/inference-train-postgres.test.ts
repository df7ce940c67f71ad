// `npm run train` on its Postgres path (DATABASE_URL set: inference/training/main.ts reads every
// provider and job event with fetchProviderHistory(pool, null)): a small devnet history simulated
// with the epoch keeper and indexed by the real indexer, trained by the real training process into a
// temporary copy of the registry; the published version has a valid manifest recording the blocks it
// was trained on and its metrics, and the service loads it, serves it as the default and scores the
// simulator's providers with it.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createSimulator, type Devnet, deployProtocol, presets, startDevnet } from '../chain';
import { buildLogisticScores, createInferenceService, DEFAULT_MODEL_DIR, listVersions, silentLogger } from '../inference';
import { TRAINED_BY } from '../inference/registry/manifest';
import { readManifest, resolveEntry } from '../inference/registry/registry';
import { TRAINED_FEATURES } from '../inference/training/train';
import { PROJECT_ROOT } from '../schema';
import { createTestDatabase, type RunningProcess, startIndexer, type TestDatabase, waitForHead, writeTempDeployment } from './harness';

jest.setTimeout(180_000);

const SEED = 42;
/**
 * Both time splits need both labels with the default options (horizon 300 blocks, step 25). Measured:
 * 100 rounds index about 2,000 blocks and 440 job events, giving 315 training and 96 held-out examples
 * (19 negative), the whole file in about 45 s; 60 rounds gave only 8 held-out examples.
 */
const ROUNDS = 100;

let devnet: Devnet;
let db: TestDatabase;
let indexer: RunningProcess;
let tmp: string;
let providers: string[];
let head: number;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 });
  const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
  db = await createTestDatabase();
  indexer = startIndexer({ DATABASE_URL: db.url, RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: writeTempDeployment(deployment) });
  const sim = createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: SEED, preset: presets.small, keeper: true });
  await sim.setup();
  for (let r = 0; r < ROUNDS; r++) await sim.round();
  providers = sim.actors.providers.map((p) => p.address.toLowerCase());
  head = await waitForHead(db.url, devnet.rpcUrl, indexer, 120_000);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-train-pg-'));
  cpSync(DEFAULT_MODEL_DIR, path.join(tmp, 'models'), { recursive: true });
});

afterAll(async () => {
  await indexer?.stop();
  await db?.drop();
  await devnet?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

it('trains from the indexed history in Postgres, publishes the next version with its training range and metrics, and the service serves it', async () => {
  const modelDir = path.join(tmp, 'models');
  const report = path.join(tmp, 'report.json');
  const before = listVersions(modelDir, 'provider-reputation');
  const next = Math.max(...before) + 1;
  // The compiled entry point `npm run train` runs (npm test builds first), with DATABASE_URL set.
  const { code, out } = await runTrain({ DATABASE_URL: db.url }, ['--model-dir', modelDir, '--report', report]);
  expect({ code, out }).toMatchObject({ code: 0 });
  // It read the index (no simulated history of its own), and said what it published.
  expect(out).not.toContain('starting embedded Postgres');
  const counted = /train: (\d+) providers, (\d+) job events up to block (\d+)/.exec(out);
  expect(counted).not.toBeNull();
  expect(Number(counted![1])).toBe(providers.length);
  expect(Number(counted![2])).toBeGreaterThan(100);
  expect(out).toContain(`train: published provider-reputation@${next} to ${path.join(modelDir, 'provider-reputation', String(next))}`);
  expect(listVersions(modelDir, 'provider-reputation')).toEqual([next, ...before]);

  // The manifest: valid (readManifest applies the schema, which requires a trained model's records),
  // with the blocks of the indexed job events it was trained on and held-out metrics.
  const entry = resolveEntry(modelDir, 'provider-reputation', next);
  const manifest = readManifest(entry);
  expect(manifest.createdBy).toBe(TRAINED_BY);
  expect(manifest.inputs).toEqual([...TRAINED_FEATURES]);
  const training = manifest.parameters!.training!;
  expect(training.source).toBe('DATABASE_URL (an existing index)');
  const events = await jobEventRange(db.url);
  expect(training.dataRange.fromBlock).toBe(events.from);
  expect(training.dataRange.toBlock).toBe(events.to);
  expect(training.dataRange.toBlock).toBeLessThanOrEqual(head);
  expect(training.dataRange.splitBlock).toBeGreaterThan(training.dataRange.fromBlock);
  expect(training.dataRange.splitBlock).toBeLessThan(training.dataRange.toBlock);
  const metrics = manifest.parameters!.metrics!;
  for (const split of ['train', 'test', 'baseline']) {
    const m = metrics[split]!;
    expect(m.examples).toBeGreaterThan(0);
    expect(m.auc).toBeGreaterThanOrEqual(0);
    expect(m.auc).toBeLessThanOrEqual(1);
  }
  // The printed report says the same.
  const written = JSON.parse(readFileSync(report, 'utf8'));
  expect(written.range).toEqual(training.dataRange);
  expect(written.metrics.test.examples).toBe(metrics.test.examples);
  expect(out).toContain(`train: held-out: ${metrics.test.examples} examples`);

  // The service loads it as the default (the newest version) and scores addresses with its parameters.
  const svc = await createInferenceService({ databaseUrl: db.url, modelDir, logger: silentLogger });
  try {
    expect(svc.model).toEqual({ name: 'provider-reputation', version: next });
    expect(svc.health().models).toEqual([{ name: 'provider-reputation', version: next, inputs: [...TRAINED_FEATURES] }]);
    const res = await svc.score({ addresses: providers });
    expect(res.model).toEqual({ name: 'provider-reputation', version: next });
    const p = manifest.parameters as unknown as { weights: Record<string, number>; bias: number };
    const params = {
      mean: manifest.inputs.map((n) => manifest.normalisation[n]!.mean),
      std: manifest.inputs.map((n) => manifest.normalisation[n]!.std),
      weights: manifest.inputs.map((n) => p.weights[n]!),
      bias: p.bias,
    };
    const want = buildLogisticScores(params, Float32Array.from(res.results.flatMap((r) => manifest.inputs.map((n) => r.features[n]!))));
    res.results.forEach((r, i) => {
      expect(Math.abs(r.score - want[i]!)).toBeLessThan(1e-5);
    });
    expect(new Set(res.results.map((r) => r.score)).size).toBeGreaterThan(1);
  } finally {
    await svc.close();
  }
});

function runTrain(env: Record<string, string>, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'lib', 'inference', 'training', 'main.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

async function jobEventRange(url: string): Promise<{ from: number; to: number }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ from: number; to: number }>(
      `select min(block_number) as from, max(block_number) as to from job_event
        where kind in ('CLAIMED', 'COMPLETED', 'APPROVED', 'REJECTED', 'REASSIGNED', 'EXPIRED', 'CANCELLED')`,
    );
    return rows[0]!;
  } finally {
    await c.end();
  }
}
