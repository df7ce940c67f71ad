import { ConfigError, loadConfig } from './config';

const DB = 'postgres://u:p@127.0.0.1:5432/gridmind';

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig({ DATABASE_URL: DB })).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: DB,
      rpcUrl: undefined,
      inferenceUrl: undefined,
      statementTimeoutMs: 5000,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      DATABASE_URL: DB,
      PORT: '4100',
      HOST: '0.0.0.0',
      RPC_URL: 'http://127.0.0.1:8545',
      INFERENCE_URL: 'http://127.0.0.1:4200',
      GATEWAY_STATEMENT_TIMEOUT_MS: '250',
    });
    expect(c).toMatchObject({
      port: 4100,
      host: '0.0.0.0',
      rpcUrl: 'http://127.0.0.1:8545',
      inferenceUrl: 'http://127.0.0.1:4200',
      statementTimeoutMs: 250,
    });
  });

  it.each([
    [{}, /^DATABASE_URL is required$/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a URL$/],
    [{ DATABASE_URL: DB, PORT: 'abc' }, /^PORT must be an integer$/],
    [{ DATABASE_URL: DB, PORT: '70000' }, /^PORT must be between 0 and 65535$/],
    [{ DATABASE_URL: DB, RPC_URL: 'nope' }, /^RPC_URL must be a URL$/],
    [{ DATABASE_URL: DB, GATEWAY_STATEMENT_TIMEOUT_MS: '0' }, /^GATEWAY_STATEMENT_TIMEOUT_MS must be between/],
  ])('fails with one line naming the variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: DB, PORT: '', RPC_URL: '' })).toMatchObject({ port: 4000, rpcUrl: undefined });
  });
});
