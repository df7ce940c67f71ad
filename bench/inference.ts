// `npm run bench -- inference [--seconds=4] [--requests=40000] [--reps=3] [--concurrency=64] [--max-wait-ms=0]`
// (runs lib/bench/inference.js after the build). Throughput and latency of scoring over HTTP against the
// real service process (lib/inference/main.js): one-row requests without batching (max batch 1) against
// the dynamic batcher, at the same concurrency, on the CPU provider and on CUDA when it loads, beside
// the HTTP bound (the service's own HTTP handler, validation and answer with the model skipped: the
// most any one-row-per-request scoring reaches over HTTP here) and a bare node:http server, all
// interleaved repetition by repetition. Then the batcher's own effect without HTTP
// (64 in-process callers, one row each, through the service's batcher vs one session.run each), a
// profile (the service's score() in-process, the worker hop and onnxruntime, JSON), and
// the model's FLOPs per row against onnxruntime's own bound on this machine.
// Writes bench/results/inference.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBatcher, createInferenceService, DEFAULT_MODEL_DIR, loadConfig, silentLogger } from '../inference';
import { createHttpHandler } from '../inference/http';
import { createMetrics } from '../inference/metrics';
import { countFlopsPerRow } from '../inference/model/flops';
import { readManifest, resolveEntry } from '../inference/registry/registry';
import { parseScoreRequest } from '../inference/score-request';
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
    socket.on('close', () => {
      // A server drops keep-alive sockets idle past its timeout (node:http: 5 s) while other modes run:
      // forget the socket, so the next request connects anew instead of writing into a closed one.
      for (const list of [idle, all]) {
        const i = list.indexOf(conn);
        if (i >= 0) list.splice(i, 1);
      }
      fail(new Error('connection closed'));
    });
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

/** Flag that makes this script the bound server (in a child process) instead of the benchmark. */
const SERVE_WITHOUT_MODEL = '--serve-without-model';

/**
 * The HTTP bound: the service's own request path (node:http, its handler with routing, body reading,
 * JSON.parse, metrics and error mapping, parseScoreRequest, the answer built as scoreOn builds it)
 * with the batcher, worker and onnxruntime replaced by a constant score. Everything but the model, so
 * its requests/s is the most one-row-per-request scoring can reach over HTTP on this machine.
 */
