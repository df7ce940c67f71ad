// Trains provider-reputation from indexed rows: dataset → time split → logistic fit → held-out
// metrics → ONNX + manifest. No I/O here: main.ts reads the rows and publishes the result.
import {
  type JobEventRow,
  PROVIDER_HISTORY_FEATURES,
  type ProviderHistoryFeatureName,
  type ProviderInfo,
  RECENT_BLOCKS,
} from '../features/provider-history';
import { buildLogisticOnnx } from '../model/build-onnx';
import { buildLogisticScores, type LogisticParameters } from '../model/logistic';
import { PROVIDER_REPUTATION_BIAS, PROVIDER_REPUTATION_FEATURES } from '../model/provider-reputation';
import { type ModelManifest, TRAINED_BY } from '../registry/manifest';
import { buildDataset, type DatasetOptions, type Example, splitByTime } from './dataset';
import { type FitOptions, fitLogistic } from './logistic-fit';
import { buildAuc, buildBrier, buildEce, buildReliabilityBins, type ReliabilityBin } from './metrics';

/** Input order of provider-reputation v2 and later trained versions. */
export const TRAINED_FEATURES: readonly ProviderHistoryFeatureName[] = [
  'success_rate',
  'rejection_rate',
  'completion_rate',
  'lateness',
  'log_turnaround_blocks',
  'log_work_units',
  'benchmark_score',
  'vram_gb',
  'tier',
  'log_age_blocks',
  'availability',
  'recent_trend',
];

export interface TrainOptions extends Omit<DatasetOptions, 'features'>, FitOptions {
  name: string;
  version: number;
  /** Share of the history (by block) whose labels train; the rest is held out. */
  trainShare: number;
  /** Recorded in the manifest: the seed of the simulated history (training itself has no randomness). */
  seed: number;
  /** Where the rows came from, for the manifest. */
  source: string;
}

/**
 * horizon and lateBlocks: a label is judged `horizon` blocks after the cut-off, which must outlast the
 * markets' review window (2 × 105 = 210 blocks in the training history) or a rejection lands after
 * the verdict; a job is late past its deadline or `lateBlocks` after its claim. With 100 and 40 (the
 * first trained version, never served) the label mostly measured speed: it missed most rejections and
 * the model ranked the simulator's cheaters above honest providers.
 */
export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'version' | 'seed' | 'source'> = {
  name: 'provider-reputation',
  step: 25,
  horizon: 300,
  lateBlocks: 150,
  trainShare: 0.7,
  l2: 1e-3,
  learningRate: 0.5,
  epochs: 2000,
};

export interface SplitMetrics {
  examples: number;
  positives: number;
  auc: number;
  brier: number;
  /** Brier of always predicting the training base rate: the bar the model has to clear. */
  brierBaseline: number;
  ece: number;
  reliability: ReliabilityBin[];
}

export interface TrainResult {
  params: LogisticParameters;
  manifest: ModelManifest;
  onnx: Uint8Array;
  /** baseline: provider-reputation@1 (hand-set weights) on the same held-out examples: the bar to beat. */
  metrics: { train: SplitMetrics; test: SplitMetrics; baseline: SplitMetrics };
  range: { fromBlock: number; toBlock: number; splitBlock: number };
  lossCurve: number[];
}

function toMatrix(examples: readonly Example[]): Float32Array {
  const w = TRAINED_FEATURES.length;
  const out = new Float32Array(examples.length * w);
  examples.forEach((e, r) => {
    e.x.forEach((v, c) => {
      out[r * w + c] = v;
    });
  });
  return out;
}

function evaluate(params: LogisticParameters, examples: readonly Example[], baseRate: number): SplitMetrics {
  const scores = [...buildLogisticScores(params, toMatrix(examples))];
  const labels = examples.map((e) => e.y);
  const reliability = buildReliabilityBins(scores, labels);
  return {
    examples: examples.length,
    positives: labels.reduce<number>((s, y) => s + y, 0),
    auc: buildAuc(scores, labels),
    brier: buildBrier(scores, labels),
    brierBaseline: buildBrier(
      labels.map(() => baseRate),
      labels,
    ),
    ece: buildEce(reliability),
    reliability,
  };
}

/**
 * provider-reputation@1 over the trained input columns: its own weights on its six features (each is
 * also a history feature, with the same definition), 0 on the others.
 */
export function baselineParameters(): LogisticParameters {
  const v1 = new Map(PROVIDER_REPUTATION_FEATURES.map((f) => [f.name as string, f]));
  return {
    mean: TRAINED_FEATURES.map((n) => v1.get(n)?.mean ?? 0),
    std: TRAINED_FEATURES.map((n) => v1.get(n)?.std ?? 1),
    weights: TRAINED_FEATURES.map((n) => v1.get(n)?.weight ?? 0),
    bias: PROVIDER_REPUTATION_BIAS,
  };
}

const round = (v: number, d = 6) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);

