// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IResolutionOracle} from "./interfaces/IResolutionOracle.sol";

/// @title DisputeGovernance
/// @notice Anyone may challenge a committed answer during its dispute window by posting a bond and naming
/// the answer they claim is right. A security council decides by a threshold of its members' votes within
/// the voting period:
///  - overturned: the oracle replaces the answer with the disputer's; every operator that signed the wrong
///    answer is slashed slashBps of its slashable stake; the disputer gets the bond back plus rewardBps of
///    what was slashed; the rest of the slashed stake goes to the treasury.
///  - upheld: the bond is shared by the signers of the answer (they were put to the trouble).
///  - no decision by the deadline: the answer stands and the bond goes back to the disputer (the council,
///    not the disputer, failed to act).
/// Why a council and not a stake-weighted vote: the operators whose stake is at risk would vote on their own
/// slash, and the network token (LINK in local deployments) has no vote checkpoints, so a token vote could be
/// bought with a flash loan. The council is replaceable by the owner (a timelock in production).
/// Payouts are credited and withdrawn (pull payments).
contract DisputeGovernance is ReentrancyGuard, Ownable2Step {
  using SafeERC20 for IERC20;

  uint256 public constant MAX_COUNCIL = 32;
  uint16 internal constant BPS = 10_000;

  enum State {
    None,
    Voting,
    Executed
  }

  struct Dispute {
    // slot 0
    address disputer;
    uint64 votingEndsAt;
    State state;
    uint8 overturnVotes;
    uint8 upholdVotes;
    // slot 1
    uint96 bondWei;
    int16 proposedAnswer;
    /// bit i set: council member i has voted
    uint32 votedMask;
  }

  IERC20 internal immutable i_token;
  IStaking internal immutable i_staking;
  IResolutionOracle internal immutable i_oracle;
  uint96 internal immutable i_minBondWei;
  uint64 internal immutable i_votingPeriodSec;
  uint16 internal immutable i_slashBps;
  uint16 internal immutable i_disputerRewardBps;

  address[] internal s_council;
  uint8 internal s_threshold;
  /// Incremented when the council changes, so votes of a replaced council do not carry over.
  uint32 internal s_councilEpoch;
  address internal s_treasury;
  mapping(bytes32 requestId => Dispute) internal s_disputes;
  mapping(bytes32 requestId => uint32) internal s_disputeCouncilEpoch;
  mapping(address account => uint256) internal s_claimableWei;

  event Disputed(bytes32 indexed requestId, address indexed disputer, int256 proposedAnswer, uint256 bondWei, uint64 votingEndsAt);
  event Voted(bytes32 indexed requestId, address indexed member, bool overturn);
  event DisputeExecuted(bytes32 indexed requestId, Outcome outcome, uint256 slashedWei);
  event CouncilSet(address[] council, uint8 threshold, uint32 epoch);
  event TreasurySet(address treasury);
  event Withdrawn(address indexed account, uint256 amountWei);

  enum Outcome {
    Overturned,
    Upheld,
    Expired
  }

  error ZeroAddress();
  error BadCouncil(uint256 size, uint256 threshold);
  error BadBps(uint256 bps);
  error BondTooSmall(uint256 bondWei, uint256 minBondWei);
  error NotCouncil(address caller);
  error NoDispute(bytes32 requestId);
  error AlreadyVoted(bytes32 requestId, address member);
  error VotingClosed(bytes32 requestId, uint64 endedAt);
  error NotDecided(bytes32 requestId);
  error AlreadyExecuted(bytes32 requestId);
  error StaleCouncil(bytes32 requestId);
  error NothingToWithdraw();

  constructor(
    IERC20 token,
    IStaking staking,
    IResolutionOracle oracle,
    uint96 minBondWei,
    uint64 votingPeriodSec,
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
    i_token = token;
    i_staking = staking;
    i_oracle = oracle;
    i_minBondWei = minBondWei;
    i_votingPeriodSec = votingPeriodSec;
    i_slashBps = slashBps;
    i_disputerRewardBps = disputerRewardBps;
    _setTreasury(treasury);
    _setCouncil(council, threshold);
  }

  // ================================================================
  // |                          Disputes                            |
  // ================================================================

  /// @notice Challenges the committed answer of requestId, claiming proposedAnswer is right.
  /// Reverts unless the oracle is still inside the dispute window (the oracle checks that).
  function dispute(bytes32 requestId, int256 proposedAnswer, uint96 bondWei) external nonReentrant {
    if (bondWei < i_minBondWei) revert BondTooSmall(bondWei, i_minBondWei);
    Dispute storage d = s_disputes[requestId];
    if (d.state != State.None) revert AlreadyExecuted(requestId);
    // Effects before the oracle call and the transfer; the oracle reverts unless the answer is committed
    // and the window is open, which rolls all of this back.
    d.disputer = msg.sender;
    d.bondWei = bondWei;
    // The oracle checks that proposedAnswer is a valid final answer different from the committed one, so
    // it fits in int16.
    d.proposedAnswer = int16(proposedAnswer);
    d.votingEndsAt = uint64(block.timestamp) + i_votingPeriodSec;
    d.state = State.Voting;
    s_disputeCouncilEpoch[requestId] = s_councilEpoch;
    emit Disputed(requestId, msg.sender, proposedAnswer, bondWei, d.votingEndsAt);
    i_oracle.markDisputed(requestId, proposedAnswer);
    i_token.safeTransferFrom(msg.sender, address(this), bondWei);
  }

  /// @notice A council member's vote. Each member votes once per dispute, before the deadline.
  function vote(bytes32 requestId, bool overturn) external {
    uint256 member = _memberIndex(msg.sender);
    Dispute storage d = s_disputes[requestId];
    if (d.state != State.Voting) revert NoDispute(requestId);
    if (s_disputeCouncilEpoch[requestId] != s_councilEpoch) revert StaleCouncil(requestId);
    if (block.timestamp >= d.votingEndsAt) revert VotingClosed(requestId, d.votingEndsAt);
    uint32 bit = uint32(1) << uint32(member);
    if (d.votedMask & bit != 0) revert AlreadyVoted(requestId, msg.sender);
    d.votedMask |= bit;
    if (overturn) ++d.overturnVotes;
    else ++d.upholdVotes;
    emit Voted(requestId, msg.sender, overturn);
  }

  /// @notice Carries out a decided (or expired) dispute. Anyone may call it; `signers` is the operator list
  /// of the disputed report (from ReportCommitted), which the oracle checks against its hash.
  function execute(bytes32 requestId, address[] calldata signers) external nonReentrant {
    Dispute storage d = s_disputes[requestId];
    if (d.state == State.None) revert NoDispute(requestId);
    if (d.state == State.Executed) revert AlreadyExecuted(requestId);
    uint8 threshold = s_threshold;
    bool current = s_disputeCouncilEpoch[requestId] == s_councilEpoch;
    Outcome outcome;
    if (current && d.overturnVotes >= threshold) outcome = Outcome.Overturned;
    else if (current && d.upholdVotes >= threshold) outcome = Outcome.Upheld;
    else if (block.timestamp >= d.votingEndsAt) outcome = Outcome.Expired;
    else revert NotDecided(requestId);

    d.state = State.Executed;
    uint256 bondWei = d.bondWei;
    uint256 slashedWei;
    if (outcome == Outcome.Overturned) {
      i_oracle.settleDispute(requestId, true, d.proposedAnswer, signers);
      for (uint256 i = 0; i < signers.length; ++i) {
        uint256 amountWei = (i_staking.slashableOf(signers[i]) * i_slashBps) / BPS;
        if (amountWei == 0) continue;
        i_staking.slash(signers[i], amountWei, address(this));
        slashedWei += amountWei;
      }
      uint256 rewardWei = (slashedWei * i_disputerRewardBps) / BPS;
      s_claimableWei[d.disputer] += bondWei + rewardWei;
      s_claimableWei[s_treasury] += slashedWei - rewardWei;
    } else if (outcome == Outcome.Upheld) {
      i_oracle.settleDispute(requestId, false, 0, signers);
      uint256 share = bondWei / signers.length;
      for (uint256 i = 0; i < signers.length; ++i) {
        s_claimableWei[signers[i]] += share;
      }
      s_claimableWei[signers[0]] += bondWei - share * signers.length;
    } else {
      i_oracle.settleDispute(requestId, false, 0, signers);
      s_claimableWei[d.disputer] += bondWei;
    }
    emit DisputeExecuted(requestId, outcome, slashedWei);
  }

  function withdraw() external nonReentrant {
    uint256 amountWei = s_claimableWei[msg.sender];
    if (amountWei == 0) revert NothingToWithdraw();
    s_claimableWei[msg.sender] = 0;
    emit Withdrawn(msg.sender, amountWei);
    i_token.safeTransfer(msg.sender, amountWei);
  }

  // ================================================================
  // |                          Council                             |
  // ================================================================

  /// @notice Replaces the council. Votes cast by the old council on open disputes no longer count and the new
  /// council cannot vote on them: such disputes expire (the answer stands, the bond is returned), so changing
  /// the council mid-vote is never a way to flip a decision.
  function setCouncil(address[] calldata council, uint8 threshold) external onlyOwner {
    _setCouncil(council, threshold);
  }

  function setTreasury(address treasury) external onlyOwner {
    _setTreasury(treasury);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  function getDispute(bytes32 requestId) external view returns (Dispute memory) {
    return s_disputes[requestId];
  }

  function council() external view returns (address[] memory members, uint8 threshold) {
    return (s_council, s_threshold);
  }

  function claimableWei(address account) external view returns (uint256) {
    return s_claimableWei[account];
  }

  function minBondWei() external view returns (uint96) {
    return i_minBondWei;
  }

  function votingPeriodSec() external view returns (uint64) {
    return i_votingPeriodSec;
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

  function _setCouncil(address[] memory council_, uint8 threshold) private {
    uint256 size = council_.length;
    // A majority threshold: two opposite decisions can never both reach it.
    if (size == 0 || size > MAX_COUNCIL || threshold <= size / 2 || threshold > size) {
      revert BadCouncil(size, threshold);
    }
    for (uint256 i = 0; i < size; ++i) {
      if (council_[i] == address(0)) revert ZeroAddress();
      for (uint256 j = 0; j < i; ++j) {
        if (council_[j] == council_[i]) revert BadCouncil(size, threshold);
      }
    }
    s_council = council_;
    s_threshold = threshold;
    ++s_councilEpoch;
    emit CouncilSet(council_, threshold, s_councilEpoch);
  }

  function _setTreasury(address treasury_) private {
    if (treasury_ == address(0)) revert ZeroAddress();
    s_treasury = treasury_;
    emit TreasurySet(treasury_);
  }

  function _memberIndex(address account) private view returns (uint256) {
    address[] storage members = s_council;
    for (uint256 i = 0; i < members.length; ++i) {
      if (members[i] == account) return i;
    }
    revert NotCouncil(account);
  }
}
