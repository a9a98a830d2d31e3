// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SibylTest} from "../utils/SibylTest.sol";
import {ResolutionOracle} from "../../src/ResolutionOracle.sol";
import {DisputeGovernance} from "../../src/DisputeGovernance.sol";
import {OracleHandler} from "./handlers/OracleHandler.sol";

/// @notice Over random sequences of requests, commits, replays, deferrals, operators toggling their
/// membership, competing dispute claims, answer votes, executions, expiries, finalizations and withdrawals:
/// a request commits at most once and has at most one final answer, commits follow the quorum rule of the
/// report's epoch exactly, a quorum of honest signatures commits whatever one other operator does, fees are
/// never paid out beyond what came in, stake is conserved, and every token a contract holds is owed to
/// someone who can take it out (claimable, pending a claim, or an open bond or fee).
contract OracleInvariantsTest is SibylTest {
  uint256 internal constant OPERATOR_COUNT = 7; // f = 2, quorum 5
  uint256 internal constant OPERATOR_STAKE_WEI = 1_000 ether;

  OracleHandler internal handler;

  function setUp() public {
    _deploy();
    _addOperators(OPERATOR_COUNT, OPERATOR_STAKE_WEI);
    address[] memory requesters = new address[](3);
    for (uint256 i = 0; i < requesters.length; ++i) requesters[i] = address(uint160(0xE000 + i));
    address[] memory disputers = new address[](2);
    for (uint256 i = 0; i < disputers.length; ++i) disputers[i] = address(uint160(0xD000 + i));
    handler = new OracleHandler(
      token,
      staking,
      oracle,
      governance,
      signerKeys,
      operators,
      requesters,
      disputers,
      council,
      treasury
    );
    // A few open requests from the start, so every sequence has something to commit.
    for (uint256 i = 0; i < 3; ++i) handler.request(i, i * 1 ether, 0, i);
  }

  /// @dev Read by forge: only the handler is called during invariant runs.
  function targetContracts() public view returns (address[] memory targets) {
    targets = new address[](1);
    targets[0] = address(handler);
  }

  /// @notice The handler's actions reach the deep paths the invariants are about (a scripted walk, so a
  /// handler that silently returns early shows here).
  function test_handlerReachesTheDeepPaths() public {
    handler.livenessProbe(0, 6, 1 << 8);
    assertEq(handler.ghostLivenessProbes(), 1, "a liveness probe ran");
    assertEq(handler.ghostCommits(), 1, "and committed");
    handler.dispute(0, 0, 1);
    handler.dispute(0, 1, 2);
    bytes32 id = handler.disputedIds()[0];
    assertEq(uint256(governance.getDispute(id).state), uint256(DisputeGovernance.State.Voting), "disputed");
    handler.decide(0, 0, 0);
    handler.execute(0, false);
    assertEq(uint256(governance.getDispute(id).state), uint256(DisputeGovernance.State.Executed), "executed");
    handler.settleClaim(0, 0);
    handler.settleClaim(0, 1);
    handler.toggle(3);
    handler.commit(1, 3 << 8, 1, true);
    handler.expire(2, true);
    assertEq(handler.ghostLivenessFailures(), 0, "no liveness failure");
    assertEq(handler.ghostCommitRuleViolations(), 0, "no rule violation");
    invariant_governanceHoldsExactlyWhatItOwes();
    invariant_feesConserved();
    invariant_stakingSolvent();
    invariant_atMostOneFinalAnswerPerRequest();
  }

  function invariant_requestCommittedAtMostOnce() public view {
    assertLe(handler.maxCommitCount(), 1, "successful commits of one request");
    assertEq(handler.ghostReplaysAccepted(), 0, "a replayed report was accepted");
    assertEq(handler.ghostSecondCommitsAccepted(), 0, "a second report was accepted");
    bytes32[] memory ids = handler.requestIds();
    for (uint256 i = 0; i < ids.length; ++i) assertLe(handler.commitCount(ids[i]), 1, "commits of a request");
  }

  function invariant_commitFollowsQuorumRule() public view {
    assertEq(handler.ghostCommitRuleViolations(), 0, "commit outcome differed from the quorum rule");
  }

  /// @notice Liveness: every probe (a quorum of honest members signs, one other operator acts, commit) landed.
  function invariant_honestQuorumAlwaysCommits() public view {
    assertEq(handler.ghostLivenessFailures(), 0, "an honest quorum's report failed");
  }

  /// @notice At most one final answer per request: once final, the answer never changes.
  function invariant_atMostOneFinalAnswerPerRequest() public view {
    assertEq(handler.ghostFinalAnswerChanges(), 0, "a final answer changed");
    bytes32[] memory ids = handler.requestIds();
    for (uint256 i = 0; i < ids.length; ++i) {
      if (!handler.isFinalRecorded(ids[i])) continue;
      (bool isFinal, int256 answer) = oracle.getResolution(ids[i]);
      assertTrue(isFinal, "still final");
      assertEq(answer, handler.finalAnswerRecorded(ids[i]), "the same final answer");
    }
  }

  function invariant_feesPaidNeverExceedReceived() public view {
    uint256 received = oracle.totalFeesReceivedWei();
    uint256 paid = oracle.totalFeesPaidWei();
    assertLe(paid, received, "totalFeesPaidWei <= totalFeesReceivedWei");
    assertGe(token.balanceOf(address(oracle)), received - paid, "oracle balance >= received - paid");
    assertEq(received, handler.ghostFeesReceivedWei(), "received matches the requests made");
    assertEq(paid, handler.ghostFeesPaidWei(), "paid matches the withdrawals made");
  }

  /// @notice Every fee received is either paid, claimable by someone, or belongs to a request not yet final.
  function invariant_feesConserved() public view {
    address[] memory accounts = handler.accounts();
    uint256 claimable;
    for (uint256 i = 0; i < accounts.length; ++i) claimable += oracle.claimableWei(accounts[i]);
    uint256 owed = oracle.totalFeesReceivedWei() - oracle.totalFeesPaidWei();
    assertEq(claimable + handler.ghostFeesPendingWei(), owed, "claimable + pending == received - paid");
    assertEq(token.balanceOf(address(oracle)), owed, "oracle balance == received - paid");
  }

  /// @notice No token without an exit: governance holds exactly what is claimable, what executed disputes
  /// still owe their claimants, and the bonds of open disputes.
  function invariant_governanceHoldsExactlyWhatItOwes() public view {
    address[] memory accounts = handler.accounts();
    uint256 claimable;
    for (uint256 i = 0; i < accounts.length; ++i) claimable += governance.claimableWei(accounts[i]);
    bytes32[] memory ids = handler.disputedIds();
    address[] memory disputers = handler.disputers();
    uint256 pending;
    uint256 openBonds;
    for (uint256 i = 0; i < ids.length; ++i) {
      DisputeGovernance.Dispute memory d = governance.getDispute(ids[i]);
      if (d.state == DisputeGovernance.State.Voting) {
        openBonds += d.totalBondWei;
      } else if (d.outcome == DisputeGovernance.Outcome.Overturned) {
        // What the claimants of the decision have still to settle: their bonds and the rest of the reward.
        pending += uint256(d.winningBondLeftWei) + d.rewardLeftWei;
      } else {
        for (uint256 j = 0; j < disputers.length; ++j) pending += governance.pendingClaimWei(ids[i], disputers[j]);
      }
    }
    assertEq(token.balanceOf(address(governance)), claimable + pending + openBonds, "balance == claimable + pending + open bonds");
    assertEq(governance.owedWei(), claimable + pending + openBonds, "owedWei");
  }

  function invariant_stakingSolvent() public view {
    uint256 sum;
    for (uint256 i = 0; i < operators.length; ++i) sum += staking.slashableOf(operators[i]);
    assertEq(staking.totalStakedWei(), sum, "totalStakedWei == sum of operator stakes");
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "balanceOf(staking) == totalStakedWei");
    assertEq(
      staking.totalStakedWei() + staking.totalSlashedWei(),
      OPERATOR_COUNT * OPERATOR_STAKE_WEI + handler.ghostExtraStakeWei(),
      "stake + slashed == deposits"
    );
    // Slashes never exceed stake: what was slashed is exactly what governance received from Staking.
    assertLe(staking.totalSlashedWei(), OPERATOR_COUNT * OPERATOR_STAKE_WEI + handler.ghostExtraStakeWei(), "slashed <= deposited");
  }

  function invariant_finalAnswersAreValid() public view {
    bytes32[] memory ids = handler.requestIds();
    for (uint256 i = 0; i < ids.length; ++i) {
      ResolutionOracle.Request memory r = oracle.getRequest(ids[i]);
      if (r.status != ResolutionOracle.Status.Committed && r.status != ResolutionOracle.Status.Finalized) continue;
      assertGe(int256(r.answer), -1, "final answer >= UNRESOLVABLE");
      assertLe(int256(r.answer), int256(uint256(r.outcomeCount)) - 1, "final answer < outcomeCount");
    }
  }
}
