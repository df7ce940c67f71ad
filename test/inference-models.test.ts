// Any ONNX model with a compatible manifest replaces the default by configuration: a second model with
// its own weight vector, built here and published into a registry, is served by name
// (INFERENCE_MODEL), directory (INFERENCE_MODEL_DIR) and version (INFERENCE_MODEL_VERSION), scoring
// addresses from a real migrated Postgres; and the real process reloads it on SIGHUP.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  buildLogisticScores,
  createInferenceService,
  DEFAULT_MODEL_DIR,
  type LogisticParameters,
  PROVIDER_REPUTATION_FEATURES,
  PROVIDER_REPUTATION_PARAMETERS,
  publishModel,
  silentLogger,
} from '../inference';
import { buildLogisticOnnx } from '../inference/model/build-onnx';
import { buildProviderReputationManifest } from '../inference/model/provider-reputation';
import { createTestDatabase, insertRow, type TestDatabase } from './harness';

const ROOT = path.resolve(__dirname, '..');
const ALT = 'provider-reputation-alt';
const ADDRESS = '0x4444444444444444444444444444444444444444';
/** Two versions of the alternative model, each with its own weight vector over the default's inputs. */
const ALT_PARAMS: Record<number, LogisticParameters> = {
  1: { ...PROVIDER_REPUTATION_PARAMETERS, weights: [2.0, 0.1, 0.2, 0.1, -0.5, 0], bias: 0 },
  2: { ...PROVIDER_REPUTATION_PARAMETERS, weights: [0.3, -0.5, -1.0, 0.1, 0.9, 0.4], bias: 0.1 },
};
/** The seeded provider's features, as features/provider-features.ts computes them from its row. */
const FEATURES = [(18 + 1) / (20 + 2), Math.log1p(30), 1100, 80, 3, Math.log1p(2000 - 100)];

let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    await insertRow(c, 'provider', {
      id: ADDRESS,
      address: ADDRESS,
      gpu_model: 'H100',
      vram_gb: 80,
      benchmark_score: 1100,
      tier: 3,
      jobs_claimed: 20,
      jobs_completed: 18,
      work_units: '30000',
      registered_at_block: 100,
      updated_at_block: 100,
    });
    // The newest job sets the clock that provider age is measured by.
    await insertRow(c, 'market', { id: '1', market_id: 1 });
    await insertRow(c, 'job', { id: '1', job_id: 1, market_id: '1', posted_at_block: 2000, updated_at_block: 2000 });
  } finally {
    await c.end();
  }
});
afterAll(() => db?.drop());

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-models-'));
  // The default model stays in the registry beside the alternative: both load, the configured one answers.
  // Its version 1 only: like the alternative, it scores from provider-table columns seeded here.
  cpSync(path.join(DEFAULT_MODEL_DIR, 'provider-reputation', '1'), path.join(tmp, 'provider-reputation', '1'), { recursive: true });
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function publishAlt(version: number): void {
  const manifest = {
    ...buildProviderReputationManifest(),
    name: ALT,
    version,
    parameters: { kind: 'logistic-regression', weights: ALT_PARAMS[version]!.weights, bias: ALT_PARAMS[version]!.bias },
    createdBy: 'test/inference-models.test.ts',
    notes: 'a second model over the same provider features',
  };
  publishModel(tmp, { manifest, onnx: buildLogisticOnnx(ALT_PARAMS[version]!, { inputName: 'features', outputName: 'score' }) });
}

const tsScore = (params: LogisticParameters) => buildLogisticScores(params, Float32Array.from(FEATURES))[0]!;

it('the alternative weights give a clearly different score for the seeded provider', () => {
  const scores = [tsScore(PROVIDER_REPUTATION_PARAMETERS), tsScore(ALT_PARAMS[1]!), tsScore(ALT_PARAMS[2]!)];
  expect(Math.abs(scores[0]! - scores[1]!)).toBeGreaterThan(0.05);
  expect(Math.abs(scores[1]! - scores[2]!)).toBeGreaterThan(0.05);
});

