// `npm run bench -- inference [--seconds=4] [--requests=40000] [--reps=3] [--concurrency=64] [--max-wait-ms=2]`
// (runs lib/bench/inference.js after the build). Throughput and latency of scoring over HTTP against the
// real service process (lib/inference/main.js): one-row requests without batching (max batch 1) against
// the dynamic batcher, at the same concurrency, on the CPU provider and on CUDA when it loads. Then a
// profile of where a request's time goes (HTTP alone, the service without HTTP, the worker hop and
// onnxruntime, JSON), and the model's FLOPs per row against onnxruntime's own bound on this machine.
// Writes bench/results/inference.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInferenceService, DEFAULT_MODEL_DIR, loadConfig, silentLogger } from '../inference';
import { countFlopsPerRow } from '../inference/model/flops';
import { readManifest, resolveEntry } from '../inference/registry/registry';
import { createModelSession, type ExecutionProviderName } from '../inference/session';

// ---------------------------------------------------------------------------------------------- options
function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
}
const SECONDS = flag('seconds', 4);
const REQUESTS = flag('requests', 40_000);
const REPS = Math.max(1, Math.round(flag('reps', 3)));
const CONCURRENCY = Math.max(1, Math.round(flag('concurrency', 64)));
/** The batcher's wait as the service is configured by default; the other wait is measured beside it. */
const DEFAULT_WAIT_MS = loadConfig({}).maxWaitMs;
const OTHER_WAIT_MS = DEFAULT_WAIT_MS === 0 ? 2 : 0;
const MAX_WAIT_MS = flag('max-wait-ms', DEFAULT_WAIT_MS);
const WARMUP_SECONDS = flag('warmup-seconds', 1);
const ROWS_PER_BIG_REQUEST = 64;

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'lib', 'inference', 'main.js');
/** The model the service serves by default: the newest provider-reputation of the registry. */
const SERVED = resolveEntry(DEFAULT_MODEL_DIR, 'provider-reputation', 'latest');
const MANIFEST = readManifest(SERVED);
const MODEL_FILE = path.join(SERVED.dir, 'model.onnx');
const MODEL_LABEL = `${MANIFEST.name}@${MANIFEST.version}`;
/** Each input's typical value and spread, from the manifest's normalisation. */
const FEATURES = MANIFEST.inputs.map((name) => ({
  name,
  mean: MANIFEST.normalisation[name]?.mean ?? 0,
  std: MANIFEST.normalisation[name]?.std ?? 1,
}));
const WIDTH = FEATURES.length;

// ------------------------------------------------------------------------------------------ input rows
// Seeded, so every run scores the same rows.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(7);
const randomRow = () => FEATURES.map((f) => Number((f.mean + (rand() * 4 - 2) * f.std).toFixed(4)));
/** Pre-encoded bodies, so the load generator spends its (shared) CPU on sending, not on JSON. */
const ONE_ROW_BODIES = Array.from({ length: 1024 }, () => Buffer.from(JSON.stringify({ rows: [randomRow()] })));
const BIG_BODIES = Array.from({ length: 64 }, () =>
  Buffer.from(JSON.stringify({ rows: Array.from({ length: ROWS_PER_BIG_REQUEST }, randomRow) })),
);

// ------------------------------------------------------------------------------------------ statistics
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

