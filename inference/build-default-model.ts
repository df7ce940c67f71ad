// Builds the default model into the registry: node lib/inference/build-default-model.js [modelDir]
// (default: the repo's inference/models). Reproducible: running it twice gives identical bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDefaultModelFiles } from './model/default-model-files';
import { DEFAULT_MODEL_DIR } from './paths';

function main(): void {
  const dir = path.resolve(process.argv[2] ?? DEFAULT_MODEL_DIR);
  const files = buildDefaultModelFiles();
  const out = path.join(dir, files.name, String(files.version));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'model.onnx'), files.onnx);
  writeFileSync(path.join(out, 'manifest.json'), files.manifestJson);
  console.log(`inference: wrote ${files.name}@${files.version} to ${out}`);
}

main();
