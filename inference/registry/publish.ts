// Adding a version to the registry safely while a service may reload from it: the files are written
// to a hidden temporary directory beside the version directories and renamed into place, so a reload
// never sees a version directory with half its files (listVersions skips names that are not numbers).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestInvalidError, ModelLoadError } from '../errors';
import { checkManifest, type ModelManifest } from './manifest';
import type { RegistryEntry } from './registry';

/**
 * Writes `<dir>/<name>/<version>/{model.onnx, manifest.json}` atomically; refuses to replace an
 * existing version (versions are immutable: a changed model is a new version).
 *
 * @example
 * publishModel(modelDir, { manifest, onnx: buildLogisticOnnx(params, { inputName: 'features', outputName: 'score' }) });
 */
export function publishModel(dir: string, files: { manifest: ModelManifest; onnx: Uint8Array }): RegistryEntry {
  const checked = checkManifest(files.manifest);
  if (!checked.ok) {
    const m = files.manifest as Partial<ModelManifest>;
    throw new ManifestInvalidError(
      path.join(dir, String(m.name), String(m.version)),
      `refusing to publish an invalid manifest: ${checked.reason}`,
    );
  }
  const manifest = checked.manifest;
  // Written as given, once valid: the parsed copy would move parameters.training and .metrics ahead of the rest.
  const text = `${JSON.stringify(files.manifest, null, 2)}\n`;
  const modelDir = path.join(dir, manifest.name);
  const target = path.join(modelDir, String(manifest.version));
  if (existsSync(target)) throw new ModelLoadError(target, `${manifest.name}@${manifest.version} already exists; publish a new version`);
  mkdirSync(modelDir, { recursive: true });
  const tmp = path.join(modelDir, `.publishing-${manifest.version}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    writeFileSync(path.join(tmp, 'model.onnx'), files.onnx);
    writeFileSync(path.join(tmp, 'manifest.json'), text);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { name: manifest.name, version: manifest.version, dir: target };
}
