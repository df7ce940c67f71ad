// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Events and views of the epoch ledger that the indexer, the registry and the keeper rely on.
interface IEpochLedger {
    /// One uid's Yuma outputs as the keeper posts them (u16 = floor(x * 65535), FORMAT.md §5).
    /// The uid is the index in the posted array; emission is computed by the ledger itself.
    struct NeuronResult {
        uint16 stakeWeight;
        uint16 consensus;
        uint16 incentive;
        uint16 dividends;
        uint16 validatorTrust;
        uint16 rank;
        uint16 trust;
        bool validatorPermit;
    }

    /// What the ledger keeps of each posted epoch.
    struct EpochRecord {
        uint64 block;
        uint16 neuronCount;
        bytes32 inputsHash;
        bytes32 bondsHash;
        uint256 emission;
        uint256 ownerCut;
    }

    /// `block`: the block whose end state the keeper read (the epoch's current block in Yuma);
    /// `emission`: everything minted for the epoch; `ownerCut`: the part of it the subnet owner got.
    event EpochFinalized(uint16 indexed netuid, uint64 indexed epoch, uint64 block, bytes32 inputsHash, uint256 emission, uint256 ownerCut);
    event NeuronEpoch(
        uint16 indexed netuid,
        uint64 indexed epoch,
        uint16 indexed uid,
        uint16 stakeWeight,
        uint16 consensus,
        uint16 incentive,
        uint16 dividends,
        uint16 validatorTrust,
        uint16 rank,
        uint16 trust,
        uint256 emission,
        bool validatorPermit
    );

    function epochCount(uint16 netuid) external view returns (uint64);
    function getEpoch(uint16 netuid, uint64 epoch) external view returns (EpochRecord memory);
    /// Bit `uid` set: the last posted epoch gave uid a permit; `epochBlock` is that epoch's block (0: none yet).
    function validatorPermits(uint16 netuid) external view returns (uint256 bits, uint64 epochBlock);
    /// Pruning scores of the last posted epoch, 16 u16 per word (uid u in word u/16, bits 16*(u%16)).
    function pruningScores(uint16 netuid) external view returns (uint256[16] memory words, uint64 epochBlock);
}
