// Ponder on the same chain: the project in bench/ponder (its own package.json and lockfile, installed
// on first use), run with `ponder start` from a run directory under the OS temp dir. The run
// directory holds the files Ponder insists on by name (ponder.config.ts, ponder.schema.ts, src/ and
// src/api/), each a one-line re-export of bench/ponder's plain JS: as .ts files inside bench/ they
// would join the main project's type check, which cannot resolve Ponder's virtual modules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, sampleRss, sleep, startChild } from './procs';
import { createProgress } from './progress';

export interface PonderRun {
  seconds: number;
  peakRssMb: number;
  schema: string;
}

export function ensurePonderInstalled(root: string): string {
  const dir = path.join(root, 'bench', 'ponder');
  if (!fs.existsSync(path.join(dir, 'node_modules', 'ponder', 'package.json'))) {
    console.log('ponder: installing bench/ponder dependencies (npm ci, first run only)');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm ci in ${dir} failed (${r.status})`);
  }
  return dir;
}

function writeRunDir(projectDir: string): string {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-ponder-'));
  const rel = (f: string) => JSON.stringify(path.join(projectDir, f));
  fs.symlinkSync(path.join(projectDir, 'node_modules'), path.join(run, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(run, 'package.json'), JSON.stringify({ name: 'gridmind-bench-ponder-run', private: true, type: 'module' }));
  fs.writeFileSync(path.join(run, 'ponder.config.ts'), `export { default } from ${rel('config.js')};\n`);
  fs.writeFileSync(path.join(run, 'ponder.schema.ts'), `export * from ${rel('schema.js')};\n`);
  fs.mkdirSync(path.join(run, 'src', 'api'), { recursive: true });
  fs.writeFileSync(path.join(run, 'src', 'index.ts'), `import ${rel('handlers.js')};\n`);
  fs.writeFileSync(path.join(run, 'src', 'api', 'index.ts'), `export { default } from ${rel('api.js')};\n`);
  return run;
}

export async function backfillPonder(p: {
  root: string;
  databaseUrl: string;
  rpcUrl: string;
  deploymentFile: string;
  head: number;
  events: number;
}): Promise<PonderRun> {
  const projectDir = ensurePonderInstalled(p.root);
  const run = writeRunDir(projectDir);
  const port = await freePort();
  const schema = 'ponder_bench';
  const started = performance.now();
  const ponder = startChild(
    process.execPath,
    [
      // Raises Ponder's page of events read back from its sync store above our biggest block (see the file).
      '--import',
      pathToFileURL(path.join(projectDir, 'query-size.js')).href,
      path.join(projectDir, 'node_modules', 'ponder', 'dist', 'esm', 'bin', 'ponder.js'),
      'start',
      '--schema',
      schema,
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
      '--log-level',
      'warn',
    ],
    {
      cwd: run,
      env: {
        ...process.env,
        DATABASE_URL: p.databaseUrl,
        PONDER_RPC_URL: p.rpcUrl,
        DEPLOYMENT_FILE: p.deploymentFile,
        PONDER_TELEMETRY_DISABLED: 'true',
      },
    },
  );
  const rss = sampleRss(ponder.child.pid!);
  const bar = createProgress('ponder: backfill', 1, 'ready');
  try {
    // /ready answers 200 once the historical sync and its indexing are done.
    for (;;) {
      if (ponder.child.exitCode !== null) throw new Error(`ponder exited (${ponder.child.exitCode}):\n${ponder.tail()}`);
      const ok = await fetch(`http://127.0.0.1:${port}/ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      bar.update(0, `${((performance.now() - started) / 1000).toFixed(0)} s`);
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    bar.finish(`${Math.round(p.events / seconds).toLocaleString('en-US')} events/s`);
    return { seconds, peakRssMb: rss.peakTreeMb(), schema };
  } finally {
    rss.stop();
    await ponder.stop();
    fs.rmSync(run, { recursive: true, force: true });
  }
}
