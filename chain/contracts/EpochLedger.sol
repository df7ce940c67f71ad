// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEpochLedger} from "./interfaces/IEpochLedger.sol";

interface IMintableToken {
    function mint(address to, uint256 amount) external;
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external;
}

interface IEpochRegistry {
    function epochPayees(uint16 netuid)
        external
        view
        returns (address owner, uint16 tempo, uint64 subnetRegisteredAt, address[] memory coldkeys, uint64[] memory registeredAt);
}

/// Yuma Consensus results, one epoch per subnet every `tempo` blocks, posted by the keeper (which
/// computes them off chain from this chain's stake and weights, see chain/keeper/) in one
/// transaction, and the emission they pay.
///
/// Emission: EMISSION_PER_BLOCK per subnet block, paid per epoch as tempo * EMISSION_PER_BLOCK
/// (however late the keeper posts). Split as chain/yuma's splitEmission does, from the posted u16
/// outputs so that anyone can check it from the events: miners' pool = floor(41%) pro rata to
/// incentive, validators' pool = floor(41%) pro rata to dividends (each share floored), and the
/// subnet owner gets the rest: 18% plus the rounding dust, plus a whole pool whose weights are all
/// zero. A uid's emission is minted to the coldkey that registered its hotkey. The total minted per
/// epoch is exactly tempo * EMISSION_PER_BLOCK.
///
/// Trust: the keeper is trusted to run Yuma on the inputs it commits to (inputsHash, documented in
/// chain/keeper/README.md); the ledger checks what it can: schedule, the uid set, and the split.
contract EpochLedger is IEpochLedger, AccessControl {
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");
    /// 1 GRID per block per subnet (Bittensor emits 1 TAO per block network-wide; we have few subnets).
    uint256 public constant EMISSION_PER_BLOCK = 1e18;
    uint256 public constant MINERS_PERCENT = 41;
    uint256 public constant VALIDATORS_PERCENT = 41;

    error ZeroAddress();
    error UnknownSubnet(uint16 netuid);
    error EpochBlockNotPast(uint64 epochBlock, uint256 currentBlock);
    error EpochNotDue(uint16 netuid, uint64 epochBlock, uint64 dueBlock);
    error NeuronCountMismatch(uint16 netuid, uint256 posted, uint256 registered);
    error NeuronRegisteredAfterEpoch(uint16 netuid, uint16 uid, uint64 registeredAt);
    error InvalidNeuronWord(uint16 uid);

    IMintableToken public immutable token;
    IEpochRegistry public immutable registry;

    mapping(uint16 netuid => uint64) public epochCount;
    mapping(uint16 netuid => mapping(uint64 epoch => EpochRecord)) private _epochs;
    mapping(uint16 netuid => uint256) private _permitBits;
    mapping(uint16 netuid => uint256[16]) private _pruningWords;

    constructor(IMintableToken token_, IEpochRegistry registry_, address admin) {
        if (address(token_) == address(0) || address(registry_) == address(0) || admin == address(0)) revert ZeroAddress();
        token = token_;
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// Posts epoch `epochCount + 1` of `netuid`: the Yuma results for the state at the end of block
    /// `epochBlock` (a past block, at least tempo blocks after the previous epoch's, or after the
    /// subnet's registration), one entry per uid 0..n-1 of the neurons registered by then.
    /// `bondsHash` commits to the bond rows the epoch left (chain/keeper/README.md).
    /// Each uid's NeuronResult comes packed in one word (one calldata read and a few shifts per uid,
    /// where a struct array costs a bounds-checked read per field): bits 0-15 stakeWeight, 16-31
    /// consensus, 32-47 incentive, 48-63 dividends, 64-79 validatorTrust, 80-95 rank, 96-111 trust,
    /// bit 112 validatorPermit, the rest zero (else InvalidNeuronWord).
    function postEpoch(uint16 netuid, uint64 epochBlock, bytes32 inputsHash, bytes32 bondsHash, uint256[] calldata neurons)
        external
        onlyRole(KEEPER_ROLE)
        returns (uint64 epoch)
    {
        if (epochBlock >= block.number) revert EpochBlockNotPast(epochBlock, block.number);
        Payees memory p = _payees(netuid);
        uint64 count = epochCount[netuid];
        uint64 due = (count == 0 ? p.subnetRegisteredAt : _epochs[netuid][count].block) + p.tempo;
        if (epochBlock < due) revert EpochNotDue(netuid, epochBlock, due);
        _checkNeurons(netuid, epochBlock, neurons.length, p.registeredAt);
        uint256[] memory paid = _split(uint256(p.tempo) * EMISSION_PER_BLOCK, neurons);
        uint256 ownerCut;
        (epoch, ownerCut) = _finalize(netuid, epochBlock, inputsHash, bondsHash, uint256(p.tempo) * EMISSION_PER_BLOCK, paid);
        _record(netuid, epoch, neurons, paid);
        _mint(p, ownerCut, paid);
    }

    /// One token call for the whole epoch: the owner's cut first, then each paid uid's emission to
    /// its coldkey (a coldkey with several uids gets one mint per uid, as the events list them).
    function _mint(Payees memory p, uint256 ownerCut, uint256[] memory paid) private {
        uint256 count = ownerCut > 0 ? 1 : 0;
        for (uint256 uid = 0; uid < paid.length; uid++) if (paid[uid] > 0) count++;
        if (count == 0) return;
        address[] memory to = new address[](count);
        uint256[] memory amounts = new uint256[](count);
        uint256 k;
        if (ownerCut > 0) (to[0], amounts[0], k) = (p.owner, ownerCut, 1);
        for (uint256 uid = 0; uid < paid.length; uid++) {
            if (paid[uid] > 0) (to[k], amounts[k], k) = (p.coldkeys[uid], paid[uid], k + 1);
        }
        token.mintBatch(to, amounts);
    }

    /// Stores the epoch's record and announces it before its per-uid events.
    function _finalize(uint16 netuid, uint64 epochBlock, bytes32 inputsHash, bytes32 bondsHash, uint256 emission, uint256[] memory paid)
        private
        returns (uint64 epoch, uint256 ownerCut)
    {
        ownerCut = emission;
        for (uint256 uid = 0; uid < paid.length; uid++) ownerCut -= paid[uid];
        epoch = epochCount[netuid] + 1;
        epochCount[netuid] = epoch;
        _epochs[netuid][epoch] = EpochRecord({
            block: epochBlock,
            neuronCount: uint16(paid.length),
            inputsHash: inputsHash,
            bondsHash: bondsHash,
            emission: emission,
            ownerCut: ownerCut
        });
        emit EpochFinalized(netuid, epoch, epochBlock, inputsHash, emission, ownerCut);
    }

    struct Payees {
        address owner;
        uint16 tempo;
        uint64 subnetRegisteredAt;
        address[] coldkeys;
        uint64[] registeredAt;
    }

    function _payees(uint16 netuid) private view returns (Payees memory p) {
        try registry.epochPayees(netuid) returns (
            address owner, uint16 tempo, uint64 subnetRegisteredAt, address[] memory coldkeys, uint64[] memory registeredAt
        ) {
            (p.owner, p.tempo, p.subnetRegisteredAt, p.coldkeys, p.registeredAt) = (owner, tempo, subnetRegisteredAt, coldkeys, registeredAt);
        } catch {
            // The registry's only revert here is its own UnknownSubnet.
            revert UnknownSubnet(netuid);
        }
    }

    /// The posted uids must be exactly the neurons registered at epochBlock: every uid below n
    /// registered by then (else the keeper read a state that a replacement has since changed), every
    /// uid from n on registered after it.
    function _checkNeurons(uint16 netuid, uint64 epochBlock, uint256 n, uint64[] memory registeredAt) private pure {
        if (n > registeredAt.length) revert NeuronCountMismatch(netuid, n, registeredAt.length);
        for (uint256 uid = 0; uid < registeredAt.length; uid++) {
            if (uid < n) {
                if (registeredAt[uid] > epochBlock) revert NeuronRegisteredAfterEpoch(netuid, uint16(uid), registeredAt[uid]);
            } else if (registeredAt[uid] <= epochBlock) {
                revert NeuronCountMismatch(netuid, n, registeredAt.length);
            }
        }
    }

    /// Per uid: floor(minersPool * I_i / sum I) + floor(validatorsPool * D_i / sum D) (chain/yuma splitEmission).
    function _split(uint256 emission, uint256[] calldata neurons) private pure returns (uint256[] memory paid) {
        uint256 n = neurons.length;
        uint256 sumI;
        uint256 sumD;
        unchecked {
            // At most 256 u16 values each: no overflow.
            for (uint256 uid = 0; uid < n; uid++) {
                uint256 w = neurons[uid];
                if (w >> 113 != 0) revert InvalidNeuronWord(uint16(uid));
                sumI += (w >> 32) & 0xffff;
                sumD += (w >> 48) & 0xffff;
            }
        }
        uint256 minersPool = (emission * MINERS_PERCENT) / 100;
        uint256 validatorsPool = (emission * VALIDATORS_PERCENT) / 100;
        paid = new uint256[](n);
        unchecked {
            // pool * u16 stays far below 2^256; the divisions are by non-zero sums.
            for (uint256 uid = 0; uid < n; uid++) {
                uint256 w = neurons[uid];
                uint256 e;
                if (sumI > 0) e = (minersPool * ((w >> 32) & 0xffff)) / sumI;
                if (sumD > 0) e += (validatorsPool * ((w >> 48) & 0xffff)) / sumD;
                paid[uid] = e;
            }
        }
    }

    /// Events, permits and pruning scores. Pruning score: the uid's emission max-upscaled to u16
    /// (round half up), the lowest one being replaced first when the subnet is full.
    function _record(uint16 netuid, uint64 epoch, uint256[] calldata neurons, uint256[] memory paid) private {
        uint256 n = paid.length;
        uint256 maxPaid;
        uint256 bits;
        uint256[16] memory words;
        unchecked {
            for (uint256 uid = 0; uid < n; uid++) if (paid[uid] > maxPaid) maxPaid = paid[uid];
            for (uint256 uid = 0; uid < n; uid++) {
                uint256 w = neurons[uid];
                uint256 e = paid[uid];
                bool permit = (w >> 112) & 1 == 1;
                if (permit) bits |= 1 << uid;
                // e <= emission: e * 131070 cannot overflow.
                if (maxPaid > 0) words[uid >> 4] |= ((e * 131070 + maxPaid) / (2 * maxPaid)) << (16 * (uid & 15));
                emit NeuronEpoch(
                    netuid,
                    epoch,
                    uint16(uid),
                    uint16(w),
                    uint16(w >> 16),
                    uint16(w >> 32),
                    uint16(w >> 48),
                    uint16(w >> 64),
                    uint16(w >> 80),
                    uint16(w >> 96),
                    e,
                    permit
                );
            }
        }
        _permitBits[netuid] = bits;
        uint256[16] storage stored = _pruningWords[netuid];
        for (uint256 w = 0; w < 16; w++) if (stored[w] != words[w]) stored[w] = words[w];
    }

    // ---- views ----

    function getEpoch(uint16 netuid, uint64 epoch) external view returns (EpochRecord memory) {
        return _epochs[netuid][epoch];
    }

    function lastEpochBlock(uint16 netuid) public view returns (uint64) {
        return _epochs[netuid][epochCount[netuid]].block;
    }

    function validatorPermits(uint16 netuid) external view returns (uint256 bits, uint64 epochBlock) {
        return (_permitBits[netuid], lastEpochBlock(netuid));
    }

    function pruningScores(uint16 netuid) external view returns (uint256[16] memory words, uint64 epochBlock) {
        return (_pruningWords[netuid], lastEpochBlock(netuid));
    }
}
