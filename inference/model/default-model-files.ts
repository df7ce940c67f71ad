// The bytes of the default model's two files, shared by the build script and the test that checks
// the committed files are up to date.
import { buildLogisticOnnx } from './build-onnx';
import {
  buildProviderReputationManifest,
  PROVIDER_REPUTATION_NAME,
  PROVIDER_REPUTATION_PARAMETERS,
  PROVIDER_REPUTATION_VERSION,
} from './provider-reputation';

export function buildDefaultModelFiles(): { name: string; version: number; onnx: Uint8Array; manifestJson: string } {
  const manifest = buildProviderReputationManifest();
  const onnx = buildLogisticOnnx(PROVIDER_REPUTATION_PARAMETERS, {
    inputName: manifest.inputTensor,
    outputName: manifest.output.name,
    doc: `${manifest.name}@${manifest.version}: ${manifest.output.meaning}`,
    modelVersion: manifest.version,
  });
  return {
    name: PROVIDER_REPUTATION_NAME,
    version: PROVIDER_REPUTATION_VERSION,
    onnx,
    manifestJson: `${JSON.stringify(manifest, null, 2)}\n`,
  };
}
