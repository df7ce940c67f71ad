import { buildFeatureMatrix, buildFeatureRecord, PROVIDER_FEATURES, type ProviderFeatureName, type ProviderRow } from './provider-features';

const row = (over: Partial<ProviderRow> = {}): ProviderRow => ({
  address: '0x00000000000000000000000000000000000000aa',
  jobsClaimed: 10,
  jobsCompleted: 8,
  workUnitsMilli: 19_000,
  benchmarkScore: 700,
  vramGb: 24,
  tier: 2,
  registeredAtBlock: 100,
  headBlock: 1100,
  ...over,
});

const ALL = Object.keys(PROVIDER_FEATURES) as ProviderFeatureName[];

describe('provider features', () => {
  it('computes each documented feature from the row', () => {
    expect(buildFeatureRecord(row(), ALL)).toEqual({
      completion_rate: 9 / 12,
      log_work_units: Math.log(20),
      benchmark_score: 700,
      vram_gb: 24,
      tier: 2,
      log_age_blocks: Math.log(1001),
    });
  });

  it('puts a provider without history at a neutral completion rate and zero work', () => {
    const f = buildFeatureRecord(row({ jobsClaimed: 0, jobsCompleted: 0, workUnitsMilli: 0 }), ['completion_rate', 'log_work_units']);
    expect(f).toEqual({ completion_rate: 0.5, log_work_units: 0 });
  });

  it('never gives a negative age or log of a negative amount', () => {
    const f = buildFeatureRecord(row({ headBlock: 50, workUnitsMilli: -5 }), ['log_age_blocks', 'log_work_units']);
    expect(f).toEqual({ log_age_blocks: 0, log_work_units: 0 });
  });

  it('lays rows out row-major in the requested column order, as float32', () => {
    const m = buildFeatureMatrix([row(), row({ tier: 3, vramGb: 80 })], ['tier', 'vram_gb', 'completion_rate']);
    expect(m).toBeInstanceOf(Float32Array);
    expect(Array.from(m)).toEqual([2, 24, Math.fround(0.75), 3, 80, Math.fround(0.75)]);
  });

  it('gives an empty matrix for no rows', () => {
    expect(buildFeatureMatrix([], ALL)).toHaveLength(0);
  });
});
