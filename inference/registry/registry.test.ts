// Loading models from a registry directory: the committed model loads; a corrupt or mismatched one
// refuses to load with a named error. Test models are real ONNX files built in a temp directory.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { ManifestInvalidError, ModelFileError, ModelMismatchError } from '../errors';
import { silentLogger } from '../logger';
import { buildLogisticOnnx } from '../model/build-onnx';
import { DEFAULT_MODEL_DIR } from '../paths';
import { TRAINED_BY } from './manifest';
import { publishModel } from './publish';
import { listRegistry, listVersions, loadModel, type RegistryEntry, readManifest, resolveEntry } from './registry';

const SOURCE = path.join(DEFAULT_MODEL_DIR, 'provider-reputation', '1');
let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-registry-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the default model under tmp, with its manifest edited by `edit`. */
function copyDefault(edit: (m: Record<string, any>) => void = () => {}): RegistryEntry {
  const dir = path.join(tmp, 'provider-reputation', '1');
  cpSync(SOURCE, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  edit(manifest);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { name: 'provider-reputation', version: 1, dir };
}

/** A copy of a committed version under tmp, with its manifest edited by `edit`. */
function copyVersion(version: number, edit: (m: Record<string, any>) => void = () => {}): RegistryEntry {
  const dir = path.join(tmp, 'provider-reputation', String(version));
  cpSync(path.join(DEFAULT_MODEL_DIR, 'provider-reputation', String(version)), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  edit(manifest);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { name: 'provider-reputation', version, dir };
}
/** The first trained version (provider-reputation@1 is hand-set). */
const TRAINED = 2;

const load = (e: RegistryEntry) => loadModel(e, ['cpu'], silentLogger);

describe('model registry', () => {
  it('lists the newest version of each model and loads the committed default', async () => {
    copyDefault();
    cpSync(SOURCE, path.join(tmp, 'provider-reputation', '2'), { recursive: true });
    const entries = listRegistry(tmp);
    expect(entries.map((e) => [e.name, e.version])).toEqual([['provider-reputation', 2]]);
    const [committed] = listRegistry(DEFAULT_MODEL_DIR).filter((e) => e.name === 'provider-reputation');
    const model = await load(committed!);
    expect(model.executionProvider).toBe('cpu');
    // loadModel checked the graph against the manifest (ModelMismatchError otherwise).
    expect(model.manifest.inputs.length).toBeGreaterThan(0);
    await model.session.release();
  });

  it('refuses a manifest that lists more inputs than the graph takes', async () => {
    const entry = copyDefault((m) => {
      m.inputs.push('extra_feature');
      m.features.extra_feature = { description: 'not in the graph' };
      m.normalisation.extra_feature = { mean: 0, std: 1 };
    });
    await expect(load(entry)).rejects.toThrow(ModelMismatchError);
    await expect(load(entry)).rejects.toThrow(/shape \[N, 6\], manifest expects \[N, 7\]/);
  });

  it('refuses wrong input or output tensor names', async () => {
    await expect(load(copyDefault((m) => (m.inputTensor = 'x')))).rejects.toThrow(/graph inputs are \[features\], manifest expects \[x\]/);
    rmSync(tmp, { recursive: true });
    await expect(load(copyDefault((m) => (m.output.name = 'reputation')))).rejects.toThrow(ModelMismatchError);
  });

  it('refuses a graph with a fixed batch dimension', async () => {
    const entry = copyDefault();
    const model = onnx.ModelProto.decode(readFileSync(path.join(entry.dir, 'model.onnx')));
    model.graph!.input![0]!.type!.tensorType!.shape!.dim![0] = { dimValue: 4 };
    writeFileSync(path.join(entry.dir, 'model.onnx'), onnx.ModelProto.encode(model).finish());
    await expect(load(entry)).rejects.toThrow(/shape \[4, 6\]/);
  });

  it('refuses an invalid manifest, naming the field', async () => {
    await expect(load(copyDefault((m) => delete m.normalisation.tier))).rejects.toThrow(ManifestInvalidError);
    rmSync(tmp, { recursive: true });
    await expect(load(copyDefault((m) => (m.normalisation.tier.std = 0)))).rejects.toThrow(/normalisation\.tier\.std/);
    rmSync(tmp, { recursive: true });
    await expect(load(copyDefault((m) => (m.version = 3)))).rejects.toThrow(
      /says provider-reputation@3 but lives in provider-reputation\/1/,
    );
  });

  it('loads every committed version, the hand-set @1 without training records and the trained ones with them', async () => {
    for (const name of listRegistry(DEFAULT_MODEL_DIR).map((e) => e.name)) {
      for (const version of listVersions(DEFAULT_MODEL_DIR, name)) {
        const entry = resolveEntry(DEFAULT_MODEL_DIR, name, version);
        const m = readManifest(entry);
        if (m.createdBy === TRAINED_BY) {
          expect(m.parameters?.training?.dataRange.toBlock).toBeGreaterThan(m.parameters?.training?.dataRange.fromBlock as number);
          expect(m.parameters?.metrics?.test.examples).toBeGreaterThan(0);
        }
        await (await load(entry)).session.release();
      }
    }
    expect(readManifest(resolveEntry(DEFAULT_MODEL_DIR, 'provider-reputation', 1)).parameters?.training).toBeUndefined();
    expect(readManifest(resolveEntry(DEFAULT_MODEL_DIR, 'provider-reputation', 2)).createdBy).toBe(TRAINED_BY);
  });

  it("refuses a trained model's manifest without its training data range or metrics, naming what is missing", async () => {
    const trained = (edit: (m: Record<string, any>) => void) => copyVersion(TRAINED, edit);
    const refusal = async (entry: RegistryEntry) => {
      const err = await load(entry).catch((e: unknown) => e);
      rmSync(tmp, { recursive: true });
      expect(err).toBeInstanceOf(ManifestInvalidError);
      return (err as Error).message;
    };
    expect(await refusal(trained((m) => delete m.parameters.training))).toMatch(
      /invalid manifest: parameters\.training: a trained model \(createdBy is "inference\/training\/main\.ts \(npm run train\)", it has parameters\.metrics\) must record its training data: \{ source, dataRange/,
    );
    const noMetrics = await refusal(trained((m) => delete m.parameters.metrics));
    expect(noMetrics).toMatch(/parameters\.metrics: a trained model \(.*it has parameters\.training\) must record its metrics/);
    expect(noMetrics).not.toMatch(/parameters\.training:/);
    // Neither, but made by the training script: both are named.
    const neither = await refusal(
      trained((m) => {
        delete m.parameters.training;
        delete m.parameters.metrics;
      }),
    );
    expect(neither).toMatch(/parameters\.training: .*; parameters\.metrics: /);
    // Another trainer's model that publishes metrics says it was trained too.
    expect(
      await refusal(
        trained((m) => {
          m.createdBy = 'someone else';
          delete m.parameters.training;
        }),
      ),
    ).toMatch(/parameters\.training: a trained model \(it has parameters\.metrics\)/);
    expect(await refusal(trained((m) => (m.parameters.training.dataRange = { fromBlock: 10, toBlock: 5 })))).toMatch(
      /parameters\.training\.dataRange: fromBlock must not be after toBlock/,
    );
    expect(await refusal(trained((m) => (m.parameters.training.dataRange.splitBlock = 1)))).toMatch(/splitBlock must lie within/);
    expect(await refusal(trained((m) => delete m.parameters.training.dataRange))).toMatch(/parameters\.training\.dataRange: /);
    expect(await refusal(trained((m) => delete m.parameters.metrics.test))).toMatch(/parameters\.metrics\.test: /);
    expect(await refusal(trained((m) => (m.parameters.metrics.test.auc = 1.5)))).toMatch(/parameters\.metrics\.test\.auc: /);
    // The committed copy itself loads.
    await (await load(trained(() => {}))).session.release();
  });

  it('publishModel refuses a trained manifest without its training records and writes nothing', () => {
    const entry = copyVersion(TRAINED);
    const manifest = JSON.parse(readFileSync(path.join(entry.dir, 'manifest.json'), 'utf8'));
    delete manifest.parameters.training;
    manifest.version = 3;
    const target = path.join(tmp, 'provider-reputation', '3');
    expect(() => publishModel(tmp, { manifest, onnx: readFileSync(path.join(entry.dir, 'model.onnx')) })).toThrow(
      /refusing to publish an invalid manifest: parameters\.training: a trained model/,
    );
    expect(listVersions(tmp, 'provider-reputation')).toEqual([2]);
    expect(() => readFileSync(path.join(target, 'manifest.json'))).toThrow();
  });

  it('falls back from cuda to cpu with one log line when cuda cannot load', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const model = await loadModel(copyDefault(), ['cuda', 'cpu'], logger);
    try {
      // Where the CUDA provider libraries are present it is used; otherwise the fallback is logged.
      if (model.executionProvider === 'cpu') {
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/^inference: execution provider cuda unavailable \(.+\), falling back to cpu$/);
      } else {
        expect(model.executionProvider).toBe('cuda');
      }
    } finally {
      await model.session.release();
    }
  });

  it('refuses a corrupt model file', async () => {
    const entry = copyDefault();
    writeFileSync(path.join(entry.dir, 'model.onnx'), Buffer.from('not an onnx model'));
    await expect(load(entry)).rejects.toThrow(ModelFileError);
  });

  it('loads any compatible model: a 2-input logistic graph with a matching manifest', async () => {
    const dir = path.join(tmp, 'tiny', '1');
    cpSync(SOURCE, dir, { recursive: true }); // then overwrite both files
    writeFileSync(
      path.join(dir, 'model.onnx'),
      buildLogisticOnnx({ mean: [0, 0], std: [1, 1], weights: [1, -1], bias: 0 }, { inputName: 'x', outputName: 'y' }),
    );
    writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        name: 'tiny',
        version: 1,
        inputTensor: 'x',
        inputs: ['a', 'b'],
        features: { a: { description: 'a' }, b: { description: 'b' } },
        normalisation: { a: { mean: 0, std: 1 }, b: { mean: 0, std: 1 } },
        output: { name: 'y', meaning: 'sigmoid(a - b)' },
        createdBy: 'test',
        notes: '',
      }),
    );
    const model = await load({ name: 'tiny', version: 1, dir });
    expect(model.manifest.inputs).toEqual(['a', 'b']);
    await model.session.release();
  });
});
