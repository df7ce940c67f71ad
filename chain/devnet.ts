/**
 * The local devnet: Hardhat 2's JSON-RPC node (EDR) on 127.0.0.1, or Foundry's anvil (the
 * optional dependency @foundry-rs/anvil-linux-amd64) for long generated histories, run as a child
 * process that never outlives its parent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type HttpTransport, http } from 'viem';
import { DevnetError, DevnetTimeoutError, PortInUseError } from './errors';
import { findPackageRoot } from './paths';

export interface StartDevnetParameters {
  /** TCP port; 0 or omitted picks a free one. */
  port?: number;
  /** 0 or omitted: automine (a block per transaction, for tests); >0: one block every N ms. */
  blockTimeMs?: number;
  /** Interface to bind; 127.0.0.1 by default. */
  host?: string;
  /** How long to wait for JSON-RPC to answer; 30 s by default. */
  startTimeoutMs?: number;
  /**
   * Block gas limit (Hardhat's default when omitted). Raise it where a generator mines a whole
   * round of transactions into one block; each transaction stays under osaka's 2^24 cap.
   */
  blockGasLimit?: number;
  /**
   * Which node: 'hardhat' (default) or 'anvil'. Hardhat records a trace of every EVM step and keeps
   * them (about 63 KB per event: it was killed at 22 GB after 333k events); anvil does not, and
   * answers the same RPCs (hardhat_* aliases) with the same chain id, accounts and hardfork.
   */
  node?: DevnetNode;
  /**
   * anvil only: keep no state of past blocks (--prune-history). Blocks, receipts and logs stay
   * queryable; calls at a past block fail. Large preset: 0.55 GB at 224k events, against 2.5 GB
   * without it (20 GB at 904k).
   */
  pruneHistory?: boolean;
}

export type DevnetNode = 'hardhat' | 'anvil';
export const DEVNET_NODES: readonly DevnetNode[] = ['hardhat', 'anvil'];

