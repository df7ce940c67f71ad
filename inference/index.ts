// Public surface of inference/: other folders import from here only.
export { type Batcher, type BatcherOptions, createBatcher } from './batcher';
export { ConfigError, type InferenceConfig, loadConfig } from './config';
export {
  ExecutionProviderError,
  InferenceErrorCode,
  InferenceRequestError,
  ManifestInvalidError,
  ModelFileError,
  ModelIncompatibleError,
  ModelLoadError,
  ModelMismatchError,
  PortInUseError,
} from './errors';
export {
  buildFeatureMatrix,
  buildFeatureRecord,
  type FeatureDefinition,
  PROVIDER_FEATURES,
  type ProviderFeatureName,
  type ProviderRow,
} from './features/provider-features';
export { fetchProviderRows } from './features/provider-rows';
export { consoleLogger, type Logger, silentLogger } from './logger';
export { buildLogisticScores, type LogisticParameters } from './model/logistic';
export {
  PROVIDER_REPUTATION_FEATURES,
  PROVIDER_REPUTATION_NAME,
  PROVIDER_REPUTATION_PARAMETERS,
  PROVIDER_REPUTATION_VERSION,
} from './model/provider-reputation';
export { DEFAULT_MODEL_DIR, PACKAGE_ROOT } from './paths';
export { type ModelManifest, ModelManifestSchema } from './registry/manifest';
export { publishModel } from './registry/publish';
export {
  type LoadedModel,
  listRegistry,
  listVersions,
  loadModel,
  type RegistryEntry,
  resolveEntry,
  type VersionSelector,
} from './registry/registry';
export type { ParsedScoreRequest, ScoreRequest } from './score-request';
export {
  createInferenceService,
  DEFAULT_MODEL_NAME,
  type HealthResponse,
  type InferenceService,
  type InferenceServiceOptions,
  type ModelInfo,
  type ReloadOptions,
  type ReloadResponse,
  type ScoreResponse,
  type ScoreResult,
} from './service';
export { createModelSession, EXECUTION_PROVIDERS, type ExecutionProviderName, type ModelSession } from './session';