describe('a second model by configuration', () => {
  it.each([
    ['latest', 2],
    [1, 1],
  ] as const)('serves %s of the configured model, scoring addresses from Postgres', async (selector, version) => {
    publishAlt(1);
    publishAlt(2);
    const svc = await createInferenceService({
      databaseUrl: db.url,
      modelDir: tmp,
      modelName: ALT,
      modelVersion: selector,
      logger: silentLogger,
    });
    try {
      expect(svc.model).toEqual({ name: ALT, version });
      const res = await svc.score({ addresses: [ADDRESS] });
      expect(res.model).toEqual({ name: ALT, version });
      const [r] = res.results;
      expect(Object.values(r!.features)).toEqual(FEATURES);
      expect(Math.abs(r!.score - tsScore(ALT_PARAMS[version]!))).toBeLessThan(1e-5);
      // The default model is still loaded and answers when named.
      const byDefault = await svc.score({ addresses: [ADDRESS], model: 'provider-reputation' });
      expect(Math.abs(byDefault.results[0]!.score - tsScore(PROVIDER_REPUTATION_PARAMETERS))).toBeLessThan(1e-5);
      expect(svc.health().models.map((m) => `${m.name}@${m.version}`)).toEqual([`provider-reputation@1`, `${ALT}@${version}`]);
    } finally {
      await svc.close();
    }
  });

  it('refuses to start on a version that is not there, naming the ones that are', async () => {
    publishAlt(1);
    await expect(createInferenceService({ modelDir: tmp, modelName: ALT, modelVersion: 4, logger: silentLogger })).rejects.toThrow(
      /model "provider-reputation-alt" has no version 4 \(versions: 1\)/,
    );
  });
});

describe('hot reload while an address request waits on Postgres', () => {
  it('finishes the waiting request on the old version, whose session is released only after it', async () => {
    publishAlt(1);
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const svc = await createInferenceService({ databaseUrl: db.url, modelDir: tmp, modelName: ALT, logger });
    const locker = new Client({ connectionString: db.url });
    await locker.connect();
    try {
      // The lock holds the service's provider query: the request has taken v1 but not yet reached its batcher.
      await locker.query('begin');
      await locker.query('lock table provider in access exclusive mode');
      const waiting = svc.score({ addresses: [ADDRESS] });
      publishAlt(2);
      await svc.reload();
      expect(svc.health().draining).toEqual([{ name: ALT, version: 1, inFlight: 1 }]);
      expect(lines.some((l) => l.includes(`released ${ALT}@1`))).toBe(false);
      await locker.query('commit');
      const res = await waiting;
      expect(res.model).toEqual({ name: ALT, version: 1 });
      expect(Math.abs(res.results[0]!.score - tsScore(ALT_PARAMS[1]!))).toBeLessThan(1e-5);
      await svc.drained();
      expect(lines).toContain(`inference: released ${ALT}@1 (drained)`);
      const next = await svc.score({ addresses: [ADDRESS] });
      expect(next.model).toEqual({ name: ALT, version: 2 });
      expect(Math.abs(next.results[0]!.score - tsScore(ALT_PARAMS[2]!))).toBeLessThan(1e-5);
    } finally {
      await locker.end();
      await svc.close();
    }
  });
});

describe('the inference process configured by environment', () => {
  let hook: string;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    // Runs the TypeScript sources directly (transpile only), so this test needs no prior build.
    hook = path.join(mkdtempSync(path.join(os.tmpdir(), 'inference-hook-')), 'ts-hook.js');
    writeFileSync(
      hook,
      `const ts = require(${JSON.stringify(require.resolve('typescript'))}); const fs = require('fs');
require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'),
  { fileName: f, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, f);`,
    );
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    child = undefined;
  });

  async function waitFor(pred: () => boolean, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('serves INFERENCE_MODEL from INFERENCE_MODEL_DIR at INFERENCE_MODEL_VERSION, and reloads on SIGHUP', async () => {
    publishAlt(1);
    const proc = spawn(process.execPath, ['-r', hook, path.join(ROOT, 'inference', 'main.ts')], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        INFERENCE_PORT: '0',
        DATABASE_URL: db.url,
        INFERENCE_MODEL_DIR: tmp,
        INFERENCE_MODEL: ALT,
        INFERENCE_MODEL_VERSION: 'latest',
      },
    });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (err += d));
    await waitFor(() => out.includes('ready') || proc.exitCode !== null);
    expect(err).toBe('');
    expect(out.split('\n')[0]).toMatch(new RegExp(`^inference: ready at http://127\\.0\\.0\\.1:\\d+ \\(model ${ALT}@1, cpu\\)$`));
    const url = out.match(/(http:\/\/\S+)/)![1]!;
    const scoreOnce = async () => {
      const res = await fetch(`${url}/score`, { method: 'POST', body: JSON.stringify({ addresses: [ADDRESS] }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { model: { version: number }; results: { score: number }[] };
    };
    const first = await scoreOnce();
    expect(first.model.version).toBe(1);
    expect(Math.abs(first.results[0]!.score - tsScore(ALT_PARAMS[1]!))).toBeLessThan(1e-5);

    publishAlt(2);
    proc.kill('SIGHUP');
    await waitFor(() => out.includes('SIGHUP'));
    expect(out).toContain(`inference: SIGHUP: now serving ${ALT}@2`);
    const second = await scoreOnce();
    expect(second.model.version).toBe(2);
    expect(Math.abs(second.results[0]!.score - tsScore(ALT_PARAMS[2]!))).toBeLessThan(1e-5);
    expect(PROVIDER_REPUTATION_FEATURES).toHaveLength(FEATURES.length);
  });
});