export interface Devnet {
  rpcUrl: string;
  port: number;
  chainId: number;
  /** Stops the node (SIGTERM, then SIGKILL) and resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const KILL_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 4_000;

/** Rejects with PortInUseError when host:port cannot be bound; resolves with the bound port. */
function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(port, host, { cause: err })
          : new DevnetError(`cannot bind ${host}:${port}: ${err.message}`, { cause: err }),
      );
    });
    srv.listen(port, host, () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

/**
 * The anvil binary of the optional dependency @foundry-rs/anvil-linux-amd64 (a prebuilt binary in
 * the package, no download). Throws a DevnetError saying how to get it when it is not installed.
 */
export function anvilBinary(root = findPackageRoot(__dirname)): string {
  let pkg: string;
  try {
    pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json', { paths: [root] });
  } catch (cause) {
    throw new DevnetError(
      `the anvil devnet needs the optional dependency @foundry-rs/anvil-linux-amd64 (Linux x64 only), which is not installed: ` +
        `run npm install on Linux x64, or use the hardhat devnet`,
      { cause },
    );
  }
  const bin = path.join(path.dirname(pkg), 'bin', 'anvil');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch (cause) {
    throw new DevnetError(`${bin} is missing or not executable`, { cause });
  }
  return bin;
}

/**
 * Runs anvil (argv[1..]) under a node process with devnet-guard preloaded: anvil is a native
 * binary, so the guard that ends the devnet when our process dies (even by SIGKILL) lives here. A
 * signal stops anvil and then this process; stop() also signals the whole process group.
 */
const ANVIL_SUPERVISOR = `
const { spawn } = require('node:child_process');
const child = spawn(process.argv[1], process.argv.slice(2), { stdio: 'inherit' });
process.on('exit', () => { try { child.kill('SIGKILL'); } catch {} });
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill('SIGTERM'));
child.on('error', (err) => { console.error(err.message); process.exit(1); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

/**
 * The anvil command line that mirrors chain/hardhat.config.js and Hardhat's defaults: chain id
 * 31337, its 20 accounts of the test mnemonic with 10,000 ETH each (anvil's default mnemonic and
 * derivation path are Hardhat's), the osaka hardfork with EIP-7825's 2^24 cap per transaction,
 * a 60M block gas limit unless raised, the 24 KiB contract size limit, base fee 1 gwei, FIFO
 * mempool order, and automine or interval mining.
 */
function anvilArgs(host: string, port: number, blockTimeMs: number, blockGasLimit: number | undefined, prune: boolean): string[] {
  return [
    '--host',
    host,
    '--port',
    String(port),
    '--chain-id',
    '31337',
    '--accounts',
    '20',
    '--balance',
    '10000',
    '--hardfork',
    'osaka',
    '--enable-tx-gas-limit',
    '--gas-limit',
    String(blockGasLimit ?? 60_000_000),
    '--code-size-limit',
    String(0x6000),
    '--base-fee',
    '1000000000',
    '--order',
    'fifo',
    // Hardhat has no contract at the create2 deployer's address.
    '--disable-default-create2-deployer',
    ...(blockTimeMs > 0 ? ['--block-time', String(blockTimeMs / 1000)] : []),
    ...(prune ? ['--prune-history'] : []),
    '--quiet',
  ];
}

/**
 * Under anvil's limit on a request body: a 1.6 MB batch passes, a 3.2 MB one is refused ("Invalid
 * request", or the connection closes while the body is sent: viem's "fetch failed").
 */
const MAX_BATCH_BODY_CHARS = 1_500_000;

/**
 * A fetch for viem's http transport (`fetchFn`) that sends a JSON-RPC batch whose body is over
 * 1.5 MB as several smaller batches, one after the other, and answers with their answers in one
 * array: anvil refuses a request body of a few MB, and a batch of 500 setWeights of 256 uids is
 * about 16 MB. Smaller bodies (and any node) go through unchanged.
 */
export async function splitBatchFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const body = init?.body;
  if (typeof body !== 'string' || body.length <= MAX_BATCH_BODY_CHARS || !body.startsWith('[')) return fetch(input, init);
  const requests = JSON.parse(body) as unknown[];
  const chunks: string[][] = [[]];
  let size = 0;
  for (const r of requests) {
    const text = JSON.stringify(r);
    if (chunks.at(-1)!.length > 0 && size + text.length > MAX_BATCH_BODY_CHARS) {
      chunks.push([]);
      size = 0;
    }
    chunks.at(-1)!.push(text);
    size += text.length + 1;
  }
  const answers: unknown[] = [];
  for (const chunk of chunks) {
    const res = await fetch(input, { ...init, body: `[${chunk.join(',')}]` });
    if (!res.ok) return res;
    const answer = (await res.json()) as unknown;
    if (!Array.isArray(answer)) return new Response(JSON.stringify(answer), { status: res.status, headers: res.headers });
    answers.push(...answer);
  }
  return new Response(JSON.stringify(answers), { status: 200, headers: { 'content-type': 'application/json' } });
}

async function rpcChainId(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await res.json()) as { result?: string };
  if (typeof body.result !== 'string') throw new Error(`unexpected eth_chainId answer: ${JSON.stringify(body)}`);
  return Number(body.result);
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<void> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { error?: { message: string } };
  if (body.error) throw new DevnetError(`${method} failed: ${body.error.message}`);
}

/**
 * Starts a Hardhat node (or anvil, with `node: 'anvil'`) and resolves once its JSON-RPC answers.
 * @example
 * const devnet = await startDevnet({ port: 0 });
 * try { ... devnet.rpcUrl ... } finally { await devnet.stop(); }
 */
export async function startDevnet(params: StartDevnetParameters = {}): Promise<Devnet> {
  const host = params.host ?? '127.0.0.1';
  const blockTimeMs = params.blockTimeMs ?? 0;
  const startTimeoutMs = params.startTimeoutMs ?? 30_000;
  const kind = params.node ?? 'hardhat';
  if (!DEVNET_NODES.includes(kind)) throw new DevnetError(`unknown devnet node ${JSON.stringify(kind)} (hardhat or anvil)`);
  if (!Number.isInteger(blockTimeMs) || blockTimeMs < 0)
    throw new DevnetError(`blockTimeMs must be a non-negative integer, got ${blockTimeMs}`);
  // A taken port would make hardhat print an error and exit; checking first gives a clear error
  // at once. Port 0 binds an ephemeral port that we then hand to hardhat.
  const root = findPackageRoot(__dirname);
  const anvil = kind === 'anvil' ? anvilBinary(root) : undefined;
  const port = await probePort(host, params.port ?? 0);

  const config = path.join(root, 'chain', 'hardhat.config.js');
  const guard = path.join(root, 'chain', 'devnet-guard.js');
  const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(guard)}`].filter(Boolean).join(' ');

  // process.execPath + the CLI script rather than npx or the .bin shim: the PID we hold is then the
  // node itself, so killing it leaves nothing behind (anvil: the node that supervises it, and
  // stop() signals the process group).
  const args = anvil
    ? ['-e', ANVIL_SUPERVISOR, anvil, ...anvilArgs(host, port, blockTimeMs, params.blockGasLimit, params.pruneHistory ?? false)]
    : [
        require.resolve('hardhat/internal/cli/bootstrap.js', { paths: [root] }),
        'node',
        '--hostname',
        host,
        '--port',
        String(port),
        '--config',
        config,
      ];
  const name = anvil ? 'anvil' : 'hardhat node';
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    // Its own process group: a Ctrl-C in the terminal reaches only our process, which stops the
    // devnet after the processes that use it (devnet-guard still ends it if we die).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      GRIDMIND_DEVNET_PARENT_PID: String(process.pid),
      GRIDMIND_DEVNET_BLOCK_TIME_MS: String(blockTimeMs),
      GRIDMIND_DEVNET_BLOCK_GAS_LIMIT: params.blockGasLimit ? String(params.blockGasLimit) : '',
      HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
    },
  });

  // The node logs to stdout; keep only a tail for error messages (an unread pipe would block it).
  let outputTail = '';
  const keep = (chunk: Buffer) => {
    outputTail = (outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exited = child.exitCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  // Last resort when the parent exits without calling stop(): process 'exit' handlers must be sync.
  // anvil runs under a supervising node process: signal its whole group (detached: its own).
  const kill = (signal: NodeJS.Signals) => {
    if (anvil && child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal);
        return;
      } catch {}
    }
    child.kill(signal);
  };
  const killOnParentExit = () => {
    if (!exited) kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) kill('SIGKILL');
        }, KILL_GRACE_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnParentExit);
    })();
    return stopping;
  };

  const rpcUrl = `http://${host}:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  let lastError: unknown;
  for (;;) {
    if (exited) {
      await stop();
      if (/EADDRINUSE|address already in use/i.test(outputTail)) throw new PortInUseError(port, host);
      throw new DevnetError(`${name} exited with code ${child.exitCode} before answering:\n${outputTail}`);
    }
    try {
      const chainId = await rpcChainId(rpcUrl);
      // `hardhat node` turns per-call logging on whatever the config says (anvil: --quiet, and
      // the same call as an alias of anvil_setLoggingEnabled).
      await rpc(rpcUrl, anvil ? 'anvil_setLoggingEnabled' : 'hardhat_setLoggingEnabled', [false]);
      return { rpcUrl, port, chainId, stop };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DevnetTimeoutError(`${name} on ${rpcUrl} did not answer JSON-RPC within ${startTimeoutMs} ms:\n${outputTail}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * viem's HTTP transport for heavy devnet clients (simulator, keeper): JSON-RPC batches of up to
 * `batchSize` calls, no retries, no cap on response bodies (a large round's logs pass viem's 10 MiB
 * default), and bodies split by splitBatchFetch (anvil refuses requests of a few MB).
 */
export function devnetTransport(url: string, opts: { batchSize: number; timeoutMs: number }): HttpTransport {
  return http(url, {
    batch: { batchSize: opts.batchSize },
    retryCount: 0,
    timeout: opts.timeoutMs,
    maxResponseBodySize: false,
    fetchFn: splitBatchFetch,
  });
}
