// Units of the training pipeline: attempts and features at a cut-off, labels, the fit, metrics,
// and that a model trained on a synthetic history ranks reliable providers above unreliable ones.
import {
  buildAttempts,
  buildHistoryFeatureRows,
  buildHistoryFeatureVector,
  type JobEventRow,
  type ProviderInfo,
} from '../features/provider-history';
import { buildLogisticScores } from '../model/logistic';
import { buildClock, buildDataset, buildLabel, splitByTime } from './dataset';
import { buildGradientStep, buildLossAndGradient, buildStandardisation, fitLogistic } from './logistic-fit';
import { buildAuc, buildBrier, buildEce, buildReliabilityBins } from './metrics';
import { buildSyntheticHistory } from './synthetic';
import { DEFAULT_TRAIN_OPTIONS, TRAINED_FEATURES, trainProviderReputation } from './train';

const P = '0x00000000000000000000000000000000000000aa';
const Q = '0x00000000000000000000000000000000000000bb';
const info: ProviderInfo = { address: P, benchmarkScore: 700, vramGb: 24, tier: 2, registeredAtBlock: 10 };
const ev = (jobId: string, kind: string, blockNumber: number, actor = P, deadline = 10_000): JobEventRow => ({
  jobId,
  kind,
  actor,
  blockNumber,
  timestamp: blockNumber * 10,
  deadline,
  workEstimateMilli: 2000,
  workUnitsMilli: kind === 'COMPLETED' ? 3000 : null,
});

// Job 1: P completes at 120, approved at 130. Job 2: P claims at 200, rejected at 260, reassigned to Q.
// Job 3: P claims at 300 and never completes; its deadline (time 3500 = block 350) passes.
const events: JobEventRow[] = [
  ev('1', 'CLAIMED', 100),
  ev('1', 'COMPLETED', 120),
  ev('1', 'APPROVED', 130, '0xsender'),
  ev('2', 'CLAIMED', 200),
  ev('2', 'COMPLETED', 250),
  ev('2', 'REJECTED', 260, '0xsender'),
  ev('2', 'CLAIMED', 270, Q),
  ev('3', 'CLAIMED', 300, P, 3500),
];

describe('history features', () => {
  const attempts = buildAttempts(events);

  it('splits events into attempts per claim, reassignment included', () => {
    expect(attempts.map((a) => [a.provider, a.jobId, a.outcome, a.completeBlock])).toEqual([
      [P, '1', 'approved', 120],
      [P, '2', 'rejected', 250],
      [Q, '2', null, null],
      [P, '3', null, null],
    ]);
  });

  it('only sees what happened before the cut-off', () => {
    const names = ['success_rate', 'rejection_rate', 'completion_rate', 'lateness', 'log_turnaround_blocks', 'log_work_units'] as const;
    const mine = attempts.filter((a) => a.provider === P);
    // At 125: one claim, completed (20 blocks), not yet approved.
    expect(buildHistoryFeatureVector({ provider: info, attempts: mine, cutoff: 125 }, names, 1250)).toEqual([
      0.5,
      0,
      2 / 3,
      0,
      Math.log1p(20),
      Math.log1p(3),
    ]);
    // At 400, clock past job 3's deadline: 3 claims, 1 approved, 1 rejected, 2 completed, job 3 late.
    const [success, rejection, completion, lateness, turnaround, work] = buildHistoryFeatureVector(
      { provider: info, attempts: mine, cutoff: 400 },
      names,
      4000,
    );
    expect(success).toBeCloseTo(2 / 4);
    expect(rejection).toBeCloseTo(1 / 4);
    expect(completion).toBeCloseTo(3 / 5);
    expect(lateness).toBeCloseTo(1 / 4);
    expect(turnaround).toBeCloseTo(Math.log1p(35));
    expect(work).toBeCloseTo(Math.log1p(3)); // the rejected job's work does not count
  });

  it('static, age, availability and trend features', () => {
    const mine = attempts.filter((a) => a.provider === P);
    const v = buildHistoryFeatureVector(
      { provider: info, attempts: mine, cutoff: 310 },
      ['benchmark_score', 'vram_gb', 'tier', 'log_age_blocks', 'availability', 'recent_trend'],
      3100,
    );
    expect(v.slice(0, 4)).toEqual([700, 24, 2, Math.log1p(300)]);
    // Windows of 50 blocks back from 309: activity at 300 (w0), 250 (w1), 200 (w2), 120 (w3).
    expect(v[4]).toBe(1);
    // Recent (blocks 110..309): 2 claims, 1 completed → 2/4; all-time: 3 claims, 2 completed → 3/5.
    expect(v[5]).toBeCloseTo(2 / 4 - 3 / 5);
  });

  it('scores addresses at the index head with the same definitions', () => {
    const providers = new Map([[P, info]]);
    const [row] = buildHistoryFeatureRows(providers, events, { block: 399, time: 4000 }, [P], TRAINED_FEATURES);
    const direct = buildHistoryFeatureVector(
      { provider: info, attempts: buildAttempts(events).filter((a) => a.provider === P), cutoff: 400 },
      TRAINED_FEATURES,
      4000,
    );
    expect(row).toEqual(direct);
  });
});

