/**
 * The keeper process (lib/chain/keeper/main.js, built by `npm test`'s pretest): one-line failures
 * on bad configuration, epochs posted on a devnet, a clean stop on SIGTERM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Devnet, deployProtocol, epochLedgerAbi, startDevnet, writeDeployment } from '../chain';
import { runLib, waitFor } from './harness/processes';
import { protocolClients } from './harness/protocol';

describe('keeper process', () => {
  let devnet: Devnet;
  let dir: string;
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-keeper-'));
  });
  afterAll(async () => {
    await devnet?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails in one line that names a bad variable', async () => {
    const p = runLib('chain/keeper/main.js', { RPC_URL: '', DEPLOYMENT_FILE: 'x.json', KEEPER_POLL_MS: '' });
    expect(await p.exited).toBe(1);
    expect(p.output().trim()).toMatch(/^keeper: KeeperConfigError: RPC_URL is invalid \(""\): expected an http\(s\) URL$/);
    const q = runLib('chain/keeper/main.js', { RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: path.join(dir, 'missing.json') });
    expect(await q.exited).toBe(1);
    expect(q.output().trim()).toMatch(/^keeper: DeploymentFileError: .*missing\.json: cannot read deployment file/);
  });

  it('posts the compute subnet epochs as they fall due and stops on SIGTERM', async () => {
    const d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    const file = path.join(dir, 'deployment.json');
    writeDeployment(file, d);
    const c = protocolClients(devnet.rpcUrl);
    const p = runLib('chain/keeper/main.js', { RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: file, KEEPER_POLL_MS: '50', KEEPER_KEY: '' });
    try {
      await waitFor('the start line', 20_000, async () => p.output().includes('posting epochs to ledger'));
      await c.mine(100); // the compute subnet's tempo
      await waitFor('epoch 1 of the compute subnet', 20_000, async () => p.output().includes('subnet 1 epoch 1 at block'));
      expect(await c.pub.readContract({ address: d.contracts.ledger, abi: epochLedgerAbi, functionName: 'epochCount', args: [1] })).toBe(
        1n,
      );
    } finally {
      expect(await p.stop('SIGTERM')).toBe(0);
    }
    expect(p.output()).toMatch(/keeper: SIGTERM: stopping after the current poll\n(.|\n)*keeper: stopped\n$/);
  });
});
