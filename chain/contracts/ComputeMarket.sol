// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IComputeMarket} from "./interfaces/IComputeMarket.sol";

/// What the market reads of the registry: who validates the compute subnet.
interface IValidatorRegistry {
    function computeNetuid() external view returns (uint16);
    function uidOf(uint16 netuid, address hotkey) external view returns (bool registered, uint16 uid);
    function hasValidatorPermit(uint16 netuid, uint16 uid) external view returns (bool);
}

/// The token powers this contract needs: it mints provider rewards and burns its own escrow.
interface IMintBurnToken {
    function mint(address to, uint256 amount) external;
    function burn(uint256 amount) external;
}

/// Render-style compute market with burn-mint-equilibrium (BME).
///
/// Job lifecycle (JobState):
///   Posted --claim--> Claimed --complete--> Completed --approve / review window over--> Approved
///   Posted --cancel (sender)--> Cancelled                       (refunded)
///   Posted|Claimed --deadline passed (anyone)--> Expired         (refunded)
///   Completed --reject--> Posted again (JobReassigned), failures + 1;
///                         the MAX_FAILURES-th rejection --> Quarantined (refunded)
/// Every job leaves escrow exactly once: by refund (JobRefunded) or by settlement (JobSettled).
///
/// BME: an approved job's payment is burned except a FEE_BPS fee to the treasury (the fee is
/// rounded down, so the burn takes the remainder). Providers are not paid from payments: each
/// market epoch has a fixed work emission, split pro rata to the work approved in the epoch, and
/// a fixed availability emission, split equally among the providers that stayed available (sent a
/// heartbeat for the market in the epoch and had no job rejected in it afterwards). Closing an
/// epoch only records its totals (O(1) gas whatever the number of providers); each provider's
/// reward is minted when it is claimed, by the provider or by anyone on its behalf.
contract ComputeMarket is IComputeMarket, AccessControl, ERC2771Context {
    using SafeERC20 for IERC20;

    bytes32 public constant MARKET_ADMIN_ROLE = keccak256("MARKET_ADMIN_ROLE");
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// May approve or reject any completed job, like its sender: an admin's override. The
    /// validators of the network are the compute subnet's validator-permit holders (reviewers).
    bytes32 public constant VALIDATOR_ROLE = keccak256("VALIDATOR_ROLE");

    uint16 public constant BPS = 10_000;
    /// 5% of an approved payment goes to the treasury; the other 95% (plus rounding) is burned.
    uint16 public constant FEE_BPS = 500;
    /// The third rejection of a job quarantines it.
    uint8 public constant MAX_FAILURES = 3;

    // Defaults of a new market (changed per market with setMarketParams).
    uint64 public constant DEFAULT_REVIEW_WINDOW_BLOCKS = 600;
    uint64 public constant DEFAULT_EPOCH_BLOCKS = 360;
    uint256 public constant DEFAULT_WORK_EMISSION = 1_000e18;
    uint256 public constant DEFAULT_AVAILABILITY_EMISSION = 100e18;

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
        /// Providers need at least this much VRAM to claim or be available here.
        uint32 minVramGb;
        /// Blocks after completion during which the work can be rejected; then it auto-approves.
        uint64 reviewWindow;
        /// An epoch can be closed once it has lasted this many blocks.
        uint64 epochBlocks;
        /// Current (open) epoch and the block it started at.
        uint64 epoch;
        uint64 epochStartBlock;
        uint256 workEmission;
        uint256 availabilityEmission;
    }

    enum Availability { None, Available, Forfeited }

    struct EpochTotals {
        bool closed;
        uint32 availableProviders;
        uint256 workApproved;
        /// Fixed at close: the market's emissions then, or 0 where nobody could share them.
        uint256 workEmission;
        uint256 availabilityEmission;
    }

    struct ProviderEpoch {
        Availability availability;
        bool claimed;
        uint256 workApproved;
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
        uint8 failures;
        /// Block from which the completed work auto-approves; 0 unless Completed.
        uint64 reviewDeadline;
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
    error VramTooLow(uint32 providerVramGb, uint32 minVramGb);
    error NotJobSender(uint256 jobId, address caller);
    error NotReviewer(uint256 jobId, address caller);
    error ReviewWindowClosed(uint256 jobId, uint64 reviewDeadline);
    error ReviewWindowOpen(uint256 jobId, uint64 reviewDeadline);
    error DeadlineNotPassed(uint256 jobId, uint64 deadline);
    error JobNotExpirable(uint256 jobId, JobState state);
    error InvalidEpochLength();
    error InvalidReviewWindow();
    error EpochNotDue(uint32 marketId, uint64 epoch, uint256 dueBlock);
    error EpochNotClosed(uint32 marketId, uint64 epoch);
    error AlreadyAvailable(address provider, uint32 marketId, uint64 epoch);
    error AvailabilityRevoked(address provider, uint32 marketId, uint64 epoch);
    error RewardAlreadyClaimed(address provider, uint32 marketId, uint64 epoch);
    error NothingToClaim(address provider, uint32 marketId, uint64 epoch);
    error EmptyBatch();
    error BatchLengthMismatch();

    IERC20 public immutable token;
    /// Whose compute-subnet validators review jobs (zero: only senders and VALIDATOR_ROLE).
    IValidatorRegistry public immutable validatorRegistry;
    /// USD per whole token, 8 decimals.
    uint256 public usdPerToken;

    uint32 public marketCount;
    uint32 public providerCount;
    uint256 public jobCount;
    uint256 public escrowed;
    /// Receives FEE_BPS of every approved payment.
    address public treasury;
    // Running totals of every token flow out of escrow and of every mint, for audits and tests.
    uint256 public totalBurned;
    uint256 public totalFees;
    uint256 public totalRefunded;
    uint256 public totalRewardsMinted;

    mapping(uint32 marketId => Market) private _markets;
    mapping(address provider => Provider) private _providers;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(JobState state => uint256) private _jobsInState;
    mapping(uint32 marketId => mapping(uint64 epoch => EpochTotals)) private _epochs;
    mapping(uint32 marketId => mapping(uint64 epoch => mapping(address provider => ProviderEpoch))) private _providerEpochs;

    constructor(IERC20 token_, address trustedForwarder, address admin, IValidatorRegistry validatorRegistry_)
        ERC2771Context(trustedForwarder)
    {
        if (address(token_) == address(0) || admin == address(0)) revert ZeroAddress();
        token = token_;
        validatorRegistry = validatorRegistry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        treasury = admin;
        emit TreasurySet(admin);
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
        _markets[marketId] = Market({
            kind: JobKind(kind),
            tier: tier,
            usdPerUnit: usdPerUnit,
            name: name,
            minVramGb: 0,
            reviewWindow: DEFAULT_REVIEW_WINDOW_BLOCKS,
            epochBlocks: DEFAULT_EPOCH_BLOCKS,
            epoch: 0,
            epochStartBlock: uint64(block.number),
            workEmission: DEFAULT_WORK_EMISSION,
            availabilityEmission: DEFAULT_AVAILABILITY_EMISSION
        });
        emit MarketCreated(marketId, kind, tier, name, usdPerUnit);
        // The rest of the configuration, so that logs alone describe every market.
        emit MarketRequirementsSet(marketId, 0);
        emit MarketParamsSet(
            marketId, DEFAULT_REVIEW_WINDOW_BLOCKS, DEFAULT_EPOCH_BLOCKS, DEFAULT_WORK_EMISSION, DEFAULT_AVAILABILITY_EMISSION
        );
    }

    /// Applies to jobs posted from now on; escrowed jobs keep the payment they were posted with.
    function setMarketPrice(uint32 marketId, uint256 usdPerUnit) external onlyRole(MARKET_ADMIN_ROLE) {
        Market storage m = _market(marketId);
        if (usdPerUnit == 0) revert ZeroPrice();
        m.usdPerUnit = usdPerUnit;
        emit MarketPriceSet(marketId, usdPerUnit);
    }

    /// Checked when a job is claimed and on heartbeat; claimed jobs are not affected.
    function setMarketRequirements(uint32 marketId, uint32 minVramGb) external onlyRole(MARKET_ADMIN_ROLE) {
        _market(marketId).minVramGb = minVramGb;
        emit MarketRequirementsSet(marketId, minVramGb);
    }

    /// The emissions in force when an epoch is closed are the ones it pays, so a change applies
    /// to the open epoch. A new review window applies to work completed from now on.
    function setMarketParams(
        uint32 marketId,
        uint64 reviewWindow,
        uint64 epochBlocks,
        uint256 workEmission,
        uint256 availabilityEmission
    ) external onlyRole(MARKET_ADMIN_ROLE) {
        Market storage m = _market(marketId);
        if (reviewWindow == 0) revert InvalidReviewWindow();
        if (epochBlocks == 0) revert InvalidEpochLength();
        m.reviewWindow = reviewWindow;
        m.epochBlocks = epochBlocks;
        m.workEmission = workEmission;
        m.availabilityEmission = availabilityEmission;
        emit MarketParamsSet(marketId, reviewWindow, epochBlocks, workEmission, availabilityEmission);
    }

    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        emit TreasurySet(treasury_);
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

    /// New hardware or a new benchmark. Jobs already claimed are not re-checked.
    function updateProvider(string calldata gpuModel, uint32 vramGb, uint32 benchmarkScore, uint8 tier) external {
        _checkTier(tier);
        if (bytes(gpuModel).length == 0) revert EmptyName();
        address provider = _msgSender();
        Provider storage p = _providers[provider];
        if (!p.registered) revert ProviderNotRegistered(provider);
        p.tier = tier;
        p.vramGb = vramGb;
        p.benchmarkScore = benchmarkScore;
        p.gpuModel = gpuModel;
        emit ProviderUpdated(provider, gpuModel, vramGb, benchmarkScore, tier);
    }

    /// Declares the provider available for `marketId` in the market's open epoch: once per epoch,
    /// only if qualified, and not after a rejection in that epoch (see ProviderAvailabilityForfeited).
    function heartbeat(uint32 marketId) external {
        Market storage m = _market(marketId);
        address provider = _msgSender();
        _checkQualified(provider, m);
        uint64 epoch = m.epoch;
        ProviderEpoch storage pe = _providerEpochs[marketId][epoch][provider];
        if (pe.availability == Availability.Available) revert AlreadyAvailable(provider, marketId, epoch);
        if (pe.availability == Availability.Forfeited) revert AvailabilityRevoked(provider, marketId, epoch);
        pe.availability = Availability.Available;
        _epochs[marketId][epoch].availableProviders++;
        emit ProviderHeartbeat(provider, marketId, epoch);
    }

    // ---- jobs ----

    /// Escrows quotePayment(marketId, workEstimate) from the sender (who must have approved it).
    function postJob(uint32 marketId, bytes32 specHash, uint256 workEstimate, uint64 deadline)
        external
        returns (uint256 jobId)
    {
        return _postJob(_msgSender(), marketId, specHash, workEstimate, deadline);
    }

    /// postJob for several jobs of one sender, in order (ids consecutive from the returned one),
    /// each escrowed and announced as its own postJob would be. Reverts as a whole if any one would.
    function postJobs(
        uint32[] calldata marketIds,
        bytes32[] calldata specHashes,
        uint256[] calldata workEstimates,
        uint64[] calldata deadlines
    ) external returns (uint256 firstJobId) {
        uint256 n = marketIds.length;
        if (n == 0) revert EmptyBatch();
        if (specHashes.length != n || workEstimates.length != n || deadlines.length != n) revert BatchLengthMismatch();
        address sender = _msgSender();
        firstJobId = jobCount + 1;
        for (uint256 i = 0; i < n; i++) _postJob(sender, marketIds[i], specHashes[i], workEstimates[i], deadlines[i]);
    }

    function _postJob(address sender, uint32 marketId, bytes32 specHash, uint256 workEstimate, uint64 deadline)
        private
        returns (uint256 jobId)
    {
        Market storage m = _market(marketId);
        if (workEstimate == 0) revert ZeroWork();
        if (deadline <= block.timestamp) revert DeadlinePassed(deadline, block.timestamp);
        uint256 payment = _quote(m, workEstimate);
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
            payment: payment,
            failures: 0,
            reviewDeadline: 0
        });
        _jobsInState[JobState.Posted]++;
        emit JobPosted(jobId, marketId, sender, specHash, workEstimate, payment, deadline);
    }

    function claimJob(uint256 jobId) external {
        _claimJob(_msgSender(), jobId);
    }

    /// claimJob for several jobs at once (a provider with several GPUs), in order; reverts as a whole.
    function claimJobs(uint256[] calldata jobIds) external {
        if (jobIds.length == 0) revert EmptyBatch();
        address provider = _msgSender();
        for (uint256 i = 0; i < jobIds.length; i++) _claimJob(provider, jobIds[i]);
    }

    function _claimJob(address provider, uint256 jobId) private {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Posted);
        if (j.deadline <= block.timestamp) revert DeadlinePassed(j.deadline, block.timestamp);
        _checkQualified(provider, _markets[j.marketId]);
        j.provider = provider;
        _move(j, JobState.Claimed);
        emit JobClaimed(jobId, provider);
    }

    function completeJob(uint256 jobId, bytes32 resultHash, uint256 workUnits) external {
        _completeJob(_msgSender(), jobId, resultHash, workUnits);
    }

    /// completeJob for several of the caller's jobs at once, in order; reverts as a whole.
    function completeJobs(uint256[] calldata jobIds, bytes32[] calldata resultHashes, uint256[] calldata workUnits) external {
        uint256 n = jobIds.length;
        if (n == 0) revert EmptyBatch();
        if (resultHashes.length != n || workUnits.length != n) revert BatchLengthMismatch();
        address provider = _msgSender();
        for (uint256 i = 0; i < n; i++) _completeJob(provider, jobIds[i], resultHashes[i], workUnits[i]);
    }

    function _completeJob(address provider, uint256 jobId, bytes32 resultHash, uint256 workUnits) private {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Claimed);
        if (provider != j.provider) revert NotJobProvider(jobId, provider);
        if (workUnits == 0) revert ZeroWork();
        // Late work is not accepted: past the deadline the job can only expire.
        if (j.deadline <= block.timestamp) revert DeadlinePassed(j.deadline, block.timestamp);
        j.resultHash = resultHash;
        j.workUnits = workUnits;
        j.reviewDeadline = uint64(block.number) + _markets[j.marketId].reviewWindow;
        _move(j, JobState.Completed);
        emit JobCompleted(jobId, provider, resultHash, workUnits);
    }

    // ---- review ----

    /// By the sender or a validator, at any time while Completed (also after the review window).
    function approveJob(uint256 jobId) external {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Completed);
        _settle(jobId, j, _reviewer(jobId, j), false);
    }

    /// approveJob for several completed jobs at once, in order; reverts as a whole.
    function approveJobs(uint256[] calldata jobIds) external {
        if (jobIds.length == 0) revert EmptyBatch();
        for (uint256 i = 0; i < jobIds.length; i++) {
            Job storage j = _job(jobIds[i]);
            _expectState(jobIds[i], j, JobState.Completed);
            _settle(jobIds[i], j, _reviewer(jobIds[i], j), false);
        }
    }

    /// By the sender or a validator, before the review window ends. The job goes back to the queue,
    /// or is quarantined and refunded at its MAX_FAILURES-th rejection.
    function rejectJob(uint256 jobId) external {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Completed);
        address by = _reviewer(jobId, j);
        if (block.number >= j.reviewDeadline) revert ReviewWindowClosed(jobId, j.reviewDeadline);
        address provider = j.provider;
        uint8 failures = ++j.failures;
        _forfeitAvailability(provider, j.marketId);
        emit JobRejected(jobId, provider, by, failures);
        j.provider = address(0);
        j.resultHash = bytes32(0);
        j.workUnits = 0;
        j.reviewDeadline = 0;
        if (failures >= MAX_FAILURES) {
            _move(j, JobState.Quarantined);
            emit JobQuarantined(jobId, failures);
            _refund(jobId, j);
        } else {
            _move(j, JobState.Posted);
            emit JobReassigned(jobId, failures);
        }
    }

    /// Anyone: approves work whose review window is over.
    function settleExpiredReview(uint256 jobId) external {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Completed);
        if (block.number < j.reviewDeadline) revert ReviewWindowOpen(jobId, j.reviewDeadline);
        _settle(jobId, j, _msgSender(), true);
    }

    /// Batch of settleExpiredReview for keepers: skips jobs that are not (yet) settleable, so a
    /// batch planned from a slightly stale view still goes through. Returns how many were settled.
    function settleExpiredReviews(uint256[] calldata jobIds) external returns (uint256 settled) {
        address by = _msgSender();
        for (uint256 i = 0; i < jobIds.length; i++) {
            uint256 jobId = jobIds[i];
            if (jobId == 0 || jobId > jobCount) continue;
            Job storage j = _jobs[jobId];
            if (j.state != JobState.Completed || block.number < j.reviewDeadline) continue;
            _settle(jobId, j, by, true);
            settled++;
        }
    }

    // ---- refunds ----

    /// The sender takes back a job nobody has claimed.
    function cancelJob(uint256 jobId) external {
        Job storage j = _job(jobId);
        _expectState(jobId, j, JobState.Posted);
        address caller = _msgSender();
        if (caller != j.sender) revert NotJobSender(jobId, caller);
        _move(j, JobState.Cancelled);
        emit JobCancelled(jobId);
        _refund(jobId, j);
    }

    /// Anyone: refunds a job whose deadline passed before it was completed (Posted or Claimed).
    function expireJob(uint256 jobId) external {
        Job storage j = _job(jobId);
        if (j.state != JobState.Posted && j.state != JobState.Claimed) revert JobNotExpirable(jobId, j.state);
        if (block.timestamp < j.deadline) revert DeadlineNotPassed(jobId, j.deadline);
        _expire(jobId, j);
    }

    /// Batch of expireJob for keepers; skips jobs that cannot expire (yet). Returns how many did.
    function expireJobs(uint256[] calldata jobIds) external returns (uint256 expired) {
        for (uint256 i = 0; i < jobIds.length; i++) {
            uint256 jobId = jobIds[i];
            if (jobId == 0 || jobId > jobCount) continue;
            Job storage j = _jobs[jobId];
            if ((j.state != JobState.Posted && j.state != JobState.Claimed) || block.timestamp < j.deadline) continue;
            _expire(jobId, j);
            expired++;
        }
    }

    // ---- epochs and rewards ----

    /// Anyone, once the open epoch has lasted epochBlocks: fixes its emissions and opens the next.
    /// O(1): rewards are computed per provider when claimed.
    function closeEpoch(uint32 marketId) external {
        Market storage m = _market(marketId);
        uint256 due = uint256(m.epochStartBlock) + m.epochBlocks;
        if (block.number < due) revert EpochNotDue(marketId, m.epoch, due);
        _closeEpoch(marketId, m);
    }

    /// Batch of closeEpoch for keepers; skips markets whose epoch is not due. Returns how many closed.
    function closeDueEpochs(uint32[] calldata marketIds) external returns (uint256 closed) {
        for (uint256 i = 0; i < marketIds.length; i++) {
            Market storage m = _market(marketIds[i]);
            if (block.number < uint256(m.epochStartBlock) + m.epochBlocks) continue;
            _closeEpoch(marketIds[i], m);
            closed++;
        }
    }

    /// Anyone, for any provider (the reward always goes to the provider): mints its work and
    /// availability reward of a closed epoch.
    function claimRewards(address provider, uint32 marketId, uint64 epoch) external {
        _market(marketId);
        EpochTotals storage e = _epochs[marketId][epoch];
        if (!e.closed) revert EpochNotClosed(marketId, epoch);
        ProviderEpoch storage pe = _providerEpochs[marketId][epoch][provider];
        if (pe.claimed) revert RewardAlreadyClaimed(provider, marketId, epoch);
        (uint256 workReward, uint256 availabilityReward) = _rewardOf(e, pe);
        if (workReward + availabilityReward == 0) revert NothingToClaim(provider, marketId, epoch);
        _payReward(provider, marketId, epoch, pe, workReward, availabilityReward);
    }

    /// Batch of claimRewards for one closed epoch; skips providers with nothing (left) to claim.
    /// About 60k gas per paid provider: split 2,000 providers into a few transactions.
    function claimRewardsFor(uint32 marketId, uint64 epoch, address[] calldata providers) external returns (uint256 paid) {
        _market(marketId);
        EpochTotals storage e = _epochs[marketId][epoch];
        if (!e.closed) revert EpochNotClosed(marketId, epoch);
        for (uint256 i = 0; i < providers.length; i++) {
            ProviderEpoch storage pe = _providerEpochs[marketId][epoch][providers[i]];
            if (pe.claimed) continue;
            (uint256 workReward, uint256 availabilityReward) = _rewardOf(e, pe);
            if (workReward + availabilityReward == 0) continue;
            _payReward(providers[i], marketId, epoch, pe, workReward, availabilityReward);
            paid++;
        }
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

    function getEpoch(uint32 marketId, uint64 epoch) external view returns (EpochTotals memory) {
        _market(marketId);
        return _epochs[marketId][epoch];
    }

    function getProviderEpoch(address provider, uint32 marketId, uint64 epoch) external view returns (ProviderEpoch memory) {
        _market(marketId);
        return _providerEpochs[marketId][epoch][provider];
    }

    /// What claimRewards would mint now; (0, 0) before the epoch is closed and after the claim.
    function pendingRewards(address provider, uint32 marketId, uint64 epoch)
        external
        view
        returns (uint256 workReward, uint256 availabilityReward)
    {
        _market(marketId);
        EpochTotals storage e = _epochs[marketId][epoch];
        ProviderEpoch storage pe = _providerEpochs[marketId][epoch][provider];
        if (!e.closed || pe.claimed) return (0, 0);
        return _rewardOf(e, pe);
    }

    // ---- internals ----

    function _checkQualified(address provider, Market storage m) private view {
        Provider storage p = _providers[provider];
        if (!p.registered) revert ProviderNotRegistered(provider);
        if (p.tier < m.tier) revert TierTooLow(p.tier, m.tier);
        if (p.vramGb < m.minVramGb) revert VramTooLow(p.vramGb, m.minVramGb);
    }

    function _reviewer(uint256 jobId, Job storage j) private view returns (address by) {
        by = _msgSender();
        if (by != j.sender && !isValidator(by)) revert NotReviewer(jobId, by);
    }

    /// A hotkey holding a validator permit on the compute subnet (SubnetRegistry.hasValidatorPermit:
    /// the last epoch's top-k by stake, registered by that epoch's block), or VALIDATOR_ROLE.
    function isValidator(address who) public view returns (bool) {
        if (hasRole(VALIDATOR_ROLE, who)) return true;
        if (address(validatorRegistry) == address(0)) return false;
        uint16 netuid = validatorRegistry.computeNetuid();
        if (netuid == 0) return false;
        (bool registered, uint16 uid) = validatorRegistry.uidOf(netuid, who);
        return registered && validatorRegistry.hasValidatorPermit(netuid, uid);
    }

    /// Approval: the payment leaves escrow as burn + fee, and the work is credited to the
    /// market's open epoch. Credited work is capped at the estimate the sender paid for, so a
    /// provider cannot inflate its share of the emission by reporting more work.
    function _settle(uint256 jobId, Job storage j, address by, bool automatic) private {
        uint256 payment = j.payment;
        uint256 fee = (payment * FEE_BPS) / BPS; // rounded down: the burn gets the remainder
        uint256 burned = payment - fee;
        uint256 work = Math.min(j.workUnits, j.workEstimate);
        uint32 marketId = j.marketId;
        uint64 epoch = _markets[marketId].epoch;
        address provider = j.provider;
        _move(j, JobState.Approved);
        j.reviewDeadline = 0;
        escrowed -= payment;
        totalBurned += burned;
        totalFees += fee;
        _epochs[marketId][epoch].workApproved += work;
        _providerEpochs[marketId][epoch][provider].workApproved += work;
        emit JobApproved(jobId, by, automatic);
        emit JobSettled(jobId, provider, epoch, work, burned, fee);
        IMintBurnToken(address(token)).burn(burned);
        if (fee > 0) token.safeTransfer(treasury, fee);
    }

    function _expire(uint256 jobId, Job storage j) private {
        _move(j, JobState.Expired);
        emit JobExpired(jobId);
        _refund(jobId, j);
    }

    /// Every refund path (cancel, expiry, quarantine) ends here; the caller has moved the job to
    /// its terminal state first, so it cannot be refunded or settled again.
    function _refund(uint256 jobId, Job storage j) private {
        uint256 amount = j.payment;
        escrowed -= amount;
        totalRefunded += amount;
        emit JobRefunded(jobId, j.sender, amount);
        token.safeTransfer(j.sender, amount);
    }

    function _forfeitAvailability(address provider, uint32 marketId) private {
        uint64 epoch = _markets[marketId].epoch;
        ProviderEpoch storage pe = _providerEpochs[marketId][epoch][provider];
        if (pe.availability == Availability.Forfeited) return;
        if (pe.availability == Availability.Available) _epochs[marketId][epoch].availableProviders--;
        pe.availability = Availability.Forfeited;
        emit ProviderAvailabilityForfeited(provider, marketId, epoch);
    }

    function _closeEpoch(uint32 marketId, Market storage m) private {
        uint64 epoch = m.epoch;
        EpochTotals storage e = _epochs[marketId][epoch];
        e.closed = true;
        // Nothing is set aside where nobody can share it: such an epoch mints nothing.
        e.workEmission = e.workApproved > 0 ? m.workEmission : 0;
        e.availabilityEmission = e.availableProviders > 0 ? m.availabilityEmission : 0;
        m.epoch = epoch + 1;
        m.epochStartBlock = uint64(block.number);
        emit MarketEpochClosed(marketId, epoch, e.workEmission, e.workApproved);
        emit MarketEpochAvailability(marketId, epoch, e.availabilityEmission, e.availableProviders);
    }

    /// Both shares round down, so an epoch never mints more than its emissions; the dust (less
    /// than one wei per provider) is never minted.
    function _rewardOf(EpochTotals storage e, ProviderEpoch storage pe)
        private
        view
        returns (uint256 workReward, uint256 availabilityReward)
    {
        if (pe.workApproved > 0) workReward = Math.mulDiv(e.workEmission, pe.workApproved, e.workApproved);
        if (pe.availability == Availability.Available) availabilityReward = e.availabilityEmission / e.availableProviders;
    }

    function _payReward(
        address provider,
        uint32 marketId,
        uint64 epoch,
        ProviderEpoch storage pe,
        uint256 workReward,
        uint256 availabilityReward
    ) private {
        pe.claimed = true;
        uint256 amount = workReward + availabilityReward;
        totalRewardsMinted += amount;
        emit ProviderRewarded(provider, marketId, epoch, workReward, availabilityReward);
        IMintBurnToken(address(token)).mint(provider, amount);
    }

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
