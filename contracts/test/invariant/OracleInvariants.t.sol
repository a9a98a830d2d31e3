// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SibylTest} from "../utils/SibylTest.sol";
import {ResolutionOracle} from "../../src/ResolutionOracle.sol";
import {OracleHandler} from "./handlers/OracleHandler.sol";

/// @notice Over random sequences of requests, commits, replays, deferrals, disputes, votes, executions,
/// finalizations and withdrawals: a request commits at most once, commits follow the quorum rule exactly,
/// fees are never paid out beyond what came in, and every contract can pay what it owes.
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

  function invariant_governanceSolvent() public view {
    address[] memory accounts = handler.accounts();
    uint256 claimable;
    for (uint256 i = 0; i < accounts.length; ++i) claimable += governance.claimableWei(accounts[i]);
    assertEq(
      token.balanceOf(address(governance)),
      claimable + handler.ghostBondsOpenWei(),
      "governance balance == claimable + open bonds"
    );
  }

  function invariant_stakingSolvent() public view {
    uint256 sum;
    for (uint256 i = 0; i < operators.length; ++i) sum += staking.slashableOf(operators[i]);
    assertEq(staking.totalStakedWei(), sum, "totalStakedWei == sum of operator stakes");
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "balanceOf(staking) == totalStakedWei");
    assertEq(
      staking.totalStakedWei() + staking.totalSlashedWei(),
      OPERATOR_COUNT * OPERATOR_STAKE_WEI,
      "stake + slashed == deposits"
    );
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
