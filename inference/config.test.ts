import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { PACKAGE_ROOT } from './paths';

describe('loadConfig', () => {
  it('has the documented defaults, with the model directory under the package root', () => {
    expect(loadConfig({})).toEqual({
      port: 4100,
      host: '127.0.0.1',
      databaseUrl: undefined,
      modelDir: path.join(PACKAGE_ROOT, 'inference', 'models'),
      modelName: 'provider-reputation',
      modelVersion: 'latest',
      adminToken: undefined,
      providers: ['cpu'],
      maxBatch: 256,
      maxWaitMs: 0,
      intraOpThreads: 1,
    });
    expect(PACKAGE_ROOT).toBe(path.resolve(__dirname, '..'));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      INFERENCE_PORT: '0',
      INFERENCE_HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      INFERENCE_MODEL_DIR: 'some/dir',
      INFERENCE_MODEL: 'other-model',
      INFERENCE_PROVIDERS: ' CUDA, cpu ',
      INFERENCE_MAX_BATCH: '64',
      INFERENCE_MAX_WAIT_MS: '2',
      INFERENCE_MODEL_VERSION: '3',
      INFERENCE_INTRA_OP_THREADS: '4',
      INFERENCE_ADMIN_TOKEN: 'a-long-enough-admin-token',
    });
    expect(c).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      modelName: 'other-model',
      modelVersion: 3,
      adminToken: 'a-long-enough-admin-token',
      providers: ['cuda', 'cpu'],
      maxBatch: 64,
      maxWaitMs: 2,
      intraOpThreads: 4,
    });
    expect(loadConfig({ INFERENCE_MODEL_VERSION: 'latest' }).modelVersion).toBe('latest');
    expect(c.databaseUrl).toBe('postgres://u:p@localhost:5432/db');
    expect(c.modelDir).toBe(path.resolve('some/dir'));
  });

  it.each([
    ['INFERENCE_PORT', 'abc'],
    ['INFERENCE_PORT', '70000'],
    ['INFERENCE_PROVIDERS', 'gpu'],
    ['INFERENCE_PROVIDERS', ','],
    ['INFERENCE_MAX_BATCH', '0'],
    ['INFERENCE_MAX_WAIT_MS', '1.5'],
    ['INFERENCE_MODEL', 'Bad Name'],
    ['INFERENCE_MODEL_VERSION', '0'],
    ['INFERENCE_MODEL_VERSION', 'newest'],
    ['INFERENCE_ADMIN_TOKEN', 'secret'],
    ['DATABASE_URL', 'mysql://u:secret@host/db'],
  ])('fails with one line naming %s=%s', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg.startsWith(`inference: invalid ${name}: `)).toBe(true);
    expect(msg).not.toContain('\n');
    expect(msg).not.toContain('secret');
  });
});
