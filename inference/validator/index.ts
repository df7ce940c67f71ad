/** The compute subnet's validator loop: scores from the inference service → u16 weights → setWeights. */
export { loadValidatorConfig, type ValidatorConfig, ValidatorConfigError } from './config';
export {
  type ComputeSubnetState,
  type ComputeValidator,
  type ComputeValidatorParameters,
  createComputeValidator,
  createModelWeights,
  createScoreClient,
  isDue,
  type ModelWeightsParameters,
  modelWeightRow,
  type ProviderScorer,
  readComputeSubnet,
  type TickReport,
  ValidatorError,
} from './validator';
export { type MinerScore, type ScoresToWeightsOptions, scoresToWeights, type WeightRow, WeightsInputError } from './weights';
