import { loadValidatorConfig, ValidatorConfigError } from './config';

const KEY = `0x${'11'.repeat(32)}`;
const base = { RPC_URL: 'http://127.0.0.1:8545', DEPLOYMENT_FILE: 'd.json', INFERENCE_URL: 'http://127.0.0.1:4100', VALIDATOR_KEYS: KEY };

describe('loadValidatorConfig', () => {
  it('reads the environment with defaults', () => {
    expect(loadValidatorConfig({ ...base, VALIDATOR_KEYS: `${KEY}, ${KEY.replace(/1/g, '2')}` })).toEqual({
      rpcUrl: 'http://127.0.0.1:8545',
      deploymentFile: 'd.json',
      inferenceUrl: 'http://127.0.0.1:4100',
      keys: [KEY, KEY.replace(/1/g, '2')],
      pollMs: 2000,
      sharpness: 2,
      topK: undefined,
      model: undefined,
    });
    expect(loadValidatorConfig({ ...base, VALIDATOR_SHARPNESS: '1.5', VALIDATOR_TOP_K: '8' })).toMatchObject({ sharpness: 1.5, topK: 8 });
  });

  it.each([
    ['INFERENCE_URL', undefined],
    ['VALIDATOR_KEYS', '0x1234'],
    ['VALIDATOR_POLL_MS', 'soon'],
    ['VALIDATOR_SHARPNESS', '-1'],
  ])('fails with one line naming %s', (name, value) => {
    const env: NodeJS.ProcessEnv = { ...base, [name]: value };
    if (value === undefined) delete env[name];
    expect(() => loadValidatorConfig(env)).toThrow(ValidatorConfigError);
    expect(() => loadValidatorConfig(env)).toThrow(new RegExp(`^${name} is invalid`));
  });

  it('never echoes a private key', () => {
    expect(() => loadValidatorConfig({ ...base, VALIDATOR_KEYS: `${KEY},oops` })).toThrow(/VALIDATOR_KEYS is invalid \(\(hidden\)\)/);
  });
});
