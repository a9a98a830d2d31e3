// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SibylTest} from "./utils/SibylTest.sol";
import {IResolutionOracle} from "../src/interfaces/IResolutionOracle.sol";
import {SibylCTFAdapter} from "../src/interop/SibylCTFAdapter.sol";
import {IConditionalTokens} from "../src/interop/IConditionalTokens.sol";

/// @dev Stands in for Gnosis's ConditionalTokens (solc 0.5, not compiled here; the ava test uses the real
/// bytecode): the same condition id, the same checks on prepare and report, and a switch that burns gas in
/// reportPayouts to starve the oracle's callback.
contract RecordingConditionalTokens is IConditionalTokens {
  mapping(bytes32 => uint256[]) internal s_numerators;
  mapping(bytes32 => uint256) public payoutDenominator;
  bool public burnGas;
  uint256 public reports;

  function setBurnGas(bool on) external {
    burnGas = on;
  }

  function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external {
    bytes32 id = getConditionId(oracle, questionId, outcomeSlotCount);
    require(s_numerators[id].length == 0, "condition already prepared");
    s_numerators[id] = new uint256[](outcomeSlotCount);
  }

  function reportPayouts(bytes32 questionId, uint256[] calldata payouts) external {
    if (burnGas) {
      uint256 x;
      for (uint256 i = 0; i < 1_000_000; ++i) x += i;
    }
    bytes32 id = getConditionId(msg.sender, questionId, payouts.length);
    require(s_numerators[id].length == payouts.length, "condition not prepared or found");
    require(payoutDenominator[id] == 0, "payout denominator already set");
    uint256 den;
    for (uint256 i = 0; i < payouts.length; ++i) {
      den += payouts[i];
      s_numerators[id][i] = payouts[i];
    }
    require(den > 0, "payout is all zeroes");
    payoutDenominator[id] = den;
    reports += 1;
  }

  function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount) public pure returns (bytes32) {
    return keccak256(abi.encodePacked(oracle, questionId, outcomeSlotCount));
  }

  function getOutcomeSlotCount(bytes32 conditionId) external view returns (uint256) {
    return s_numerators[conditionId].length;
  }

  function payoutNumerators(bytes32 conditionId, uint256 index) external view returns (uint256) {
    return s_numerators[conditionId][index];
  }
}

