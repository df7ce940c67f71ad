// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Events and views of the compute market that the indexer and tests rely on.
/// USD amounts have 8 decimals; work units are thousandths of a unit (OctaneBench-hour or GPU-hour).
interface IComputeMarket {
    enum JobKind { Render, Inference, Training }
    /// Values 0-3 are the original lifecycle; the rest were appended so that stored and indexed
    /// values keep their meaning. Approved, Quarantined, Cancelled and Expired are terminal.
    enum JobState { None, Posted, Claimed, Completed, Approved, Quarantined, Cancelled, Expired }

    event OraclePriceSet(uint256 usdPerToken);
    event MarketCreated(uint32 indexed marketId, uint8 kind, uint8 tier, string name, uint256 usdPerUnit);
    event ProviderRegistered(address indexed provider, string gpuModel, uint32 vramGb, uint32 benchmarkScore, uint8 tier);
    event JobPosted(uint256 indexed jobId, uint32 indexed marketId, address indexed sender, bytes32 specHash, uint256 workEstimate, uint256 payment, uint64 deadline);
    event JobClaimed(uint256 indexed jobId, address indexed provider);
    event JobCompleted(uint256 indexed jobId, address indexed provider, bytes32 resultHash, uint256 workUnits);

    // ---- market configuration (emitted by createMarket too, so a market's full config is in logs) ----
    event MarketPriceSet(uint32 indexed marketId, uint256 usdPerUnit);
    event MarketRequirementsSet(uint32 indexed marketId, uint32 minVramGb);
    /// reviewWindow and epochBlocks are in blocks; emissions in token wei per market epoch.
    event MarketParamsSet(uint32 indexed marketId, uint64 reviewWindow, uint64 epochBlocks, uint256 workEmission, uint256 availabilityEmission);
    event TreasurySet(address treasury);

    // ---- providers ----
    event ProviderUpdated(address indexed provider, string gpuModel, uint32 vramGb, uint32 benchmarkScore, uint8 tier);
    event ProviderHeartbeat(address indexed provider, uint32 indexed marketId, uint64 indexed epoch);
    /// A rejection costs the provider its availability reward in the market's current epoch.
    event ProviderAvailabilityForfeited(address indexed provider, uint32 indexed marketId, uint64 indexed epoch);

    // ---- review and settlement. Escrow flows: JobPosted.payment in; JobRefunded.amount or
    // JobSettled.burned + JobSettled.fee out; each job leaves escrow exactly once. ----
    /// automatic: settled by settleExpiredReview after the review window, `by` is whoever called it.
    event JobApproved(uint256 indexed jobId, address indexed by, bool automatic);
    event JobRejected(uint256 indexed jobId, address indexed provider, address indexed by, uint8 failures);
    /// Back to Posted with no provider after a rejection.
    event JobReassigned(uint256 indexed jobId, uint8 failures);
    event JobQuarantined(uint256 indexed jobId, uint8 failures);
    event JobCancelled(uint256 indexed jobId);
    event JobExpired(uint256 indexed jobId);
    event JobRefunded(uint256 indexed jobId, address indexed to, uint256 amount);
    /// workCredited = min(workUnits, workEstimate), added to `epoch` of the job's market;
    /// burned + fee == payment; the provider is paid from the epoch's emission, not from the payment.
    event JobSettled(uint256 indexed jobId, address indexed provider, uint64 indexed epoch, uint256 workCredited, uint256 burned, uint256 fee);

    // ---- burn-mint-equilibrium epochs. Mints happen only in ProviderRewarded (Transfer from 0). ----
    /// emission: the work emission of the epoch, 0 when no work was approved in it.
    event MarketEpochClosed(uint32 indexed marketId, uint64 indexed epoch, uint256 emission, uint256 workApproved);
    /// availabilityEmission: 0 when no provider stayed available in the epoch.
    event MarketEpochAvailability(uint32 indexed marketId, uint64 indexed epoch, uint256 availabilityEmission, uint32 availableProviders);
    event ProviderRewarded(address indexed provider, uint32 indexed marketId, uint64 indexed epoch, uint256 workReward, uint256 availabilityReward);

    function marketCount() external view returns (uint32);
    function providerCount() external view returns (uint32);
    function jobCount() external view returns (uint256);
    function jobsInState(JobState state) external view returns (uint256);
    function escrowed() external view returns (uint256);
    function totalBurned() external view returns (uint256);
    function totalFees() external view returns (uint256);
    function totalRefunded() external view returns (uint256);
    function totalRewardsMinted() external view returns (uint256);
    function treasury() external view returns (address);
    function pendingRewards(address provider, uint32 marketId, uint64 epoch) external view returns (uint256 workReward, uint256 availabilityReward);
}
