import { SimulatorConfigError } from '../errors';
import { loadSimulatorConfig } from './config';

const base = { RPC_URL: 'http://127.0.0.1:8545', DEPLOYMENT_FILE: '.data/deployment.json' };

describe('simulator config', () => {
  it('applies defaults', () => {
    expect(loadSimulatorConfig(base)).toEqual({
      rpcUrl: base.RPC_URL,
      deploymentFile: base.DEPLOYMENT_FILE,
      seed: 42,
      preset: 'small',
      roundMs: 1000,
      logEvery: 10,
    });
  });

  it('reads every variable', () => {
    const c = loadSimulatorConfig({ ...base, SIM_SEED: '7', SIM_PRESET: 'large', SIM_ROUND_MS: '0', SIM_LOG_EVERY: '100' });
    expect([c.seed, c.preset, c.roundMs, c.logEvery]).toEqual([7, 'large', 0, 100]);
  });

  it.each([
    [{ ...base, SIM_SEED: 'abc' }, /^SIM_SEED is invalid \("abc"\)/],
    [{ ...base, SIM_SEED: '4294967296' }, /^SIM_SEED is invalid/],
    [{ ...base, SIM_PRESET: 'huge' }, /^SIM_PRESET is invalid \("huge"\): expected one of small, medium, large/],
    [{ ...base, SIM_ROUND_MS: '-5' }, /^SIM_ROUND_MS is invalid/],
    [{ DEPLOYMENT_FILE: 'x.json' }, /^RPC_URL is invalid \(unset\)/],
    [{ ...base, RPC_URL: 'localhost:8545' }, /^RPC_URL is invalid/],
    [{ RPC_URL: base.RPC_URL, DEPLOYMENT_FILE: '' }, /^DEPLOYMENT_FILE is invalid/],
  ])('names the bad variable %#', (env, message) => {
    expect(() => loadSimulatorConfig(env)).toThrow(SimulatorConfigError);
    expect(() => loadSimulatorConfig(env)).toThrow(message);
  });
});
