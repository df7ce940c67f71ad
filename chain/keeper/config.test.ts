import { HARDHAT_KEEPER_KEY } from '../deploy-ledger';
import { KeeperConfigError } from '../errors';
import { loadKeeperConfig } from './config';

const base = { RPC_URL: 'http://127.0.0.1:8545', DEPLOYMENT_FILE: '.data/deployment.json' };

describe('keeper config', () => {
  it('defaults to Hardhat account #9 and a 1 s poll', () => {
    expect(loadKeeperConfig(base)).toEqual({
      rpcUrl: base.RPC_URL,
      deploymentFile: base.DEPLOYMENT_FILE,
      keeperKey: HARDHAT_KEEPER_KEY,
      pollMs: 1000,
    });
    expect(loadKeeperConfig({ ...base, KEEPER_POLL_MS: '250', KEEPER_KEY: `0x${'11'.repeat(32)}` })).toMatchObject({
      pollMs: 250,
      keeperKey: `0x${'11'.repeat(32)}`,
    });
  });

  it('names the bad variable in one line, and never echoes a key', () => {
    expect(() => loadKeeperConfig({ DEPLOYMENT_FILE: 'x' })).toThrow(/^RPC_URL is invalid \(unset\)/);
    expect(() => loadKeeperConfig({ ...base, RPC_URL: 'ftp://x' })).toThrow(KeeperConfigError);
    expect(() => loadKeeperConfig({ RPC_URL: base.RPC_URL })).toThrow(/^DEPLOYMENT_FILE is invalid/);
    expect(() => loadKeeperConfig({ ...base, KEEPER_POLL_MS: 'soon' })).toThrow(/^KEEPER_POLL_MS is invalid \("soon"\)/);
    expect(() => loadKeeperConfig({ ...base, KEEPER_KEY: '0xdeadbeef' })).toThrow(
      /^KEEPER_KEY is invalid \(set\): expected a 0x-prefixed 32-byte/,
    );
  });
});
