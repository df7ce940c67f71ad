import fs from 'node:fs';
import path from 'node:path';
import { buildReputationBaseline, historyFeatureNames } from './rankings';

const inputsOf = (version: number) =>
  (
    JSON.parse(fs.readFileSync(path.join(__dirname, `../inference/models/provider-reputation/${version}/manifest.json`), 'utf8')) as {
      inputs: string[];
    }
  ).inputs;

describe('historyFeatureNames', () => {
  it("takes the trained model's history features and refuses the provider-table model's, as the service chooses", () => {
    expect(historyFeatureNames(inputsOf(2))).toEqual(inputsOf(2));
    // @1's names exist among the history features too, but the service reads them from the provider table.
    expect(historyFeatureNames(inputsOf(1))).toBeNull();
    expect(historyFeatureNames(['success_rate', 'no_such_feature'])).toBeNull();
    expect(historyFeatureNames([])).toBeNull();
  });
});

describe('buildReputationBaseline', () => {
  const provider = (address: string, registeredAtBlock: number) => ({
    address,
    registeredAtBlock,
    benchmarkScore: 900,
    vramGb: 24,
    tier: 1,
  });
  const event = (kind: string, blockNumber: number, workUnitsMilli: number | null = null) => ({
    jobId: '1',
    kind,
    actor: '0xa1',
    blockNumber,
    timestamp: 1000 + blockNumber,
    deadline: 5000,
    workEstimateMilli: 2000,
    workUnitsMilli,
  });

  it("computes each provider's row from the events and the head it is given", () => {
    const rows = buildReputationBaseline(
      { start: 2000, block: 30, time: 1030 },
      [provider('0xa1', 5), provider('0xa2', 10)],
      [event('CLAIMED', 10), event('COMPLETED', 20, 1500), event('APPROVED', 30)],
      ['success_rate', 'completion_rate', 'log_work_units', 'benchmark_score', 'log_age_blocks'],
    );
    expect([...rows.keys()]).toEqual(['0xa1', '0xa2']);
    // (1 approved + 1) / (1 + 2); (1 completed + 1) / (1 claimed + 2); ln(1 + 1.5); the cut-off is the head's block + 1.
    expect(rows.get('0xa1')).toEqual([2 / 3, 2 / 3, Math.log1p(1.5), 900, Math.log1p(31 - 5)]);
    expect(rows.get('0xa2')).toEqual([0.5, 0.5, 0, 900, Math.log1p(31 - 10)]);
  });

  it('without any job event by the start, cuts off after each registration', () => {
    const rows = buildReputationBaseline({ start: 2000, block: null, time: null }, [provider('0xa1', 5)], [], ['log_age_blocks']);
    expect(rows.get('0xa1')).toEqual([Math.log1p(1)]);
  });
});
