// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEpochLedger} from "./interfaces/IEpochLedger.sol";

interface IMintableToken {
    function mint(address to, uint256 amount) external;
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external;
}

interface IEpochRegistry {
    /// Per uid one word: the slot's registration block in bits 160-223, its coldkey in bits 0-159.
    function epochPayees(uint16 netuid)
        external
        view
        returns (address owner, uint16 tempo, uint64 subnetRegisteredAt, uint256[] memory payees);
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
    /// The per-uid work runs in three unchecked passes (sums; emissions; events, permits, pruning
    /// scores and mint list): a devnet spends its time per EVM step, and a post is 256 uids.
    function postEpoch(uint16 netuid, uint64 epochBlock, bytes32 inputsHash, bytes32 bondsHash, uint256[] calldata neurons)
        external
        onlyRole(KEEPER_ROLE)
        returns (uint64 epoch)
    {
        if (epochBlock >= block.number) revert EpochBlockNotPast(epochBlock, block.number);
        Payees memory p = _payees(netuid);
        epoch = epochCount[netuid];
        uint64 due = (epoch == 0 ? p.subnetRegisteredAt : _epochs[netuid][epoch].block) + p.tempo;
        if (epochBlock < due) revert EpochNotDue(netuid, epochBlock, due);
        _checkNeurons(netuid, epochBlock, neurons.length, p.payees);
        Split memory sp = _split(uint256(p.tempo) * EMISSION_PER_BLOCK, neurons, p);
        epoch++;
        epochCount[netuid] = epoch;
        _epochs[netuid][epoch] = EpochRecord({
            block: epochBlock,
            neuronCount: uint16(neurons.length),
            inputsHash: inputsHash,
            bondsHash: bondsHash,
            emission: sp.emission,
            ownerCut: sp.ownerCut
        });
        // Announced before its per-uid events.
        emit EpochFinalized(netuid, epoch, epochBlock, inputsHash, sp.emission, sp.ownerCut);
        _record(netuid, epoch, neurons, sp.paid, sp.maxPaid);
        // One token call for the whole epoch: the owner's cut first, then each paid uid's emission to
        // its coldkey (a coldkey with several uids gets one mint per uid, as the events list them).
        if (sp.to.length > 0) token.mintBatch(sp.to, sp.amounts);
    }

    struct Payees {
        address owner;
        uint16 tempo;
        uint64 subnetRegisteredAt;
        /// Per uid: registration block in bits 160-223, coldkey in bits 0-159.
        uint256[] payees;
    }

    struct Split {
        uint256 emission;
        uint256[] paid;
        uint256 ownerCut;
        uint256 maxPaid;
        /// The mint list: the owner's cut first (if any), then every paid uid's emission to its coldkey.
        address[] to;
        uint256[] amounts;
    }

    function _payees(uint16 netuid) private view returns (Payees memory p) {
        try registry.epochPayees(netuid) returns (address owner, uint16 tempo, uint64 subnetRegisteredAt, uint256[] memory payees) {
            (p.owner, p.tempo, p.subnetRegisteredAt, p.payees) = (owner, tempo, subnetRegisteredAt, payees);
        } catch {
            // The registry's only revert here is its own UnknownSubnet.
            revert UnknownSubnet(netuid);
        }
    }

    /// The posted uids must be exactly the neurons registered at epochBlock: every uid below n
    /// registered by then (else the keeper read a state that a replacement has since changed), every
    /// uid from n on registered after it.
    function _checkNeurons(uint16 netuid, uint64 epochBlock, uint256 n, uint256[] memory payees) private pure {
        uint256 total = payees.length;
        if (n > total) revert NeuronCountMismatch(netuid, n, total);
        // The first uid that breaks the rule (total if none), and its registration block.
        uint256 bad = total;
        uint256 registeredAt;
        assembly ("memory-safe") {
            for { let uid := 0 } lt(uid, total) { uid := add(uid, 1) } {
                let r := and(shr(160, mload(add(payees, shl(5, add(uid, 1))))), 0xffffffffffffffff)
                // Below n: registered by epochBlock; from n on: after it.
                if iszero(eq(lt(uid, n), iszero(gt(r, epochBlock)))) {
                    bad := uid
                    registeredAt := r
                    break
                }
            }
        }
        if (bad < n) revert NeuronRegisteredAfterEpoch(netuid, uint16(bad), uint64(registeredAt));
        if (bad < total) revert NeuronCountMismatch(netuid, n, total);
    }

    /// Per uid: floor(minersPool * I_i / sum I) + floor(validatorsPool * D_i / sum D) (chain/yuma
    /// splitEmission); the owner's cut is the rest. Also the mint list and the largest uid emission
    /// (it scales the pruning scores).
    function _split(uint256 emission, uint256[] calldata neurons, Payees memory p) private pure returns (Split memory sp) {
        (uint256[] memory paid, uint256 ownerCut, uint256 maxPaid) = _shares(emission, neurons);
        (sp.emission, sp.paid, sp.ownerCut, sp.maxPaid) = (emission, paid, ownerCut, maxPaid);
        (sp.to, sp.amounts) = _mintList(paid, p.payees, p.owner, ownerCut);
    }

