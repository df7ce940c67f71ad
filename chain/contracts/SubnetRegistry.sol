// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISubnetRegistry} from "./interfaces/ISubnetRegistry.sol";

interface IBurnableToken is IERC20 {
    function burnFrom(address account, uint256 amount) external;
}

/// Subnets, their neurons (uid slots) and stake per (coldkey, hotkey, netuid).
/// Callers are resolved with _msgSender() so that requests relayed by the trusted forwarder act
/// for the user who signed them.
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

    IBurnableToken public immutable token;
    /// Token burned by registerSubnet (the registrant must approve this contract for it).
    uint256 public registrationCost;
    /// uid slots given to subnets registered from now on.
    uint16 public defaultMaxUids = MAX_UIDS;

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

    // ---- subnets and neurons ----

    function registerSubnet(string calldata name, uint16 tempo) external returns (uint16 netuid) {
        if (bytes(name).length == 0) revert EmptyName();
        if (tempo == 0) revert InvalidTempo(tempo);
        address owner = _msgSender();
        uint256 cost = registrationCost;
        if (cost > 0) token.burnFrom(owner, cost);
        netuid = ++subnetCount;
        _subnets[netuid] = Subnet({
            owner: owner,
            tempo: tempo,
            maxUids: defaultMaxUids,
            neuronCount: 0,
            registeredAtBlock: uint64(block.number),
            name: name
        });
        emit SubnetRegistered(netuid, owner, name, tempo, cost);
    }

    /// Registers `hotkey` on `netuid` for the calling coldkey, in the next free uid slot.
    function registerNeuron(uint16 netuid, address hotkey) external returns (uint16 uid) {
        Subnet storage s = _subnet(netuid);
        if (hotkey == address(0)) revert ZeroAddress();
        address coldkey = _msgSender();
        address owner = hotkeyOwner[hotkey];
        if (owner == address(0)) hotkeyOwner[hotkey] = coldkey;
        else if (owner != coldkey) revert HotkeyOwnedByOther(hotkey, owner);
        if (_uidPlusOne[netuid][hotkey] != 0) revert HotkeyAlreadyRegistered(netuid, hotkey);
        // Pruning replaces the weakest neuron once full; until that exists, a full subnet refuses.
        if (s.neuronCount >= s.maxUids) revert SubnetFull(netuid, s.maxUids);
        uid = s.neuronCount++;
        _neurons[netuid][uid] = Neuron({hotkey: hotkey, coldkey: coldkey, registeredAtBlock: uint64(block.number)});
        _uidPlusOne[netuid][hotkey] = uid + 1;
        emit NeuronRegistered(netuid, uid, hotkey, coldkey);
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
