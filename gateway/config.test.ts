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
      maxDepth: 10,
      maxAliases: 30,
      maxCost: 50_000,
      rateLimit: { perSecond: 50, burst: 100 },
      trustedProxies: 0,
      mutations: undefined,
    });
  });

  it('turns on the signed mutations with DEPLOYMENT_FILE (and RPC_URL), relaying with RELAYER_KEY', () => {
    const key = `0x${'ab'.repeat(32)}`;
    expect(
      loadConfig({ DATABASE_URL: DB, RPC_URL: 'http://127.0.0.1:8545', DEPLOYMENT_FILE: 'd.json', RELAYER_KEY: key }).mutations,
    ).toEqual({
      deploymentFile: 'd.json',
      relayerKey: key,
      rateLimits: { perAddressPerMinute: 30, perAddressBurst: 10, perIpPerMinute: 120, perIpBurst: 30 },
    });
    expect(() => loadConfig({ DATABASE_URL: DB, DEPLOYMENT_FILE: 'd.json' })).toThrow('DEPLOYMENT_FILE is set but RPC_URL is not');
    expect(() => loadConfig({ DATABASE_URL: DB, RELAYER_KEY: key })).toThrow('RELAYER_KEY is set but DEPLOYMENT_FILE is not');
    expect(() =>
      loadConfig({ DATABASE_URL: DB, RPC_URL: 'http://127.0.0.1:8545', DEPLOYMENT_FILE: 'd.json', RELAYER_KEY: '0x12' }),
    ).toThrow(new ConfigError('RELAYER_KEY must be a 0x-prefixed 32-byte hex private key'));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      DATABASE_URL: DB,
      PORT: '4100',
      HOST: '0.0.0.0',
      RPC_URL: 'http://127.0.0.1:8545',
      INFERENCE_URL: 'http://127.0.0.1:4200',
      GATEWAY_STATEMENT_TIMEOUT_MS: '250',
      GATEWAY_MAX_DEPTH: '6',
      GATEWAY_MAX_ALIASES: '0',
      GATEWAY_MAX_COST: '900',
      GATEWAY_RATE_LIMIT_PER_SECOND: '5',
      GATEWAY_RATE_LIMIT_BURST: '7',
      GATEWAY_TRUSTED_PROXIES: '2',
    });
    expect(c).toMatchObject({
      maxDepth: 6,
      maxAliases: 0,
      maxCost: 900,
      rateLimit: { perSecond: 5, burst: 7 },
      trustedProxies: 2,
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
    [{ DATABASE_URL: DB, GATEWAY_MAX_COST: '0' }, /^GATEWAY_MAX_COST must be between/],
    [{ DATABASE_URL: DB, GATEWAY_RATE_LIMIT_PER_SECOND: 'lots' }, /^GATEWAY_RATE_LIMIT_PER_SECOND must be an integer$/],
    [{ DATABASE_URL: DB, GATEWAY_TRUSTED_PROXIES: '11' }, /^GATEWAY_TRUSTED_PROXIES must be between 0 and 10$/],
  ])('fails with one line naming the variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('turns the rate limit off at 0 per second', () => {
    expect(loadConfig({ DATABASE_URL: DB, GATEWAY_RATE_LIMIT_PER_SECOND: '0' }).rateLimit).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: DB, PORT: '', RPC_URL: '' })).toMatchObject({ port: 4000, rpcUrl: undefined });
  });
});