/// @notice SibylCTFAdapter through the real oracle: preparing, the callback at finality, the fallback, payouts
/// for each kind of final answer, and every revert path.
contract InteropCTFAdapterTest is SibylTest {
  string internal constant SPEC = '{"question":"Who won Ridgeback Miners at Port Alder Gulls?"}';
  address internal creator = address(0xC4EA);
  address internal feeSink = address(0xFEE5);

  RecordingConditionalTokens internal ctf;
  SibylCTFAdapter internal adapter;

  function setUp() public {
    _deploy();
    _addOperators(4, MIN_STAKE_WEI);
    ctf = new RecordingConditionalTokens();
    adapter = new SibylCTFAdapter(IResolutionOracle(address(oracle)), ctf, feeSink);
  }

  function _outcomes(uint256 n) internal pure returns (string[] memory outcomes) {
    outcomes = new string[](n);
    for (uint256 i = 0; i < n; ++i) outcomes[i] = vm.toString(i);
  }

  function _prepare(uint256 n) internal returns (bytes32 questionId, bytes32 conditionId) {
    token.mint(creator, MIN_FEE_WEI);
    vm.prank(creator);
    token.approve(address(adapter), MIN_FEE_WEI);
    vm.prank(creator);
    return adapter.prepareQuestion(SPEC, _outcomes(n), uint64(block.timestamp), MIN_FEE_WEI);
  }

  function _finalize(bytes32 id, int256 answer) internal returns (address[] memory signers) {
    signers = _commitQuorum(id, answer);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, signers);
  }

  function _numerators(bytes32 conditionId, uint256 n) internal view returns (uint256[] memory out) {
    out = new uint256[](n);
    for (uint256 i = 0; i < n; ++i) out[i] = ctf.payoutNumerators(conditionId, i);
  }

  function test_prepare_asksTheOracleAndPreparesTheConditionWithTheAdapterAsOracle() public {
    (bytes32 questionId, bytes32 conditionId) = _prepare(3);
    assertEq(oracle.getRequest(questionId).requester, address(adapter), "the adapter is the requester");
    assertEq(conditionId, ctf.getConditionId(address(adapter), questionId, 3), "condition id");
    assertEq(ctf.getOutcomeSlotCount(conditionId), 3, "slots");
    assertEq(adapter.conditionIdOf(questionId), conditionId, "conditionIdOf");
    assertEq(token.balanceOf(address(oracle)), MIN_FEE_WEI, "the fee went to the oracle");
    assertEq(uint256(oracle.getRequest(questionId).callbackGasLimit), uint256(adapter.callbackGasLimitFor(3)), "callback gas");
  }

  function test_prepare_revertsOnBadOutcomeCount() public {
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.BadOutcomeCount.selector, 1));
    adapter.prepareQuestion(SPEC, _outcomes(1), uint64(block.timestamp), MIN_FEE_WEI);
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.BadOutcomeCount.selector, 33));
    adapter.prepareQuestion(SPEC, _outcomes(33), uint64(block.timestamp), MIN_FEE_WEI);
  }

  function test_prepare_survivesAFrontRunPreparation() public {
    // The request id is predictable: the same condition prepared first must not block the question.
    bytes32 predicted = keccak256(abi.encode(block.chainid, address(oracle), address(adapter), uint256(1)));
    ctf.prepareCondition(address(adapter), predicted, 2);
    (bytes32 questionId, ) = _prepare(2);
    assertEq(questionId, predicted, "the predicted id");
    _finalize(questionId, 0);
    assertEq(ctf.reports(), 1, "reported");
  }

  function test_callback_winnerTakesAll() public {
    (bytes32 questionId, bytes32 conditionId) = _prepare(3);
    _finalize(questionId, 1);
    uint256[] memory got = _numerators(conditionId, 3);
    assertEq(got[0], 0, "slot 0");
    assertEq(got[1], 1, "slot 1 wins");
    assertEq(got[2], 0, "slot 2");
    assertEq(ctf.payoutDenominator(conditionId), 1, "denominator");
    assertTrue(adapter.getQuestion(questionId).reported, "reported");
  }

  function test_callback_unresolvableSplitsEvenly() public {
    (bytes32 questionId, bytes32 conditionId) = _prepare(3);
    _finalize(questionId, -1);
    uint256[] memory got = _numerators(conditionId, 3);
    for (uint256 i = 0; i < 3; ++i) assertEq(got[i], 1, "even");
    assertEq(ctf.payoutDenominator(conditionId), 3, "denominator");
  }

  function test_tooEarly_reportsNothingAndResolveWaits() public {
    (bytes32 questionId, ) = _prepare(2);
    _commitQuorum(questionId, -2);
    assertEq(ctf.reports(), 0, "nothing reported");
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.NotFinal.selector, questionId));
    adapter.resolve(questionId);
  }

  function test_resolve_reportsWhatAStarvedCallbackCouldNot() public {
    (bytes32 questionId, bytes32 conditionId) = _prepare(2);
    ctf.setBurnGas(true);
    _finalize(questionId, 0);
    assertEq(ctf.reports(), 0, "the callback ran out of gas");
    assertFalse(adapter.getQuestion(questionId).reported, "not reported");
    ctf.setBurnGas(false);
    adapter.resolve(questionId);
    assertEq(ctf.payoutNumerators(conditionId, 0), 1, "slot 0 wins");
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.AlreadyReported.selector, questionId));
    adapter.resolve(questionId);
  }

  function test_onResolution_onlyTheOracle() public {
    (bytes32 questionId, ) = _prepare(2);
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.OnlyOracle.selector, address(this)));
    adapter.onResolution(questionId, 0);
  }

  function test_resolve_unknownQuestion() public {
    bytes32 id = _requestAs(requester, _params(MIN_FEE_WEI, uint64(block.timestamp), 2, 0));
    _finalize(id, 0);
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.UnknownQuestion.selector, id));
    adapter.resolve(id);
  }

  function test_dispute_overturnedAnswerIsReportedAndTheRefundReachesTheFeeRecipient() public {
    (bytes32 questionId, bytes32 conditionId) = _prepare(2);
    address[] memory signers = _commitQuorum(questionId, 0);
    _claim(disputer, questionId, 1, MIN_BOND_WEI, signers);
    _councilVotes(questionId, 1, 2);
    governance.execute(questionId, signers);
    assertEq(ctf.payoutNumerators(conditionId, 0), 0, "the committed answer lost");
    assertEq(ctf.payoutNumerators(conditionId, 1), 1, "the final answer won");
    adapter.reclaimFees();
    assertEq(token.balanceOf(feeSink), MIN_FEE_WEI, "refund to the fee recipient");
    vm.expectRevert(SibylCTFAdapter.NothingToReclaim.selector);
    adapter.reclaimFees();
  }

  function test_payoutsFor_refusesAnswersThatAreNeverFinal() public {
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.InvalidAnswer.selector, int256(-2)));
    adapter.payoutsFor(-2, 2);
    vm.expectRevert(abi.encodeWithSelector(SibylCTFAdapter.InvalidAnswer.selector, int256(2)));
    adapter.payoutsFor(2, 2);
  }

  function test_constructor_refusesZeroAddresses() public {
    vm.expectRevert(SibylCTFAdapter.ZeroAddress.selector);
    new SibylCTFAdapter(IResolutionOracle(address(oracle)), ctf, address(0));
  }
}
