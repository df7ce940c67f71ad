import net from 'node:net';
import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  createSimulator,
  DeployError,
  type Deployment,
  type Devnet,
  deployProtocol,
  HARDHAT_ACCOUNT0_KEY,
  PortInUseError,
  startDevnet,
} from '../chain';
import { anvilBinary, type DevnetNode } from '../chain/devnet';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

/** The port can be bound again: whatever held it is gone. */
async function expectPortFree(port: number): Promise<void> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', resolve);
  });
  await new Promise((r) => srv.close(r));
}

describe('devnet', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it('answers JSON-RPC on a picked port, automining', async () => {
    expect(devnet.port).toBeGreaterThan(0);
    expect(devnet.chainId).toBe(31337);
    expect(devnet.rpcUrl).toBe(`http://127.0.0.1:${devnet.port}`);
    expect(await rpc(devnet.rpcUrl, 'eth_blockNumber')).toBe('0x0');
    const d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    // Automine: one block per deployment transaction (4 deploys + 6 grants + oracle price, then the
    // ledger: deploy + 2 grants + setEpochLedger, and the compute subnet: mint, approve, register, mark).
    expect(d.startBlock).toBe(1);
    expect(Number(await rpc(devnet.rpcUrl, 'eth_blockNumber'))).toBe(19);
    expect(d.contracts.token).toMatch(/^0x[0-9a-f]{40}$/);
    expect(d.genesisHash).toBe(((await rpc(devnet.rpcUrl, 'eth_getBlockByNumber', ['0x0', false])) as { hash: string }).hash);
  });

  it('refuses a port that the devnet already holds, with a clear error and quickly', async () => {
    const t0 = Date.now();
    const err = await startDevnet({ port: devnet.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as Error).message).toMatch(new RegExp(`^port ${devnet.port} is already in use`));
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('refuses a port held by any other process', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      await expect(startDevnet({ port })).rejects.toThrow(`port ${port} is already in use`);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('mines on an interval when blockTimeMs > 0, and stop() frees the port', async () => {
    const timed = await startDevnet({ port: 0, blockTimeMs: 200 });
    try {
      await new Promise((r) => setTimeout(r, 900));
      expect(Number(await rpc(timed.rpcUrl, 'eth_blockNumber'))).toBeGreaterThanOrEqual(3);
    } finally {
      await timed.stop();
      await timed.stop(); // idempotent
    }
    await expect(rpc(timed.rpcUrl, 'eth_chainId')).rejects.toThrow();
    await expectPortFree(timed.port);
  });

  it('wraps deployment failures in DeployError', async () => {
    await expect(deployProtocol({ rpcUrl: 'http://127.0.0.1:1' })).rejects.toBeInstanceOf(DeployError);
  });
});

// The anvil devnet (chain/devnet.ts `node: 'anvil'`) runs only where the optional dependency
// @foundry-rs/anvil-linux-amd64 is installed (Linux x64).
const anvilMissing = (() => {
  try {
    anvilBinary();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
})();
const describeAnvil = anvilMissing ? describe.skip : describe;
if (anvilMissing) console.warn(`skipping the anvil devnet tests: ${anvilMissing}`);

describeAnvil('anvil devnet', () => {
  const ROUNDS = 8;
  /** A fresh devnet of that node, the protocol deployed, and the small preset for a few rounds, one block each. */
  async function history(node: DevnetNode): Promise<{ devnet: Devnet; deployment: Deployment; events: number }> {
    const devnet = await startDevnet({ port: 0, node, blockGasLimit: 2 ** 40 });
    try {
      const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
      const sim = createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: 7, preset: 'small', mining: 'manual', keeper: true });
      await sim.setup();
      for (let i = 0; i < ROUNDS; i++) await sim.round();
      await rpc(devnet.rpcUrl, 'evm_setAutomine', [true]);
      return { devnet, deployment, events: sim.events };
    } catch (err) {
      await devnet.stop();
      throw err;
    }
  }
  async function logs(url: string) {
    const client = createPublicClient({ transport: http(url) });
    const all = await client.getLogs({ fromBlock: 0n, toBlock: 'latest' });
    // Per block, in no set order, by contract and event kind: the simulator sends order-independent
    // actions as one JSON-RPC batch, and anvil takes a batch's requests concurrently, so their order in
    // the block may differ, and with it values that depend on order (running totals, ids).
    return all.map((l) => JSON.stringify([Number(l.blockNumber), l.address, l.topics[0]])).sort();
  }

  let anvil: Awaited<ReturnType<typeof history>>;
  let hardhat: Awaited<ReturnType<typeof history>>;
  beforeAll(async () => {
    [anvil, hardhat] = await Promise.all([history('anvil'), history('hardhat')]);
  });
  afterAll(async () => {
    await Promise.all([anvil?.devnet.stop(), hardhat?.devnet.stop()]);
  });

  it("has Hardhat's chain id and accounts, and deploys the protocol in the same blocks", async () => {
    expect(anvil.devnet.chainId).toBe(31337);
    // anvil lists the accounts the simulator impersonated after its own 20.
    const accounts = ((await rpc(anvil.devnet.rpcUrl, 'eth_accounts')) as string[]).slice(0, 20);
    expect(accounts[0]).toBe(privateKeyToAccount(HARDHAT_ACCOUNT0_KEY).address.toLowerCase());
    expect(accounts).toEqual(await rpc(hardhat.devnet.rpcUrl, 'eth_accounts'));
    expect(anvil.deployment.startBlock).toBe(hardhat.deployment.startBlock);
    expect(anvil.deployment.contracts).toEqual(hardhat.deployment.contracts);
  });

  it('writes the same simulated history as Hardhat: per block, the same events of each kind from each contract', async () => {
    expect(anvil.events).toBeGreaterThan(100);
    expect(anvil.events).toBe(hardhat.events);
    expect(await rpc(anvil.devnet.rpcUrl, 'eth_blockNumber')).toBe(await rpc(hardhat.devnet.rpcUrl, 'eth_blockNumber'));
    expect(await logs(anvil.devnet.rpcUrl)).toEqual(await logs(hardhat.devnet.rpcUrl));
  });

  it('stop() ends anvil and frees the port', async () => {
    const d = await startDevnet({ port: 0, node: 'anvil' });
    await d.stop();
    await expect(rpc(d.rpcUrl, 'eth_chainId')).rejects.toThrow();
    await expectPortFree(d.port);
  });

  it('with pruneHistory keeps blocks and logs but no state of past blocks', async () => {
    const balanceAt = async (url: string, block: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_getBalance',
          params: [privateKeyToAccount(HARDHAT_ACCOUNT0_KEY).address, block],
        }),
      });
      return (await res.json()) as { result?: string; error?: { message: string } };
    };
    const [pruned, full] = await Promise.all([
      startDevnet({ port: 0, node: 'anvil', pruneHistory: true }),
      startDevnet({ port: 0, node: 'anvil' }),
    ]);
    try {
      for (const d of [pruned, full]) {
        await deployProtocol({ rpcUrl: d.rpcUrl });
        await rpc(d.rpcUrl, 'anvil_mine', ['0x5']);
      }
      expect(await logs(pruned.rpcUrl)).toEqual(await logs(full.rpcUrl));
      expect((await logs(pruned.rpcUrl)).length).toBeGreaterThan(10);
      expect((await balanceAt(pruned.rpcUrl, 'latest')).result).toMatch(/^0x[0-9a-f]+$/);
      expect((await balanceAt(pruned.rpcUrl, '0x1')).error?.message).toMatch(/BlockOutOfRange/);
      expect((await balanceAt(full.rpcUrl, '0x1')).result).toMatch(/^0x[0-9a-f]+$/);
    } finally {
      await Promise.all([pruned.stop(), full.stop()]);
    }
  });
});
