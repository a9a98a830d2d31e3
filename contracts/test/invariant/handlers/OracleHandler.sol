// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../../utils/TestBase.sol";
import {TestToken} from "../../utils/TestToken.sol";
import {Staking} from "../../../src/Staking.sol";
import {ResolutionOracle} from "../../../src/ResolutionOracle.sol";
import {DisputeGovernance} from "../../../src/DisputeGovernance.sol";
import {IResolutionOracle} from "../../../src/interfaces/IResolutionOracle.sol";

/// @notice Drives the whole request life with bounded random calls from several requesters, aggregators
/// (anyone), disputers, council members and operators: request, commit (valid quorums, short ones, reports
/// padded with non-members, too-early deferrals, invalid answers), replays and second reports, an operator
/// toggling its membership, liveness probes, finalize, expiry, competing dispute claims, answer votes,
/// execute, claim settlement, withdrawals, and time. Ghost state records what must never happen, for
/// OracleInvariants.t.sol.
contract OracleHandler is TestBase {
  TestToken public immutable token;
  Staking public immutable staking;
  ResolutionOracle public immutable oracle;
  DisputeGovernance public immutable governance;

  uint256[] internal s_signerKeys;
  address[] internal s_operators;
  address[] internal s_requesters;
  address[] internal s_disputers;
  address[] internal s_council;
  address public immutable treasury;

  bytes32[] internal s_requestIds;
  /// Requests that committed, and those disputed: disputes and votes aim at them, so the deep paths
  /// (overturn, slash, refund) are reached within a short sequence.
  bytes32[] internal s_committedIds;
  bytes32[] internal s_disputedIds;
  mapping(bytes32 => uint256) public feeOf;
  mapping(bytes32 => address[]) internal s_committedSigners;
  mapping(bytes32 => ResolutionOracle.SignedObservation[]) internal s_lastReport;
  mapping(bytes32 => uint32) internal s_lastReportRound;
  mapping(bytes32 => int256) internal s_lastReportAnswer;
  mapping(bytes32 => bool) public isFinalRecorded;
  mapping(bytes32 => int256) public finalAnswerRecorded;

  // Ghosts
  mapping(bytes32 => uint256) public commitCount;
  uint256 public maxCommitCount;
  uint256 public ghostFeesReceivedWei;
  uint256 public ghostFeesPaidWei;
  /// Fees of requests not yet final: still owed to nobody in particular.
  uint256 public ghostFeesPendingWei;
  /// Commits whose success differed from the rule (open, due, valid answer, members of the report's epoch
  /// >= its quorum).
  uint256 public ghostCommitRuleViolations;
  /// Liveness probes (a quorum of honest members' signatures, then one other operator acts) that failed.
  uint256 public ghostLivenessFailures;
  uint256 public ghostLivenessProbes;
  uint256 public ghostReplaysAccepted;
  uint256 public ghostSecondCommitsAccepted;
  uint256 public ghostCommits;
  uint256 public ghostDeferrals;
  uint256 public ghostFinalized;
  /// A request whose final answer changed, or that stopped being final.
  uint256 public ghostFinalAnswerChanges;
  /// Stake deposited by operators beyond their initial stake (toggling back in).
  uint256 public ghostExtraStakeWei;
  mapping(bytes4 => uint256) public callCount;

  constructor(
    TestToken token_,
    Staking staking_,
    ResolutionOracle oracle_,
    DisputeGovernance governance_,
    uint256[] memory signerKeys,
    address[] memory operators_,
    address[] memory requesters,
    address[] memory disputers,
    address[] memory council,
    address treasury_
  ) {
    token = token_;
    staking = staking_;
    oracle = oracle_;
    governance = governance_;
    s_signerKeys = signerKeys;
    s_operators = operators_;
    s_requesters = requesters;
    s_disputers = disputers;
    s_council = council;
    treasury = treasury_;
  }

  // ================================================================
  // |                         Views for tests                      |
  // ================================================================

  function requestIds() external view returns (bytes32[] memory) {
    return s_requestIds;
  }

  function disputedIds() external view returns (bytes32[] memory) {
    return s_disputedIds;
  }

  function disputers() external view returns (address[] memory) {
    return s_disputers;
  }

  /// @notice Every account that can hold a claim in the oracle or the dispute contract.
  function accounts() public view returns (address[] memory all) {
    all = new address[](s_operators.length + s_requesters.length + s_disputers.length + 1);
    uint256 n;
    for (uint256 i = 0; i < s_operators.length; ++i) all[n++] = s_operators[i];
    for (uint256 i = 0; i < s_requesters.length; ++i) all[n++] = s_requesters[i];
    for (uint256 i = 0; i < s_disputers.length; ++i) all[n++] = s_disputers[i];
    all[n] = treasury;
  }

  function operators() external view returns (address[] memory) {
    return s_operators;
  }

  // ================================================================
  // |                           Actions                            |
  // ================================================================

  function request(uint256 requesterSeed, uint256 feeWei, uint256 delaySec, uint256 outcomeSeed) public {
    ++callCount[this.request.selector];
    address requester = s_requesters[requesterSeed % s_requesters.length];
    uint96 fee = uint96(bound(feeWei, oracle.minFeeWei(), 100 ether));
    uint256 outcomeCount = 2 + (outcomeSeed % 3);
    string[] memory outcomes = new string[](outcomeCount);
    for (uint256 i = 0; i < outcomeCount; ++i) outcomes[i] = vm.toString(i);
    IResolutionOracle.RequestParams memory p = IResolutionOracle.RequestParams({
      specHash: keccak256(abi.encode(s_requestIds.length)),
      spec: "{}",
      outcomes: outcomes,
      resolveAfter: uint64(block.timestamp + bound(delaySec, 0, 2 hours)),
      feeWei: fee,
      callbackGasLimit: 0
    });
    token.mint(requester, fee);
    vm.prank(requester);
    token.approve(address(oracle), fee);
    vm.prank(requester);
    bytes32 id = oracle.requestResolution(p);
    s_requestIds.push(id);
    feeOf[id] = fee;
    ghostFeesReceivedWei += fee;
    ghostFeesPendingWei += fee;
  }

  /// @notice An aggregator commits a report in the request's current round, usually a quorum of the
  /// members, sometimes fewer, sometimes padded with non-members, sometimes "too early", now and then an
  /// invalid answer.
  function commit(uint256 idSeed, uint256 answerSeed, uint256 signerSeed, bool waitUntilDue) external {
    ++callCount[this.commit.selector];
    if (s_requestIds.length == 0) return;
    bytes32 id = s_requestIds[idSeed % s_requestIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    if (waitUntilDue && block.timestamp < r.resolveAfter) vm.warp(r.resolveAfter);

    int256 answer = _pickAnswer(answerSeed, r.outcomeCount);
    (uint256[] memory keys, bool quorate) = _pickSigners(id, signerSeed);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, r.round, answer, keys);
    bool shouldSucceed = r.status == ResolutionOracle.Status.Open &&
      block.timestamp >= r.resolveAfter &&
      _isValidAnswer(answer, r.outcomeCount) &&
      quorate;

    bool succeeded;
    try oracle.commitReport(id, r.round, answer, obs) {
      succeeded = true;
    } catch {}
    if (succeeded != shouldSucceed) ++ghostCommitRuleViolations;
    if (!succeeded) return;
    _afterCommit(id, r, answer, obs);
  }

  /// @notice Liveness probe: a quorum of honest members of the report's epoch sign; then one other operator
  /// does something (leave, rejoin, top up); then the report, with every signature, must commit.
  function livenessProbe(uint256 idSeed, uint256 otherSeed, uint256 actionSeed) external {
    ++callCount[this.livenessProbe.selector];
    if (s_requestIds.length == 0) return;
    bytes32 id = s_requestIds[idSeed % s_requestIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    if (r.status != ResolutionOracle.Status.Open) return;
    if (block.timestamp < r.resolveAfter) vm.warp(r.resolveAfter);
    uint32 epoch = oracle.reportEpochOf(id);
    uint256 count = staking.memberCountAt(epoch);
    if (count == 0) return;
    uint256 quorum = oracle.quorumFor(count);
    uint256 other = otherSeed % s_operators.length;
    // The honest quorum: members of the epoch other than `other`.
    uint256[] memory keys = new uint256[](quorum);
    uint256 k;
    for (uint256 i = 0; i < s_operators.length && k < quorum; ++i) {
      if (i == other || !staking.isMemberAt(vm.addr(s_signerKeys[i]), epoch)) continue;
      keys[k++] = s_signerKeys[i];
    }
    if (k < quorum) return; // `other` is needed for the quorum: not this probe's case
    int256 answer = int256((actionSeed >> 8) % r.outcomeCount);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, r.round, answer, keys);
    _churn(other, actionSeed);
    ++ghostLivenessProbes;
    try oracle.commitReport(id, r.round, answer, obs) {
      _afterCommit(id, r, answer, obs);
    } catch {
      ++ghostLivenessFailures;
    }
  }

  /// @notice One operator crosses the minimum stake either way (joins or leaves at the next epoch).
  function toggle(uint256 operatorSeed) external {
    ++callCount[this.toggle.selector];
    _churn(operatorSeed % s_operators.length, operatorSeed >> 8);
  }

  /// @notice Someone resubmits the exact report that committed.
  function replay(uint256 idSeed) external {
    ++callCount[this.replay.selector];
    if (s_requestIds.length == 0) return;
    bytes32 id = s_requestIds[idSeed % s_requestIds.length];
    if (s_lastReport[id].length == 0) return;
    try oracle.commitReport(id, s_lastReportRound[id], s_lastReportAnswer[id], s_lastReport[id]) {
      ++ghostReplaysAccepted;
      _countCommit(id);
    } catch {}
  }

  function finalize(uint256 idSeed, bool waitForWindow) external {
    ++callCount[this.finalize.selector];
    if (s_requestIds.length == 0) return;
    bytes32 id = s_requestIds[idSeed % s_requestIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    uint256 endsAt = uint256(r.committedAt) + oracle.disputeWindowSec();
    if (r.status == ResolutionOracle.Status.Committed && waitForWindow && block.timestamp < endsAt) vm.warp(endsAt);
    try oracle.finalize(id, s_committedSigners[id]) {
      ++ghostFinalized;
      ghostFeesPendingWei -= feeOf[id];
      _recordFinal(id);
    } catch {}
  }

  /// @notice A request nobody committed is expired after its timeout: final as -1, fee back.
  function expire(uint256 idSeed, bool waitForTimeout) external {
    ++callCount[this.expire.selector];
    if (s_requestIds.length == 0) return;
    bytes32 id = s_requestIds[idSeed % s_requestIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    uint256 expiresAt = uint256(r.resolveAfter) + oracle.requestTimeoutSec();
    if (r.status == ResolutionOracle.Status.Open && waitForTimeout && block.timestamp < expiresAt) vm.warp(expiresAt);
    try oracle.expireRequest(id) {
      ++ghostFinalized;
      ghostFeesPendingWei -= feeOf[id];
      _recordFinal(id);
    } catch {}
  }

  /// @notice A claim in a dispute: the first opens it, others compete (any valid final answer).
  function dispute(uint256 idSeed, uint256 disputerSeed, uint256 proposedSeed) external {
    ++callCount[this.dispute.selector];
    if (s_committedIds.length == 0) return;
    bytes32 id = s_committedIds[idSeed % s_committedIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    if (r.status != ResolutionOracle.Status.Committed && r.status != ResolutionOracle.Status.Disputed) return;
    // A valid final answer other than the committed one: -1 or an outcome index.
    int256 proposed = int256(proposedSeed % (uint256(r.outcomeCount) + 1)) - 1;
    if (proposed == int256(r.answer)) proposed = proposed == -1 ? int256(0) : int256(-1);
    address who = s_disputers[disputerSeed % s_disputers.length];
    uint96 bond = uint96(governance.minBondWei() + (proposedSeed >> 16) % 1 ether);
    token.mint(who, bond);
    vm.prank(who);
    token.approve(address(governance), bond);
    bool opening = r.status == ResolutionOracle.Status.Committed;
    vm.prank(who);
    try governance.dispute(id, proposed, bond, s_committedSigners[id]) {
      if (opening) s_disputedIds.push(id);
    } catch {
      // The minted bond stays with the would-be disputer.
    }
  }

  /// @notice A council member votes: the committed answer or another final answer.
  function vote(uint256 idSeed, uint256 memberSeed, uint256 answerSeed) external {
    ++callCount[this.vote.selector];
    if (s_disputedIds.length == 0) return;
    bytes32 id = s_disputedIds[idSeed % s_disputedIds.length];
    int256 answer = _pickFinalAnswer(id, answerSeed);
    vm.prank(s_council[memberSeed % s_council.length]);
    try governance.vote(id, answer) {} catch {}
  }

  /// @notice The council's majority votes one answer on an open dispute.
  function decide(uint256 idSeed, uint256 memberSeed, uint256 answerSeed) external {
    ++callCount[this.decide.selector];
    if (s_disputedIds.length == 0) return;
    bytes32 id = s_disputedIds[idSeed % s_disputedIds.length];
    int256 answer = _pickFinalAnswer(id, answerSeed);
    for (uint256 i = 0; i < s_council.length; ++i) {
      vm.prank(s_council[(memberSeed % s_council.length + i) % s_council.length]);
      try governance.vote(id, answer) {} catch {}
    }
  }

  function execute(uint256 idSeed, bool waitForDeadline) external {
    ++callCount[this.execute.selector];
    if (s_disputedIds.length == 0) return;
    bytes32 id = s_disputedIds[idSeed % s_disputedIds.length];
    DisputeGovernance.Dispute memory d = governance.getDispute(id);
    if (d.state == DisputeGovernance.State.Voting && waitForDeadline && block.timestamp < d.votingEndsAt) {
      vm.warp(d.votingEndsAt);
    }
    try governance.execute(id, s_committedSigners[id]) {
      ++ghostFinalized;
      ghostFeesPendingWei -= feeOf[id];
      _recordFinal(id);
    } catch {}
  }

  function settleClaim(uint256 idSeed, uint256 disputerSeed) external {
    ++callCount[this.settleClaim.selector];
    if (s_disputedIds.length == 0) return;
    bytes32 id = s_disputedIds[idSeed % s_disputedIds.length];
    try governance.settleClaim(id, s_disputers[disputerSeed % s_disputers.length]) {} catch {}
  }

  function withdrawFees(uint256 accountSeed) external {
    ++callCount[this.withdrawFees.selector];
    address[] memory all = accounts();
    address who = all[accountSeed % all.length];
    uint256 owed = oracle.claimableWei(who);
    vm.prank(who);
    try oracle.withdrawFees() {
      ghostFeesPaidWei += owed;
    } catch {}
  }

  function withdrawFromGovernance(uint256 accountSeed) external {
    ++callCount[this.withdrawFromGovernance.selector];
    address[] memory all = accounts();
    vm.prank(all[accountSeed % all.length]);
    try governance.withdraw() {} catch {}
  }

  function warp(uint256 secondsAhead) external {
    ++callCount[this.warp.selector];
    vm.warp(block.timestamp + bound(secondsAhead, 0, 2 days));
  }

  // ================================================================
  // |                           Internal                           |
  // ================================================================

  function _afterCommit(
    bytes32 id,
    ResolutionOracle.Request memory r,
    int256 answer,
    ResolutionOracle.SignedObservation[] memory obs
  ) internal {
    if (r.status != ResolutionOracle.Status.Open) ++ghostSecondCommitsAccepted;
    if (answer == oracle.ANSWER_TOO_EARLY()) {
      ++ghostDeferrals;
      return;
    }
    ++ghostCommits;
    _countCommit(id);
    s_committedIds.push(id);
    _recordReport(id, r.round, answer, obs);
  }

  /// @dev Leaves (below the minimum) or comes back (tops up to it); errors (a locked or empty account) are
  /// fine: whatever the operator does.
  function _churn(uint256 index, uint256 seed) internal {
    address op = s_operators[index];
    (, uint256 bonded, , ) = staking.getOperator(op);
    uint256 min = staking.minStakeWei();
    if (bonded >= min) {
      uint256 amount = bonded - min + 1 + (seed % 3);
      if (amount > bonded) amount = bonded;
      vm.prank(op);
      try staking.requestUnbond(amount) {} catch {}
    } else {
      uint256 amount = min - bonded;
      token.mint(op, amount);
      vm.prank(op);
      token.approve(address(staking), amount);
      vm.prank(op);
      try staking.stake(amount) {
        ghostExtraStakeWei += amount;
      } catch {}
    }
  }

  function _recordFinal(bytes32 id) internal {
    (bool isFinal, int256 answer) = oracle.getResolution(id);
    if (!isFinal) {
      ++ghostFinalAnswerChanges;
      return;
    }
    if (isFinalRecorded[id] && finalAnswerRecorded[id] != answer) ++ghostFinalAnswerChanges;
    isFinalRecorded[id] = true;
    finalAnswerRecorded[id] = answer;
  }

  function _pickAnswer(uint256 answerSeed, uint8 outcomeCount) internal view returns (int256) {
    uint256 pick = answerSeed % 16;
    if (pick == 0) return oracle.ANSWER_TOO_EARLY();
    if (pick == 1) return oracle.ANSWER_UNRESOLVABLE();
    if (pick == 2) return int256(uint256(outcomeCount)); // invalid
    return int256((answerSeed >> 8) % outcomeCount);
  }

  function _pickFinalAnswer(bytes32 id, uint256 seed) internal view returns (int256) {
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    return int256(seed % (uint256(r.outcomeCount) + 1)) - 1;
  }

  function _isValidAnswer(int256 answer, uint8 outcomeCount) internal view returns (bool) {
    return
      answer == oracle.ANSWER_TOO_EARLY() ||
      answer == oracle.ANSWER_UNRESOLVABLE() ||
      (answer >= 0 && answer < int256(uint256(outcomeCount)));
  }

  /// @dev Three times in four a quorum or more of the members of the report's epoch (sometimes padded with
  /// non-members, which do not count), else any number of operators.
  /// `quorate`: the epoch has members and the member keys reach its quorum.
  function _pickSigners(bytes32 id, uint256 signerSeed) internal returns (uint256[] memory keys, bool quorate) {
    uint32 epoch = oracle.reportEpochOf(id);
    uint256 count = staking.memberCountAt(epoch);
    uint256 quorum = oracle.quorumFor(count);
    (uint256[] memory members, uint256[] memory others) = _keysByMembership(epoch);
    uint256 k = (signerSeed % 4 == 0)
      ? bound(signerSeed >> 2, 0, members.length)
      : bound(signerSeed >> 2, quorum < members.length ? quorum : members.length, members.length);
    uint256 padding = (signerSeed >> 64) % 2 == 0 ? 0 : others.length;
    keys = new uint256[](k + padding);
    for (uint256 i = 0; i < k; ++i) keys[i] = members[i];
    for (uint256 i = 0; i < padding; ++i) keys[k + i] = others[i];
    quorate = count > 0 && k >= quorum;
  }

  function _keysByMembership(uint32 epoch) internal returns (uint256[] memory members, uint256[] memory others) {
    uint256 m;
    uint256 o;
    uint256[] memory a = new uint256[](s_signerKeys.length);
    uint256[] memory b = new uint256[](s_signerKeys.length);
    for (uint256 i = 0; i < s_signerKeys.length; ++i) {
      if (staking.isMemberAt(vm.addr(s_signerKeys[i]), epoch)) a[m++] = s_signerKeys[i];
      else b[o++] = s_signerKeys[i];
    }
    members = new uint256[](m);
    others = new uint256[](o);
    for (uint256 i = 0; i < m; ++i) members[i] = a[i];
    for (uint256 i = 0; i < o; ++i) others[i] = b[i];
  }

  function _recordReport(bytes32 id, uint32 round, int256 answer, ResolutionOracle.SignedObservation[] memory obs) internal {
    // The recorded signers are the members among the report's signers, in report order (ReportCommitted).
    uint32 epoch = oracle.getRequest(id).epoch;
    address[] storage signers = s_committedSigners[id];
    bytes32 ds = _domainSeparator(block.chainid, address(oracle));
    for (uint256 i = 0; i < obs.length; ++i) {
      bytes32 digest = _typedDataDigest(
        ds,
        _observationStructHash(id, round, answer, obs[i].confidenceBps, obs[i].evidenceHash, obs[i].modelHash)
      );
      uint256 sWord = uint256(obs[i].yParityAndS) & ((1 << 255) - 1);
      address signer = ecrecover(digest, uint8((uint256(obs[i].yParityAndS) >> 255) + 27), obs[i].r, bytes32(sWord));
      if (staking.isMemberAt(signer, epoch)) signers.push(signer);
    }
    ResolutionOracle.SignedObservation[] storage report = s_lastReport[id];
    for (uint256 i = 0; i < obs.length; ++i) report.push(obs[i]);
    s_lastReportRound[id] = round;
    s_lastReportAnswer[id] = answer;
  }

  function _countCommit(bytes32 id) internal {
    uint256 c = ++commitCount[id];
    if (c > maxCommitCount) maxCommitCount = c;
  }
}
