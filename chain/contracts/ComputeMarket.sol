// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IComputeMarket} from "./interfaces/IComputeMarket.sol";

/// Render-style compute market: markets priced in USD, GPU providers with a tier, and jobs whose
/// payment is escrowed in the token at the oracle price when posted.
/// Review, settlement and burn-mint-equilibrium come later; until then a completed job's payment
/// stays escrowed here.
contract ComputeMarket is IComputeMarket, AccessControl, ERC2771Context {
    using SafeERC20 for IERC20;

    bytes32 public constant MARKET_ADMIN_ROLE = keccak256("MARKET_ADMIN_ROLE");
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");

    uint8 public constant MIN_TIER = 1;
    uint8 public constant MAX_TIER = 3;
    /// Work units are thousandths of a unit; token and USD decimals are 18 and 8, so
    /// payment (wei) = workEstimate / 1e3 * usdPerUnit / 1e8 / (usdPerToken / 1e8) * 1e18
    ///               = workEstimate * usdPerUnit * 1e15 / usdPerToken, rounded up.
    uint256 public constant PAYMENT_SCALE = 1e15;

    struct Market {
        JobKind kind;
        uint8 tier;
        uint256 usdPerUnit;
        string name;
    }

    struct Provider {
        bool registered;
        uint8 tier;
        uint32 vramGb;
        uint32 benchmarkScore;
        uint64 registeredAtBlock;
        string gpuModel;
    }

    struct Job {
        uint32 marketId;
        JobState state;
        uint64 deadline;
        address sender;
        address provider;
        bytes32 specHash;
        bytes32 resultHash;
        uint256 workEstimate;
        uint256 workUnits;
        uint256 payment;
    }

    error ZeroAddress();
    error ZeroPrice();
    error EmptyName();
    error InvalidKind(uint8 kind);
    error InvalidTier(uint8 tier);
    error UnknownMarket(uint32 marketId);
    error UnknownJob(uint256 jobId);
    error ProviderAlreadyRegistered(address provider);
    error ProviderNotRegistered(address provider);
    error TierTooLow(uint8 providerTier, uint8 marketTier);
    error ZeroWork();
    error ZeroPayment();
    error DeadlinePassed(uint64 deadline, uint256 nowTs);
    error InvalidJobState(uint256 jobId, JobState state, JobState expected);
    error NotJobProvider(uint256 jobId, address caller);

    IERC20 public immutable token;
    /// USD per whole token, 8 decimals.
    uint256 public usdPerToken;

    uint32 public marketCount;
    uint32 public providerCount;
    uint256 public jobCount;
    uint256 public escrowed;

    mapping(uint32 marketId => Market) private _markets;
    mapping(address provider => Provider) private _providers;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(JobState state => uint256) private _jobsInState;

    constructor(IERC20 token_, address trustedForwarder, address admin) ERC2771Context(trustedForwarder) {
        if (address(token_) == address(0) || admin == address(0)) revert ZeroAddress();
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---- admin ----

    function setOraclePrice(uint256 usdPerToken_) external onlyRole(ORACLE_ROLE) {
        if (usdPerToken_ == 0) revert ZeroPrice();
        usdPerToken = usdPerToken_;
        emit OraclePriceSet(usdPerToken_);
    }

    function createMarket(uint8 kind, uint8 tier, string calldata name, uint256 usdPerUnit)
        external
        onlyRole(MARKET_ADMIN_ROLE)
        returns (uint32 marketId)
    {
        if (kind > uint8(type(JobKind).max)) revert InvalidKind(kind);
        _checkTier(tier);
        if (bytes(name).length == 0) revert EmptyName();
        if (usdPerUnit == 0) revert ZeroPrice();
        marketId = ++marketCount;
        _markets[marketId] = Market({kind: JobKind(kind), tier: tier, usdPerUnit: usdPerUnit, name: name});
        emit MarketCreated(marketId, kind, tier, name, usdPerUnit);
    }

    // ---- providers ----

    function registerProvider(string calldata gpuModel, uint32 vramGb, uint32 benchmarkScore, uint8 tier) external {
        _checkTier(tier);
        if (bytes(gpuModel).length == 0) revert EmptyName();
        address provider = _msgSender();
        Provider storage p = _providers[provider];
        if (p.registered) revert ProviderAlreadyRegistered(provider);
        p.registered = true;
        p.tier = tier;
        p.vramGb = vramGb;
        p.benchmarkScore = benchmarkScore;
        p.registeredAtBlock = uint64(block.number);
        p.gpuModel = gpuModel;
        providerCount++;
        emit ProviderRegistered(provider, gpuModel, vramGb, benchmarkScore, tier);
    }

    // ---- jobs ----

    /// Escrows quotePayment(marketId, workEstimate) from the sender (who must have approved it).
    function postJob(uint32 marketId, bytes32 specHash, uint256 workEstimate, uint64 deadline)
        external
        returns (uint256 jobId)
    {
        Market storage m = _market(marketId);
        if (workEstimate == 0) revert ZeroWork();
        if (deadline <= block.timestamp) revert DeadlinePassed(deadline, block.timestamp);
        uint256 payment = _quote(m, workEstimate);
        address sender = _msgSender();
        token.safeTransferFrom(sender, address(this), payment);
        escrowed += payment;
        jobId = ++jobCount;
        _jobs[jobId] = Job({
            marketId: marketId,
            state: JobState.Posted,
            deadline: deadline,
            sender: sender,
            provider: address(0),
            specHash: specHash,
            resultHash: bytes32(0),
            workEstimate: workEstimate,
            workUnits: 0,
            payment: payment
        });
        _jobsInState[JobState.Posted]++;
        emit JobPosted(jobId, marketId, sender, specHash, workEstimate, payment, deadline);
    }

    function claimJob(uint256 jobId) external {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Posted);
        if (j.deadline <= block.timestamp) revert DeadlinePassed(j.deadline, block.timestamp);
        address provider = _msgSender();
        Provider storage p = _providers[provider];
        if (!p.registered) revert ProviderNotRegistered(provider);
        uint8 marketTier = _markets[j.marketId].tier;
        if (p.tier < marketTier) revert TierTooLow(p.tier, marketTier);
        j.provider = provider;
        _move(j, JobState.Claimed);
        emit JobClaimed(jobId, provider);
    }

    function completeJob(uint256 jobId, bytes32 resultHash, uint256 workUnits) external {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Claimed);
        address provider = _msgSender();
        if (provider != j.provider) revert NotJobProvider(jobId, provider);
        if (workUnits == 0) revert ZeroWork();
        j.resultHash = resultHash;
        j.workUnits = workUnits;
        _move(j, JobState.Completed);
        emit JobCompleted(jobId, provider, resultHash, workUnits);
    }

    // ---- views ----

    function jobsInState(JobState state) external view returns (uint256) {
        return _jobsInState[state];
    }

    function quotePayment(uint32 marketId, uint256 workEstimate) external view returns (uint256) {
        return _quote(_market(marketId), workEstimate);
    }

    function getMarket(uint32 marketId) external view returns (Market memory) {
        return _market(marketId);
    }

    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    function getJob(uint256 jobId) external view returns (Job memory) {
        return _job(jobId);
    }

    // ---- internals ----

    function _quote(Market storage m, uint256 workEstimate) private view returns (uint256 payment) {
        uint256 price = usdPerToken;
        if (price == 0) revert ZeroPrice();
        payment = Math.mulDiv(workEstimate, m.usdPerUnit * PAYMENT_SCALE, price, Math.Rounding.Ceil);
        if (payment == 0) revert ZeroPayment();
    }

    function _move(Job storage j, JobState to) private {
        _jobsInState[j.state]--;
        _jobsInState[to]++;
        j.state = to;
    }

    function _expectState(uint256 jobId, Job storage j, JobState expected) private view {
        if (j.state != expected) revert InvalidJobState(jobId, j.state, expected);
    }

    function _checkTier(uint8 tier) private pure {
        if (tier < MIN_TIER || tier > MAX_TIER) revert InvalidTier(tier);
    }

    function _market(uint32 marketId) private view returns (Market storage m) {
        if (marketId == 0 || marketId > marketCount) revert UnknownMarket(marketId);
        m = _markets[marketId];
    }

    function _job(uint256 jobId) private view returns (Job storage j) {
        if (jobId == 0 || jobId > jobCount) revert UnknownJob(jobId);
        j = _jobs[jobId];
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
