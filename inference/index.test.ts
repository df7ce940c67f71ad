// The public surface of inference/: a change here is a change other folders see.
import * as inference from './index';

it('exports exactly the documented surface', () => {
  expect(Object.keys(inference).sort()).toMatchInlineSnapshot(`
[
  "ConfigError",
  "DEFAULT_MODEL_DIR",
  "DEFAULT_MODEL_NAME",
  "EXECUTION_PROVIDERS",
  "ExecutionProviderError",
  "InferenceErrorCode",
  "InferenceRequestError",
  "ManifestInvalidError",
  "ModelFileError",
  "ModelIncompatibleError",
  "ModelLoadError",
  "ModelManifestSchema",
  "ModelMismatchError",
  "PACKAGE_ROOT",
  "PROVIDER_FEATURES",
  "PROVIDER_REPUTATION_FEATURES",
  "PROVIDER_REPUTATION_NAME",
  "PROVIDER_REPUTATION_PARAMETERS",
  "PROVIDER_REPUTATION_VERSION",
  "PortInUseError",
  "buildFeatureMatrix",
  "buildFeatureRecord",
  "buildLogisticScores",
  "consoleLogger",
  "createBatcher",
  "createInferenceService",
  "createModelSession",
  "fetchProviderRows",
  "listRegistry",
  "listVersions",
  "loadConfig",
  "loadModel",
  "publishModel",
  "resolveEntry",
  "silentLogger",
]
`);
});
