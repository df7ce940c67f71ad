/**
 * The local devnet: Hardhat 2's JSON-RPC node (EDR) on 127.0.0.1, run as a child process that
 * never outlives its parent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
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
}

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
 * Starts a Hardhat node and resolves once its JSON-RPC answers.
 * @example
 * const devnet = await startDevnet({ port: 0 });
 * try { ... devnet.rpcUrl ... } finally { await devnet.stop(); }
 */
export async function startDevnet(params: StartDevnetParameters = {}): Promise<Devnet> {
  const host = params.host ?? '127.0.0.1';
  const blockTimeMs = params.blockTimeMs ?? 0;
  const startTimeoutMs = params.startTimeoutMs ?? 30_000;
  if (!Number.isInteger(blockTimeMs) || blockTimeMs < 0)
    throw new DevnetError(`blockTimeMs must be a non-negative integer, got ${blockTimeMs}`);
  // A taken port would make hardhat print an error and exit; checking first gives a clear error
  // at once. Port 0 binds an ephemeral port that we then hand to hardhat.
  const port = await probePort(host, params.port ?? 0);

  const root = findPackageRoot(__dirname);
  const hardhatCli = require.resolve('hardhat/internal/cli/bootstrap.js', { paths: [root] });
  const config = path.join(root, 'chain', 'hardhat.config.js');
  const guard = path.join(root, 'chain', 'devnet-guard.js');
  const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(guard)}`].filter(Boolean).join(' ');

  // process.execPath + the CLI script rather than npx or the .bin shim: the PID we hold is then the
  // node itself, so killing it leaves nothing behind.
  const child: ChildProcess = spawn(
    process.execPath,
    [hardhatCli, 'node', '--hostname', host, '--port', String(port), '--config', config],
    {
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
    },
  );

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
  const killOnParentExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
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
      throw new DevnetError(`hardhat node exited with code ${child.exitCode} before answering:\n${outputTail}`);
    }
    try {
      const chainId = await rpcChainId(rpcUrl);
      // `hardhat node` turns per-call logging on whatever the config says.
      await rpc(rpcUrl, 'hardhat_setLoggingEnabled', [false]);
      return { rpcUrl, port, chainId, stop };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DevnetTimeoutError(`hardhat node on ${rpcUrl} did not answer JSON-RPC within ${startTimeoutMs} ms:\n${outputTail}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
