import net from 'node:net';
import { DeployError, type Devnet, deployProtocol, PortInUseError, startDevnet } from '../chain';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
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
    // The process is gone and the port is free again.
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(timed.port, '127.0.0.1', resolve);
    });
    await new Promise((r) => srv.close(r));
  });

  it('wraps deployment failures in DeployError', async () => {
    await expect(deployProtocol({ rpcUrl: 'http://127.0.0.1:1' })).rejects.toBeInstanceOf(DeployError);
  });
});
