// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IResolutionOracle} from "./interfaces/IResolutionOracle.sol";
import {IResolutionConsumer} from "./interfaces/IResolutionConsumer.sol";
import {ObservationVerifier} from "./lib/ObservationVerifier.sol";

/// @title ResolutionOracle
/// @notice Resolves questions with a fixed set of outcomes ("Who won?", "Did X happen by date D?").
///
/// Life of a request:
///  1. requestResolution: the requester pays a fee in the network token; the spec and outcome labels are
///     emitted for the nodes, and only what commits and disputes need is stored.
///  2. Nodes read the sources after resolveAfter and sign an Observation (see ObservationVerifier).
///  3. commitReport: anyone (an aggregator) submits the answer with signatures ordered by signer. The
///     contract checks every one and counts those of members of the round's operator set (Staking's epoch
///     of the round's start: the request time, or resolveAfter when later; never older than the previous
///     epoch); it commits when they are a quorum of that set. A signer outside the set is not counted and
///     does not fail the report. A quorum that says "too early" (-2) does not commit: the request opens a new
///     round after a delay (judged by the epoch it starts in) and signatures of the old round no longer count.
///  4. For the request's dispute window anyone may dispute through the DisputeGovernance contract, which
///     decides the answer itself. The window is disputeWindowSec, or disputeWindowSec x
///     contestedWindowMultiplier when the request is contested (see "Scrutiny" below).
///  5. finalize: after the window, anyone finalizes; the fee is shared by the signers (pull payments) and
///     the requester is called back with the gas limit it chose. A reverting or gas-hungry consumer cannot
///     block finality: the result of the call is only recorded.
///  6. A request that no quorum has answered requestTimeoutSec after resolveAfter can be expired by anyone:
///     it becomes final as "unresolvable" (-1) and the fee goes back to the requester.
/// The signers of a committed answer are not stored: their hash is, and finalize / settleDispute take the
/// list (emitted in ReportCommitted) and check it against the hash. That keeps a commit at one fresh hash
/// instead of one storage write per signer. The list holds the members' signing keys, in report order;
/// Staking.operatorOf maps each to the operator that is paid and slashed (a rotated-away key keeps its
/// operator).
///
/// Scrutiny: an answer reached with dissent, or with low confidence, is not accepted as fast as a unanimous,
/// confident one. A report may carry dissenting observations (commitReportWithDissent), and anyone holding
/// them may post them while the window is open (contest): each is an Observation of the same request and
/// round with another answer, signed and checked like the agreeing ones, so the dissent is proved, not
/// claimed. Only distinct members of the report's epoch that did not also sign the committed answer count.
/// The request is contested when
///   dissenting members >= contestDissentMin, or
///   the median signed confidence of the agreeing members < contestConfidenceBps,
/// and its dispute window becomes committedAt + disputeWindowSec x contestedWindowMultiplier. The end is a
/// function of the commit time alone, so it is fixed when the request becomes contested and no later
/// dissent moves it again.
/// Why one liar alone (f = 1 of n = 4) cannot stall every answer: (a) its dissent is one member, below
/// contestDissentMin (at least 2; the constructor refuses less), however often it is posted, because a
/// count is of distinct members in one proof and only ever replaced by a larger one; (b) it cannot lower
/// the median: a quorum has k >= n - f >= 2f + 1 agreeing members, the median is the value at index
/// floor((k - 1) / 2) of their sorted confidences, and f values (the liar's 0s) sit below index f <= that
/// index, so the median is always one of the honest members' own confidences, whichever k the (untrusted)
/// submitter chose to include. The submitter's choice is the limit: by including the liars' 0s and only the
/// least confident honest signatures it can bring the median down to the lowest honest confidence (never
/// below), so a low-confidence contest is decided by the least confident honest member, not by the typical one;
/// the cost is one bounded extension of the window, and nodes that read the same evidence sign the same
/// confidence; (c) signing both answers (equivocation) counts it once, as an agreeing
/// signer, never as a dissenter; (d) a contested request still finalizes: the extension is bounded and
/// cannot be renewed. At most, f >= contestDissentMin liars can make every request contested, which
/// delays each finality by disputeWindowSec x (contestedWindowMultiplier - 1) and nothing more: they
/// cannot change an answer (they are below the quorum), cannot block finality, and each dissent is a
/// signed, attributable statement that governance can weigh.
/// Every token that enters leaves: fees are credited to signers or refunded to the requester and withdrawn
/// with withdrawFees; tokens sent here without a request can be swept by the owner, never what is owed.
contract ResolutionOracle is IResolutionOracle, ObservationVerifier, ReentrancyGuard, Ownable2Step {
  using SafeERC20 for IERC20;

  // ================================================================
  // |                      Constants and types                     |
  // ================================================================

  /// The sources do not settle the question (cancelled game, ambiguous rules). Final like any outcome.
  int256 public constant ANSWER_UNRESOLVABLE = -1;
  /// The event has not happened yet. Never final: it defers the request to a new round.
  int256 public constant ANSWER_TOO_EARLY = -2;
  uint256 public constant MIN_OUTCOMES = 2;
  uint256 public constant MAX_OUTCOMES = 32;
  uint256 public constant MAX_SPEC_BYTES = 8192;
  uint32 public constant MAX_CALLBACK_GAS = 1_000_000;
  /// Gas kept back around the callback for the bookkeeping after it.
  uint256 private constant CALLBACK_GAS_RESERVE = 10_000;

  enum Status {
    None,
    Open,
    Committed,
    Disputed,
    Finalized
  }

  struct Request {
    // slot 0
    address requester;
    uint96 feeWei;
    // slot 1: everything a commit reads and writes
    uint64 resolveAfter;
    uint64 committedAt;
    /// -2 .. MAX_OUTCOMES - 1: int8 leaves room in this slot for the scrutiny fields below.
    int8 answer;
    Status status;
    uint8 outcomeCount;
    uint16 round;
    uint32 callbackGasLimit;
    /// The Staking epoch whose operator set judges the current round (at commit: the epoch it was judged by).
    uint32 epoch;
    /// Distinct epoch members that signed another answer of the committed round (the largest proof seen).
    uint8 dissentCount;
    /// Median signed confidence of the committed answer's member signers (lower median for an even count).
    uint16 medianConfidenceBps;
    // slot 2: keccak256(abi.encodePacked(signers)) of the committed report's member signers
    bytes32 signersHash;
  }

  /// One signed observation in a report; its signer is recovered, not sent.
  struct SignedObservation {
    uint16 confidenceBps;
    bytes32 evidenceHash;
    bytes32 modelHash;
    bytes32 r;
    bytes32 yParityAndS;
  }

  /// One signed observation of another answer in the same request and round (dissent). The signed digest is
  /// the Observation of `answer`, so the dissent's own answer is part of what its signer signed.
  struct DissentingObservation {
    int256 answer;
    uint16 confidenceBps;
    bytes32 evidenceHash;
    bytes32 modelHash;
    bytes32 r;
    bytes32 yParityAndS;
  }

  /// Written at request time so the commit rewrites a slot instead of creating one (the requester pays
  /// for the storage, not the aggregator).
  bytes32 private constant SIGNERS_HASH_PLACEHOLDER = bytes32(uint256(1));

  IERC20 internal immutable i_token;
  uint64 internal immutable i_disputeWindowSec;
  uint64 internal immutable i_tooEarlyRetryDelaySec;
  uint96 internal immutable i_minFeeWei;
  uint64 internal immutable i_requestTimeoutSec;
  /// Scrutiny rule (see the contract's NatSpec): contested at this many dissenting members (>= 2) ...
  uint8 internal immutable i_contestDissentMin;
  /// ... or when the agreeing members' median confidence is below this.
  uint16 internal immutable i_contestConfidenceBps;
  /// A contested request's dispute window is disputeWindowSec times this (1 .. MAX_CONTESTED_WINDOW_MULTIPLIER).
  uint8 internal immutable i_contestedWindowMultiplier;
  uint8 public constant MAX_CONTESTED_WINDOW_MULTIPLIER = 10;

  mapping(bytes32 requestId => Request) internal s_requests;
  mapping(address account => uint256) internal s_claimableWei;
  /// Requests whose fee was credited back to the requester: expired unanswered, or overturned by a dispute. A
  /// requester that pools many payers' fees (a facade) reads it to pay each refund back to whoever paid.
  mapping(bytes32 requestId => bool) internal s_feeRefunded;
  address internal s_governance;
  uint256 internal s_requestCount;
  uint256 internal s_totalFeesReceivedWei;
  uint256 internal s_totalFeesPaidWei;

  // ================================================================
  // |                      Events and errors                       |
  // ================================================================

  event ResolutionRequested(
    bytes32 indexed requestId,
    address indexed requester,
    bytes32 specHash,
    uint64 resolveAfter,
    uint96 feeWei,
    uint32 callbackGasLimit,
    string spec,
    string[] outcomes
  );
  event ReportCommitted(bytes32 indexed requestId, uint32 round, int256 answer, address[] signers);
  event ResolutionDeferred(bytes32 indexed requestId, uint32 round, uint64 resolveAfter);
  event ResolutionDisputed(bytes32 indexed requestId);
  /// The request became contested: its dispute window now ends at disputeEndsAt.
  event ResolutionContested(bytes32 indexed requestId, uint256 dissentCount, uint16 medianConfidenceBps, uint64 disputeEndsAt);
  /// contest raised the request's dissent count (emitted with ResolutionContested when that made it contested).
  event DissentRecorded(bytes32 indexed requestId, uint256 dissentCount);
  event DisputeSettled(bytes32 indexed requestId, bool overturned, int256 answer);
  event ResolutionFinalized(bytes32 indexed requestId, int256 answer);
  event CallbackResult(bytes32 indexed requestId, address indexed requester, bool success);
  event FeesCredited(bytes32 indexed requestId, uint256 feeWei, uint256 signerCount);
  event FeesWithdrawn(address indexed account, uint256 amountWei);
  event GovernanceSet(address governance);
  event RequestExpired(bytes32 indexed requestId, uint256 refundWei);
  event ExcessSwept(address indexed to, uint256 amountWei);

  error ZeroAddress();
  error BadOutcomeCount(uint256 count);
  error SpecTooLong(uint256 bytesLength);
  error FeeTooLow(uint256 feeWei, uint256 minFeeWei);
  error CallbackGasTooHigh(uint32 gasLimit);
  error RequestNotOpen(bytes32 requestId, Status status);
  error RoundMismatch(uint32 round, uint32 expected);
  error TooEarly(uint64 resolveAfter);
  error InvalidAnswer(int256 answer);
  error DisputeWindowOpen(uint64 endsAt);
  error DisputeWindowClosed(uint64 endedAt);
  error WrongStatus(bytes32 requestId, Status status);
  error SignersMismatch(bytes32 requestId);
  error OnlyGovernance(address caller);
  error GovernanceAlreadySet(address governance);
  error InsufficientGasForCallback(uint256 gasLeft, uint256 needed);
  error NothingToWithdraw();
  error TokenMismatch(address token, address stakingToken);
  error ResolveAfterTooFar(uint64 resolveAfter);
  error NotExpired(uint64 expiresAt);
  error ZeroAmount();
  error BadScrutinyConfig();
  /// A dissenting observation carries the committed answer itself.
  error DissentAgrees(uint256 index);
  /// Dissenting observations must be ordered by recovered signer, strictly ascending.
  error DissentersNotAscending(uint256 index, address signer);
  /// contest proved no more dissenting members than the request already records.
  error NoNewDissent(uint256 dissentCount, uint256 recorded);

  constructor(
    IStaking staking,
    IERC20 token,
    uint64 disputeWindowSec,
    uint64 tooEarlyRetryDelaySec,
    uint96 minFeeWei,
    uint64 requestTimeoutSec,
    uint8 contestDissentMin,
    uint16 contestConfidenceBps,
    uint8 contestedWindowMultiplier
  ) ObservationVerifier(staking) {
    if (address(staking) == address(0) || address(token) == address(0)) revert ZeroAddress();
    // Fees, bonds and stake are one token: the dispute contract checks the same.
    if (address(staking.token()) != address(token)) revert TokenMismatch(address(token), address(staking.token()));
    i_token = token;
    i_disputeWindowSec = disputeWindowSec;
    i_tooEarlyRetryDelaySec = tooEarlyRetryDelaySec;
    i_minFeeWei = minFeeWei;
    i_requestTimeoutSec = requestTimeoutSec;
    // One dissenter must never be enough (f = 1 of 4), and the extension must stay bounded.
    if (
      contestDissentMin < 2 ||
      contestConfidenceBps > MAX_CONFIDENCE_BPS ||
      contestedWindowMultiplier == 0 ||
      contestedWindowMultiplier > MAX_CONTESTED_WINDOW_MULTIPLIER
    ) revert BadScrutinyConfig();
    i_contestDissentMin = contestDissentMin;
    i_contestConfidenceBps = contestConfidenceBps;
    i_contestedWindowMultiplier = contestedWindowMultiplier;
  }

  /// @notice Names the dispute contract, once.
  function setGovernance(address governance) external onlyOwner {
    if (governance == address(0)) revert ZeroAddress();
    if (s_governance != address(0)) revert GovernanceAlreadySet(s_governance);
    s_governance = governance;
    emit GovernanceSet(governance);
  }

  modifier onlyGovernance() {
    if (msg.sender != s_governance) revert OnlyGovernance(msg.sender);
    _;
  }

  // ================================================================
  // |                          Requests                            |
  // ================================================================

  /// @inheritdoc IResolutionOracle
  function requestResolution(RequestParams calldata params) external nonReentrant returns (bytes32 requestId) {
    uint32 epoch = _checkRequest(params);
    uint256 outcomeCount = params.outcomes.length;

    requestId = keccak256(abi.encode(block.chainid, address(this), msg.sender, ++s_requestCount));
    Request storage req = s_requests[requestId];
    req.requester = msg.sender;
    req.feeWei = params.feeWei;
    req.resolveAfter = params.resolveAfter;
    req.status = Status.Open;
    req.outcomeCount = uint8(outcomeCount);
    req.callbackGasLimit = params.callbackGasLimit;
    req.epoch = epoch;
    req.signersHash = SIGNERS_HASH_PLACEHOLDER;
    s_totalFeesReceivedWei += params.feeWei;

    emit ResolutionRequested(
      requestId,
      msg.sender,
      params.specHash,
      params.resolveAfter,
      params.feeWei,
      params.callbackGasLimit,
      params.spec,
      params.outcomes
    );
    if (params.feeWei > 0) i_token.safeTransferFrom(msg.sender, address(this), params.feeWei);
  }

  /// @inheritdoc IResolutionOracle
  function checkRequest(RequestParams calldata params) external view {
    _checkRequest(params);
  }

  /// @notice Expires a request that no quorum answered within requestTimeoutSec after its resolveAfter: it
  /// becomes final as "unresolvable" (-1), the fee is credited back to the requester and the requester is
  /// called back. Anyone may call it.
  function expireRequest(bytes32 requestId) external nonReentrant {
    Request storage req = s_requests[requestId];
    if (req.status != Status.Open) revert RequestNotOpen(requestId, req.status);
    uint64 expiresAt = req.resolveAfter + i_requestTimeoutSec;
    if (block.timestamp < expiresAt) revert NotExpired(expiresAt);
    req.status = Status.Finalized;
    req.answer = int8(ANSWER_UNRESOLVABLE);
    s_claimableWei[req.requester] += req.feeWei;
    s_feeRefunded[requestId] = true;
    emit RequestExpired(requestId, req.feeWei);
    emit ResolutionFinalized(requestId, ANSWER_UNRESOLVABLE);
    _callBack(requestId, req);
  }

  // ================================================================
  // |                           Commit                             |
  // ================================================================

  /// @notice Commits the answer of a quorum. Observations must be ordered by recovered signer, ascending.
  /// @dev Checks, in order: the request is open (so a replayed or second report fails), the round is the
  /// current one, resolveAfter has passed, the answer is an outcome or a reserved answer, every confidence is
  /// at most 100 %, every signature is low-s and recovers, signers ascend (distinct), and those that are
  /// members of the round's epoch are a quorum of it. Only the members are recorded (fees, slashes), with the
  /// median of their signed confidences (which alone can make the request contested here).
  /// What the contract cannot enforce: that the report carries every agreeing signature that exists. The
  /// aggregator includes every valid one it holds, and including one never makes a report fail.
  function commitReport(
    bytes32 requestId,
    uint32 round,
    int256 answer,
    SignedObservation[] calldata observations
  ) external {
    (Request storage req, , , bool committed) = _commit(requestId, round, answer, observations);
    if (committed) _announceIfContested(requestId, req);
  }

  /// @notice commitReport with the dissent the submitter holds: signed observations of the same request and
  /// round with another answer, ordered by recovered signer, ascending. Each is checked like an agreeing
  /// one (a bad signature, a high s, a confidence over 100 % or an answer the request cannot take reverts);
  /// signers that are not members of the report's epoch, or that also signed the committed answer, are not
  /// counted. Dissent of a "too early" report is not read (the round does not commit).
  /// @dev The aggregator is not trusted to include dissent: `contest` lets anyone post it later.
  function commitReportWithDissent(
    bytes32 requestId,
    uint32 round,
    int256 answer,
    SignedObservation[] calldata observations,
    DissentingObservation[] calldata dissent
  ) external {
    (Request storage req, address[] memory signers, uint32 epoch, bool committed) = _commit(
      requestId,
      round,
      answer,
      observations
    );
    if (!committed) return;
    if (dissent.length != 0) {
      uint256 count = _countDissent(requestId, round, answer, req.outcomeCount, epoch, signers, dissent);
      req.dissentCount = _toUint8(count);
    }
    _announceIfContested(requestId, req);
  }

  /// @notice Posts dissent of a committed answer while its dispute window is open, so an aggregator that
  /// left it out cannot hide it. Anyone may call it. `signers` is the list from ReportCommitted (a signer of
  /// the committed answer never counts as a dissenter); `dissent` as in commitReportWithDissent, all of the
  /// committed round. The request records the larger of its count and this proof's count (a count is of
  /// distinct members in one proof, so posting the same dissent again adds nothing). Membership is judged by
  /// the epoch of the commit, or the previous epoch once that one is no longer kept. If this makes the
  /// request contested, its window becomes committedAt + disputeWindowSec x contestedWindowMultiplier.
  function contest(bytes32 requestId, address[] calldata signers, DissentingObservation[] calldata dissent) external {
    Request storage req = s_requests[requestId];
    if (req.status != Status.Committed) revert WrongStatus(requestId, req.status);
    uint64 endsAt = _disputeEndsAt(req);
    if (block.timestamp >= endsAt) revert DisputeWindowClosed(endsAt);
    _requireSigners(req, requestId, signers);
    uint256 count = _countDissent(
      requestId,
      req.round,
      req.answer,
      req.outcomeCount,
      reportEpochFor(req.epoch),
      signers,
      dissent
    );
    uint256 recorded = req.dissentCount;
    if (count <= recorded) revert NoNewDissent(count, recorded);
    bool wasContested = _isContested(req);
    req.dissentCount = _toUint8(count);
    emit DissentRecorded(requestId, count);
    if (!wasContested) _announceIfContested(requestId, req);
  }

  /// @dev The commit shared by both entry points. Returns whether the answer was committed (false: a quorum
  /// said "too early" and the request moved to a new round) and the members that signed it, ascending.
  function _commit(
    bytes32 requestId,
    uint32 round,
    int256 answer,
    SignedObservation[] calldata observations
  ) private returns (Request storage req, address[] memory signers, uint32 epoch, bool committed) {
    req = s_requests[requestId];
    if (req.status != Status.Open) revert RequestNotOpen(requestId, req.status);
    if (round != req.round) revert RoundMismatch(round, req.round);
    if (block.timestamp < req.resolveAfter) revert TooEarly(req.resolveAfter);
    if (answer != ANSWER_TOO_EARLY && !_isFinalAnswer(answer, req.outcomeCount)) revert InvalidAnswer(answer);

    signers = _recoverSigners(requestId, round, answer, observations);
    epoch = reportEpochFor(req.epoch);
    (uint256 memberMask, uint256 members) = _countMembers(signers, epoch);

    if (answer == ANSWER_TOO_EARLY) {
      uint64 retryAt = uint64(block.timestamp) + i_tooEarlyRetryDelaySec;
      req.round = req.round + 1;
      req.resolveAfter = retryAt;
      req.epoch = uint32(_epochOf(retryAt));
      emit ResolutionDeferred(requestId, req.round, retryAt);
      return (req, signers, epoch, false);
    }
    _keepMembers(signers, memberMask, members);
    req.status = Status.Committed;
    req.answer = int8(answer);
    req.committedAt = uint64(block.timestamp);
    req.epoch = epoch;
    req.medianConfidenceBps = _memberMedian(observations, memberMask, members);
    req.signersHash = keccak256(abi.encodePacked(signers));
    emit ReportCommitted(requestId, round, answer, signers);
    return (req, signers, epoch, true);
  }

  // ================================================================
  // |                    Finality and disputes                     |
  // ================================================================

  /// @notice Finalizes an undisputed answer after its dispute window (disputeEndsAt), credits the fee to its signers and
  /// calls the requester back. Anyone may call it; `signers` is the list from ReportCommitted.
  function finalize(bytes32 requestId, address[] calldata signers) external nonReentrant {
    Request storage req = s_requests[requestId];
    if (req.status != Status.Committed) revert WrongStatus(requestId, req.status);
    uint64 endsAt = _disputeEndsAt(req);
    if (block.timestamp < endsAt) revert DisputeWindowOpen(endsAt);
    _requireSigners(req, requestId, signers);

    req.status = Status.Finalized;
    _creditSigners(requestId, req.feeWei, signers);
    emit ResolutionFinalized(requestId, req.answer);
    _callBack(requestId, req);
  }

  /// @inheritdoc IResolutionOracle
  /// @dev The signer list is checked here, so the dispute contract locks (and later slashes) exactly these.
  function markDisputed(
    bytes32 requestId,
    address[] calldata signers
  ) external onlyGovernance returns (int256 committedAnswer) {
    Request storage req = s_requests[requestId];
    if (req.status != Status.Committed) revert WrongStatus(requestId, req.status);
    uint64 endsAt = _disputeEndsAt(req);
    if (block.timestamp >= endsAt) revert DisputeWindowClosed(endsAt);
    _requireSigners(req, requestId, signers);
    req.status = Status.Disputed;
    emit ResolutionDisputed(requestId);
    return req.answer;
  }

  /// @inheritdoc IResolutionOracle
  /// @dev Governance's decision is final. Overturned (another answer): the answer is replaced and the fee
  /// goes back to the requester (it paid for a wrong answer). Upheld: the signers get the fee as usual.
  function settleDispute(
    bytes32 requestId,
    int256 finalAnswer,
    address[] calldata signers
  ) external onlyGovernance nonReentrant {
    Request storage req = s_requests[requestId];
    if (req.status != Status.Disputed) revert WrongStatus(requestId, req.status);
    _requireSigners(req, requestId, signers);
    bool overturned = finalAnswer != req.answer;
    if (overturned) {
      if (!_isFinalAnswer(finalAnswer, req.outcomeCount)) revert InvalidAnswer(finalAnswer);
      req.answer = int8(finalAnswer);
      s_claimableWei[req.requester] += req.feeWei;
      s_feeRefunded[requestId] = true;
    } else {
      _creditSigners(requestId, req.feeWei, signers);
    }
    req.status = Status.Finalized;
    emit DisputeSettled(requestId, overturned, req.answer);
    emit ResolutionFinalized(requestId, req.answer);
    _callBack(requestId, req);
  }

  /// @notice Pays out fees credited to msg.sender.
  function withdrawFees() external nonReentrant {
    uint256 amountWei = s_claimableWei[msg.sender];
    if (amountWei == 0) revert NothingToWithdraw();
    s_claimableWei[msg.sender] = 0;
    s_totalFeesPaidWei += amountWei;
    emit FeesWithdrawn(msg.sender, amountWei);
    i_token.safeTransfer(msg.sender, amountWei);
  }

  /// @notice Sends tokens that arrived without a request (a plain transfer) to `to`; never a fee that is owed.
  function sweepExcess(address to) external onlyOwner {
    if (to == address(0)) revert ZeroAddress();
    uint256 excess = i_token.balanceOf(address(this)) - (s_totalFeesReceivedWei - s_totalFeesPaidWei);
    if (excess == 0) revert ZeroAmount();
    emit ExcessSwept(to, excess);
    i_token.safeTransfer(to, excess);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @inheritdoc IResolutionOracle
  function getResolution(bytes32 requestId) external view returns (bool isFinal, int256 answer) {
    Request storage req = s_requests[requestId];
    return (req.status == Status.Finalized, req.answer);
  }

  function getRequest(bytes32 requestId) external view returns (Request memory) {
    return s_requests[requestId];
  }

  /// @inheritdoc IResolutionOracle
  function isFinalAnswer(bytes32 requestId, int256 answer) external view returns (bool) {
    Request storage req = s_requests[requestId];
    return req.status != Status.None && _isFinalAnswer(answer, req.outcomeCount);
  }

  /// @notice The epoch whose operator set would judge a report of the request's current round landing now.
  function reportEpochOf(bytes32 requestId) external view returns (uint32) {
    return reportEpochFor(s_requests[requestId].epoch);
  }

  /// @inheritdoc IResolutionOracle
  function getScrutiny(
    bytes32 requestId
  ) external view returns (bool contested, uint256 dissentCount, uint16 medianConfidenceBps, uint64 disputeEndsAt_) {
    Request storage req = s_requests[requestId];
    return (_isContested(req), req.dissentCount, req.medianConfidenceBps, _disputeEndsAt(req));
  }

  /// @inheritdoc IResolutionOracle
  /// @dev committedAt + disputeWindowSec, times contestedWindowMultiplier when contested.
  function disputeEndsAt(bytes32 requestId) external view returns (uint64) {
    return _disputeEndsAt(s_requests[requestId]);
  }

  function contestDissentMin() external view returns (uint8) {
    return i_contestDissentMin;
  }

  function contestConfidenceBps() external view returns (uint16) {
    return i_contestConfidenceBps;
  }

  function contestedWindowMultiplier() external view returns (uint8) {
    return i_contestedWindowMultiplier;
  }

  /// @inheritdoc IResolutionOracle
  function maxDisputeWindowSec() external view returns (uint64) {
    return i_disputeWindowSec * i_contestedWindowMultiplier;
  }

  function requestTimeoutSec() external view returns (uint64) {
    return i_requestTimeoutSec;
  }

  function claimableWei(address account) external view returns (uint256) {
    return s_claimableWei[account];
  }

  /// @notice Whether the request's fee was credited back to its requester (expired unanswered, or overturned by a dispute).
  function feeRefunded(bytes32 requestId) external view returns (bool) {
    return s_feeRefunded[requestId];
  }

  function governance() external view returns (address) {
    return s_governance;
  }

  function token() external view returns (IERC20) {
    return i_token;
  }

  function disputeWindowSec() external view returns (uint64) {
    return i_disputeWindowSec;
  }

  function tooEarlyRetryDelaySec() external view returns (uint64) {
    return i_tooEarlyRetryDelaySec;
  }

  function minFeeWei() external view returns (uint96) {
    return i_minFeeWei;
  }

  function totalFeesReceivedWei() external view returns (uint256) {
    return s_totalFeesReceivedWei;
  }

  function totalFeesPaidWei() external view returns (uint256) {
    return s_totalFeesPaidWei;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  /// @dev The checks of requestResolution; returns the epoch the request's first round is judged by: the
  /// epoch it can first be answered in (now, or resolveAfter when later).
  function _checkRequest(RequestParams calldata params) private view returns (uint32 epoch) {
    uint256 outcomeCount = params.outcomes.length;
    if (outcomeCount < MIN_OUTCOMES || outcomeCount > MAX_OUTCOMES) revert BadOutcomeCount(outcomeCount);
    if (bytes(params.spec).length > MAX_SPEC_BYTES) revert SpecTooLong(bytes(params.spec).length);
    if (params.feeWei < i_minFeeWei) revert FeeTooLow(params.feeWei, i_minFeeWei);
    if (params.callbackGasLimit > MAX_CALLBACK_GAS) revert CallbackGasTooHigh(params.callbackGasLimit);
    uint256 startsAt = params.resolveAfter > block.timestamp ? params.resolveAfter : block.timestamp;
    uint256 e = _epochOf(startsAt);
    if (e > type(uint32).max || uint256(params.resolveAfter) + i_requestTimeoutSec > type(uint64).max) {
      revert ResolveAfterTooFar(params.resolveAfter);
    }
    return uint32(e);
  }

  function _isFinalAnswer(int256 answer, uint8 outcomeCount) private pure returns (bool) {
    return answer == ANSWER_UNRESOLVABLE || (answer >= 0 && answer < int256(uint256(outcomeCount)));
  }

  /// @dev Checks every agreeing observation (confidence at most 100 %, low-s signature that recovers, signers
  /// strictly ascending) and returns the signers, in report order.
  function _recoverSigners(
    bytes32 requestId,
    uint32 round,
    int256 answer,
    SignedObservation[] calldata observations
  ) private view returns (address[] memory signers) {
    signers = new address[](observations.length);
    bytes32 domainSeparator_ = domainSeparator();
    address previous;
    for (uint256 i = 0; i < observations.length; ++i) {
      SignedObservation calldata o = observations[i];
      if (o.confidenceBps > MAX_CONFIDENCE_BPS) revert ConfidenceOutOfRange(i, o.confidenceBps);
      uint256 fields;
      assembly ("memory-safe") {
        fields := o
      }
      bytes32 digest = _observationDigestFromCalldata(domainSeparator_, requestId, round, answer, fields);
      address signer = _recover(digest, o.r, o.yParityAndS, i);
      if (signer <= previous) revert SignersNotAscending(i, signer);
      signers[i] = signer;
      previous = signer;
    }
  }

  /// @dev The scrutiny rule. An expired request (never committed) is not contested.
  function _isContested(Request storage req) private view returns (bool) {
    return
      req.committedAt != 0 &&
      (req.dissentCount >= i_contestDissentMin || req.medianConfidenceBps < i_contestConfidenceBps);
  }

  /// @dev A function of the commit time and the rule alone: becoming contested sets it once, for good.
  function _disputeEndsAt(Request storage req) private view returns (uint64) {
    uint64 committedAt = req.committedAt;
    if (committedAt == 0) return 0;
    return committedAt + (_isContested(req) ? i_disputeWindowSec * i_contestedWindowMultiplier : i_disputeWindowSec);
  }

  function _announceIfContested(bytes32 requestId, Request storage req) private {
    if (_isContested(req)) {
      emit ResolutionContested(requestId, req.dissentCount, req.medianConfidenceBps, _disputeEndsAt(req));
    }
  }

  function _toUint8(uint256 count) private pure returns (uint8) {
    return count > type(uint8).max ? type(uint8).max : uint8(count);
  }

  /// @dev The median (lower median for an even count) of the members' confidences (by `memberMask`), read
  /// from calldata and insertion-sorted into a fresh array as they come: a quorum is at most 256 and in practice
  /// a few dozen, and equal confidences cost one comparison each. In assembly because it runs once per signature
  /// of every commit: each SignedObservation is five static words with confidenceBps first, already read (and
  /// so checked for dirty bits and the 100 % bound) by _recoverSigners.
  function _memberMedian(
    SignedObservation[] calldata observations,
    uint256 memberMask,
    uint256 members
  ) private pure returns (uint16 median) {
    uint256[] memory sorted = new uint256[](members);
    assembly ("memory-safe") {
      let base := add(sorted, 0x20)
      let k := 0
      for { let i := 0 } lt(i, observations.length) { i := add(i, 1) } {
        if and(memberMask, shl(i, 1)) {
          let v := calldataload(add(observations.offset, mul(i, 0xa0)))
          // Shift the larger ones up one place; k < members, so every index is inside `sorted`.
          let j := k
          for {} gt(j, 0) { j := sub(j, 1) } {
            let prev := mload(add(base, shl(5, sub(j, 1))))
            if iszero(gt(prev, v)) { break }
            mstore(add(base, shl(5, j)), prev)
          }
          mstore(add(base, shl(5, j)), v)
          k := add(k, 1)
        }
      }
      median := mload(add(base, shl(5, shr(1, sub(members, 1)))))
    }
  }

  /// @dev Counts the distinct members of `epoch` that signed another answer of (requestId, round), leaving
  /// out those in `agreeing` (ascending). Reverts on a dissent that carries `committedAnswer`, an answer the
  /// request cannot take, a confidence over 100 %, a bad or malleable signature, or signers out of order.
  function _countDissent(
    bytes32 requestId,
    uint32 round,
    int256 committedAnswer,
    uint8 outcomeCount,
    uint32 epoch,
    address[] memory agreeing,
    DissentingObservation[] calldata dissent
  ) private view returns (uint256 count) {
    address[] memory dissenters = _dissenters(requestId, round, committedAnswer, outcomeCount, agreeing, dissent);
    if (dissenters.length == 0) return 0;
    (, count, ) = i_staking.membersOf(dissenters, epoch);
  }

  /// @dev The recovered dissenters, ascending, without those that also signed the committed answer.
  function _dissenters(
    bytes32 requestId,
    uint32 round,
    int256 committedAnswer,
    uint8 outcomeCount,
    address[] memory agreeing,
    DissentingObservation[] calldata dissent
  ) private view returns (address[] memory dissenters) {
    dissenters = new address[](dissent.length);
    uint256 k;
    uint256 j;
    address previous;
    for (uint256 i = 0; i < dissent.length; ++i) {
      address signer = _recoverDissent(requestId, round, committedAnswer, outcomeCount, dissent[i], i);
      if (signer <= previous) revert DissentersNotAscending(i, signer);
      previous = signer;
      // Both lists ascend, so one walk finds a signer of both answers; it counts once, as agreeing.
      while (j < agreeing.length && agreeing[j] < signer) ++j;
      if (j < agreeing.length && agreeing[j] == signer) continue;
      dissenters[k++] = signer;
    }
    assembly ("memory-safe") {
      mstore(dissenters, k)
    }
  }

  function _recoverDissent(
    bytes32 requestId,
    uint32 round,
    int256 committedAnswer,
    uint8 outcomeCount,
    DissentingObservation calldata o,
    uint256 index
  ) private view returns (address) {
    int256 answer = o.answer;
    if (answer == committedAnswer) revert DissentAgrees(index);
    if (answer != ANSWER_TOO_EARLY && !_isFinalAnswer(answer, outcomeCount)) revert InvalidAnswer(answer);
    if (o.confidenceBps > MAX_CONFIDENCE_BPS) revert ConfidenceOutOfRange(index, o.confidenceBps);
    uint256 fields;
    assembly ("memory-safe") {
      // confidenceBps, evidenceHash, modelHash follow the answer word.
      fields := add(o, 0x20)
    }
    bytes32 digest = _observationDigestFromCalldata(domainSeparator(), requestId, round, answer, fields);
    return _recover(digest, o.r, o.yParityAndS, index);
  }

  function _requireSigners(Request storage req, bytes32 requestId, address[] calldata signers) private view {
    if (keccak256(abi.encodePacked(signers)) != req.signersHash) revert SignersMismatch(requestId);
  }

  /// @dev Equal shares to the signers' operators; the rounding remainder goes to the first so nothing is
  /// stranded.
  function _creditSigners(bytes32 requestId, uint256 feeWei, address[] calldata signers) private {
    if (feeWei == 0) return;
    address[] memory operators = i_staking.operatorsOf(signers);
    uint256 share = feeWei / operators.length;
    for (uint256 i = 0; i < operators.length; ++i) {
      s_claimableWei[operators[i]] += share;
    }
    s_claimableWei[operators[0]] += feeWei - share * operators.length;
    emit FeesCredited(requestId, feeWei, operators.length);
  }

  /// @dev Calls the requester with its gas limit. The gas check stops a caller from starving the callback
  /// on purpose (EIP-150 passes on at most 63/64 of what is left). Return data is never copied, so a
  /// consumer cannot make finality expensive by returning a huge blob.
  function _callBack(bytes32 requestId, Request storage req) private {
    uint256 gasLimit = req.callbackGasLimit;
    address requester = req.requester;
    if (gasLimit == 0 || requester.code.length == 0) return;
    uint256 needed = (gasLimit * 64) / 63 + CALLBACK_GAS_RESERVE;
    if (gasleft() < needed) revert InsufficientGasForCallback(gasleft(), needed);
    bytes memory data = abi.encodeCall(IResolutionConsumer.onResolution, (requestId, int256(req.answer)));
    bool success;
    assembly ("memory-safe") {
      success := call(gasLimit, requester, 0, add(data, 0x20), mload(data), 0, 0)
    }
    emit CallbackResult(requestId, requester, success);
  }
}
