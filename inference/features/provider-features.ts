// Provider features: pure functions from an indexed provider row to numbers. Each model's manifest
// names the features it takes, in order; buildFeatureMatrix lays them out for that order.

/** What provider-rows.ts reads from Postgres for one provider (numbers already parsed). */
export interface ProviderRow {
  /** Lowercase 0x address (the provider table's id). */
  address: string;
  jobsClaimed: number;
  jobsCompleted: number;
  /** Thousandths of a work unit, as indexed. */
  workUnitsMilli: number;
  benchmarkScore: number;
  vramGb: number;
  tier: number;
  registeredAtBlock: number;
  /** The newest block the index has seen activity at; the clock that provider age is measured by. */
  headBlock: number;
}

export interface FeatureDefinition {
  description: string;
  compute(row: ProviderRow): number;
}

/** Every feature address scoring can compute. Names are stable: manifests refer to them. */
export const PROVIDER_FEATURES = {
  completion_rate: {
    description:
      'Laplace-smoothed share of claimed jobs completed: (jobs_completed + 1) / (jobs_claimed + 2). ' +
      'A provider without history sits at 0.5 instead of a 0 or 1 that one job would swing.',
    compute: (r) => (r.jobsCompleted + 1) / (r.jobsClaimed + 2),
  },
  log_work_units: {
    description: 'ln(1 + work units completed), with work_units (thousandths) divided by 1000; log because volume is heavy-tailed.',
    compute: (r) => Math.log1p(Math.max(r.workUnitsMilli, 0) / 1000),
  },
  benchmark_score: {
    description: 'Self-reported benchmark score (OctaneBench-style) from registration.',
    compute: (r) => r.benchmarkScore,
  },
  vram_gb: {
    description: 'GPU memory in GiB from registration.',
    compute: (r) => r.vramGb,
  },
  tier: {
    description: 'Provider tier 1..3; a provider may serve markets of its tier and below.',
    compute: (r) => r.tier,
  },
  log_age_blocks: {
    description:
      'ln(1 + blocks since registration), measured to the newest block with indexed activity ' +
      '(max of job.posted_at_block and provider.registered_at_block).',
    compute: (r) => Math.log1p(Math.max(r.headBlock - r.registeredAtBlock, 0)),
  },
} satisfies Record<string, FeatureDefinition>;

export type ProviderFeatureName = keyof typeof PROVIDER_FEATURES;

export function isProviderFeature(name: string): name is ProviderFeatureName {
  return Object.hasOwn(PROVIDER_FEATURES, name);
}

/** One row's features as a name → value record, in the order of `names`. */
export function buildFeatureRecord(row: ProviderRow, names: readonly ProviderFeatureName[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = PROVIDER_FEATURES[name].compute(row);
  return out;
}

/** Row-major float32 matrix (rows.length × names.length) for an ONNX input tensor. */
export function buildFeatureMatrix(rows: readonly ProviderRow[], names: readonly ProviderFeatureName[]): Float32Array {
  const out = new Float32Array(rows.length * names.length);
  rows.forEach((row, r) => {
    names.forEach((name, c) => {
      out[r * names.length + c] = PROVIDER_FEATURES[name].compute(row);
    });
  });
  return out;
}
