// inference/main.ts as a real process: the ready line, one-line failures, and a clean stop on signals.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInferenceService, DEFAULT_MODEL_DIR, ModelMismatchError, silentLogger } from '../inference';
import { listRegistry } from '../inference/registry/registry';
import { writeTsHook } from './harness';

const ROOT = path.resolve(__dirname, '..');
let tmp: string;
let hook: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-main-'));
  // Runs the TypeScript sources directly, so this test needs no prior build.
  hook = writeTsHook(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; ms: number }>;
}

function start(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['-r', hook, path.join(ROOT, 'inference', 'main.ts')], {
    // A different cwd proves the model directory is found from the package root.
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  let signalledAt = 0;
  const origKill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => {
    signalledAt = Date.now();
    return origKill(sig);
  };
  const exit = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, ms: signalledAt ? Date.now() - signalledAt : 0 })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(pred: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('inference main', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints the ready line, serves, and exits 0 soon after %s', async (signal) => {
    const run = start({ INFERENCE_PORT: '0' });
    await waitFor(() => run.stdout().includes('ready'));
    const line = run.stdout().split('\n')[0]!;
    // The newest version of the registry is the default.
    const newest = listRegistry(DEFAULT_MODEL_DIR).find((e) => e.name === 'provider-reputation')!.version;
    expect(line).toMatch(new RegExp(`^inference: ready at http://127\\.0\\.0\\.1:\\d+ \\(model provider-reputation@${newest}, cpu\\)$`));
    const url = line.match(/(http:\/\/\S+)/)![1]!;
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    run.child.kill(signal);
    const { code, ms } = await run.exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2500);
  });

  it('exits 1 with one line when the port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = start({ INFERENCE_PORT: String(port) });
      expect((await run.exit).code).toBe(1);
      expect(run.stderr()).toBe(`inference: port ${port} is already in use\n`);
    } finally {
      blocker.close();
    }
  });

  it('exits 1 with one line naming a bad variable', async () => {
    const run = start({ INFERENCE_MAX_BATCH: 'lots' });
    expect((await run.exit).code).toBe(1);
    expect(run.stderr()).toBe('inference: invalid INFERENCE_MAX_BATCH: must be an integer from 1 to 65536 (got "lots")\n');
  });

  it('refuses a model whose manifest does not match its graph', async () => {
    const dir = path.join(tmp, 'models');
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    // The version the service would serve: the newest.
    const newest = listRegistry(dir).find((e) => e.name === 'provider-reputation')!;
    const file = path.join(newest.dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    const width = manifest.inputs.length;
    manifest.inputs = manifest.inputs.slice(0, width - 1);
    writeFileSync(file, JSON.stringify(manifest));

    await expect(createInferenceService({ modelDir: dir, logger: silentLogger })).rejects.toThrow(ModelMismatchError);
    const run = start({ INFERENCE_MODEL_DIR: dir });
    expect((await run.exit).code).toBe(1);
    expect(run.stderr()).toMatch(
      new RegExp(
        `^inference: ModelMismatchError: .*model\\.onnx: does not match its manifest: input features has shape \\[N, ${width}\\], manifest expects \\[N, ${width - 1}\\]\n$`,
      ),
    );
  });
});
