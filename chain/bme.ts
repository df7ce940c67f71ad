/**
 * Burn-mint-equilibrium arithmetic of the ComputeMarket contract, in bigint, so that the simulator's
 * model, the tests and (later) the indexer compute exactly what the contract does. Pure: no I/O.
 */

/** Mirrors ComputeMarket.BPS / FEE_BPS: 5% of an approved payment goes to the treasury. */
export const BPS = 10_000n;
export const FEE_BPS = 500n;
/** Mirrors ComputeMarket.MAX_FAILURES: the third rejection quarantines a job. */
export const MAX_FAILURES = 3;

export interface PaymentSplit {
  burned: bigint;
  fee: bigint;
}

/**
 * The fee is rounded down and the burn takes the remainder, so burned + fee === payment always.
 * @example splitPayment(101n) // { burned: 96n, fee: 5n }
 */
export function splitPayment(payment: bigint): PaymentSplit {
  const fee = (payment * FEE_BPS) / BPS;
  return { burned: payment - fee, fee };
}

/** Work a settled job adds to its provider's epoch share: capped at the estimate the sender paid for. */
export function creditedWork(workUnits: bigint, workEstimate: bigint): bigint {
  return workUnits < workEstimate ? workUnits : workEstimate;
}

export interface EpochTotalsInput {
  /** Emission fixed at close (0 when no work was approved). */
  workEmission: bigint;
  workApproved: bigint;
  availabilityEmission: bigint;
  availableProviders: number;
}

export interface ProviderEpochInput {
  workApproved: bigint;
  available: boolean;
}

/** floor(workEmission * work / workApproved) and floor(availabilityEmission / available), as claimRewards mints. */
export function epochReward(e: EpochTotalsInput, p: ProviderEpochInput): { workReward: bigint; availabilityReward: bigint } {
  const workReward = p.workApproved > 0n && e.workApproved > 0n ? (e.workEmission * p.workApproved) / e.workApproved : 0n;
  const availabilityReward = p.available && e.availableProviders > 0 ? e.availabilityEmission / BigInt(e.availableProviders) : 0n;
  return { workReward, availabilityReward };
}
