// `npm run train [-- flags]`: trains provider-reputation from the indexed job history in Postgres
// (DATABASE_URL), or from a history it simulates and indexes itself when DATABASE_URL is unset,
// prints held-out AUC and calibration, and publishes the model as the next registry version.
//
// Flags: --preset small|large (simulated history), --rounds N (default 400), --seed S (default 42),
// --providers N and --senders N (override the preset's counts),
// --model-dir DIR (default inference/models), --version N (default: next), --dry-run (no publish),
// --report FILE (write the metrics as JSON), and the training options --step, --horizon,
// --late-blocks, --train-share, --l2, --lr, --epochs.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import type { PresetName } from '../../chain';
import { fetchProviderHistory } from '../features/provider-history-rows';
import { DEFAULT_MODEL_DIR } from '../paths';
import { publishModel } from '../registry/publish';
import { listVersions } from '../registry/registry';
import { createSimulatedHistory, type SimulatedHistory } from './history-source';
import { DEFAULT_TRAIN_OPTIONS, type SplitMetrics, type TrainOptions, trainProviderReputation } from './train';

const log = (line: string) => console.log(line);

function num(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number (got ${v})`);
  return n;
}

function printMetrics(name: string, m: SplitMetrics): void {
  log(
    `train: ${name}: ${m.examples} examples (${m.positives} positive), AUC ${m.auc.toFixed(4)}, ` +
      `Brier ${m.brier.toFixed(4)} (base rate ${m.brierBaseline.toFixed(4)}), ECE ${m.ece.toFixed(4)}`,
  );
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      preset: { type: 'string', default: 'small' },
      rounds: { type: 'string' },
      providers: { type: 'string' },
      senders: { type: 'string' },
      seed: { type: 'string' },
      'model-dir': { type: 'string' },
      version: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      report: { type: 'string' },
      step: { type: 'string' },
      horizon: { type: 'string' },
      'late-blocks': { type: 'string' },
      'train-share': { type: 'string' },
      l2: { type: 'string' },
      lr: { type: 'string' },
      epochs: { type: 'string' },
    },
  });
  // Only this entry point reads the environment.
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const seed = num(v.seed, 'seed', 42);
  const rounds = num(v.rounds, 'rounds', 400);
  const modelDir = path.resolve(v['model-dir'] ?? DEFAULT_MODEL_DIR);
  const d = DEFAULT_TRAIN_OPTIONS;
  const version = num(v.version, 'version', Math.max(0, ...listVersions(modelDir, d.name)) + 1);

  let sim: SimulatedHistory | null = null;
  let url = databaseUrl;
  let source = 'DATABASE_URL (an existing index)';
  if (!url) {
    const providers = v.providers === undefined ? undefined : num(v.providers, 'providers', 0);
    const senders = v.senders === undefined ? undefined : num(v.senders, 'senders', 0);
    sim = await createSimulatedHistory({ preset: v.preset as PresetName, seed, rounds, providers, senders, log });
    url = sim.databaseUrl;
    source =
      `simulated: chain/simulator preset ${v.preset}` +
      `${providers ? `, ${providers} providers` : ''}${senders ? `, ${senders} senders` : ''}, seed ${seed}, ` +
      `${rounds} rounds with the epoch keeper, indexed by lib/indexer/main.js`;
  }
  const pool = new Pool({ connectionString: url, max: 3 });
  try {
    log('train: reading providers and job events');
    const rows = await fetchProviderHistory(pool, null);
    log(`train: ${rows.providers.size} providers, ${rows.events.length} job events up to block ${rows.head?.block ?? '-'}`);
    const opts: TrainOptions = {
      ...d,
      version,
      seed,
      source,
      step: num(v.step, 'step', d.step),
      horizon: num(v.horizon, 'horizon', d.horizon),
      lateBlocks: num(v['late-blocks'], 'late-blocks', d.lateBlocks),
      trainShare: num(v['train-share'], 'train-share', d.trainShare),
      l2: num(v.l2, 'l2', d.l2),
      learningRate: num(v.lr, 'lr', d.learningRate),
      epochs: num(v.epochs, 'epochs', d.epochs),
    };
    const result = trainProviderReputation(rows.providers, rows.events, opts);
    const { fromBlock, toBlock, splitBlock } = result.range;
    log(`train: blocks ${fromBlock}..${toBlock}, split at ${splitBlock}; loss ${result.lossCurve.map((l) => l.toFixed(4)).join(' → ')}`);
    printMetrics('training', result.metrics.train);
    printMetrics('held-out', result.metrics.test);
    printMetrics('held-out, provider-reputation@1', result.metrics.baseline);
    log('train: held-out reliability (predicted → observed, count):');
    for (const b of result.metrics.test.reliability) {
      if (b.count === 0) continue;
      log(
        `  [${b.lo.toFixed(1)}, ${b.hi.toFixed(1)}) ${(b.meanPredicted as number).toFixed(3)} → ${(b.observedRate as number).toFixed(3)}  (${b.count})`,
      );
    }
    log(`train: weights ${JSON.stringify(result.manifest.parameters?.weights)}`);
    if (sim) {
      const w = result.params;
      const truth = [...sim.truth.entries()].sort((a, b) => a[1].reliability - b[1].reliability);
      log(
        `train: simulator truth (not used in training): ${truth.length} providers, reliability ${truth[0]?.[1].reliability}..${truth.at(-1)?.[1].reliability}; bias ${w.bias.toFixed(3)}`,
      );
    }
    if (v.report)
      fs.writeFileSync(
        v.report,
        `${JSON.stringify({ range: result.range, metrics: result.metrics, manifest: result.manifest }, null, 2)}\n`,
      );
    if (v['dry-run']) {
      log(`train: --dry-run: not publishing ${result.manifest.name}@${version}`);
    } else {
      const entry = publishModel(modelDir, { manifest: result.manifest, onnx: result.onnx });
      log(`train: published ${entry.name}@${entry.version} to ${entry.dir}`);
    }
  } finally {
    await pool.end();
    await sim?.stop();
  }
}

main().catch((err: Error) => {
  console.error(`train: ${err.message}`);
  process.exit(1);
});