describe('labels', () => {
  const mine = buildAttempts(events).filter((a) => a.provider === P);
  it('next job approved in time → 1, rejected → 0, open past lateBlocks → 0, no job or still fresh → null', () => {
    expect(buildLabel(mine, 50, 200, 40)).toBe(1);
    expect(buildLabel(mine, 150, 300, 100)).toBe(0); // rejected
    expect(buildLabel(mine, 150, 300, 40)).toBe(0); // completed 50 blocks after claim: late
    expect(buildLabel(mine, 290, 330, 40)).toBeNull(); // open, 30 blocks in
    expect(buildLabel(mine, 290, 360, 40)).toBe(0); // open, 60 blocks in
    expect(buildLabel(mine, 310, 400, 40)).toBeNull(); // no job claimed
  });

  it('the clock is the newest event time before a block', () => {
    const clock = buildClock(events);
    expect(clock(100)).toBe(0);
    expect(clock(121)).toBe(1200);
    expect(clock(1000)).toBe(3000);
  });

  it('time split keeps training labels before the held-out cut-offs', () => {
    const ex = [100, 200, 300, 400].map((cutoff) => ({ provider: P, cutoff, x: [], y: 1 as const }));
    const { train, test } = splitByTime(ex, 300, 100);
    expect(train.map((e) => e.cutoff)).toEqual([100, 200]);
    expect(test.map((e) => e.cutoff)).toEqual([300, 400]);
  });
});

