// The default model, provider-reputation v1: a logistic regression with hand-chosen weights (a
// later issue fits them from indexed data). This file is the single source of its parameters:
// build-default-model.ts writes model.onnx and manifest.json from it, and tests run the same
// parameters through the TypeScript forward pass.
import { PROVIDER_FEATURES, type ProviderFeatureName } from '../features/provider-features';
import type { ModelManifest } from '../registry/manifest';
import type { LogisticParameters } from './logistic';

export const PROVIDER_REPUTATION_NAME = 'provider-reputation';
export const PROVIDER_REPUTATION_VERSION = 1;

interface FeatureSpec {
  name: ProviderFeatureName;
  /** Typical value and spread of the network's providers: z = (x - mean) / std. */
  mean: number;
  std: number;
  /** Weight on the standardised feature, and why it has that sign and size. */
  weight: number;
  why: string;
}

/** Input order of the model; changing it means a new version. */
export const PROVIDER_REPUTATION_FEATURES: readonly FeatureSpec[] = [
  {
    name: 'completion_rate',
    mean: 0.85,
    std: 0.15,
    weight: 1.6,
    why: 'reliability matters most: a provider that abandons claimed jobs costs senders their deadline',
  },
  { name: 'log_work_units', mean: 3, std: 2, weight: 0.8, why: 'proven productive volume' },
  { name: 'benchmark_score', mean: 500, std: 300, weight: 0.5, why: 'faster hardware finishes more work per hour' },
  { name: 'vram_gb', mean: 24, std: 16, weight: 0.3, why: 'more memory serves more job kinds (large scenes, large models)' },
  { name: 'tier', mean: 2, std: 0.8, weight: 0.3, why: 'a higher tier can serve more markets' },
  {
    name: 'log_age_blocks',
    mean: 8,
    std: 2,
    weight: 0.2,
    why: 'a longer record is slightly more trustworthy; small so newcomers can still rank',
  },
];

/** Zero: a provider at the network's typical values scores 0.5. */
export const PROVIDER_REPUTATION_BIAS = 0;

export const PROVIDER_REPUTATION_PARAMETERS: LogisticParameters = {
  mean: PROVIDER_REPUTATION_FEATURES.map((f) => f.mean),
  std: PROVIDER_REPUTATION_FEATURES.map((f) => f.std),
  weights: PROVIDER_REPUTATION_FEATURES.map((f) => f.weight),
  bias: PROVIDER_REPUTATION_BIAS,
};

/** The manifest committed next to model.onnx. */
export function buildProviderReputationManifest(): ModelManifest {
  const fs = PROVIDER_REPUTATION_FEATURES;
  return {
    name: PROVIDER_REPUTATION_NAME,
    version: PROVIDER_REPUTATION_VERSION,
    inputTensor: 'features',
    inputs: fs.map((f) => f.name),
    features: Object.fromEntries(fs.map((f) => [f.name, { description: PROVIDER_FEATURES[f.name].description }])),
    normalisation: Object.fromEntries(fs.map((f) => [f.name, { mean: f.mean, std: f.std }])),
    output: {
      name: 'score',
      meaning:
        'Provider reputation in [0, 1]: sigmoid of the weighted sum of standardised features. ' +
        'Higher means more reliable, productive and better equipped. Validators turn it into weights.',
    },
    parameters: {
      kind: 'logistic-regression',
      weights: Object.fromEntries(fs.map((f) => [f.name, f.weight])),
      bias: PROVIDER_REPUTATION_BIAS,
      rationale: Object.fromEntries(fs.map((f) => [f.name, f.why])),
    },
    createdBy: 'inference/build-default-model.ts',
    notes:
      'Hand-chosen weights, not fitted: a placeholder until the training script fits them from indexed job history. ' +
      'Graph: Sub(mean) -> Div(std) -> MatMul(W) -> Add(b) -> Sigmoid, float32, dynamic batch dimension.',
  };
}
