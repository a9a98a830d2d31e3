// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IResolutionOracle} from "./interfaces/IResolutionOracle.sol";
import {FeedAggregator} from "./FeedAggregator.sol";

/// @title DisputeGovernance
/// @notice The backstop: a security council decides what is true when an answer is challenged, and slashes
/// the operators that signed a falsehood.
///
/// Request disputes. During a request's dispute window anyone opens a dispute by posting a bond and claiming
/// the answer they say is right; while the vote runs, anyone else may post a competing claim (one per
/// address) until the council decides. The council does not pick among claims: each member votes for the answer it finds right, any
/// outcome index or -1 ("unresolvable"), the committed answer included; the first answer to reach the
/// threshold (a majority, so two answers never both reach it) is the decision. Execution, by anyone:
///  - overturned (the decision differs from the committed answer): the oracle takes the decision as the
///    answer and refunds the requester's fee; every signer of the wrong answer is slashed slashBps of its
///    slashable stake; claimants of the decided answer get their bonds back plus disputerRewardBps of the
///    slash, shared by bond; other claims' bonds and the rest of the slash go to the treasury. A decoy claim
///    can neither block the right one nor choose the answer, and it loses its bond.
///  - upheld (the decision is the committed answer): all bonds are shared by the signers.
///  - no decision by the deadline: the answer stands and every bond is returned.
/// Claims close once the council has decided: a claim on an answer already decided carries no risk, and would
/// only dilute the reward of those who claimed it while the outcome was open.
/// Opening a dispute locks the signers' stake in Staking until execution, so stake that backed the answer
/// cannot be withdrawn before the slash (whenever execution comes: anyone, the operators too, can execute a
/// decided or expired dispute).
///
/// Accusations: a feed round's signed values found false (accuseFeedSigners, evidence = the signed values
/// themselves) or an operator that stays silent (accuseSilence, evidence = the aggregators' outlier reports
/// naming it a non-responder). The council votes guilty or not; guilty slashes every accused slashBps (and
/// expels a silent operator from the set), the accuser gets the bond back plus disputerRewardBps of it; not
/// guilty, or no decision by the deadline, gives the bond to the accused. Each accusation stands alone, so a
/// decoy blocks nothing.
///   Why an expired accusation costs the bond: anyone may accuse any operator (a feed accusation needs only
/// values it signed, which are public) and each accusation locks the accused's stake until it is executed.
/// Returning the bond on expiry made rolling accusations a free way to keep an operator from withdrawing for
/// as long as the council stays silent. The bond goes to the accused rather than the treasury because the
/// accused bore the harm (its stake was locked), as on a not-guilty verdict. The lock ends with the vote:
/// anyone, the accused too, can execute an expired accusation.
///
/// The council that votes on a dispute is the one in office when it opened: replacing the council (owner: a
/// timelock in production) never voids or flips an open vote.
/// Why a council and not a stake-weighted vote: the operators whose stake is at risk would vote on their own
/// slash, and the network token (LINK in local deployments) has no vote checkpoints, so a token vote could be
/// bought with a flash loan.
/// Payouts are credited and withdrawn (pull payments); tokens sent here outside a dispute can be swept to
/// the treasury, never what is owed.
contract DisputeGovernance is ReentrancyGuard, Ownable2Step {
  using SafeERC20 for IERC20;

  uint256 public constant MAX_COUNCIL = 32;
  /// Most operators one accusation names.
  uint256 public constant MAX_ACCUSED = 64;
  uint16 internal constant BPS = 10_000;

  enum State {
    None,
    Voting,
    Executed
  }

  enum Outcome {
    Overturned,
    Upheld,
    Expired
  }

  enum AccusationKind {
    FeedValues,
    Silence
  }

  struct Council {
    address[] members;
    uint8 threshold;
  }

  struct Dispute {
    // slot 0
    uint64 votingEndsAt;
    uint32 councilEpoch;
    State state;
    Outcome outcome;
    bool decided;
    int16 committedAnswer;
    int16 decision;
    /// bit i set: member i of the dispute's council has voted
    uint32 votedMask;
    // slot 1
    uint96 totalBondWei;
    /// Overturned: what is still to be shared among claimants of the decision, and their bonds not yet paid.
    uint96 rewardLeftWei;
    // slot 2
    uint96 winningBondLeftWei;
  }

  struct Claim {
    int16 answer;
    uint96 bondWei;
    bool settled;
  }

  struct Accusation {
    // slot 0
    address accuser;
    uint64 votingEndsAt;
    State state;
    AccusationKind kind;
    Outcome outcome;
    uint8 guiltyVotes;
    uint8 innocentVotes;
    // slot 1
    uint96 bondWei;
    uint32 councilEpoch;
    uint32 votedMask;
    // slot 2: keccak256(abi.encodePacked(accused operators))
    bytes32 accusedHash;
  }

  IERC20 internal immutable i_token;
  IStaking internal immutable i_staking;
  IResolutionOracle internal immutable i_oracle;
  uint96 internal immutable i_minBondWei;
  uint64 internal immutable i_votingPeriodSec;
  uint64 internal immutable i_feedDisputeWindowSec;
  uint16 internal immutable i_slashBps;
  uint16 internal immutable i_disputerRewardBps;

  /// Every council, by the epoch it took office in; s_councilEpoch is the one in office now.
  mapping(uint32 epoch => Council) internal s_councils;
  uint32 internal s_councilEpoch;
  address internal s_treasury;
  mapping(bytes32 requestId => Dispute) internal s_disputes;
  mapping(bytes32 requestId => mapping(address claimant => Claim)) internal s_claims;
  mapping(bytes32 requestId => mapping(int256 answer => uint256)) internal s_bondOnAnswer;
  mapping(bytes32 requestId => mapping(int256 answer => uint256)) internal s_votesFor;
  mapping(bytes32 caseId => Accusation) internal s_accusations;
  uint256 internal s_accusationCount;
  mapping(address feed => bool) internal s_feeds;
  mapping(address account => uint256) internal s_claimableWei;
  /// Everything this contract owes: open bonds, unsettled claims and credited payouts.
  uint256 internal s_owedWei;

  event Disputed(bytes32 indexed requestId, address indexed disputer, int256 committedAnswer, uint64 votingEndsAt, uint32 councilEpoch);
  event Claimed(bytes32 indexed requestId, address indexed claimant, int256 answer, uint256 bondWei);
  event Voted(bytes32 indexed requestId, address indexed member, int256 answer);
  event Decided(bytes32 indexed requestId, int256 answer);
  event DisputeExecuted(bytes32 indexed requestId, Outcome outcome, int256 finalAnswer, uint256 slashedWei);
  event ClaimSettled(bytes32 indexed requestId, address indexed claimant, uint256 payoutWei);
  event Accused(
    bytes32 indexed caseId,
    AccusationKind kind,
    address indexed accuser,
    address[] accused,
    uint256 bondWei,
    uint64 votingEndsAt
  );
  event FeedValuesAccused(bytes32 indexed caseId, address indexed feed, uint32 roundId, int256 claimedAnswer);
  event SilenceAccused(bytes32 indexed caseId, address indexed operator, bytes32 evidenceHash);
  event AccusationVoted(bytes32 indexed caseId, address indexed member, bool guilty);
  event AccusationExecuted(bytes32 indexed caseId, Outcome outcome, uint256 slashedWei);
  event CouncilSet(address[] council, uint8 threshold, uint32 epoch);
  event TreasurySet(address treasury);
  event FeedSet(address indexed feed, bool disputable);
  event Withdrawn(address indexed account, uint256 amountWei);
  event ExcessSwept(address indexed to, uint256 amountWei);

  error ZeroAddress();
  error BadCouncil(uint256 size, uint256 threshold);
  error BadBps(uint256 bps);
  error BondTooSmall(uint256 bondWei, uint256 minBondWei);
  error NotCouncil(address caller);
  error NoDispute(bytes32 id);
  error AlreadyVoted(bytes32 id, address member);
  error VotingClosed(bytes32 id, uint64 endedAt);
  error NotDecided(bytes32 id);
  /// The dispute was executed already; its outcome stands.
  error DisputeAlreadyExecuted(bytes32 id);
  /// The council has decided this dispute (on `decision`): it takes no more claims.
  error DisputeAlreadyDecided(bytes32 requestId, int256 decision);
  /// This address already claims an answer in this dispute (one claim per address).
  error AlreadyClaimed(bytes32 requestId, address claimant, int256 answer);
  /// A claim must name a final answer other than the committed one.
  error InvalidClaim(bytes32 requestId, int256 answer);
  error InvalidVote(bytes32 requestId, int256 answer);
  error NothingToClaim(bytes32 requestId, address claimant);
  error NothingToWithdraw();
  error TokenMismatch(address token, address other);
  error DelayTooShort(uint256 unbondingDelaySec, uint256 neededSec);
  error UnknownFeed(address feed);
  error NoRound(address feed, uint32 roundId);
  error DisputeWindowClosed(uint64 endedAt);
  error BadAccused(uint256 count);
  error SignersNotAscending(uint256 index, address signer);
  error UnknownSigner(address signer);
  error AccusedMismatch(bytes32 caseId);
  error NotAnOperator(address operator);

  /// @param feedDisputeWindowSec how long after a feed round its signed values can be accused.
  constructor(
    IERC20 token,
    IStaking staking,
    IResolutionOracle oracle,
    uint96 minBondWei,
    uint64 votingPeriodSec,
    uint64 feedDisputeWindowSec,
    uint16 slashBps,
    uint16 disputerRewardBps,
    address treasury,
    address[] memory council,
    uint8 threshold
  ) {
    if (address(token) == address(0) || address(staking) == address(0) || address(oracle) == address(0)) {
      revert ZeroAddress();
    }
    if (slashBps > BPS) revert BadBps(slashBps);
    if (disputerRewardBps > BPS) revert BadBps(disputerRewardBps);
    // One token for stake, fees and bonds: a slash must be payable in what the rewards are counted in.
    if (address(staking.token()) != address(token)) revert TokenMismatch(address(token), address(staking.token()));
    if (address(oracle.token()) != address(token)) revert TokenMismatch(address(token), address(oracle.token()));
    // A signer must still be slashable when a dispute opens and locks its stake: the unbonding delay (which
    // runs from the end of the epoch after the last one it could sign in) outlasts each dispute window, and,
    // for good measure, the vote after it. A contested request's window is the longest a resolution has.
    uint256 window = oracle.maxDisputeWindowSec() > feedDisputeWindowSec ? oracle.maxDisputeWindowSec() : feedDisputeWindowSec;
    if (staking.unbondingDelaySec() < window + votingPeriodSec) {
      revert DelayTooShort(staking.unbondingDelaySec(), window + votingPeriodSec);
    }
    i_token = token;
    i_staking = staking;
    i_oracle = oracle;
    i_minBondWei = minBondWei;
    i_votingPeriodSec = votingPeriodSec;
    i_feedDisputeWindowSec = feedDisputeWindowSec;
    i_slashBps = slashBps;
    i_disputerRewardBps = disputerRewardBps;
    _setTreasury(treasury);
    _setCouncil(council, threshold);
  }

  // ================================================================
  // |                      Request disputes                        |
  // ================================================================

  /// @notice Claims that `claimedAnswer` (an outcome index or -1) is the right answer of `requestId`. The
  /// first claim opens the dispute (inside the oracle's dispute window) and must pass the committed report's
  /// signer list (`signers`, from ReportCommitted), whose operators' stake it locks; later claims, from other
  /// addresses, are accepted until the council decides (DisputeAlreadyDecided after) or the vote ends, and
  /// ignore `signers`.
  function dispute(
    bytes32 requestId,
    int256 claimedAnswer,
    uint96 bondWei,
    address[] calldata signers
  ) external nonReentrant {
    if (bondWei < i_minBondWei) revert BondTooSmall(bondWei, i_minBondWei);
    Dispute storage d = s_disputes[requestId];
    if (d.state == State.Executed) revert DisputeAlreadyExecuted(requestId);
    if (d.state == State.None) {
      // The oracle reverts unless the answer is committed, the window is open and the list is the report's.
      int256 committed = i_oracle.markDisputed(requestId, signers);
      d.committedAnswer = int16(committed);
      d.votingEndsAt = uint64(block.timestamp) + i_votingPeriodSec;
      d.councilEpoch = s_councilEpoch;
      d.state = State.Voting;
      i_staking.lock(i_staking.operatorsOf(signers));
      emit Disputed(requestId, msg.sender, committed, d.votingEndsAt, d.councilEpoch);
    } else if (d.decided) {
      revert DisputeAlreadyDecided(requestId, d.decision);
    } else if (block.timestamp >= d.votingEndsAt) {
      revert VotingClosed(requestId, d.votingEndsAt);
    }
    Claim storage c = s_claims[requestId][msg.sender];
    if (c.bondWei != 0) revert AlreadyClaimed(requestId, msg.sender, c.answer);
    if (claimedAnswer == d.committedAnswer || !i_oracle.isFinalAnswer(requestId, claimedAnswer)) {
      revert InvalidClaim(requestId, claimedAnswer);
    }
    // A final answer is -1 or an outcome index below 32: it fits in int16.
    c.answer = int16(claimedAnswer);
    c.bondWei = bondWei;
    d.totalBondWei += bondWei;
    s_bondOnAnswer[requestId][claimedAnswer] += bondWei;
    s_owedWei += bondWei;
    emit Claimed(requestId, msg.sender, claimedAnswer, bondWei);
    i_token.safeTransferFrom(msg.sender, address(this), bondWei);
  }

  /// @notice A council member's vote for the answer it finds right: the committed answer (upholds it), another
  /// outcome index, or -1. Each member of the dispute's council votes once, before the deadline.
  function vote(bytes32 requestId, int256 answer) external {
    Dispute storage d = s_disputes[requestId];
    if (d.state == State.Executed) revert DisputeAlreadyExecuted(requestId);
    if (d.state != State.Voting) revert NoDispute(requestId);
    Council storage council_ = s_councils[d.councilEpoch];
    uint256 member = _memberIndex(council_, msg.sender);
    if (block.timestamp >= d.votingEndsAt) revert VotingClosed(requestId, d.votingEndsAt);
    uint32 bit = uint32(1) << uint32(member);
    if (d.votedMask & bit != 0) revert AlreadyVoted(requestId, msg.sender);
    if (!i_oracle.isFinalAnswer(requestId, answer)) revert InvalidVote(requestId, answer);
    d.votedMask |= bit;
    uint256 votes = ++s_votesFor[requestId][answer];
    emit Voted(requestId, msg.sender, answer);
    if (!d.decided && votes >= council_.threshold) {
      d.decided = true;
      d.decision = int16(answer);
      emit Decided(requestId, answer);
    }
  }

  /// @notice Carries out a decided (or expired) dispute. Anyone may call it; `signers` is the signer list of
  /// the disputed report (from ReportCommitted), which the oracle checks against its hash; their operators
  /// are unlocked, and slashed or paid.
  function execute(bytes32 requestId, address[] calldata signers) external nonReentrant {
    Dispute storage d = s_disputes[requestId];
    if (d.state == State.None) revert NoDispute(requestId);
    if (d.state == State.Executed) revert DisputeAlreadyExecuted(requestId);
    Outcome outcome;
    if (d.decided) outcome = d.decision == d.committedAnswer ? Outcome.Upheld : Outcome.Overturned;
    else if (block.timestamp >= d.votingEndsAt) outcome = Outcome.Expired;
    else revert NotDecided(requestId);

    d.state = State.Executed;
    d.outcome = outcome;
    int256 finalAnswer = outcome == Outcome.Overturned ? int256(d.decision) : int256(d.committedAnswer);
    i_oracle.settleDispute(requestId, finalAnswer, signers);
    address[] memory operators = i_staking.operatorsOf(signers);
    i_staking.unlock(operators);
    uint256 totalBondWei = d.totalBondWei;
    uint256 slashedWei;
    if (outcome == Outcome.Overturned) {
      slashedWei = _slashAll(operators);
      uint256 winningBondWei = s_bondOnAnswer[requestId][finalAnswer];
      uint256 rewardWei = winningBondWei == 0 ? 0 : (slashedWei * i_disputerRewardBps) / BPS;
      d.rewardLeftWei = uint96(rewardWei);
      d.winningBondLeftWei = uint96(winningBondWei);
      // Wrong claims' bonds and the slash beyond the reward go to the treasury; winning claims wait for
      // settleClaim.
      _credit(s_treasury, slashedWei - rewardWei + (totalBondWei - winningBondWei));
      s_owedWei += slashedWei;
    } else if (outcome == Outcome.Upheld) {
      _share(operators, totalBondWei);
    }
    // Expired: every claim is settled with its bond.
    emit DisputeExecuted(requestId, outcome, finalAnswer, slashedWei);
  }

  /// @notice Credits a claimant its due after execution: overturned to its answer, its bond plus its share of
  /// the reward (the last claimant of the decision gets the exact remainder); expired, its bond; otherwise
  /// nothing (the bond was forfeited at execution). Anyone may call it for anyone.
  function settleClaim(bytes32 requestId, address claimant) external {
    Dispute storage d = s_disputes[requestId];
    if (d.state != State.Executed) revert NoDispute(requestId);
    Claim storage c = s_claims[requestId][claimant];
    if (c.bondWei == 0 || c.settled) revert NothingToClaim(requestId, claimant);
    c.settled = true;
    uint256 payoutWei = _claimPayout(d, c);
    if (d.outcome == Outcome.Overturned && c.answer == d.decision) {
      d.rewardLeftWei -= uint96(payoutWei - c.bondWei);
      d.winningBondLeftWei -= c.bondWei;
    }
    _credit(claimant, payoutWei);
    emit ClaimSettled(requestId, claimant, payoutWei);
  }

  // ================================================================
  // |                         Accusations                          |
  // ================================================================

  /// @notice Accuses the signers of `evidence`, signed values of round `roundId` of a registered feed, of
  /// signing a false value (the true one being `claimedAnswer`, for the record). Allowed within
  /// feedDisputeWindowSec after the round was transmitted. The signatures are checked here; the accused
  /// operators' stake is locked until execution. Returns the case id.
  function accuseFeedSigners(
    FeedAggregator feed,
    uint32 roundId,
    FeedAggregator.SignedValue[] calldata evidence,
    int256 claimedAnswer,
    uint96 bondWei
  ) external nonReentrant returns (bytes32 caseId) {
    address[] memory accused = _feedAccused(feed, roundId, evidence);
    caseId = _openAccusation(AccusationKind.FeedValues, accused, bondWei);
    emit FeedValuesAccused(caseId, address(feed), roundId, claimedAnswer);
  }

  /// @notice Accuses `operator` of staying silent round after round. `evidenceHash` names the evidence (the
  /// aggregators' outlier reports listing it as a non-responder). Guilty: slashed and expelled from the set.
  function accuseSilence(address operator, bytes32 evidenceHash, uint96 bondWei) external nonReentrant returns (bytes32 caseId) {
    if (i_staking.slashableOf(operator) == 0) revert NotAnOperator(operator);
    address[] memory accused = new address[](1);
    accused[0] = operator;
    caseId = _openAccusation(AccusationKind.Silence, accused, bondWei);
    emit SilenceAccused(caseId, operator, evidenceHash);
  }

  /// @notice A council member's verdict on an accusation. Each member of the case's council votes once.
  function voteAccusation(bytes32 caseId, bool guilty) external {
    Accusation storage a = s_accusations[caseId];
    if (a.state == State.Executed) revert DisputeAlreadyExecuted(caseId);
    if (a.state != State.Voting) revert NoDispute(caseId);
    uint256 member = _memberIndex(s_councils[a.councilEpoch], msg.sender);
    if (block.timestamp >= a.votingEndsAt) revert VotingClosed(caseId, a.votingEndsAt);
    uint32 bit = uint32(1) << uint32(member);
    if (a.votedMask & bit != 0) revert AlreadyVoted(caseId, msg.sender);
    a.votedMask |= bit;
    if (guilty) ++a.guiltyVotes;
    else ++a.innocentVotes;
    emit AccusationVoted(caseId, msg.sender, guilty);
  }

  /// @notice Carries out a decided (or expired) accusation. Anyone may call it; `accused` is the operator list
  /// of the Accused event.
  function executeAccusation(bytes32 caseId, address[] calldata accused) external nonReentrant {
    Accusation storage a = s_accusations[caseId];
    if (a.state == State.None) revert NoDispute(caseId);
    if (a.state == State.Executed) revert DisputeAlreadyExecuted(caseId);
    if (keccak256(abi.encodePacked(accused)) != a.accusedHash) revert AccusedMismatch(caseId);
    uint8 threshold = s_councils[a.councilEpoch].threshold;
    Outcome outcome;
    if (a.guiltyVotes >= threshold) outcome = Outcome.Overturned;
    else if (a.innocentVotes >= threshold) outcome = Outcome.Upheld;
    else if (block.timestamp >= a.votingEndsAt) outcome = Outcome.Expired;
    else revert NotDecided(caseId);

    a.state = State.Executed;
    a.outcome = outcome;
    i_staking.unlock(accused);
    uint256 bondWei = a.bondWei;
    uint256 slashedWei;
    if (outcome == Outcome.Overturned) {
      slashedWei = _slashAll(accused);
      s_owedWei += slashedWei;
      if (a.kind == AccusationKind.Silence) i_staking.expel(accused[0]);
      uint256 rewardWei = (slashedWei * i_disputerRewardBps) / BPS;
      _credit(a.accuser, bondWei + rewardWei);
      _credit(s_treasury, slashedWei - rewardWei);
    } else {
      // Not guilty, or expired undecided: the accused, whose stake the accusation locked, take the bond.
      _share(accused, bondWei);
    }
    emit AccusationExecuted(caseId, outcome, slashedWei);
  }

  // ================================================================
  // |                          Payouts                             |
  // ================================================================

  function withdraw() external nonReentrant {
    uint256 amountWei = s_claimableWei[msg.sender];
    if (amountWei == 0) revert NothingToWithdraw();
    s_claimableWei[msg.sender] = 0;
    s_owedWei -= amountWei;
    emit Withdrawn(msg.sender, amountWei);
    i_token.safeTransfer(msg.sender, amountWei);
  }

  /// @notice Sends tokens that arrived outside a dispute (a plain transfer) to the treasury; never what is owed.
  function sweepExcess() external {
    uint256 excess = i_token.balanceOf(address(this)) - s_owedWei;
    if (excess == 0) revert NothingToWithdraw();
    address treasury_ = s_treasury;
    emit ExcessSwept(treasury_, excess);
    i_token.safeTransfer(treasury_, excess);
  }

  // ================================================================
  // |                          Council                             |
  // ================================================================

  /// @notice Replaces the council for disputes opened from now on. Disputes already open keep the council
  /// they opened with (its members vote, its threshold decides): a council change never voids or flips them.
  function setCouncil(address[] calldata council_, uint8 threshold) external onlyOwner {
    _setCouncil(council_, threshold);
  }

  function setTreasury(address treasury_) external onlyOwner {
    _setTreasury(treasury_);
  }

  /// @notice Marks a FeedAggregator whose signed values may be accused (it must check signatures against this
  /// deployment's Staking).
  function setFeed(FeedAggregator feed, bool disputable) external onlyOwner {
    if (address(feed.staking()) != address(i_staking)) revert UnknownFeed(address(feed));
    s_feeds[address(feed)] = disputable;
    emit FeedSet(address(feed), disputable);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  function getDispute(bytes32 requestId) external view returns (Dispute memory) {
    return s_disputes[requestId];
  }

  function getClaim(bytes32 requestId, address claimant) external view returns (Claim memory) {
    return s_claims[requestId][claimant];
  }

  /// @notice What settleClaim would credit `claimant` now (0 before execution or once settled).
  function pendingClaimWei(bytes32 requestId, address claimant) external view returns (uint256) {
    Dispute storage d = s_disputes[requestId];
    Claim storage c = s_claims[requestId][claimant];
    if (d.state != State.Executed || c.bondWei == 0 || c.settled) return 0;
    return _claimPayout(d, c);
  }

  function votesFor(bytes32 requestId, int256 answer) external view returns (uint256) {
    return s_votesFor[requestId][answer];
  }

  function bondOnAnswer(bytes32 requestId, int256 answer) external view returns (uint256) {
    return s_bondOnAnswer[requestId][answer];
  }

  function getAccusation(bytes32 caseId) external view returns (Accusation memory) {
    return s_accusations[caseId];
  }

  function council() external view returns (address[] memory members, uint8 threshold) {
    Council storage c = s_councils[s_councilEpoch];
    return (c.members, c.threshold);
  }

  function councilAt(uint32 epoch) external view returns (address[] memory members, uint8 threshold) {
    Council storage c = s_councils[epoch];
    return (c.members, c.threshold);
  }

  function councilEpoch() external view returns (uint32) {
    return s_councilEpoch;
  }

  function isDisputableFeed(address feed) external view returns (bool) {
    return s_feeds[feed];
  }

  function claimableWei(address account) external view returns (uint256) {
    return s_claimableWei[account];
  }

  function owedWei() external view returns (uint256) {
    return s_owedWei;
  }

  function minBondWei() external view returns (uint96) {
    return i_minBondWei;
  }

  function votingPeriodSec() external view returns (uint64) {
    return i_votingPeriodSec;
  }

  function feedDisputeWindowSec() external view returns (uint64) {
    return i_feedDisputeWindowSec;
  }

  function slashBps() external view returns (uint16) {
    return i_slashBps;
  }

  function disputerRewardBps() external view returns (uint16) {
    return i_disputerRewardBps;
  }

  function treasury() external view returns (address) {
    return s_treasury;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  /// @dev The operators behind signed values of a registered feed's round, inside its dispute window.
  function _feedAccused(
    FeedAggregator feed,
    uint32 roundId,
    FeedAggregator.SignedValue[] calldata evidence
  ) private view returns (address[] memory accused) {
    if (!s_feeds[address(feed)]) revert UnknownFeed(address(feed));
    if (roundId == 0 || roundId > feed.latestRoundId()) revert NoRound(address(feed), roundId);
    (, , , uint256 updatedAt, ) = feed.getRoundData(roundId);
    uint64 endsAt = uint64(updatedAt) + i_feedDisputeWindowSec;
    if (block.timestamp >= endsAt) revert DisputeWindowClosed(endsAt);
    uint256 n = evidence.length;
    if (n == 0 || n > MAX_ACCUSED) revert BadAccused(n);
    accused = new address[](n);
    address previous;
    for (uint256 i = 0; i < n; ++i) {
      address signer = feed.recoverSigner(roundId, evidence[i]);
      if (signer <= previous) revert SignersNotAscending(i, signer);
      previous = signer;
      address operator = i_staking.operatorOfSigner(signer);
      if (operator == address(0)) revert UnknownSigner(signer);
      accused[i] = operator;
    }
  }

  function _openAccusation(AccusationKind kind, address[] memory accused, uint96 bondWei) private returns (bytes32 caseId) {
    if (bondWei < i_minBondWei) revert BondTooSmall(bondWei, i_minBondWei);
    caseId = keccak256(abi.encode(block.chainid, address(this), ++s_accusationCount));
    Accusation storage a = s_accusations[caseId];
    a.accuser = msg.sender;
    a.votingEndsAt = uint64(block.timestamp) + i_votingPeriodSec;
    a.state = State.Voting;
    a.kind = kind;
    a.bondWei = bondWei;
    a.councilEpoch = s_councilEpoch;
    a.accusedHash = keccak256(abi.encodePacked(accused));
    s_owedWei += bondWei;
    i_staking.lock(accused);
    emit Accused(caseId, kind, msg.sender, accused, bondWei, a.votingEndsAt);
    i_token.safeTransferFrom(msg.sender, address(this), bondWei);
  }

  /// @dev Slashes each operator slashBps of its slashable stake, into this contract; returns the total.
  function _slashAll(address[] memory operators) private returns (uint256 slashedWei) {
    for (uint256 i = 0; i < operators.length; ++i) {
      uint256 amountWei = (i_staking.slashableOf(operators[i]) * i_slashBps) / BPS;
      if (amountWei == 0) continue;
      i_staking.slash(operators[i], amountWei, address(this));
      slashedWei += amountWei;
    }
  }

  /// @dev Equal shares; the rounding remainder goes to the first so nothing is stranded.
  function _share(address[] memory accounts, uint256 amountWei) private {
    if (amountWei == 0) return;
    uint256 share = amountWei / accounts.length;
    for (uint256 i = 0; i < accounts.length; ++i) _credit(accounts[i], share);
    _credit(accounts[0], amountWei - share * accounts.length);
  }

  /// @dev Credits a payout; s_owedWei already counts it (as a bond, a slash, or an unsettled claim).
  function _credit(address account, uint256 amountWei) private {
    if (amountWei == 0) return;
    s_claimableWei[account] += amountWei;
  }

  function _claimPayout(Dispute storage d, Claim storage c) private view returns (uint256) {
    if (d.outcome == Outcome.Expired) return c.bondWei;
    if (d.outcome != Outcome.Overturned || c.answer != d.decision) return 0;
    // rewardLeft * bond / bondLeft: the last claimant (bond == bondLeft) takes the exact remainder.
    return c.bondWei + (uint256(d.rewardLeftWei) * c.bondWei) / d.winningBondLeftWei;
  }

  function _setCouncil(address[] memory council_, uint8 threshold) private {
    uint256 size = council_.length;
    // A majority threshold: two different decisions can never both reach it.
    if (size == 0 || size > MAX_COUNCIL || threshold <= size / 2 || threshold > size) {
      revert BadCouncil(size, threshold);
    }
    for (uint256 i = 0; i < size; ++i) {
      if (council_[i] == address(0)) revert ZeroAddress();
      for (uint256 j = 0; j < i; ++j) {
        if (council_[j] == council_[i]) revert BadCouncil(size, threshold);
      }
    }
    uint32 epoch = ++s_councilEpoch;
    Council storage c = s_councils[epoch];
    c.members = council_;
    c.threshold = threshold;
    emit CouncilSet(council_, threshold, epoch);
  }

  function _setTreasury(address treasury_) private {
    if (treasury_ == address(0)) revert ZeroAddress();
    s_treasury = treasury_;
    emit TreasurySet(treasury_);
  }

  function _memberIndex(Council storage c, address account) private view returns (uint256) {
    address[] storage members = c.members;
    for (uint256 i = 0; i < members.length; ++i) {
      if (members[i] == account) return i;
    }
    revert NotCouncil(account);
  }
}
