/**
 * chain/keeper/: the epoch keeper. epoch.ts is pure (inputs → Yuma → postEpoch arguments and the
 * inputs/bonds hashes); keeper.ts reads the chain and posts; main.ts is the process.
 */
export type { BuiltEpoch, ChainHyperparameters, EpochInputs, NeuronResultArgs } from './epoch';
export {
  buildEpoch,
  buildPermits,
  buildPreviousBonds,
  buildSubnetState,
  EMISSION_PER_BLOCK,
  hashBonds,
  hashEpochInputs,
  toYumaHyperparameters,
  ZERO_HASH,
} from './epoch';
export type { CreateKeeperParameters, Keeper, KeeperRunParameters, PostedEpoch } from './keeper';
export { createKeeper } from './keeper';