interface Measurement {
  requestsPerSec: number;
  rowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// --------------------------------------------------------------------------------------- load generator
/**
 * Closed loop: `concurrency` clients, each sending its next request when the last is answered, over a
 * keep-alive agent (one socket per client: no connection set-up inside the measurement). Stops after
 * `requests` requests or `seconds`, whichever comes first; prints progress with an ETA every second.
 */
async function drive(
  label: string,
  send: (i: number) => Promise<void>,
  opts: { concurrency: number; requests: number; seconds: number; rowsPerRequest: number; quiet?: boolean },
): Promise<Measurement> {
  const latencies = new Float64Array(opts.requests);
  let issued = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + opts.seconds * 1000;
  const progress = opts.quiet
    ? null
    : setInterval(() => {
        const elapsed = (performance.now() - start) / 1000;
        const rate = done / elapsed;
        const eta = Math.min(Math.max(0, (opts.requests - done) / Math.max(rate, 1)), Math.max(0, opts.seconds - elapsed));
        log(`  ${label}: ${fmt(done)} requests, ${fmt(rate)} req/s, ETA ${eta.toFixed(1)} s`);
      }, 1000);
  async function client(): Promise<void> {
    while (issued < opts.requests && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      try {
        await send(i);
        latencies[done++] = performance.now() - t0;
      } catch {
        errors += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  const seconds = (performance.now() - start) / 1000;
  if (progress) clearInterval(progress);
  const sorted = latencies.subarray(0, done).sort();
  return {
    requestsPerSec: done / seconds,
    rowsPerSec: (done * opts.rowsPerRequest) / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    requests: done,
    errors,
  };
}

/**
 * The load generator's HTTP/1.1 client: one keep-alive TCP socket per client, each request written as
 * pre-encoded bytes (request line, headers and body in one write), the answer read by its
 * content-length without an HTTP parser. node:http's client costs about as much CPU per request as the
 * server does, and on a small machine the two share the cores: measured with it, the service looked
 * twice as slow as it is. Only 200 answers count; anything else rejects.
 */
function httpPoster(url: string, concurrency: number): { post(body: Buffer): Promise<void>; close(): void } {
  const { hostname, port } = new URL(url);
  const head = (len: number) =>
    Buffer.from(`POST /score HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${len}\r\n\r\n`);
  const encoded = new Map<Buffer, Buffer>();
  const encode = (body: Buffer) => {
    let b = encoded.get(body);
    if (!b) {
      b = Buffer.concat([head(body.length), body]);
      encoded.set(body, b);
    }
    return b;
  };
  interface Conn {
    socket: net.Socket;
    buf: Buffer;
    waiting: { resolve(): void; reject(e: Error): void } | null;
  }
  const idle: Conn[] = [];
  const all: Conn[] = [];
  const connect = (): Conn => {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
    const conn: Conn = { socket, buf: Buffer.alloc(0), waiting: null };
    socket.on('data', (chunk: Buffer) => {
      conn.buf = conn.buf.length === 0 ? chunk : Buffer.concat([conn.buf, chunk]);
      for (;;) {
        const end = conn.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headText = conn.buf.toString('latin1', 0, end);
        const m = /content-length: *(\d+)/i.exec(headText);
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (conn.buf.length < total) return;
        const ok = headText.startsWith('HTTP/1.1 200');
        conn.buf = conn.buf.subarray(total);
        const w = conn.waiting;
        conn.waiting = null;
        idle.push(conn);
        if (w) ok ? w.resolve() : w.reject(new Error(headText.split('\r\n')[0]));
      }
    });
    const fail = (err: Error) => {
      const w = conn.waiting;
      conn.waiting = null;
      w?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    all.push(conn);
    return conn;
  };
  return {
    post: (body) =>
      new Promise<void>((resolve, reject) => {
        const conn = idle.pop() ?? (all.length < concurrency ? connect() : null);
        if (!conn) return reject(new Error('more requests in flight than connections'));
        conn.waiting = { resolve, reject };
        conn.socket.write(encode(body));
      }),
    close: () => {
      for (const c of all) c.socket.destroy();
    },
  };
}

async function check(url: string, body: Buffer, rows: number): Promise<void> {
  const res = await fetch(`${url}/score`, { method: 'POST', body });
  const json = (await res.json()) as { results?: { score: number }[] };
  if (res.status !== 200 || json.results?.length !== rows || !json.results.every((r) => r.score > 0 && r.score < 1)) {
    throw new Error(`the service answered ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  }
}

// ------------------------------------------------------------------------------------- service process
interface Served {
  url: string;
  provider: string;
  stop(): Promise<void>;
}

function startService(env: Record<string, string>): Promise<Served> {
  return startProcess(MAIN, [], { INFERENCE_PORT: '0', ...env }, /ready at (http:\/\/\S+) \(model \S+, (\w+)\)/);
}

function startProcess(script: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m)
        resolve({
          url: m[1] as string,
          provider: m[2] ?? 'none',
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready: ${err.trim() || out.trim()}`)));
  });
}

/** What the service answers to a one-row request (the echo server answers the same bytes). */
const ONE_ROW_REPLY = JSON.stringify({
  model: { name: MANIFEST.name, version: MANIFEST.version },
  executionProvider: 'cpu',
  results: [{ score: 0.5, features: Object.fromEntries(FEATURES.map((f) => [f.name, f.mean])) }],
});

/** A node:http server that reads the body and answers a fixed JSON of the same size: HTTP's own cost. */
const ECHO_SERVER = `
const http = require('node:http');
const reply = process.env.ECHO_REPLY;
const srv = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { JSON.parse(Buffer.concat(chunks).toString()); res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) }); res.end(reply); });
});
srv.listen(0, '127.0.0.1', () => console.log('ready at http://127.0.0.1:' + srv.address().port + ' (model echo, none)'));
process.on('SIGTERM', () => process.exit(0));
`;

// ------------------------------------------------------------------------------------------------ runs
interface ModeResult extends Measurement {
  mode: string;
  reps: Measurement[];
}

let step = 0;
let steps = 0;

async function measureHttp(
  label: string,
  url: string,
  bodies: Buffer[],
  rowsPerRequest: number,
  concurrency = CONCURRENCY,
): Promise<ModeResult> {
  await check(url, bodies[0] as Buffer, rowsPerRequest);
  const client = httpPoster(url, concurrency);
  const send = (i: number) => client.post(bodies[i % bodies.length] as Buffer);
  try {
    step += 1;
    log(`[${step}/${steps}] ${label}: warm-up ${WARMUP_SECONDS} s`);
    await drive(label, send, { concurrency, requests: 1e9, seconds: WARMUP_SECONDS, rowsPerRequest, quiet: true });
    const reps: Measurement[] = [];
    for (let r = 1; r <= REPS; r++) {
      const m = await drive(`${label} rep ${r}/${REPS}`, send, { concurrency, requests: REQUESTS, seconds: SECONDS, rowsPerRequest });
      log(
        `  ${label} rep ${r}/${REPS}: ${fmt(m.rowsPerSec)} rows/s, ${fmt(m.requestsPerSec)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms` +
          (m.errors ? `, ${m.errors} errors` : ''),
      );
      reps.push(m);
    }
    return summarise(label, reps);
  } finally {
    client.close();
  }
}

function summarise(mode: string, reps: Measurement[]): ModeResult {
  const pick = (k: keyof Measurement) => median(reps.map((m) => m[k]));
  return {
    mode,
    reps,
    requestsPerSec: pick('requestsPerSec'),
    rowsPerSec: pick('rowsPerSec'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
    requests: pick('requests'),
    errors: pick('errors'),
  };
}

interface ProviderResult {
  provider: string;
  single: ModeResult;
  batched: ModeResult;
  /** The same one-row traffic with the other batch wait (0 ms: end of the event-loop turn). */
  batchedOtherWait: ModeResult;
  batchedMultiRow: ModeResult;
}

const MODES_PER_PROVIDER = 4;

async function benchProvider(provider: ExecutionProviderName): Promise<ProviderResult | null> {
  const env = { INFERENCE_PROVIDERS: provider === 'cpu' ? 'cpu' : `${provider},cpu`, INFERENCE_MAX_WAIT_MS: String(MAX_WAIT_MS) };
  const label = (wait: number) => `${provider} one row per request, batcher (max 256, wait ${wait} ms)`;
  const single = await startService({ ...env, INFERENCE_MAX_BATCH: '1' });
  if (single.provider !== provider) {
    await single.stop();
    log(`${provider}: not available on this machine (the service fell back to ${single.provider}); skipped`);
    steps -= MODES_PER_PROVIDER;
    return null;
  }
  let singleResult: ModeResult;
  try {
    singleResult = await measureHttp(`${provider} one row per request, max batch 1`, single.url, ONE_ROW_BODIES, 1);
  } finally {
    await single.stop();
  }
  const other = await startService({ ...env, INFERENCE_MAX_BATCH: '256', INFERENCE_MAX_WAIT_MS: String(OTHER_WAIT_MS) });
  let otherResult: ModeResult;
  try {
    otherResult = await measureHttp(label(OTHER_WAIT_MS), other.url, ONE_ROW_BODIES, 1);
  } finally {
    await other.stop();
  }
  const batched = await startService({ ...env, INFERENCE_MAX_BATCH: '256' });
  try {
    const batchedResult = await measureHttp(label(MAX_WAIT_MS), batched.url, ONE_ROW_BODIES, 1);
    const multi = await measureHttp(
      `${provider} ${ROWS_PER_BIG_REQUEST} rows per request, batcher`,
      batched.url,
      BIG_BODIES,
      ROWS_PER_BIG_REQUEST,
    );
    return { provider, single: singleResult, batched: batchedResult, batchedOtherWait: otherResult, batchedMultiRow: multi };
  } finally {
    await batched.stop();
  }
}

// ---------------------------------------------------------------------------------------------- profile
interface Profile {
  httpEchoOneRow: ModeResult;
  inProcessSingle: Measurement;
  inProcessBatched: Measurement;
  workerRunUsPerCall: { rows: number; usPerRun: number; rowsPerSec: number }[];
  jsonUsPerRequest: number;
}

async function profile(): Promise<Profile> {
  step += 1;
  log(`[${step}/${steps}] profile: HTTP alone (a node:http server that parses the body and answers a fixed reply)`);
  const echo = await startProcess('-e', [ECHO_SERVER], { ECHO_REPLY: ONE_ROW_REPLY }, /ready at (http:\/\/\S+) \(model \S+, (\w+)\)/);
  let httpEchoOneRow: ModeResult;
  try {
    const client = httpPoster(echo.url, CONCURRENCY);
    const send = (i: number) => client.post(ONE_ROW_BODIES[i % ONE_ROW_BODIES.length] as Buffer);
    await drive('echo', send, { concurrency: CONCURRENCY, requests: 1e9, seconds: WARMUP_SECONDS, rowsPerRequest: 1, quiet: true });
    const reps: Measurement[] = [];
    for (let r = 1; r <= REPS; r++) {
      reps.push(
        await drive(`echo rep ${r}/${REPS}`, send, { concurrency: CONCURRENCY, requests: REQUESTS, seconds: SECONDS, rowsPerRequest: 1 }),
      );
    }
    client.close();
    httpEchoOneRow = summarise('HTTP echo', reps);
  } finally {
    await echo.stop();
  }

  step += 1;
  log(`[${step}/${steps}] profile: the service in-process (no HTTP), one-row requests at concurrency ${CONCURRENCY}`);
  const inProcess = async (maxBatch: number) => {
    const svc = await createInferenceService({ logger: silentLogger, maxBatch, maxWaitMs: MAX_WAIT_MS });
    try {
      const bodies = ONE_ROW_BODIES.map((b) => JSON.parse(b.toString()));
      const send = async (i: number) => {
        await svc.score(bodies[i % bodies.length]);
      };
      await drive('in-process', send, { concurrency: CONCURRENCY, requests: 1e9, seconds: WARMUP_SECONDS, rowsPerRequest: 1, quiet: true });
      const reps: Measurement[] = [];
      for (let r = 0; r < REPS; r++) {
        reps.push(
          await drive('in-process', send, {
            concurrency: CONCURRENCY,
            requests: REQUESTS,
            seconds: SECONDS / 2,
            rowsPerRequest: 1,
            quiet: true,
          }),
        );
      }
      return summarise('in-process', reps);
    } finally {
      await svc.close();
    }
  };
  const inProcessSingle = await inProcess(1);
  const inProcessBatched = await inProcess(256);

  step += 1;
  log(`[${step}/${steps}] profile: one session's run through its worker (message hop + onnxruntime), sequential`);
  const session = await createModelSession(readFileSync(MODEL_FILE), ['cpu'], silentLogger);
  const workerRunUsPerCall: Profile['workerRunUsPerCall'] = [];
  try {
    for (const rows of [1, 64, 256, 65_536]) {
      const input = new Float32Array(rows * WIDTH).map((_, i) => (FEATURES[i % WIDTH] as { mean: number }).mean);
      const calls = Math.max(5, Math.min(3000, Math.round(2e6 / rows)));
      for (let i = 0; i < Math.min(calls, 200); i++) await session.run('features', 'score', input.slice(), rows, WIDTH);
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await session.run('features', 'score', input.slice(), rows, WIDTH);
      const us = ((performance.now() - t0) * 1000) / calls;
      workerRunUsPerCall.push({ rows, usPerRun: us, rowsPerSec: (rows * 1e6) / us });
    }
  } finally {
    await session.release();
  }

  // JSON work the service does per one-row request: parse the body, stringify the answer.
  const obj = JSON.parse(ONE_ROW_REPLY);
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    JSON.parse((ONE_ROW_BODIES[i % ONE_ROW_BODIES.length] as Buffer).toString());
    JSON.stringify(obj);
  }
  const jsonUsPerRequest = ((performance.now() - t0) * 1000) / n;
  return { httpEchoOneRow, inProcessSingle, inProcessBatched, workerRunUsPerCall, jsonUsPerRequest };
}

// ------------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const flops = countFlopsPerRow(readFileSync(MODEL_FILE));
  const cpus = os.cpus();
  log(`inference benchmark: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, node ${process.version}, concurrency ${CONCURRENCY}`);
  log(
    `  ${REPS} repetitions of up to ${fmt(REQUESTS)} requests or ${SECONDS} s each, after ${WARMUP_SECONDS} s of warm-up; medians reported`,
  );
  log(
    `  model ${MODEL_LABEL} (the service's default): ${flops.perRow} FLOPs per row (${flops.nodes.map((n) => `${n.op} ${n.flops}`).join(', ')})`,
  );
  const providers: ExecutionProviderName[] = ['cpu', 'cuda'];
  steps = providers.length * MODES_PER_PROVIDER + 3;
  const load = os.loadavg();

  const results: ProviderResult[] = [];
  for (const p of providers) {
    const r = await benchProvider(p);
    if (r) results.push(r);
  }
  const prof = await profile();

  // ------------------------------------------------------------------------------------------- report
  log('');
  log('| provider | mode | rows/s | requests/s | p50 ms | p99 ms |');
  log('|---|---|---:|---:|---:|---:|');
  const row = (p: string, m: ModeResult | Measurement, mode: string) =>
    log(`| ${p} | ${mode} | ${fmt(m.rowsPerSec)} | ${fmt(m.requestsPerSec)} | ${m.p50Ms.toFixed(2)} | ${m.p99Ms.toFixed(2)} |`);
  for (const r of results) {
    row(r.provider, r.single, 'HTTP, 1 row/request, max batch 1');
    row(r.provider, r.batched, `HTTP, 1 row/request, batcher (max 256, wait ${MAX_WAIT_MS} ms)`);
    row(r.provider, r.batchedOtherWait, `HTTP, 1 row/request, batcher (max 256, wait ${OTHER_WAIT_MS} ms)`);
    row(r.provider, r.batchedMultiRow, `HTTP, ${ROWS_PER_BIG_REQUEST} rows/request, batcher`);
  }
  row('-', prof.httpEchoOneRow, 'HTTP echo server, no model (HTTP ceiling)');
  row('cpu', prof.inProcessSingle, 'in-process score(), 1 row, max batch 1');
  row('cpu', prof.inProcessBatched, 'in-process score(), 1 row, batcher');
  log('');
  log('worker hop + onnxruntime, one run at a time (cpu):');
  for (const w of prof.workerRunUsPerCall) {
    log(
      `  ${fmt(w.rows).padStart(6)} rows/run: ${w.usPerRun.toFixed(1).padStart(9)} µs/run, ${fmt(w.rowsPerSec).padStart(12)} rows/s, ` +
        `${((w.rowsPerSec * flops.perRow) / 1e9).toFixed(3)} GFLOP/s`,
    );
  }
  log(`JSON per one-row request (parse body + stringify answer): ${prof.jsonUsPerRequest.toFixed(2)} µs`);
  log('');
  for (const r of results) {
    const ratio = r.batched.rowsPerSec / r.single.rowsPerSec;
    const multiRatio = r.batchedMultiRow.rowsPerSec / r.single.rowsPerSec;
    log(
      `${r.provider}: batcher / one-row-no-batching throughput, one row per request: ${ratio.toFixed(2)}x (goal 20x: ${ratio >= 20 ? 'met' : 'not met'})`,
    );
    log(`${r.provider}: batcher with ${ROWS_PER_BIG_REQUEST}-row requests / one-row-no-batching: ${multiRatio.toFixed(1)}x`);
    log(`${r.provider}: batched p99 ${r.batched.p99Ms.toFixed(2)} ms (goal < 20 ms: ${r.batched.p99Ms < 20 ? 'met' : 'not met'})`);
    log(
      `${r.provider}: one-row requests through the batcher reach ${((100 * r.batched.requestsPerSec) / prof.httpEchoOneRow.requestsPerSec).toFixed(0)}% of the HTTP echo ceiling`,
    );
  }
  const bound = prof.workerRunUsPerCall.at(-1) as { rowsPerSec: number };
  log(
    `onnxruntime bound (65,536-row runs): ${fmt(bound.rowsPerSec)} rows/s = ${((bound.rowsPerSec * flops.perRow) / 1e9).toFixed(2)} GFLOP/s`,
  );
  const loadEnd = os.loadavg();
  // The load generator, the service and anything else on the machine share its cores: say how busy it was.
  log(`load average (1 min) at start ${load[0]?.toFixed(2)}, at end ${loadEnd[0]?.toFixed(2)}, on ${cpus.length} CPUs`);

  const cpu = results.find((r) => r.provider === 'cpu') as ProviderResult;
  const entry = (r: ProviderResult) => ({
    provider: r.provider,
    concurrency: CONCURRENCY,
    singleRowsPerSec: Math.round(r.single.rowsPerSec),
    batchedRowsPerSec: Math.round(r.batched.rowsPerSec),
    batchedP50Ms: Number(r.batched.p50Ms.toFixed(3)),
    batchedP99Ms: Number(r.batched.p99Ms.toFixed(3)),
    flopsPerRow: flops.perRow,
  });
  const out = {
    ...entry(cpu),
    // Beyond the agreed fields: the other providers, the multi-row mode and the profile.
    byProvider: Object.fromEntries(results.map((r) => [r.provider, entry(r)])),
    details: {
      machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version, loadAverage1m: [load[0], loadEnd[0]] },
      maxWaitMs: MAX_WAIT_MS,
      otherWaitMs: OTHER_WAIT_MS,
      results,
      profile: prof,
    },
  };
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'inference.json'), `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), path.join(dir, 'inference.json')) || 'bench/results/inference.json'}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
