// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Events and views of the intelligence layer that the indexer and tests rely on.
/// Events carry resulting totals (e.g. newStake) so that indexing needs no chain reads.
interface ISubnetRegistry {
    event SubnetRegistered(uint16 indexed netuid, address indexed owner, string name, uint16 tempo, uint256 registrationCost);
    event NeuronRegistered(uint16 indexed netuid, uint16 indexed uid, address indexed hotkey, address coldkey);
    /// newStake: the (coldkey, hotkey, netuid) position after the change; hotkeyStake: the hotkey's
    /// total on the subnet after it; subnetStake: the subnet's total after it.
    event StakeAdded(address indexed coldkey, address indexed hotkey, uint16 indexed netuid, uint256 amount, uint256 newStake, uint256 hotkeyStake, uint256 subnetStake);
    event StakeRemoved(address indexed coldkey, address indexed hotkey, uint16 indexed netuid, uint256 amount, uint256 newStake, uint256 hotkeyStake, uint256 subnetStake);

    /// Per-subnet Yuma hyperparameters (shared/yuma/FORMAT.md §1 names), plus registration and
    /// weight-setting rules. Emitted whole at registration and on every change.
    struct Hyperparameters {
        uint16 tempo;                  // blocks between epochs
        uint16 maxUids;                // uid slots, <= 256
        uint16 maxAllowedValidators;   // k of the top-k validator permits, <= maxUids
        uint16 kappa;                  // consensus majority, /65535
        uint32 bondsMovingAverage;     // <= 1e6; EMA rate alpha = 1 - bondsMovingAverage/1e6
        uint16 bondsPenalty;           // /65535
        bool yuma3;
        bool liquidAlpha;              // only used with yuma3
        uint16 alphaLow;               // /65535, <= alphaHigh
        uint16 alphaHigh;              // /65535
        int16 alphaSigmoidSteepness;
        uint64 activityCutoff;         // blocks
        uint64 immunityPeriod;         // blocks a new neuron cannot be replaced
        uint64 weightsRateLimit;       // blocks between two setWeights of one uid
        uint256 stakeThreshold;        // wei; smaller stakes count as 0 in the epoch
    }

    event HyperparametersSet(uint16 indexed netuid, Hyperparameters hyperparameters);
    /// A full subnet gave `uid` to `newHotkey` (registered by `coldkey`); NeuronRegistered follows.
    event NeuronReplaced(uint16 indexed netuid, uint16 indexed uid, address indexed oldHotkey, address newHotkey, address coldkey);
    /// `values` are the stored (max-upscaled) u16 weights, not the ones the caller passed.
    event WeightsSet(uint16 indexed netuid, uint16 indexed uid, uint16[] uids, uint16[] values);
    event NeuronRegistrationCostSet(uint256 cost);
    event ComputeSubnetSet(uint16 indexed netuid);

    function subnetCount() external view returns (uint16);
    function neuronCount(uint16 netuid) external view returns (uint16);
    function subnetStake(uint16 netuid) external view returns (uint256);
    function hotkeyStake(uint16 netuid, address hotkey) external view returns (uint256);
    function stakeOf(address coldkey, address hotkey, uint16 netuid) external view returns (uint256);
    function totalStake() external view returns (uint256);
    function computeNetuid() external view returns (uint16);
    function getHyperparameters(uint16 netuid) external view returns (Hyperparameters memory);
    function getWeights(uint16 netuid, uint16 uid) external view returns (uint16[] memory uids, uint16[] memory values);
    function hasValidatorPermit(uint16 netuid, uint16 uid) external view returns (bool);
}