describe('metrics', () => {
  it('AUC: perfect, inverted, ties and a hand-counted case', () => {
    expect(buildAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(buildAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(buildAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // pairs (pos, neg): (0.4 > 0.3) (0.4 < 0.6) (0.8 > 0.3) (0.8 > 0.6) → 3/4
    expect(buildAuc([0.3, 0.4, 0.6, 0.8], [0, 1, 0, 1])).toBe(0.75);
    expect(buildAuc([0.3, 0.4], [1, 1])).toBeNaN();
  });

  it('Brier score and reliability bins', () => {
    expect(buildBrier([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3);
    const bins = buildReliabilityBins([0.05, 0.15, 0.12, 0.95, 1], [0, 1, 0, 1, 1], 10);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ count: 1, meanPredicted: 0.05, observedRate: 0 });
    expect(bins[1]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(bins[1]?.meanPredicted).toBeCloseTo(0.135);
    expect(bins[9]).toMatchObject({ count: 2, observedRate: 1 });
    expect(bins[9]?.meanPredicted).toBeCloseTo(0.975);
    expect(bins[5]).toMatchObject({ count: 0, meanPredicted: null, observedRate: null });
    expect(buildEce(bins)).toBeCloseTo((0.05 + 2 * Math.abs(0.135 - 0.5) + 2 * 0.025) / 5);
  });
});

describe('logistic fit', () => {
  it('standardises with a guard for constant columns', () => {
    const s = buildStandardisation([
      [1, 5],
      [3, 5],
    ]);
    expect(s).toEqual({ mean: [2, 5], std: [1, 1] });
  });

  it('the gradient matches finite differences, and a step lowers the loss', () => {
    const z = [
      [0.5, -1],
      [-0.3, 0.8],
      [1.2, 0.1],
    ];
    const y = [1, 0, 1];
    const w = [0.2, -0.4];
    const g = buildLossAndGradient(z, y, w, 0.1, 0.01);
    const h = 1e-6;
    for (let c = 0; c < 2; c++) {
      const wp = [...w];
      wp[c] = (wp[c] as number) + h;
      const wm = [...w];
      wm[c] = (wm[c] as number) - h;
      const fd = (buildLossAndGradient(z, y, wp, 0.1, 0.01).loss - buildLossAndGradient(z, y, wm, 0.1, 0.01).loss) / (2 * h);
      expect(g.gw[c]).toBeCloseTo(fd, 6);
    }
    const fdb = (buildLossAndGradient(z, y, w, 0.1 + h, 0.01).loss - buildLossAndGradient(z, y, w, 0.1 - h, 0.01).loss) / (2 * h);
    expect(g.gb).toBeCloseTo(fdb, 6);
    const step = buildGradientStep(z, y, w, 0.1, { l2: 0.01, learningRate: 0.5 });
    expect(step.loss).toBeCloseTo(g.loss, 12);
    expect(buildLossAndGradient(z, y, step.w, step.b, 0.01).loss).toBeLessThan(g.loss);
  });

  it('recovers the sign of a separating feature, deterministically', () => {
    const xs = Array.from({ length: 200 }, (_, i) => [i % 2 === 0 ? 10 + (i % 7) : 3 - (i % 5), 42]);
    const ys = xs.map((x) => ((x[0] as number) > 6 ? 1 : 0));
    const a = fitLogistic(xs, ys, { l2: 1e-3, learningRate: 0.5, epochs: 300 });
    const b = fitLogistic(xs, ys, { l2: 1e-3, learningRate: 0.5, epochs: 300 });
    expect(a).toEqual(b);
    expect(a.params.weights[0]).toBeGreaterThan(1);
    expect(a.params.weights[1]).toBeCloseTo(0, 10); // a constant column carries no signal
  });
});

describe('trained on a synthetic history', () => {
  const h = buildSyntheticHistory(7);
  const opts = { ...DEFAULT_TRAIN_OPTIONS, step: 50, horizon: 100, lateBlocks: 40, epochs: 600, version: 2, seed: 7, source: 'synthetic' };
  const result = trainProviderReputation(h.providers, h.events, opts);

  it('has held-out AUC well above chance and beats the base-rate Brier score', () => {
    expect(result.metrics.test.examples).toBeGreaterThan(100);
    expect(result.metrics.test.auc).toBeGreaterThan(0.65);
    expect(result.metrics.test.brier).toBeLessThan(result.metrics.test.brierBaseline);
    expect(result.manifest.inputs).toEqual([...TRAINED_FEATURES]);
    expect(result.manifest.parameters?.training).toMatchObject({ dataRange: result.range, seed: 7 });
  });

  it('ranks reliable providers above unreliable ones at the held-out cut-off', () => {
    // Score every provider on the history up to the end of the data (the held-out period included).
    const addresses = [...h.providers.keys()];
    const rows = buildHistoryFeatureRows(
      h.providers,
      h.events,
      { block: result.range.toBlock, time: result.range.toBlock * 12 },
      addresses,
      TRAINED_FEATURES,
    );
    const scores = [...buildLogisticScores(result.params, Float32Array.from(rows.flat()))];
    const reliable = addresses.map((a) => (h.reliability.get(a) as number) >= 0.75);
    expect(
      buildAuc(
        scores,
        reliable.map((r) => (r ? 1 : 0)),
      ),
    ).toBeGreaterThan(0.85);
  });

  it('is deterministic: the same rows give the same bytes', () => {
    const again = trainProviderReputation(h.providers, h.events, opts);
    expect(Buffer.from(again.onnx).equals(Buffer.from(result.onnx))).toBe(true);
    expect(again.manifest).toEqual(result.manifest);
  });
});

describe('dataset', () => {
  it('skips providers registered after the cut-off', () => {
    const providers = new Map([[P, { ...info, registeredAtBlock: 1000 }]]);
    expect(buildDataset(providers, events, { features: TRAINED_FEATURES, step: 50, horizon: 100, lateBlocks: 40 }).examples).toEqual([]);
  });
});
