// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../../utils/TestBase.sol";
import {TestToken} from "../../utils/TestToken.sol";
import {Staking} from "../../../src/Staking.sol";
import {ResolutionOracle} from "../../../src/ResolutionOracle.sol";
import {DisputeGovernance} from "../../../src/DisputeGovernance.sol";
import {IResolutionOracle} from "../../../src/interfaces/IResolutionOracle.sol";

/// @notice Drives the whole request life with bounded random calls from several requesters, aggregators
/// (anyone), disputers, council members and operators: request, commit (valid quorums, short ones,
/// too-early deferrals, invalid answers), replays and second reports, finalize, dispute, vote, execute,
/// withdrawals, and time. Ghost state records what must never happen, for OracleInvariants.t.sol.
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

  // Ghosts
  mapping(bytes32 => uint256) public commitCount;
  uint256 public maxCommitCount;
  uint256 public ghostFeesReceivedWei;
  uint256 public ghostFeesPaidWei;
  /// Fees of requests not yet final: still owed to nobody in particular.
  uint256 public ghostFeesPendingWei;
  /// Bonds of disputes still being voted on.
  uint256 public ghostBondsOpenWei;
  mapping(bytes32 => uint96) internal s_bondOf;
  /// Commits whose success differed from the rule (open, due, valid answer, active signers, >= quorum).
  uint256 public ghostCommitRuleViolations;
  uint256 public ghostReplaysAccepted;
  uint256 public ghostSecondCommitsAccepted;
  uint256 public ghostCommits;
  uint256 public ghostDeferrals;
  uint256 public ghostFinalized;
  mapping(bytes4 => uint256) public callCount;

  constructor(
    TestToken token_,
    Staking staking_,
    ResolutionOracle oracle_,
    DisputeGovernance governance_,
    uint256[] memory signerKeys,
    address[] memory operators,
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
    s_operators = operators;
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
  /// active operators, sometimes fewer, sometimes "too early", now and then an invalid answer.
  function commit(uint256 idSeed, uint256 answerSeed, uint256 signerSeed, bool waitUntilDue) external {
    ++callCount[this.commit.selector];
    if (s_requestIds.length == 0) return;
    bytes32 id = s_requestIds[idSeed % s_requestIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    if (waitUntilDue && block.timestamp < r.resolveAfter) vm.warp(r.resolveAfter);

    int256 answer = _pickAnswer(answerSeed, r.outcomeCount);
    (uint256[] memory keys, bool quorate) = _pickSigners(signerSeed);
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

    if (r.status != ResolutionOracle.Status.Open) ++ghostSecondCommitsAccepted;
    if (answer == oracle.ANSWER_TOO_EARLY()) {
      ++ghostDeferrals;
      return;
    }
    ++ghostCommits;
    _countCommit(id);
    s_committedIds.push(id);
    _recordReport(id, r.round, answer, keys, obs);
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
    } catch {}
  }

  function dispute(uint256 idSeed, uint256 disputerSeed, uint256 proposedSeed) external {
    ++callCount[this.dispute.selector];
    if (s_committedIds.length == 0) return;
    bytes32 id = s_committedIds[idSeed % s_committedIds.length];
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    if (r.status != ResolutionOracle.Status.Committed) return;
    // A valid final answer other than the committed one: -1 or an outcome index.
    int256 proposed = int256(proposedSeed % (uint256(r.outcomeCount) + 1)) - 1;
    if (proposed == int256(r.answer)) proposed = proposed == -1 ? int256(0) : int256(-1);
    address who = s_disputers[disputerSeed % s_disputers.length];
    uint96 bond = governance.minBondWei();
    token.mint(who, bond);
    vm.prank(who);
    token.approve(address(governance), bond);
    vm.prank(who);
    try governance.dispute(id, proposed, bond) {
      ghostBondsOpenWei += bond;
      s_bondOf[id] = bond;
      s_disputedIds.push(id);
    } catch {}
  }

  function vote(uint256 idSeed, uint256 memberSeed, bool overturn) external {
    ++callCount[this.vote.selector];
    if (s_disputedIds.length == 0) return;
    bytes32 id = s_disputedIds[idSeed % s_disputedIds.length];
    vm.prank(s_council[memberSeed % s_council.length]);
    try governance.vote(id, overturn) {} catch {}
  }

  /// @notice A council majority votes the same way on an open dispute.
  function decide(uint256 idSeed, uint256 memberSeed, bool overturn) external {
    ++callCount[this.decide.selector];
    if (s_disputedIds.length == 0) return;
    bytes32 id = s_disputedIds[idSeed % s_disputedIds.length];
    for (uint256 i = 0; i < s_council.length; ++i) {
      vm.prank(s_council[(memberSeed % s_council.length + i) % s_council.length]);
      try governance.vote(id, overturn) {} catch {}
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
      ghostBondsOpenWei -= s_bondOf[id];
    } catch {}
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

  function _pickAnswer(uint256 answerSeed, uint8 outcomeCount) internal view returns (int256) {
    uint256 pick = answerSeed % 16;
    if (pick == 0) return oracle.ANSWER_TOO_EARLY();
    if (pick == 1) return oracle.ANSWER_UNRESOLVABLE();
    if (pick == 2) return int256(uint256(outcomeCount)); // invalid
    return int256((answerSeed >> 8) % outcomeCount);
  }

  function _isValidAnswer(int256 answer, uint8 outcomeCount) internal view returns (bool) {
    return
      answer == oracle.ANSWER_TOO_EARLY() ||
      answer == oracle.ANSWER_UNRESOLVABLE() ||
      (answer >= 0 && answer < int256(uint256(outcomeCount)));
  }

  /// @dev Three times in four a quorum or more of the active operators, else any number of them.
  /// `quorate`: there are active operators and the keys reach their quorum.
  function _pickSigners(uint256 signerSeed) internal view returns (uint256[] memory keys, bool quorate) {
    uint256[] memory active = _activeKeys();
    uint256 quorum = oracle.quorumFor(active.length);
    uint256 k = (signerSeed % 4 == 0)
      ? bound(signerSeed >> 2, 0, active.length)
      : bound(signerSeed >> 2, quorum, active.length);
    keys = new uint256[](k);
    for (uint256 i = 0; i < k; ++i) keys[i] = active[i];
    quorate = active.length > 0 && k >= quorum;
  }

  function _recordReport(
    bytes32 id,
    uint32 round,
    int256 answer,
    uint256[] memory sortedKeys,
    ResolutionOracle.SignedObservation[] memory obs
  ) internal {
    address[] storage signers = s_committedSigners[id];
    for (uint256 i = 0; i < sortedKeys.length; ++i) signers.push(staking.operatorOfSigner(vm.addr(sortedKeys[i])));
    ResolutionOracle.SignedObservation[] storage report = s_lastReport[id];
    for (uint256 i = 0; i < obs.length; ++i) report.push(obs[i]);
    s_lastReportRound[id] = round;
    s_lastReportAnswer[id] = answer;
  }

  function _countCommit(bytes32 id) internal {
    uint256 c = ++commitCount[id];
    if (c > maxCommitCount) maxCommitCount = c;
  }

  function _activeKeys() internal view returns (uint256[] memory keys) {
    uint256 n;
    uint256[] memory all = new uint256[](s_signerKeys.length);
    for (uint256 i = 0; i < s_operators.length; ++i) {
      if (staking.isActive(s_operators[i])) all[n++] = s_signerKeys[i];
    }
    keys = new uint256[](n);
    for (uint256 i = 0; i < n; ++i) keys[i] = all[i];
  }
}