    function _shares(uint256 emission, uint256[] calldata neurons)
        private
        pure
        returns (uint256[] memory paid, uint256 ownerCut, uint256 maxPaid)
    {
        uint256 n = neurons.length;
        uint256 sumI;
        uint256 sumD;
        uint256 bad = n;
        // At most 256 u16 values each: the sums cannot overflow.
        assembly ("memory-safe") {
            let off := neurons.offset
            for { let uid := 0 } lt(uid, n) { uid := add(uid, 1) } {
                let w := calldataload(add(off, shl(5, uid)))
                if shr(113, w) {
                    bad := uid
                    break
                }
                sumI := add(sumI, and(shr(32, w), 0xffff))
                sumD := add(sumD, and(shr(48, w), 0xffff))
            }
        }
        if (bad < n) revert InvalidNeuronWord(uint16(bad));
        uint256 minersPool = (emission * MINERS_PERCENT) / 100;
        uint256 validatorsPool = (emission * VALIDATORS_PERCENT) / 100;
        paid = new uint256[](n);
        ownerCut = emission;
        // pool * u16 stays far below 2^256; a division by a zero sum gives 0 in the EVM (and such a
        // pool pays nobody); the shares sum to at most the two pools, so the owner's cut stays >= 0.
        assembly ("memory-safe") {
            let off := neurons.offset
            for { let uid := 0 } lt(uid, n) { uid := add(uid, 1) } {
                let w := calldataload(add(off, shl(5, uid)))
                let e := add(div(mul(minersPool, and(shr(32, w), 0xffff)), sumI), div(mul(validatorsPool, and(shr(48, w), 0xffff)), sumD))
                mstore(add(paid, shl(5, add(uid, 1))), e)
                ownerCut := sub(ownerCut, e)
                if gt(e, maxPaid) { maxPaid := e }
            }
        }
    }

    /// The owner's cut first (if any), then every paid uid's emission to its coldkey.
    function _mintList(uint256[] memory paid, uint256[] memory payees, address owner, uint256 ownerCut)
        private
        pure
        returns (address[] memory to, uint256[] memory amounts)
    {
        to = new address[](paid.length + 1);
        amounts = new uint256[](paid.length + 1);
        assembly ("memory-safe") {
            let k := 0
            if ownerCut {
                k := 1
                mstore(add(to, 0x20), owner)
                mstore(add(amounts, 0x20), ownerCut)
            }
            let n := mload(paid)
            for { let uid := 0 } lt(uid, n) { uid := add(uid, 1) } {
                let e := mload(add(paid, shl(5, add(uid, 1))))
                if e {
                    k := add(k, 1)
                    mstore(add(to, shl(5, k)), and(mload(add(payees, shl(5, add(uid, 1)))), 0xffffffffffffffffffffffffffffffffffffffff))
                    mstore(add(amounts, shl(5, k)), e)
                }
            }
            mstore(to, k)
            mstore(amounts, k)
        }
    }

    /// NeuronEpoch events, permits and pruning scores. Pruning score: the uid's emission
    /// max-upscaled to u16 (round half up), the lowest one being replaced first when the subnet is full.
    function _record(uint16 netuid, uint64 epoch, uint256[] calldata neurons, uint256[] memory paid, uint256 maxPaid) private {
        uint256 bits;
        uint256[16] memory words;
        bytes32 sig = NeuronEpoch.selector;
        // One pass: per uid a hand-encoded NeuronEpoch(netuid, epoch, uid, the seven u16 outputs,
        // emission, permit), its permit bit and its pruning score (e <= emission: e * 131070 cannot
        // overflow; with maxPaid 0 every score is 0).
        assembly ("memory-safe") {
            let n := mload(paid)
            let off := neurons.offset
            let ptr := mload(0x40)
            let twice := shl(1, maxPaid)
            for { let uid := 0 } lt(uid, n) { uid := add(uid, 1) } {
                let w := calldataload(add(off, shl(5, uid)))
                let e := mload(add(paid, shl(5, add(uid, 1))))
                let permit := and(shr(112, w), 1)
                bits := or(bits, shl(uid, permit))
                if maxPaid {
                    let slot := add(words, shl(5, shr(4, uid)))
                    mstore(slot, or(mload(slot), shl(shl(4, and(uid, 15)), div(add(mul(e, 131070), maxPaid), twice))))
                }
                mstore(ptr, and(w, 0xffff))
                mstore(add(ptr, 0x20), and(shr(16, w), 0xffff))
                mstore(add(ptr, 0x40), and(shr(32, w), 0xffff))
                mstore(add(ptr, 0x60), and(shr(48, w), 0xffff))
                mstore(add(ptr, 0x80), and(shr(64, w), 0xffff))
                mstore(add(ptr, 0xa0), and(shr(80, w), 0xffff))
                mstore(add(ptr, 0xc0), and(shr(96, w), 0xffff))
                mstore(add(ptr, 0xe0), e)
                mstore(add(ptr, 0x100), permit)
                log4(ptr, 0x120, sig, netuid, epoch, uid)
            }
        }
        _permitBits[netuid] = bits;
        uint256[16] storage stored = _pruningWords[netuid];
        for (uint256 i = 0; i < 16; i++) if (stored[i] != words[i]) stored[i] = words[i];
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
