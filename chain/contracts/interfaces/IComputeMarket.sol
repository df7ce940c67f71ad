// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Events and views of the compute market that the indexer and tests rely on.
/// USD amounts have 8 decimals; work units are thousandths of a unit (OctaneBench-hour or GPU-hour).
interface IComputeMarket {
    enum JobKind { Render, Inference, Training }
    enum JobState { None, Posted, Claimed, Completed }

    event OraclePriceSet(uint256 usdPerToken);
    event MarketCreated(uint32 indexed marketId, uint8 kind, uint8 tier, string name, uint256 usdPerUnit);
    event ProviderRegistered(address indexed provider, string gpuModel, uint32 vramGb, uint32 benchmarkScore, uint8 tier);
    event JobPosted(uint256 indexed jobId, uint32 indexed marketId, address indexed sender, bytes32 specHash, uint256 workEstimate, uint256 payment, uint64 deadline);
    event JobClaimed(uint256 indexed jobId, address indexed provider);
    event JobCompleted(uint256 indexed jobId, address indexed provider, bytes32 resultHash, uint256 workUnits);

    function marketCount() external view returns (uint32);
    function providerCount() external view returns (uint32);
    function jobCount() external view returns (uint256);
    function jobsInState(JobState state) external view returns (uint256);
    function escrowed() external view returns (uint256);
}
