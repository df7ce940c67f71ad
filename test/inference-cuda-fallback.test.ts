// INFERENCE_PROVIDERS=cuda,cpu where the CUDA provider is not installed (its shared libraries are
// fetched from NuGet only on a GPU machine; inference/README.md): the service falls back to the CPU
// with one log line of its own, /health reports cpu, and onnxruntime's own multi-line error is not
// printed, even when a CPU session was created earlier in the same process (as in a jest worker that
// ran other tests first: onnxruntime's default logger is process-wide and set by the first session).
// Where the CUDA provider is installed, the same tests expect cuda and no fallback line.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInferenceService, DEFAULT_MODEL_DIR } from '../inference';
import { resolveEntry } from '../inference/registry/registry';
import { writeTsHook } from './harness';

const ROOT = path.resolve(__dirname, '..');
const ORT_BIN = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
const CUDA_INSTALLED = existsSync(path.join(ORT_BIN, 'libonnxruntime_providers_cuda.so'));
const EXPECTED_PROVIDER = CUDA_INSTALLED ? 'cuda' : 'cpu';
const FALLBACK_LINE = /^inference: execution provider cuda unavailable \(.+\), falling back to cpu$/;
/** onnxruntime's own log format, e.g. "2026-… [E:onnxruntime:onnxruntime-node, provider_bridge_ort.cc:2146 Create] …". */
const ORT_LOG = /\[[EWF]:onnxruntime/;

let tmp: string;
let hook: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-cuda-'));
  // Runs the TypeScript sources directly, so this test needs no prior build.
  hook = writeTsHook(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs node with the hook; `whenReady` runs once stdout matches /ready at (url)/, then the process is stopped. */
function run(args: string[], env: Record<string, string>, whenReady?: (url: string) => Promise<void>) {
  const child = spawn(process.execPath, ['-r', hook, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  let readyDone: Promise<void> | undefined;
  child.stdout.on('data', (d) => {
    stdout += d;
    const url = /ready at (http:\/\/\S+)/.exec(stdout)?.[1];
    if (whenReady && url && !readyDone) readyDone = whenReady(url).finally(() => child.kill('SIGTERM'));
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) =>
    child.on('exit', (code) => {
      if (whenReady && !readyDone) return reject(new Error(`exited ${code} before ready:\n${stdout}${stderr}`));
      (readyDone ?? Promise.resolve()).then(() => resolve({ code, stdout, stderr }), reject);
    }),
  );
}

const lines = (text: string) => text.split('\n').filter(Boolean);

it('in-process: falls back to cpu with one warning, and /health says cpu', async () => {
  const warnings: string[] = [];
  const other: string[] = [];
  const logger = { info: (m: string) => other.push(m), warn: (m: string) => warnings.push(m), error: (m: string) => other.push(m) };
  const svc = await createInferenceService({ providers: ['cuda', 'cpu'], logger });
  try {
    expect(svc.executionProvider).toBe(EXPECTED_PROVIDER);
    expect(svc.health().executionProvider).toBe(EXPECTED_PROVIDER);
    if (!CUDA_INSTALLED) {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(FALLBACK_LINE);
      // The reason is onnxruntime's first line, without its colour codes.
      expect(warnings[0]).toMatch(/libonnxruntime_providers_shared\.so|CUDA|cuda/);
      expect(warnings[0]).not.toContain('\u001b');
    } else expect(warnings).toEqual([]);
    expect(other).toEqual([]);
    const { url } = await svc.listen(0);
    const health = (await (await fetch(`${url}/health`)).json()) as { executionProvider: string };
    expect(health.executionProvider).toBe(EXPECTED_PROVIDER);
    const width = svc.health().models[0]!.inputs.length;
    const res = await svc.score({ rows: [new Array(width).fill(0.5)] });
    expect(res.executionProvider).toBe(EXPECTED_PROVIDER);
    expect(res.results[0]!.score).toBeGreaterThan(0);
  } finally {
    await svc.close();
  }
});

it('the real process: one fallback line, the ready line and /health say cpu', async () => {
  let health: unknown;
  const out = await run(
    [path.join(ROOT, 'inference', 'main.ts')],
    { INFERENCE_PORT: '0', INFERENCE_PROVIDERS: 'cuda,cpu' },
    async (url) => {
      health = await (await fetch(`${url}/health`)).json();
    },
  );
  expect(out.code).toBe(0);
  expect(health).toMatchObject({ status: 'ok', executionProvider: EXPECTED_PROVIDER });
  expect(lines(out.stdout)[0]).toMatch(
    new RegExp(`^inference: ready at http://127\\.0\\.0\\.1:\\d+ \\(model provider-reputation@\\d+, ${EXPECTED_PROVIDER}\\)$`),
  );
  const err = lines(out.stderr);
  expect(err.filter((l) => ORT_LOG.test(l))).toEqual([]);
  const fallbacks = err.filter((l) => l.startsWith('inference: execution provider'));
  if (CUDA_INSTALLED) expect(fallbacks).toEqual([]);
  else {
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(FALLBACK_LINE);
  }
  // Nothing else on stderr but the DATABASE_URL notice.
  expect(err.filter((l) => !fallbacks.includes(l))).toEqual([
    'inference: DATABASE_URL is not set; only { "rows": ... } requests can be scored',
  ]);
});

it("onnxruntime's own error stays unprinted when a cpu session came first in the process", async () => {
  // What a jest worker does: other tests' cpu sessions, then the fallback. Before every worker asked for
  // the fatal log level, the first (cpu) session set the process's default logger to warning, and the
  // CUDA attempt printed onnxruntime's red multi-line error to stderr.
  const script = path.join(tmp, 'cpu-then-cuda.js');
  const model = path.join(resolveEntry(DEFAULT_MODEL_DIR, 'provider-reputation', 1).dir, 'model.onnx');
  writeFileSync(
    script,
    `const { createModelSession } = require(${JSON.stringify(path.join(ROOT, 'inference', 'session.ts'))});
const bytes = require('fs').readFileSync(${JSON.stringify(model)});
const logger = { info() {}, warn: (m) => console.log('WARN ' + m), error: (m) => console.log('ERROR ' + m) };
(async () => {
  const cpu = await createModelSession(bytes, ['cpu'], logger);
  const fallback = await createModelSession(bytes, ['cuda', 'cpu'], logger);
  console.log('PROVIDERS ' + cpu.executionProvider + ' ' + fallback.executionProvider);
  await cpu.release();
  await fallback.release();
})().catch((e) => { console.log('FAILED ' + e.message); process.exit(1); });`,
  );
  const out = await run([script], {});
  expect(out.code).toBe(0);
  expect(out.stderr).toBe('');
  const stdout = lines(out.stdout);
  expect(stdout.at(-1)).toBe(`PROVIDERS cpu ${EXPECTED_PROVIDER}`);
  if (!CUDA_INSTALLED) {
    expect(stdout).toHaveLength(2);
    expect(stdout[0]!.slice('WARN '.length)).toMatch(FALLBACK_LINE);
  }
});
