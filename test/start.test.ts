// `npm start` as a user meets it: the whole system from one command, a clear line for each
// start-up mistake, and Ctrl-C leaving nothing behind.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createTestDatabase, runLib, type TestDatabase, waitFor } from './harness';

jest.setTimeout(120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-start-'));
  fs.chmodSync(tmp, 0o755); // like a checkout: the postgres user (when run as root) can enter it
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Ports of every service, all free, so parallel test files never collide. */
async function ports(): Promise<Record<string, string>> {
  return {
    PORT: String(await freePort()),
    INFERENCE_PORT: String(await freePort()),
    DEVNET_PORT: String(await freePort()),
    PG_PORT: String(await freePort()),
    INDEXER_METRICS_PORT: String(await freePort()),
    DATA_DIR: path.join(tmp, `data-${Math.random().toString(36).slice(2)}`),
  };
}

/** Runs start.js to its end; returns its exit code and output lines. */
async function startFails(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const p = runLib('scripts/start.js', env);
  const code = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
  if (code === null) await p.stop('SIGKILL');
  return {
    code,
    lines: p
      .output()
      .split('\n')
      .filter((l) => l.trim() !== ''),
  };
}

describe('start-up errors: one clear line, exit code 1', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('names a port that is already in use', async () => {
    const env = await ports();
    const blocker = net.createServer().listen(Number(env.PORT), '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const { code, lines } = await startFails(env);
      expect(code).toBe(1);
      expect(lines).toEqual([`start: port ${env.PORT} is already in use (needed by the gateway (PORT))`]);
    } finally {
      blocker.close();
    }
  });

  it('names a DATABASE_URL it cannot connect to', async () => {
    const url = new URL(db.url);
    url.password = 'wrong-password';
    const { code, lines } = await startFails({ ...(await ports()), DATABASE_URL: url.toString() });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^start: cannot connect to DATABASE_URL \(.*password authentication failed.*\)$/);
  });

  it('names an RPC_URL it cannot reach', async () => {
    const closed = await freePort();
    const deploymentFile = path.join(tmp, 'deployment.json');
    const { code, lines } = await startFails({
      ...(await ports()),
      DATABASE_URL: db.url,
      RPC_URL: `http://127.0.0.1:${closed}`,
      DEPLOYMENT_FILE: deploymentFile,
    });
    expect(code).toBe(1);
    expect(lines).toEqual([`start: cannot reach RPC_URL http://127.0.0.1:${closed} (ECONNREFUSED)`]);
  });

  it('names a malformed variable', async () => {
    const { code, lines } = await startFails({ ...(await ports()), PORT: 'eighty' });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^start: PORT is invalid/);
  });
});

describe('the whole system', () => {
  it('answers the README query with non-zero counts, then stops cleanly on SIGINT', async () => {
    const env: Record<string, string> = { ...(await ports()), DEVNET_BLOCK_TIME_MS: '250', SIM_ROUND_MS: '100' };
    const p = runLib('scripts/start.js', env);
    try {
      await waitFor('the banner', 90_000, async () => {
        if (p.child.exitCode !== null) throw new Error(`start exited:\n${p.output()}`);
        return p.output().includes('Gridmind is running');
      });
      const query = `{ _meta { block chainHead } subnets { totalCount items { netuid name } }
        markets { totalCount } providers { totalCount items { address score } } jobs { totalCount } }`;
      const data = await waitFor('non-zero counts', 60_000, async () => {
        const res = await fetch(`http://127.0.0.1:${env.PORT}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
        const body = (await res.json()) as { data?: any; errors?: unknown };
        const d = body.data;
        const ok =
          !body.errors && d?.subnets.totalCount > 0 && d.markets.totalCount > 0 && d.providers.totalCount > 0 && d.jobs.totalCount > 0;
        return ok ? d : undefined;
      });
      expect(data._meta.block).toBeGreaterThan(0);
      expect(data.providers.items[0].score).toEqual(expect.any(Number));

      // A signed mutation, relayed by the devnet's relayer account for a wallet without ETH.
      const gql = async (q: string, variables: Record<string, unknown> = {}) => {
        const res = await fetch(`http://127.0.0.1:${env.PORT}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: q, variables }),
        });
        return (await res.json()) as { data?: any; errors?: unknown };
      };
      const wallet = privateKeyToAccount(keccak256(toHex(`start-test-provider-${env.PORT}`)));
      const typed = await gql(
        `query($from: String!) { registerProviderTypedData(from: $from, gpuModel: "L4", vramGb: 24, benchmarkScore: 500, tier: 1) { typedData } }`,
        { from: wallet.address },
      );
      const { typedData } = typed.data.registerProviderTypedData;
      const relayed = await gql(
        `mutation($r: ForwardRequestInput!, $s: String!) { registerProvider(request: $r, signature: $s) { status id } }`,
        { r: typedData.message, s: await wallet.signTypedData(typedData) },
      );
      expect(relayed).toEqual({ data: { registerProvider: { status: 'SUCCESS', id: wallet.address.toLowerCase() } } });

      const pids = descendants(p.child.pid as number);
      expect(pids.length).toBeGreaterThanOrEqual(6); // postgres, devnet, simulator, indexer, inference, gateway
      const t0 = Date.now();
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const alive = pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
      expect(p.output()).toMatch(/start: stopped/);
    } finally {
      await p.stop('SIGKILL');
    }
  });
});

/** Every process below pid (children, grandchildren, ...). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [c, parent] = line.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  const all: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const c = stack.pop() as number;
    all.push(c);
    stack.push(...(children.get(c) ?? []));
  }
  return all;
}
