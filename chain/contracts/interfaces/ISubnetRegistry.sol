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

    function subnetCount() external view returns (uint16);
    function neuronCount(uint16 netuid) external view returns (uint16);
    function subnetStake(uint16 netuid) external view returns (uint256);
    function hotkeyStake(uint16 netuid, address hotkey) external view returns (uint256);
    function stakeOf(address coldkey, address hotkey, uint16 netuid) external view returns (uint256);
    function totalStake() external view returns (uint256);
}
