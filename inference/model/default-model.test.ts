// The committed default model: up to date with its source, reproducible, and numerically the same
// in onnxruntime as in the TypeScript forward pass.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../logger';
import { DEFAULT_MODEL_DIR } from '../paths';
import { createModelSession } from '../session';
import { buildDefaultModelFiles } from './default-model-files';
import { buildLogisticScores } from './logistic';
import { PROVIDER_REPUTATION_FEATURES, PROVIDER_REPUTATION_PARAMETERS } from './provider-reputation';

const dir = path.join(DEFAULT_MODEL_DIR, 'provider-reputation', '1');

// Seeded so a failure is reproducible.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('provider-reputation v1', () => {
  it('committed files equal a fresh build, and two builds are byte-identical', () => {
    const a = buildDefaultModelFiles();
    const b = buildDefaultModelFiles();
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    expect(a.manifestJson).toBe(b.manifestJson);
    expect(Buffer.from(a.onnx).equals(readFileSync(path.join(dir, 'model.onnx')))).toBe(true);
    expect(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe(a.manifestJson);
  });

  it('onnxruntime output equals the TypeScript forward pass within 1e-5 on random inputs', async () => {
    const session = await createModelSession(readFileSync(path.join(dir, 'model.onnx')), ['cpu'], silentLogger);
    try {
      const rand = mulberry32(42);
      const width = PROVIDER_REPUTATION_FEATURES.length;
      for (const n of [1, 7, 300]) {
        // Spread around each feature's mean by ±4 std so the sigmoid is exercised across its range.
        const rows = new Float32Array(n * width);
        for (let r = 0; r < n; r++) {
          PROVIDER_REPUTATION_FEATURES.forEach((f, c) => {
            rows[r * width + c] = f.mean + (rand() * 8 - 4) * f.std;
          });
        }
        const got = await session.run('features', 'score', rows, n, width);
        expect(got).toHaveLength(n);
        const want = buildLogisticScores(PROVIDER_REPUTATION_PARAMETERS, rows);
        let maxDiff = 0;
        for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
        expect(maxDiff).toBeLessThan(1e-5);
        // The comparison must not be vacuous: scores vary across the batch.
        if (n > 1) expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
      }
    } finally {
      await session.release();
    }
  });

  it('scores a typical provider at 0.5 and ranks reliable, productive, well-equipped ones higher', () => {
    const typical = PROVIDER_REPUTATION_FEATURES.map((f) => f.mean);
    const [mid] = buildLogisticScores(PROVIDER_REPUTATION_PARAMETERS, Float32Array.from(typical));
    expect(mid).toBeCloseTo(0.5, 6);
    // Raising any single feature by one std raises the score: every weight is positive.
    PROVIDER_REPUTATION_FEATURES.forEach((f, c) => {
      const up = [...typical];
      up[c] = f.mean + f.std;
      expect(buildLogisticScores(PROVIDER_REPUTATION_PARAMETERS, Float32Array.from(up))[0]).toBeGreaterThan(mid!);
    });
  });

  it('the manifest publishes the same normalisation and weights as the graph', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.inputs).toEqual(PROVIDER_REPUTATION_FEATURES.map((f) => f.name));
    for (const f of PROVIDER_REPUTATION_FEATURES) {
      expect(manifest.normalisation[f.name]).toEqual({ mean: f.mean, std: f.std });
      expect(manifest.parameters.weights[f.name]).toBe(f.weight);
      expect(manifest.features[f.name].description.length).toBeGreaterThan(10);
    }
  });
});