function serveWithoutModel(): void {
  const metrics = createMetrics();
  const ctx = { defaultModel: MANIFEST.name, models: new Map([[MANIFEST.name, { inputs: MANIFEST.inputs }]]), maxRows: 10_000 };
  const score = async (body: unknown) => {
    const req = parseScoreRequest(body, ctx);
    if (req.kind !== 'rows') throw new Error('the bound server scores rows only');
    // Mirrors service.ts scoreOn for rows, with 0.5 where the batcher's score would be.
    const results = req.rows.map((row) => ({
      score: 0.5,
      features: Object.fromEntries(MANIFEST.inputs.map((name, c) => [name, row[c] as number])),
    }));
    metrics.rowsScored(MANIFEST.name, results.length);
    return { model: { name: MANIFEST.name, version: MANIFEST.version }, executionProvider: 'cpu', results };
  };
  const handler = createHttpHandler({
    score,
    health: () => ({ status: 'ok' }),
    reload: () => Promise.reject(new Error('no reload here')),
    adminToken: undefined,
    metrics,
    logger: silentLogger,
  });
  const srv = http.createServer(handler);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as net.AddressInfo;
    log(`ready at http://127.0.0.1:${port} (model ${MODEL_LABEL}, none)`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

// ------------------------------------------------------------------------------------------------ runs
interface ModeResult extends Measurement {
  mode: string;
  reps: Measurement[];
}

let step = 0;
let steps = 0;

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

interface HttpMode {
  label: string;
  url: string;
  bodies: Buffer[];
  rowsPerRequest: number;
}

/**
 * Every HTTP mode against servers that are all up at once, interleaved: each repetition drives every
 * mode in turn. Others' work on this shared machine comes and goes within minutes; measured one after
 * the other, a mode could beat the bound measured later. Interleaved, each median sees the same load.
 */
async function measureHttpInterleaved(modes: HttpMode[]): Promise<Map<HttpMode, ModeResult>> {
  const clients = new Map(modes.map((m) => [m, httpPoster(m.url, CONCURRENCY)]));
  const sender = (m: HttpMode) => {
    const client = clients.get(m) as ReturnType<typeof httpPoster>;
    return (i: number) => client.post(m.bodies[i % m.bodies.length] as Buffer);
  };
  const reps = new Map<HttpMode, Measurement[]>(modes.map((m) => [m, []]));
  try {
    step += 1;
    log(`[${step}/${steps}] HTTP: check and warm up each of ${modes.length} modes (${WARMUP_SECONDS} s each)`);
    for (const m of modes) {
      await check(m.url, m.bodies[0] as Buffer, m.rowsPerRequest);
      const opts = { concurrency: CONCURRENCY, requests: 1e9, seconds: WARMUP_SECONDS, rowsPerRequest: m.rowsPerRequest, quiet: true };
      await drive(m.label, sender(m), opts);
    }
    for (let r = 1; r <= REPS; r++) {
      step += 1;
      log(`[${step}/${steps}] HTTP repetition ${r}/${REPS}: every mode in turn`);
      for (const m of modes) {
        const label = `${m.label} rep ${r}/${REPS}`;
        const opts = { concurrency: CONCURRENCY, requests: REQUESTS, seconds: SECONDS, rowsPerRequest: m.rowsPerRequest };
        // Untimed, so that sockets the server closed while idle are re-opened outside the measurement.
        await drive(m.label, sender(m), { ...opts, requests: 1e9, seconds: Math.min(WARMUP_SECONDS, 0.5), quiet: true });
        const x = await drive(label, sender(m), opts);
        log(
          `  ${label}: ${fmt(x.rowsPerSec)} rows/s, ${fmt(x.requestsPerSec)} req/s, p50 ${x.p50Ms.toFixed(2)} ms, p99 ${x.p99Ms.toFixed(2)} ms` +
            (x.errors ? `, ${x.errors} errors` : ''),
        );
        reps.get(m)?.push(x);
      }
    }
  } finally {
    for (const c of clients.values()) c.close();
  }
  return new Map(modes.map((m) => [m, summarise(m.label, reps.get(m) as Measurement[])]));
}

interface ProviderResult {
  provider: string;
  single: ModeResult;
  batched: ModeResult;
  /** The same one-row traffic with the other batch wait (0 ms: end of the event-loop turn). */
  batchedOtherWait: ModeResult;
  batchedMultiRow: ModeResult;
}

type ProviderModes = { [K in Exclude<keyof ProviderResult, 'provider'>]: HttpMode };

/** Starts the provider's three service processes; null (nothing left running) when it is not available. */
async function startProvider(provider: ExecutionProviderName, servers: Served[]): Promise<ProviderModes | null> {
  const env = { INFERENCE_PROVIDERS: provider === 'cpu' ? 'cpu' : `${provider},cpu`, INFERENCE_MAX_WAIT_MS: String(MAX_WAIT_MS) };
  const label = (wait: number) => `${provider} one row per request, batcher (max 256, wait ${wait} ms)`;
  const single = await startService({ ...env, INFERENCE_MAX_BATCH: '1' });
  if (single.provider !== provider) {
    await single.stop();
    log(`${provider}: not available on this machine (the service fell back to ${single.provider}); skipped`);
    return null;
  }
  servers.push(single);
  const other = await startService({ ...env, INFERENCE_MAX_BATCH: '256', INFERENCE_MAX_WAIT_MS: String(OTHER_WAIT_MS) });
  servers.push(other);
  const batched = await startService({ ...env, INFERENCE_MAX_BATCH: '256' });
  servers.push(batched);
  const one = (l: string, url: string): HttpMode => ({ label: l, url, bodies: ONE_ROW_BODIES, rowsPerRequest: 1 });
  return {
    single: one(`${provider} one row per request, max batch 1`, single.url),
    batched: one(label(MAX_WAIT_MS), batched.url),
    batchedOtherWait: one(label(OTHER_WAIT_MS), other.url),
    batchedMultiRow: {
      label: `${provider} ${ROWS_PER_BIG_REQUEST} rows per request, batcher`,
      url: batched.url,
      bodies: BIG_BODIES,
      rowsPerRequest: ROWS_PER_BIG_REQUEST,
    },
  };
}

// ------------------------------------------------------------------------------------------ HTTP bound
interface HttpBound {
  /** The service's HTTP path with the model skipped (serveWithoutModel): the bound for one row per request. */
  withoutModel: ModeResult;
  /** A bare node:http server that parses the body and answers the same bytes: node:http's own ceiling. */
  bare: ModeResult;
}

/** The service processes of every available provider and the two bound servers, measured interleaved. */
async function benchHttp(providers: ExecutionProviderName[]): Promise<{ results: ProviderResult[]; bound: HttpBound }> {
  const servers: Served[] = [];
  try {
    const started: { provider: ExecutionProviderName; modes: ProviderModes }[] = [];
    for (const p of providers) {
      const modes = await startProvider(p, servers);
      if (modes) started.push({ provider: p, modes });
    }
    const ready = /ready at (http:\/\/\S+) \(model \S+, (\w+)\)/;
    const noModel = await startProcess(__filename, [SERVE_WITHOUT_MODEL], {}, ready);
    servers.push(noModel);
    const echo = await startProcess('-e', [ECHO_SERVER], { ECHO_REPLY: ONE_ROW_REPLY }, ready);
    servers.push(echo);
    const boundMode: HttpMode = {
      label: 'HTTP bound: the service route, model skipped',
      url: noModel.url,
      bodies: ONE_ROW_BODIES,
      rowsPerRequest: 1,
    };
    const bareMode: HttpMode = { label: 'bare node:http echo, no model', url: echo.url, bodies: ONE_ROW_BODIES, rowsPerRequest: 1 };
    const measured = await measureHttpInterleaved([...started.flatMap((s) => Object.values(s.modes)), boundMode, bareMode]);
    const get = (m: HttpMode) => measured.get(m) as ModeResult;
    return {
      results: started.map(({ provider, modes }) => ({
        provider,
        single: get(modes.single),
        batched: get(modes.batched),
        batchedOtherWait: get(modes.batchedOtherWait),
        batchedMultiRow: get(modes.batchedMultiRow),
      })),
      bound: { withoutModel: get(boundMode), bare: get(bareMode) },
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

// ------------------------------------------------------------------------------------ batcher in-process
interface InProcess {
  /** Each caller awaits one session.run of its one row: no batching (runs queue in the worker back to back). */
  single: ModeResult;
  /** Each caller through a batcher of max batch 1: one run at a time, as the service runs with batching off. */
  maxBatch1: ModeResult;
  /** Each caller awaits batcher.submit of its one row: the service's batcher (max 256) at its default wait. */
  batched: ModeResult;
  /** The same with the other wait. */
  batchedOtherWait: ModeResult;
}

/**
 * The batcher's own effect, without HTTP: CONCURRENCY callers in this process, each scoring one row at a
 * time, on one session of the served model (its worker, one intra-op thread: as the service makes it),
 * directly or through createBatcher as service.ts wires it.
 */
async function batcherInProcess(): Promise<InProcess> {
  const session = await createModelSession(readFileSync(MODEL_FILE), ['cpu'], silentLogger);
  const rows = ONE_ROW_BODIES.map((b) => Float32Array.from((JSON.parse(b.toString()) as { rows: number[][] }).rows[0] as number[]));
  const run = (r: Float32Array, n: number) => session.run(MANIFEST.inputTensor, MANIFEST.output.name, r, n, WIDTH);
  // Rows are fast here: enough requests to fill the time, and half the HTTP time per repetition.
  const opts = { concurrency: CONCURRENCY, requests: 2_000_000, seconds: SECONDS / 2, rowsPerRequest: 1 };
  const measure = async (label: string, send: (i: number) => Promise<unknown>): Promise<ModeResult> => {
    step += 1;
    log(`[${step}/${steps}] ${label}: warm-up ${WARMUP_SECONDS} s`);
    const go = async (i: number) => {
      await send(i);
    };
    await drive(label, go, { ...opts, seconds: WARMUP_SECONDS, quiet: true });
    const reps: Measurement[] = [];
    for (let r = 1; r <= REPS; r++) {
      const m = await drive(`${label} rep ${r}/${REPS}`, go, opts);
      log(`  ${label} rep ${r}/${REPS}: ${fmt(m.rowsPerSec)} rows/s, p50 ${m.p50Ms.toFixed(3)} ms, p99 ${m.p99Ms.toFixed(3)} ms`);
      reps.push(m);
    }
    return summarise(label, reps);
  };
  const viaBatcher = async (wait: number, maxBatch = 256) => {
    const batcher = createBatcher({ width: WIDTH, maxBatch, maxWaitMs: wait, run });
    try {
      return await measure(`in-process, 1 row per call, batcher (max ${maxBatch}, wait ${wait} ms)`, (i) =>
        batcher.submit(rows[i % rows.length] as Float32Array, 1),
      );
    } finally {
      await batcher.close();
    }
  };
  try {
    const single = await measure('in-process, 1 row per call, one session.run each', (i) => run(rows[i % rows.length] as Float32Array, 1));
    const maxBatch1 = await viaBatcher(MAX_WAIT_MS, 1);
    const batched = await viaBatcher(MAX_WAIT_MS);
    const batchedOtherWait = await viaBatcher(OTHER_WAIT_MS);
    return { single, maxBatch1, batched, batchedOtherWait };
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------- profile
interface Profile {
  inProcessSingle: Measurement;
  inProcessBatched: Measurement;
  workerRunUsPerCall: { rows: number; usPerRun: number; rowsPerSec: number }[];
  jsonUsPerRequest: number;
}

async function profile(): Promise<Profile> {
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
  return { inProcessSingle, inProcessBatched, workerRunUsPerCall, jsonUsPerRequest };
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
  // HTTP: the warm-up and one step per repetition; then the batcher in-process (4) and the profile (2).
  steps = 1 + REPS + 4 + 2;
  const load = os.loadavg();

  const { results, bound } = await benchHttp(providers);
  const inProc = await batcherInProcess();
  const prof = await profile();

  // ------------------------------------------------------------------------------------------- report
  log('');
  log('| provider | mode | rows/s | requests/s | p50 ms | p99 ms |');
  log('|---|---|---:|---:|---:|---:|');
  const row = (p: string, m: ModeResult | Measurement, mode: string) =>
    log(`| ${p} | ${mode} | ${fmt(m.rowsPerSec)} | ${fmt(m.requestsPerSec)} | ${m.p50Ms.toFixed(3)} | ${m.p99Ms.toFixed(3)} |`);
  for (const r of results) {
    row(r.provider, r.single, 'HTTP, 1 row/request, max batch 1');
    row(r.provider, r.batched, `HTTP, 1 row/request, batcher (max 256, wait ${MAX_WAIT_MS} ms)`);
    row(r.provider, r.batchedOtherWait, `HTTP, 1 row/request, batcher (max 256, wait ${OTHER_WAIT_MS} ms)`);
    row(r.provider, r.batchedMultiRow, `HTTP, ${ROWS_PER_BIG_REQUEST} rows/request, batcher`);
  }
  row('-', bound.withoutModel, 'HTTP bound: the service route, model skipped');
  row('-', bound.bare, 'bare node:http echo, no model');
  row('cpu', inProc.single, `in-process, ${CONCURRENCY} callers, 1 row each, one session.run per row`);
  row('cpu', inProc.maxBatch1, `in-process, ${CONCURRENCY} callers, 1 row each, batcher max batch 1 (one run at a time)`);
  row('cpu', inProc.batched, `in-process, ${CONCURRENCY} callers, 1 row each, batcher (max 256, wait ${MAX_WAIT_MS} ms)`);
  row('cpu', inProc.batchedOtherWait, `in-process, ${CONCURRENCY} callers, 1 row each, batcher (max 256, wait ${OTHER_WAIT_MS} ms)`);
  row('cpu', prof.inProcessSingle, 'in-process service score(), 1 row, max batch 1');
  row('cpu', prof.inProcessBatched, `in-process service score(), 1 row, batcher (wait ${MAX_WAIT_MS} ms)`);
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
  const boundRps = bound.withoutModel.requestsPerSec;
  const pct = (x: number) => `${((100 * x) / boundRps).toFixed(0)}%`;
  for (const r of results) {
    const ratio = r.batched.rowsPerSec / r.single.rowsPerSec;
    const multiRatio = r.batchedMultiRow.rowsPerSec / r.single.rowsPerSec;
    log(
      `${r.provider}: HTTP, batcher / one-row-no-batching throughput, one row per request: ${ratio.toFixed(2)}x (goal 20x: ${ratio >= 20 ? 'met' : 'not met'})`,
    );
    log(`${r.provider}: HTTP, batcher with ${ROWS_PER_BIG_REQUEST}-row requests / one-row-no-batching: ${multiRatio.toFixed(1)}x`);
    log(`${r.provider}: HTTP, batched p99 ${r.batched.p99Ms.toFixed(2)} ms (goal < 20 ms: ${r.batched.p99Ms < 20 ? 'met' : 'not met'})`);
    log(
      `${r.provider}: HTTP bound ${fmt(boundRps)} req/s; batched / bound = ${pct(r.batched.requestsPerSec)} (wait ${MAX_WAIT_MS} ms), ` +
        `${pct(r.batchedOtherWait.requestsPerSec)} (wait ${OTHER_WAIT_MS} ms); one-row-no-batching / bound = ${pct(r.single.requestsPerSec)}`,
    );
    // One row per request cannot beat the bound, so this is the highest ratio HTTP can show here.
    log(
      `${r.provider}: the most any one-row-per-request scoring can show over HTTP here: bound / one-row-no-batching = ` +
        `${(boundRps / r.single.rowsPerSec).toFixed(2)}x (20x would need a bound of ${fmt(20 * r.single.rowsPerSec)} req/s)`,
    );
  }
  log(
    `bare node:http echo ${fmt(bound.bare.requestsPerSec)} req/s: the service route without the model reaches ${((100 * boundRps) / bound.bare.requestsPerSec).toFixed(0)}% of it`,
  );
  const inRatio = inProc.batched.rowsPerSec / inProc.single.rowsPerSec;
  const inRatioOther = inProc.batchedOtherWait.rowsPerSec / inProc.single.rowsPerSec;
  const goal = (ratio: number, m: Measurement) =>
    `${ratio.toFixed(1)}x, p99 ${m.p99Ms.toFixed(2)} ms (goal 20x: ${ratio >= 20 ? 'met' : 'not met'}; p99 < 20 ms: ${m.p99Ms < 20 ? 'met' : 'not met'})`;
  log(
    `cpu: in-process, batcher / one session.run per row, ${CONCURRENCY} callers: wait ${MAX_WAIT_MS} ms ${goal(inRatio, inProc.batched)}`,
  );
  log(
    `cpu: in-process, batcher / one session.run per row, ${CONCURRENCY} callers: wait ${OTHER_WAIT_MS} ms ${goal(inRatioOther, inProc.batchedOtherWait)}`,
  );
  // The service's own batching-off mode runs one row at a time, where concurrent session.run calls queue in the worker.
  log(
    `cpu: in-process, batcher (wait ${MAX_WAIT_MS} / ${OTHER_WAIT_MS} ms) / batcher max batch 1: ` +
      `${(inProc.batched.rowsPerSec / inProc.maxBatch1.rowsPerSec).toFixed(1)}x / ${(inProc.batchedOtherWait.rowsPerSec / inProc.maxBatch1.rowsPerSec).toFixed(1)}x`,
  );
  if (MAX_WAIT_MS > 0) {
    // A closed loop of fewer callers than max batch never fills a batch, so every run waits the full wait.
    log(
      `  (with wait ${MAX_WAIT_MS} ms and ${CONCURRENCY} callers, a run waits ${MAX_WAIT_MS} ms for ${CONCURRENCY} rows: at most ${fmt((CONCURRENCY * 1000) / MAX_WAIT_MS)} rows/s)`,
    );
  }
  const ortBound = prof.workerRunUsPerCall.at(-1) as { rowsPerSec: number };
  log(
    `onnxruntime bound (65,536-row runs): ${fmt(ortBound.rowsPerSec)} rows/s = ${((ortBound.rowsPerSec * flops.perRow) / 1e9).toFixed(2)} GFLOP/s`,
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
  const ms = (x: number) => Number(x.toFixed(3));
  const out = {
    ...entry(cpu),
    // Beyond the agreed fields. The HTTP bound: the service route with the model skipped, one row per request.
    httpBoundRps: Math.round(boundRps),
    httpBareRps: Math.round(bound.bare.requestsPerSec),
    // The batcher without HTTP: CONCURRENCY in-process callers, one row each, on the service's session and batcher.
    inProcess: {
      maxWaitMs: MAX_WAIT_MS,
      singleRowsPerSec: Math.round(inProc.single.rowsPerSec),
      singleP50Ms: ms(inProc.single.p50Ms),
      singleP99Ms: ms(inProc.single.p99Ms),
      maxBatch1RowsPerSec: Math.round(inProc.maxBatch1.rowsPerSec),
      batchedRowsPerSec: Math.round(inProc.batched.rowsPerSec),
      batchedP50Ms: ms(inProc.batched.p50Ms),
      batchedP99Ms: ms(inProc.batched.p99Ms),
      otherWait: {
        maxWaitMs: OTHER_WAIT_MS,
        batchedRowsPerSec: Math.round(inProc.batchedOtherWait.rowsPerSec),
        batchedP50Ms: ms(inProc.batchedOtherWait.p50Ms),
        batchedP99Ms: ms(inProc.batchedOtherWait.p99Ms),
      },
    },
    byProvider: Object.fromEntries(results.map((r) => [r.provider, entry(r)])),
    details: {
      machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version, loadAverage1m: [load[0], loadEnd[0]] },
      maxWaitMs: MAX_WAIT_MS,
      otherWaitMs: OTHER_WAIT_MS,
      results,
      httpBound: bound,
      inProcess: inProc,
      profile: prof,
    },
  };
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'inference.json'), `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), path.join(dir, 'inference.json')) || 'bench/results/inference.json'}`);
}

if (process.argv.includes(SERVE_WITHOUT_MODEL)) {
  serveWithoutModel();
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
