// Child processes of the benchmark and their memory: the peak resident set of a process and all
// its descendants (our indexer is a supervisor plus a worker; Ponder may start helpers), sampled
// from /proc, since a child's peak is not visible to its parent otherwise.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';

export interface Child {
  child: ChildProcess;
  /** The last lines it printed (stdout and stderr), for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export function startChild(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; echo?: (line: string) => void },
): Child {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    const s = b.toString();
    out = (out + s).slice(-8000);
    if (opts.echo) for (const l of s.split('\n')) if (l.trim()) opts.echo(l);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    child,
    tail: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

function children(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const c = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return [];
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface RssSampler {
  /** Peak of the whole tree's RSS, MB. */
  peakTreeMb(): number;
  /** Peak RSS of each process seen (by pid), MB. */
  peakByPid(): Map<number, number>;
  stop(): void;
}

export function sampleRss(root: number, everyMs = 100): RssSampler {
  let peakTree = 0;
  const peaks = new Map<number, number>();
  const tick = () => {
    const stack = [root];
    let total = 0;
    while (stack.length) {
      const pid = stack.pop()!;
      const kb = rssKb(pid);
      total += kb;
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, kb));
      stack.push(...children(pid));
    }
    peakTree = Math.max(peakTree, total);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    peakTreeMb: () => peakTree / 1024,
    peakByPid: () => new Map([...peaks].map(([p, kb]) => [p, kb / 1024])),
    stop: () => clearInterval(timer),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Load average and cores, to print next to the figures: these machines are shared. */
export function machineLoad(): string {
  const [l1, l5] = fs.readFileSync('/proc/loadavg', 'utf8').split(' ');
  return `load ${l1}/${l5} (1/5 min) on ${os.cpus().length} cores`;
}
