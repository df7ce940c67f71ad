// The model registry: <dir>/<name>/<version>/{model.onnx, manifest.json}. Loading a model checks
// its manifest and then the ONNX session's own input/output signature against that manifest, so a
// corrupt or mismatched model never starts serving.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ManifestInvalidError, ModelFileError, ModelLoadError, ModelMismatchError } from '../errors';
import type { Logger } from '../logger';
import { createModelSession, type ExecutionProviderName, type ModelSession } from '../session';
import { type ModelManifest, safeParseManifest } from './manifest';

export interface RegistryEntry {
  name: string;
  version: number;
  /** The version directory holding model.onnx and manifest.json. */
  dir: string;
}

export interface LoadedModel {
  manifest: ModelManifest;
  session: ModelSession;
  executionProvider: ExecutionProviderName;
  dir: string;
}

/** Which version of a model to serve: a number, or the newest in the registry. */
export type VersionSelector = number | 'latest';

/** The version numbers of `name` under `dir`, newest first (version directories are positive integers). */
export function listVersions(dir: string, name: string): number[] {
  const modelDir = path.join(dir, name);
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory()) return [];
  return readdirSync(modelDir)
    .filter((v) => /^[1-9][0-9]*$/.test(v) && statSync(path.join(modelDir, v)).isDirectory())
    .map(Number)
    .sort((a, b) => b - a);
}

/** The newest version of every model under `dir`. */
export function listRegistry(dir: string): RegistryEntry[] {
  if (!existsSync(dir)) throw new ModelLoadError(dir, 'model directory does not exist');
  const entries: RegistryEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!statSync(path.join(dir, name)).isDirectory()) continue;
    const [newest] = listVersions(dir, name);
    if (newest !== undefined) entries.push({ name, version: newest, dir: path.join(dir, name, String(newest)) });
  }
  return entries;
}

/** The registry entry of `name` at `version`; throws ModelLoadError naming the versions there are. */
export function resolveEntry(dir: string, name: string, version: VersionSelector = 'latest'): RegistryEntry {
  const versions = listVersions(dir, name);
  if (versions.length === 0) throw new ModelLoadError(path.join(dir, name), `model "${name}" is not in the registry`);
  const chosen = version === 'latest' ? (versions[0] as number) : version;
  if (!versions.includes(chosen)) {
    throw new ModelLoadError(path.join(dir, name), `model "${name}" has no version ${chosen} (versions: ${versions.join(', ')})`);
  }
  return { name, version: chosen, dir: path.join(dir, name, String(chosen)) };
}

/** Reads and validates a version directory's manifest.json. */
export function readManifest(entry: RegistryEntry): ModelManifest {
  const file = path.join(entry.dir, 'manifest.json');
  if (!existsSync(file)) throw new ManifestInvalidError(file, 'manifest.json is missing');
  const parsed = safeParseManifest(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new ManifestInvalidError(file, `invalid manifest: ${parsed.reason}`);
  const m = parsed.manifest;
  if (m.name !== entry.name || m.version !== entry.version) {
    throw new ManifestInvalidError(file, `manifest says ${m.name}@${m.version} but lives in ${entry.name}/${entry.version}`);
  }
  return m;
}

/** Loads one registry entry: manifest, session, and the signature check between them. */
export async function loadModel(
  entry: RegistryEntry,
  providers: readonly ExecutionProviderName[],
  logger: Logger,
  sessionOptions: { intraOpThreads?: number } = {},
): Promise<LoadedModel> {
  const manifest = readManifest(entry);
  const file = path.join(entry.dir, 'model.onnx');
  if (!existsSync(file)) throw new ModelFileError(file, 'model.onnx is missing');
  let session: ModelSession;
  try {
    session = await createModelSession(readFileSync(file), providers, logger, sessionOptions);
  } catch (err) {
    if (err instanceof Error && err.name === 'ExecutionProviderError') throw err;
    throw new ModelFileError(file, `onnxruntime cannot load it: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  try {
    checkSignature(session, manifest, file);
  } catch (err) {
    await session.release();
    throw err;
  }
  return { manifest, session, executionProvider: session.executionProvider, dir: entry.dir };
}

function checkSignature(session: ModelSession, m: ModelManifest, file: string): void {
  const fail = (msg: string): never => {
    throw new ModelMismatchError(file, `does not match its manifest: ${msg}`);
  };
  if (session.inputNames.length !== 1 || session.inputNames[0] !== m.inputTensor) {
    fail(`graph inputs are [${session.inputNames.join(', ')}], manifest expects [${m.inputTensor}]`);
  }
  if (!session.outputNames.includes(m.output.name)) {
    fail(`graph outputs are [${session.outputNames.join(', ')}], manifest expects ${m.output.name}`);
  }
  const input = session.inputMetadata.find((v) => v.name === m.inputTensor);
  if (!input?.isTensor || input.type !== 'float32') fail(`input ${m.inputTensor} is not a float32 tensor`);
  const shape = input?.shape ?? [];
  // The batch dimension must be symbolic (or -1) so the batcher can send any number of rows.
  const batchDynamic = typeof shape[0] === 'string' || shape[0] === -1;
  if (shape.length !== 2 || !batchDynamic || shape[1] !== m.inputs.length) {
    fail(`input ${m.inputTensor} has shape [${shape.join(', ')}], manifest expects [N, ${m.inputs.length}]`);
  }
  const output = session.outputMetadata.find((v) => v.name === m.output.name);
  if (!output?.isTensor || output.type !== 'float32') fail(`output ${m.output.name} is not a float32 tensor`);
  const oshape = output?.shape ?? [];
  // One score per row: [N] or [N, 1].
  const oneScore = oshape.length === 1 || (oshape.length === 2 && oshape[1] === 1);
  if (!oneScore) fail(`output ${m.output.name} has shape [${oshape.join(', ')}], expected one score per row ([N] or [N, 1])`);
}
