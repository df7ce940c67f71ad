// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISubnetRegistry} from "./interfaces/ISubnetRegistry.sol";
import {IEpochLedger} from "./interfaces/IEpochLedger.sol";

interface IBurnableToken is IERC20 {
    function burnFrom(address account, uint256 amount) external;
}

/// Subnets, their neurons (uid slots) and stake per (coldkey, hotkey, netuid).
/// Callers are resolved with _msgSender() so that requests relayed by the trusted forwarder act
/// for the user who signed them.
///
/// Replacement of a neuron (a full subnet, see registerNeuron): the new hotkey takes the uid with
/// an empty weight row and LastUpdate = its registration block; the old hotkey loses its uid (it
/// can register again later). Stake is never moved: it stays in the (coldkey, old hotkey, netuid)
/// positions, still counted in hotkeyStake/subnetStake, and its coldkeys can remove it as usual;
/// it only stops counting in epochs, which read the stake of the hotkeys that hold uids. The uid's
/// permit and bonds are the ledger's and the keeper's: a neuron registered after the last epoch's
/// block holds no permit and no bond row, whatever the uid's previous holder had.
contract SubnetRegistry is ISubnetRegistry, AccessControl, ERC2771Context {
    using SafeERC20 for IERC20;

    /// Hard cap of uid slots per subnet (as on Bittensor's default subnets).
    uint16 public constant MAX_UIDS = 256;

    struct Subnet {
        address owner;
        uint16 tempo;
        uint16 maxUids;
        uint16 neuronCount;
        uint64 registeredAtBlock;
        string name;
    }

    struct Neuron {
        address hotkey;
        address coldkey;
        uint64 registeredAtBlock;
    }

    error EmptyName();
    error InvalidTempo(uint16 tempo);
    error InvalidMaxUids(uint16 maxUids);
    error UnknownSubnet(uint16 netuid);
    error ZeroAddress();
    error ZeroAmount();
    error SubnetFull(uint16 netuid, uint16 maxUids);
    error HotkeyAlreadyRegistered(uint16 netuid, address hotkey);
    error HotkeyOwnedByOther(address hotkey, address owner);
    error HotkeyNotRegistered(uint16 netuid, address hotkey);
    error InsufficientStake(uint256 available, uint256 requested);
    error UnknownUid(uint16 netuid, uint16 uid);
    error NotSubnetOwner(uint16 netuid, address caller);
    error InvalidMaxAllowedValidators(uint16 maxAllowedValidators);
    error InvalidBondsMovingAverage(uint32 bondsMovingAverage);
    error InvalidAlphaRange(uint16 alphaLow, uint16 alphaHigh);
    error EpochLedgerAlreadySet(address ledger);
    error WeightsLengthMismatch(uint256 uids, uint256 values);
    error NoValidatorPermit(uint16 netuid, uint16 uid);
    error WeightsRateLimited(uint16 netuid, uint16 uid, uint64 nextAllowedBlock);
    error UidsNotAscending(uint256 index);
    error UidOutOfRange(uint16 netuid, uint16 uid, uint16 neuronCount);

    /// Burned per neuron registration unless the admin changes it (1 GRID).
    uint256 public constant DEFAULT_NEURON_REGISTRATION_COST = 1e18;

    IBurnableToken public immutable token;
    /// Token burned by registerSubnet (the registrant must approve this contract for it).
    uint256 public registrationCost;
    /// uid slots given to subnets registered from now on.
    uint16 public defaultMaxUids = MAX_UIDS;
    /// Token burned by registerNeuron (the coldkey must approve this contract for it).
    uint256 public neuronRegistrationCost = DEFAULT_NEURON_REGISTRATION_COST;
    /// Where permits and pruning scores come from; set once by the admin (none: no permits).
    IEpochLedger public epochLedger;
    /// The subnet whose miners are the compute market's providers (0: none).
    uint16 public computeNetuid;

    uint16 public subnetCount;
    uint256 public totalStake;

    mapping(uint16 netuid => Subnet) private _subnets;
    mapping(uint16 netuid => mapping(uint16 uid => Neuron)) private _neurons;
    /// uid + 1 of a hotkey on a subnet, 0 when not registered there.
    mapping(uint16 netuid => mapping(address hotkey => uint16)) private _uidPlusOne;
    /// The coldkey that first registered a hotkey owns it on every subnet.
    mapping(address hotkey => address coldkey) public hotkeyOwner;

    mapping(address coldkey => mapping(address hotkey => mapping(uint16 netuid => uint256))) public stakeOf;
    mapping(uint16 netuid => mapping(address hotkey => uint256)) public hotkeyStake;
    mapping(uint16 netuid => uint256) public subnetStake;

    struct WeightRow {
        uint16[] uids;
        uint16[] values;
    }

    mapping(uint16 netuid => Hyperparameters) private _hyperparameters;
    /// Block of the uid's last setWeights; its registration block until then (FORMAT.md §2).
    mapping(uint16 netuid => mapping(uint16 uid => uint64)) private _lastUpdate;
    mapping(uint16 netuid => mapping(uint16 uid => WeightRow)) private _weights;

    constructor(IBurnableToken token_, address trustedForwarder, uint256 registrationCost_, address admin)
        ERC2771Context(trustedForwarder)
    {
        if (address(token_) == address(0) || admin == address(0)) revert ZeroAddress();
        token = token_;
        registrationCost = registrationCost_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---- admin ----

    function setRegistrationCost(uint256 cost) external onlyRole(DEFAULT_ADMIN_ROLE) {
        registrationCost = cost;
    }

    function setDefaultMaxUids(uint16 maxUids) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (maxUids == 0 || maxUids > MAX_UIDS) revert InvalidMaxUids(maxUids);
        defaultMaxUids = maxUids;
    }

    function setNeuronRegistrationCost(uint256 cost) external onlyRole(DEFAULT_ADMIN_ROLE) {
        neuronRegistrationCost = cost;
        emit NeuronRegistrationCostSet(cost);
    }

    /// Once: the ledger and the registry read each other, so one of them learns the other's address late.
    function setEpochLedger(IEpochLedger ledger) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(ledger) == address(0)) revert ZeroAddress();
        if (address(epochLedger) != address(0)) revert EpochLedgerAlreadySet(address(epochLedger));
        epochLedger = ledger;
    }

    /// Marks `netuid` as the compute subnet: providers register their hotkey there as a neuron and
    /// its validators weight them by their work in the compute market.
    function setComputeSubnet(uint16 netuid) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _subnet(netuid);
        computeNetuid = netuid;
        emit ComputeSubnetSet(netuid);
    }

    // ---- subnets and neurons ----

    /// Registers a subnet with defaultHyperparameters(tempo).
    function registerSubnet(string calldata name, uint16 tempo) external returns (uint16 netuid) {
        return _registerSubnet(name, defaultHyperparameters(tempo));
    }

    function registerSubnetWithHyperparameters(string calldata name, Hyperparameters calldata hp) external returns (uint16 netuid) {
        return _registerSubnet(name, hp);
    }

    /// Subtensor's defaults where it has one (kappa 0.5, bonds EMA 0.9, full penalty, immunity 4096,
    /// activity cutoff 5000), 64 validator permits, and a weights rate limit of 100 blocks.
    function defaultHyperparameters(uint16 tempo) public view returns (Hyperparameters memory) {
        uint16 maxUids = defaultMaxUids;
        return Hyperparameters({
            tempo: tempo,
            maxUids: maxUids,
            maxAllowedValidators: maxUids < 64 ? maxUids : 64,
            kappa: 32767,
            bondsMovingAverage: 900_000,
            bondsPenalty: 65535,
            yuma3: false,
            liquidAlpha: false,
            alphaLow: 45875,
            alphaHigh: 58982,
            alphaSigmoidSteepness: 1000,
            activityCutoff: 5000,
            immunityPeriod: 4096,
            weightsRateLimit: 100,
            stakeThreshold: 0
        });
    }

    /// Changes every hyperparameter of `netuid` at once; only its owner may.
    function setHyperparameters(uint16 netuid, Hyperparameters calldata hp) external {
        Subnet storage s = _subnet(netuid);
        if (_msgSender() != s.owner) revert NotSubnetOwner(netuid, _msgSender());
        _checkHyperparameters(hp, s.neuronCount);
        s.tempo = hp.tempo;
        s.maxUids = hp.maxUids;
        _hyperparameters[netuid] = hp;
        emit HyperparametersSet(netuid, hp);
    }

    function _registerSubnet(string calldata name, Hyperparameters memory hp) private returns (uint16 netuid) {
        if (bytes(name).length == 0) revert EmptyName();
        _checkHyperparameters(hp, 0);
        address owner = _msgSender();
        uint256 cost = registrationCost;
        if (cost > 0) token.burnFrom(owner, cost);
        netuid = ++subnetCount;
        _subnets[netuid] = Subnet({
            owner: owner,
            tempo: hp.tempo,
            maxUids: hp.maxUids,
            neuronCount: 0,
            registeredAtBlock: uint64(block.number),
            name: name
        });
        _hyperparameters[netuid] = hp;
        emit SubnetRegistered(netuid, owner, name, hp.tempo, cost);
        emit HyperparametersSet(netuid, hp);
    }

    function _checkHyperparameters(Hyperparameters memory hp, uint16 neuronCount_) private pure {
        if (hp.tempo == 0) revert InvalidTempo(hp.tempo);
        // A subnet never shrinks below its registered neurons: uids are never freed, only replaced.
        if (hp.maxUids == 0 || hp.maxUids > MAX_UIDS || hp.maxUids < neuronCount_) revert InvalidMaxUids(hp.maxUids);
        if (hp.maxAllowedValidators == 0 || hp.maxAllowedValidators > hp.maxUids) {
            revert InvalidMaxAllowedValidators(hp.maxAllowedValidators);
        }
        if (hp.bondsMovingAverage > 1_000_000) revert InvalidBondsMovingAverage(hp.bondsMovingAverage);
        if (hp.alphaLow > hp.alphaHigh) revert InvalidAlphaRange(hp.alphaLow, hp.alphaHigh);
    }

    /// Registers `hotkey` on `netuid` for the calling coldkey, burning neuronRegistrationCost: in
    /// the next free uid slot, or, when the subnet is full, in the slot of the non-immune neuron
    /// with the lowest pruning score (SubnetFull when every neuron is still immune).
    function registerNeuron(uint16 netuid, address hotkey) external returns (uint16 uid) {
        return _registerNeuron(netuid, _subnet(netuid), hotkey, _msgSender(), neuronRegistrationCost);
    }

    /// registerNeuron for several hotkeys of the calling coldkey at once, in order (each as its own
    /// NeuronRegistered, and NeuronReplaced where it takes a pruned slot), burning
    /// neuronRegistrationCost per hotkey in one burn after them. Reverts as a whole if any one would.
    function registerNeurons(uint16 netuid, address[] calldata hotkeys) external returns (uint16[] memory uids) {
        Subnet storage s = _subnet(netuid);
        address coldkey = _msgSender();
        uids = new uint16[](hotkeys.length);
        for (uint256 k = 0; k < hotkeys.length; k++) uids[k] = _registerNeuron(netuid, s, hotkeys[k], coldkey, 0);
        uint256 cost = neuronRegistrationCost * hotkeys.length;
        if (cost > 0) token.burnFrom(coldkey, cost);
    }

    /// Checks, burns `cost` from the coldkey, then takes a slot.
    function _registerNeuron(uint16 netuid, Subnet storage s, address hotkey, address coldkey, uint256 cost) private returns (uint16 uid) {
        if (hotkey == address(0)) revert ZeroAddress();
        address owner = hotkeyOwner[hotkey];
        if (owner == address(0)) hotkeyOwner[hotkey] = coldkey;
        else if (owner != coldkey) revert HotkeyOwnedByOther(hotkey, owner);
        if (_uidPlusOne[netuid][hotkey] != 0) revert HotkeyAlreadyRegistered(netuid, hotkey);
        if (cost > 0) token.burnFrom(coldkey, cost);
        if (s.neuronCount < s.maxUids) {
            uid = s.neuronCount++;
        } else {
            uid = _uidToPrune(netuid, s);
            address oldHotkey = _neurons[netuid][uid].hotkey;
            delete _uidPlusOne[netuid][oldHotkey];
            delete _weights[netuid][uid];
            emit NeuronReplaced(netuid, uid, oldHotkey, hotkey, coldkey);
        }
        _neurons[netuid][uid] = Neuron({hotkey: hotkey, coldkey: coldkey, registeredAtBlock: uint64(block.number)});
        _uidPlusOne[netuid][hotkey] = uid + 1;
        _lastUpdate[netuid][uid] = uint64(block.number);
        emit NeuronRegistered(netuid, uid, hotkey, coldkey);
    }

    /// Subtensor's get_neuron_to_prune: among neurons out of immunity (registered at least
    /// immunityPeriod blocks ago), the lowest pruning score of the last epoch; ties go to the oldest
    /// registration, then the lowest uid. A neuron registered after that epoch scores 0.
    function _uidToPrune(uint16 netuid, Subnet storage s) private view returns (uint16 best) {
        uint256[16] memory words;
        uint64 epochBlock;
        if (address(epochLedger) != address(0)) (words, epochBlock) = epochLedger.pruningScores(netuid);
        uint64 immunity = _hyperparameters[netuid].immunityPeriod;
        bool found;
        uint256 bestScore;
        uint64 bestRegistered;
        for (uint16 uid = 0; uid < s.neuronCount; uid++) {
            uint64 registered = _neurons[netuid][uid].registeredAtBlock;
            if (block.number - registered < immunity) continue;
            uint256 score = registered > epochBlock ? 0 : (words[uid >> 4] >> (16 * (uid & 15))) & 0xffff;
            if (!found || score < bestScore || (score == bestScore && registered < bestRegistered)) {
                (found, best, bestScore, bestRegistered) = (true, uid, score, registered);
            }
        }
        if (!found) revert SubnetFull(netuid, s.maxUids);
    }

    // ---- weights ----

    /// Sets the caller's (a hotkey's) weight row on `netuid`, stored as subtensor stores it: each
    /// value max-upscaled so the row's largest becomes 65535. Needs a validator permit from the last
    /// epoch, uids strictly ascending and registered, and weightsRateLimit blocks since LastUpdate.
    function setWeights(uint16 netuid, uint16[] calldata uids, uint16[] calldata values) external {
        uint16 n = _subnet(netuid).neuronCount;
        uint16 uid = _weightSetter(netuid);
        if (uids.length != values.length) revert WeightsLengthMismatch(uids.length, values.length);
        uint16 maxValue;
        for (uint256 k = 0; k < uids.length; k++) {
            if (uids[k] >= n) revert UidOutOfRange(netuid, uids[k], n);
            if (k > 0 && uids[k] <= uids[k - 1]) revert UidsNotAscending(k);
            if (values[k] > maxValue) maxValue = values[k];
        }
        uint16[] memory stored = new uint16[](values.length);
        for (uint256 k = 0; k < values.length; k++) stored[k] = _maxUpscale(values[k], maxValue);
        WeightRow storage row = _weights[netuid][uid];
        row.uids = uids;
        row.values = stored;
        _lastUpdate[netuid][uid] = uint64(block.number);
        emit WeightsSet(netuid, uid, uids, stored);
    }

    /// The caller's uid, if it may set weights now: registered, holding a permit, not rate-limited.
    function _weightSetter(uint16 netuid) private view returns (uint16 uid) {
        address hotkey = _msgSender();
        uint16 p = _uidPlusOne[netuid][hotkey];
        if (p == 0) revert HotkeyNotRegistered(netuid, hotkey);
        uid = p - 1;
        if (!hasValidatorPermit(netuid, uid)) revert NoValidatorPermit(netuid, uid);
        uint64 last = _lastUpdate[netuid][uid];
        uint64 limit = _hyperparameters[netuid].weightsRateLimit;
        // Subtensor's check_rate_limit: current - last >= limit (a LastUpdate of 0 never limits).
        if (last != 0 && block.number - last < limit) revert WeightsRateLimited(netuid, uid, last + limit);
    }

    /// vec_u16_max_upscale_to_u16 in the chain's own I32F32 steps (FORMAT.md §1), so that stored
    /// rows are bit-identical to subtensor's: above 32768 the chain divides first, which rounds
    /// differently from the exact round(v * 65535 / m).
    function _maxUpscale(uint16 v, uint16 m) private pure returns (uint16) {
        if (m == 0) return 0;
        uint256 bits = m > 32768 ? uint256(v) * ((uint256(65535) << 32) / m) : (uint256(v) * 65535 << 32) / m;
        uint256 r = (bits + (1 << 31)) >> 32; // round half away from zero (positive values)
        return r > 65535 ? 65535 : uint16(r);
    }

    // ---- stake ----

    function addStake(address hotkey, uint16 netuid, uint256 amount) external {
        _subnet(netuid);
        if (amount == 0) revert ZeroAmount();
        if (_uidPlusOne[netuid][hotkey] == 0) revert HotkeyNotRegistered(netuid, hotkey);
        address coldkey = _msgSender();
        IERC20(address(token)).safeTransferFrom(coldkey, address(this), amount);
        uint256 newStake = stakeOf[coldkey][hotkey][netuid] + amount;
        stakeOf[coldkey][hotkey][netuid] = newStake;
        uint256 hk = hotkeyStake[netuid][hotkey] + amount;
        hotkeyStake[netuid][hotkey] = hk;
        uint256 sn = subnetStake[netuid] + amount;
        subnetStake[netuid] = sn;
        totalStake += amount;
        emit StakeAdded(coldkey, hotkey, netuid, amount, newStake, hk, sn);
    }

    function removeStake(address hotkey, uint16 netuid, uint256 amount) external {
        _subnet(netuid);
        if (amount == 0) revert ZeroAmount();
        address coldkey = _msgSender();
        uint256 current = stakeOf[coldkey][hotkey][netuid];
        if (current < amount) revert InsufficientStake(current, amount);
        uint256 newStake = current - amount;
        stakeOf[coldkey][hotkey][netuid] = newStake;
        uint256 hk = hotkeyStake[netuid][hotkey] - amount;
        hotkeyStake[netuid][hotkey] = hk;
        uint256 sn = subnetStake[netuid] - amount;
        subnetStake[netuid] = sn;
        totalStake -= amount;
        IERC20(address(token)).safeTransfer(coldkey, amount);
        emit StakeRemoved(coldkey, hotkey, netuid, amount, newStake, hk, sn);
    }

    // ---- views ----

    /// Permit of the last posted epoch, held only by a neuron that already held the uid at that
    /// epoch's block: a neuron registered since then does not inherit its uid's permit.
    function hasValidatorPermit(uint16 netuid, uint16 uid) public view returns (bool) {
        if (address(epochLedger) == address(0)) return false;
        (uint256 bits, uint64 epochBlock) = epochLedger.validatorPermits(netuid);
        if (epochBlock == 0 || (bits >> uid) & 1 == 0) return false;
        return _neurons[netuid][uid].registeredAtBlock <= epochBlock;
    }

    function getHyperparameters(uint16 netuid) external view returns (Hyperparameters memory) {
        _subnet(netuid);
        return _hyperparameters[netuid];
    }

    function getWeights(uint16 netuid, uint16 uid) external view returns (uint16[] memory uids, uint16[] memory values) {
        Subnet storage s = _subnet(netuid);
        if (uid >= s.neuronCount) revert UnknownUid(netuid, uid);
        WeightRow storage row = _weights[netuid][uid];
        return (row.uids, row.values);
    }

    /// Weight rows of uids [fromUid, fromUid + count) (clamped to the neuron count): one call for
    /// many rows, because a reader (the keeper) would otherwise make one per uid.
    function getWeightRows(uint16 netuid, uint16 fromUid, uint16 count)
        external
        view
        returns (uint16[][] memory uids, uint16[][] memory values)
    {
        uint256 n = _subnet(netuid).neuronCount;
        uint256 end = uint256(fromUid) + count;
        if (end > n) end = n;
        uint256 len = end > fromUid ? end - fromUid : 0;
        uids = new uint16[][](len);
        values = new uint16[][](len);
        for (uint256 k = 0; k < len; k++) {
            WeightRow storage row = _weights[netuid][uint16(fromUid + k)];
            (uids[k], values[k]) = (row.uids, row.values);
        }
    }

    function lastUpdate(uint16 netuid, uint16 uid) external view returns (uint64) {
        Subnet storage s = _subnet(netuid);
        if (uid >= s.neuronCount) revert UnknownUid(netuid, uid);
        return _lastUpdate[netuid][uid];
    }

    /// Everything an epoch reads per uid except weights (the keeper's view): neurons in uid order,
    /// their LastUpdate blocks and the stake of each uid's hotkey.
    function getNeurons(uint16 netuid)
        external
        view
        returns (Neuron[] memory neurons, uint64[] memory lastUpdates, uint256[] memory stakes)
    {
        Subnet storage s = _subnet(netuid);
        uint16 n = s.neuronCount;
        neurons = new Neuron[](n);
        lastUpdates = new uint64[](n);
        stakes = new uint256[](n);
        for (uint16 uid = 0; uid < n; uid++) {
            Neuron memory nr = _neurons[netuid][uid];
            neurons[uid] = nr;
            lastUpdates[uid] = _lastUpdate[netuid][uid];
            stakes[uid] = hotkeyStake[netuid][nr.hotkey];
        }
    }

    /// What the ledger needs to pay an epoch: the owner, the tempo, and per uid one word holding
    /// the neuron's registration block (bits 160-223) and coldkey (bits 0-159): the storage slot
    /// they share, so a 256-uid post reads, encodes and decodes one word per uid.
    function epochPayees(uint16 netuid)
        external
        view
        returns (address owner, uint16 tempo, uint64 subnetRegisteredAt, uint256[] memory payees)
    {
        Subnet storage s = _subnet(netuid);
        uint16 n = s.neuronCount;
        payees = new uint256[](n);
        unchecked {
            for (uint16 uid = 0; uid < n; uid++) {
                Neuron storage nr = _neurons[netuid][uid];
                payees[uid] = (uint256(nr.registeredAtBlock) << 160) | uint256(uint160(nr.coldkey));
            }
        }
        return (s.owner, s.tempo, s.registeredAtBlock, payees);
    }

    function neuronCount(uint16 netuid) external view returns (uint16) {
        return _subnet(netuid).neuronCount;
    }

    function getSubnet(uint16 netuid) external view returns (Subnet memory) {
        return _subnet(netuid);
    }

    function getNeuron(uint16 netuid, uint16 uid) external view returns (Neuron memory) {
        Subnet storage s = _subnet(netuid);
        if (uid >= s.neuronCount) revert UnknownUid(netuid, uid);
        return _neurons[netuid][uid];
    }

    /// Returns (true, uid) when `hotkey` holds a slot on `netuid`.
    function uidOf(uint16 netuid, address hotkey) external view returns (bool registered, uint16 uid) {
        uint16 p = _uidPlusOne[netuid][hotkey];
        return p == 0 ? (false, 0) : (true, p - 1);
    }

    function _subnet(uint16 netuid) private view returns (Subnet storage s) {
        s = _subnets[netuid];
        if (s.owner == address(0)) revert UnknownSubnet(netuid);
    }

    // ---- ERC-2771 plumbing: both Context and ERC2771Context define these ----

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}