/** One split's metrics as the manifest publishes them, rounded to 6 decimals. */
function published(m: SplitMetrics) {
  return {
    examples: m.examples,
    positives: m.positives,
    auc: round(m.auc),
    brier: round(m.brier),
    brierBaseline: round(m.brierBaseline),
    ece: round(m.ece),
    reliability: m.reliability.map((b) => ({
      lo: b.lo,
      hi: round(b.hi),
      count: b.count,
      meanPredicted: b.meanPredicted === null ? null : round(b.meanPredicted),
      observedRate: b.observedRate === null ? null : round(b.observedRate),
    })),
  };
}

/** Rows in, trained model out. Throws when the history is too short to give both splits both labels. */
export function trainProviderReputation(
  providers: ReadonlyMap<string, ProviderInfo>,
  events: readonly JobEventRow[],
  opts: TrainOptions,
): TrainResult {
  const ds = buildDataset(providers, events, { ...opts, features: TRAINED_FEATURES });
  const splitBlock = Math.round(ds.fromBlock + opts.trainShare * (ds.toBlock - ds.fromBlock));
  const { train, test } = splitByTime(ds.examples, splitBlock, opts.horizon);
  for (const [name, part] of [
    ['training', train],
    ['held-out', test],
  ] as const) {
    const pos = part.filter((e) => e.y === 1).length;
    if (pos === 0 || pos === part.length) {
      throw new Error(
        `the ${name} split has ${part.length} examples and ${pos} positives: both labels are needed ` +
          `(history blocks ${ds.fromBlock}..${ds.toBlock}, ${ds.examples.length} examples); index a longer history`,
      );
    }
  }
  const fit = fitLogistic(
    train.map((e) => e.x),
    train.map((e) => e.y),
    opts,
  );
  // Rounded to float32 so the manifest, the ONNX initializers and the TS forward pass hold the same numbers.
  const f32 = (v: number) => Math.fround(v);
  const params: LogisticParameters = {
    mean: fit.params.mean.map(f32),
    std: fit.params.std.map(f32),
    weights: fit.params.weights.map(f32),
    bias: f32(fit.params.bias),
  };
  const baseRate = train.filter((e) => e.y === 1).length / train.length;
  const metrics = {
    train: evaluate(params, train, baseRate),
    test: evaluate(params, test, baseRate),
    baseline: evaluate(baselineParameters(), test, baseRate),
  };
  const fs = TRAINED_FEATURES;
  const manifest: ModelManifest = {
    name: opts.name,
    version: opts.version,
    inputTensor: 'features',
    inputs: [...fs],
    features: Object.fromEntries(fs.map((n) => [n, { description: PROVIDER_HISTORY_FEATURES[n].description }])),
    normalisation: Object.fromEntries(fs.map((n, c) => [n, { mean: params.mean[c] as number, std: params.std[c] as number }])),
    output: {
      name: 'score',
      meaning:
        "Probability that the provider's next job is completed on time and not rejected, expired or reassigned " +
        `(completed within ${opts.lateBlocks} blocks of its claim and before its deadline), from its history before the scoring block. ` +
        'Validators turn it into weights.',
    },
    parameters: {
      kind: 'logistic-regression',
      weights: Object.fromEntries(fs.map((n, c) => [n, params.weights[c] as number])),
      bias: params.bias,
      label:
        `1 when the provider's first job claimed in [cutoff, cutoff + ${opts.horizon}) was completed within ${opts.lateBlocks} blocks ` +
        'and before its deadline and not rejected; 0 when it was rejected, expired, reassigned, late, or still open after ' +
        `${opts.lateBlocks} blocks; rows without such a job are skipped. Cut-offs every ${opts.step} blocks; ` +
        `recent windows are ${RECENT_BLOCKS} blocks.`,
      training: {
        source: opts.source,
        seed: opts.seed,
        dataRange: { fromBlock: ds.fromBlock, toBlock: ds.toBlock, splitBlock },
        split: 'time-based: training labels end by splitBlock, held-out cut-offs start at it',
        options: {
          step: opts.step,
          horizon: opts.horizon,
          lateBlocks: opts.lateBlocks,
          trainShare: opts.trainShare,
          l2: opts.l2,
          learningRate: opts.learningRate,
          epochs: opts.epochs,
        },
        providers: providers.size,
        finalTrainingLoss: round(fit.lossCurve.at(-1) as number),
      },
      comparedWith: 'metrics.baseline: provider-reputation@1 (hand-set weights) on the same held-out examples',
      metrics: { train: published(metrics.train), test: published(metrics.test), baseline: published(metrics.baseline) },
    },
    createdBy: TRAINED_BY,
    notes:
      'Fitted by full-batch gradient descent with L2 on features standardised with the training split. ' +
      'Graph: Sub(mean) -> Div(std) -> MatMul(W) -> Add(b) -> Sigmoid, float32, dynamic batch dimension. ' +
      'Address scoring computes every input with inference/features/provider-history.ts at the index head.',
  };
  const onnx = buildLogisticOnnx(params, {
    inputName: manifest.inputTensor,
    outputName: manifest.output.name,
    doc: `${manifest.name}@${manifest.version}: ${manifest.output.meaning}`,
    modelVersion: manifest.version,
  });
  return { params, manifest, onnx, metrics, range: { fromBlock: ds.fromBlock, toBlock: ds.toBlock, splitBlock }, lossCurve: fit.lossCurve };
}
