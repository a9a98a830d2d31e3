// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {PredictionMarket} from "../src/PredictionMarket.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {IResolutionOracle} from "../src/interfaces/IResolutionOracle.sol";

/// @dev A buyer that cannot receive ETH, to reach PayoutFailed.
contract NoReceiveBuyer {
  function buy(PredictionMarket market, uint8 outcome) external payable {
    market.buy{value: msg.value}(outcome);
  }

  function redeem(PredictionMarket market) external returns (uint256) {
    return market.redeem();
  }
}

/// @notice The example market end to end through the real oracle: buying, requesting, the callback at
/// finality, payouts and refunds, every event and revert path.
contract PredictionMarketTest is SibylTest {
  string internal constant SPEC = '{"question":"Did the Chiefs win Super Bowl LVIII?"}';
  int256 internal constant YES = 0;
  int256 internal constant NO = 1;

  PredictionMarket internal market;
  uint64 internal closeTime;
  uint64 internal resolveAfter;
  address internal alice = address(0xA11CE);
  address internal bob = address(0xB0B0);

  function setUp() public {
    _deploy();
    _addOperators(4, MIN_STAKE_WEI);
    closeTime = uint64(block.timestamp + 100);
    resolveAfter = closeTime + 100;
    market = _newMarket(2);
    token.mint(address(market), MIN_FEE_WEI);
    vm.deal(alice, 100 ether);
    vm.deal(bob, 100 ether);
  }

  function _newMarket(uint256 outcomeCount) internal returns (PredictionMarket) {
    string[] memory outcomes = new string[](outcomeCount);
    for (uint256 i = 0; i < outcomeCount; ++i) outcomes[i] = vm.toString(i);
    return
      new PredictionMarket(
        IResolutionOracle(address(oracle)),
        IERC20(address(token)),
        SPEC,
        outcomes,
        closeTime,
        resolveAfter,
        MIN_FEE_WEI
      );
  }

  function _buy(address who, int256 outcome, uint256 amountWei) internal {
    vm.prank(who);
    market.buy{value: amountWei}(uint8(uint256(outcome)));
  }

  /// @dev Closes the market, asks the oracle, commits `answer` with a quorum, and finalizes (callback).
  function _resolve(int256 answer) internal returns (bytes32 id) {
    vm.warp(closeTime);
    id = market.requestResolution();
    vm.warp(resolveAfter);
    address[] memory ops = _commitQuorum(id, answer);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, ops);
  }

  // ================================================================
  // |                          Constructor                         |
  // ================================================================

  function test_constructor_revertsOnBadOutcomeCount() public {
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.BadOutcomeCount.selector, 1));
    _newMarket(1);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.BadOutcomeCount.selector, 33));
    _newMarket(33);
  }

  function test_constructor_revertsOnBadTimes() public {
    resolveAfter = closeTime - 1;
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.BadTimes.selector, closeTime, closeTime - 1));
    _newMarket(2);
  }

  function test_constructor_refusesAnotherTokenOrWhatTheOracleWouldRefuse() public {
    string[] memory outcomes = new string[](2);
    IERC20 other = IERC20(address(0x70CE));
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.TokenMismatch.selector, address(other), address(token)));
    new PredictionMarket(IResolutionOracle(address(oracle)), other, SPEC, outcomes, closeTime, resolveAfter, MIN_FEE_WEI);
    bytes memory longSpec = new bytes(oracle.MAX_SPEC_BYTES() + 1);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SpecTooLong.selector, longSpec.length));
    new PredictionMarket(IResolutionOracle(address(oracle)), IERC20(address(token)), string(longSpec), outcomes, closeTime, resolveAfter, MIN_FEE_WEI);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.FeeTooLow.selector, 0, MIN_FEE_WEI));
    new PredictionMarket(IResolutionOracle(address(oracle)), IERC20(address(token)), SPEC, outcomes, closeTime, resolveAfter, 0);
  }

  function test_reclaimFees_onlyAfterTheRequestAndToTheCreator() public {
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.NothingToReclaim.selector));
    market.reclaimFees();
    vm.warp(closeTime);
    bytes32 id = market.requestResolution();
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.NothingToReclaim.selector));
    market.reclaimFees(); // the fee went to the oracle
    // Nobody answers: the request expires, the fee comes back to the market and on to its creator.
    vm.warp(resolveAfter + REQUEST_TIMEOUT_SEC);
    oracle.expireRequest(id);
    assertEq(market.creator(), address(this), "creator");
    vm.expectEmit(true, true, true, true, address(market));
    emit PredictionMarket.FeesReclaimed(address(this), MIN_FEE_WEI);
    market.reclaimFees();
    assertEq(token.balanceOf(address(this)), MIN_FEE_WEI, "refund reached the creator");
    (bool resolved, int256 answer) = market.resolution();
    assertTrue(resolved, "the expiry's callback resolved the market");
    assertEq(answer, -1, "as unresolvable: everyone refunded");
  }

  function test_voidIfUnresolved_voidsWhenTheOracleHasNoAnswer() public {
    vm.warp(closeTime);
    market.requestResolution();
    vm.warp(resolveAfter + market.RESOLUTION_TIMEOUT_SEC());
    vm.expectEmit(true, true, true, true, address(market));
    emit PredictionMarket.Voided(uint64(block.timestamp));
    market.voidIfUnresolved();
    (bool resolved, int256 answer) = market.resolution();
    assertTrue(resolved, "resolved");
    assertEq(answer, -1, "void");
  }

  function test_views() public view {
    assertEq(uint256(market.closeTime()), closeTime, "closeTime");
    assertEq(uint256(market.resolveAfter()), resolveAfter, "resolveAfter");
    assertEq(market.spec(), SPEC, "spec");
    assertEq(market.outcomes().length, 2, "outcomes");
    assertEq(market.requestId(), bytes32(0), "no request yet");
  }

  // ================================================================
  // |                             Buy                              |
  // ================================================================

  function test_buy_emitsAndRecords() public {
    vm.expectEmit(true, true, true, true, address(market));
    emit PredictionMarket.PositionBought(alice, 0, 3 ether);
    _buy(alice, YES, 3 ether);
    assertEq(market.positionOf(alice, 0), 3 ether, "position");
    assertEq(market.poolOf(0), 3 ether, "pool");
    assertEq(market.totalPoolWei(), 3 ether, "total pool");
  }

  function test_buy_reverts() public {
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.InvalidOutcome.selector, 2));
    market.buy{value: 1}(2);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.ZeroAmount.selector));
    market.buy(0);
    vm.warp(closeTime);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.MarketClosed.selector, closeTime));
    market.buy{value: 1}(0);
  }

  // ================================================================
  // |                          Resolution                          |
  // ================================================================

  function test_requestResolution_emitsAndOnlyOnce() public {
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.MarketOpen.selector, closeTime));
    market.requestResolution();
    vm.warp(closeTime);
    bytes32 expectedId = keccak256(abi.encode(block.chainid, address(oracle), address(market), uint256(1)));
    vm.expectEmit(true, true, true, true, address(market));
    emit PredictionMarket.ResolutionRequested(expectedId);
    bytes32 id = market.requestResolution();
    assertEq(id, expectedId, "requestId");
    assertEq(market.requestId(), id, "stored");
    assertEq(token.balanceOf(address(market)), 0, "fee paid from the market's tokens");
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    assertEq(uint256(r.callbackGasLimit), market.CALLBACK_GAS_LIMIT(), "callback gas");
    assertEq(uint256(r.resolveAfter), resolveAfter, "resolveAfter");
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.AlreadyRequested.selector, id));
    market.requestResolution();
  }

  function test_callback_resolvesAndEmits() public {
    _buy(alice, YES, 3 ether);
    vm.warp(closeTime);
    bytes32 id = market.requestResolution();
    vm.warp(resolveAfter);
    address[] memory ops = _commitQuorum(id, YES);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    vm.expectEmit(true, true, true, true, address(market));
    emit PredictionMarket.Resolved(id, YES);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.CallbackResult(id, address(market), true);
    oracle.finalize(id, ops);
    (bool resolved, int256 answer) = market.resolution();
    assertTrue(resolved, "resolved by the callback");
    assertEq(answer, 0, "answer");
  }

  function test_onResolution_onlyOracleAndKnownRequest() public {
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.OnlyOracle.selector, address(this)));
    market.onResolution(bytes32(0), 0);
    vm.prank(address(oracle));
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.UnknownRequest.selector, bytes32(uint256(7))));
    market.onResolution(bytes32(uint256(7)), 0);
  }

  function test_sync_readsFinalAnswer() public {
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.UnknownRequest.selector, bytes32(0)));
    market.sync();
    vm.warp(closeTime);
    bytes32 id = market.requestResolution();
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.NotResolved.selector));
    market.sync();
    vm.warp(resolveAfter);
    address[] memory ops = _commitQuorum(id, NO);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    // The callback fails (mocked to revert): finality goes ahead, and the market stays unresolved until
    // someone syncs.
    vm.mockCallRevert(address(market), abi.encodeWithSelector(PredictionMarket.onResolution.selector), bytes("down"));
    oracle.finalize(id, ops);
    vm.clearMockedCalls();
    (bool resolved, ) = market.resolution();
    assertFalse(resolved, "callback failed");
    market.sync();
    (bool resolvedNow, int256 answer) = market.resolution();
    assertTrue(resolvedNow, "synced");
    assertEq(answer, NO, "answer");
    market.sync(); // idempotent
  }

  // ================================================================
  // |                           Redeem                             |
  // ================================================================

  function test_redeem_paysWinnersTheirShareOfThePool() public {
    _buy(alice, YES, 3 ether);
    _buy(bob, NO, 1 ether);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.NotResolved.selector));
    market.redeem();

    _resolve(YES);
    assertEq(market.payoutOf(alice), 4 ether, "alice wins the pool");
    assertEq(market.payoutOf(bob), 0, "bob lost");
    vm.expectEmit(true, true, true, true, address(market));
    emit PredictionMarket.Redeemed(alice, 4 ether);
    vm.prank(alice);
    market.redeem();
    assertEq(alice.balance, 101 ether, "alice paid");

    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.AlreadyRedeemed.selector, alice));
    market.redeem();
    vm.prank(bob);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.NothingToRedeem.selector, bob));
    market.redeem();
  }

  function test_redeem_unresolvableRefundsEveryone() public {
    _buy(alice, YES, 3 ether);
    _buy(bob, NO, 1 ether);
    _resolve(-1);
    assertEq(market.payoutOf(alice), 3 ether, "alice refunded");
    assertEq(market.payoutOf(bob), 1 ether, "bob refunded");
    vm.prank(bob);
    market.redeem();
    assertEq(bob.balance, 100 ether, "bob whole");
  }

  function test_redeem_nobodyOnWinnerRefundsEveryone() public {
    _buy(alice, YES, 3 ether);
    _resolve(NO);
    assertEq(market.payoutOf(alice), 3 ether, "refund when nobody backed the winner");
  }

  function test_redeem_revertsWhenPayoutFails() public {
    NoReceiveBuyer buyer = new NoReceiveBuyer();
    buyer.buy{value: 1 ether}(market, 0);
    _resolve(YES);
    vm.expectRevert(abi.encodeWithSelector(PredictionMarket.PayoutFailed.selector, address(buyer)));
    buyer.redeem(market);
  }

  // ================================================================
  // |                             Fuzz                             |
  // ================================================================

  /// @notice Whatever the positions and the answer, every holder can redeem and the payouts add up to the
  /// pool exactly: no dust is left behind.
  function testFuzz_payoutsNeverExceedPool(uint64[6] memory amounts, uint8[6] memory picks, uint256 answerSeed) public {
    uint256 outcomeCount = 3;
    market = _newMarket(outcomeCount);
    token.mint(address(market), MIN_FEE_WEI);
    address[] memory buyers = new address[](6);
    for (uint256 i = 0; i < 6; ++i) {
      buyers[i] = address(uint160(0xB000 + i));
      uint256 amount = bound(amounts[i], 1, 1_000 ether);
      vm.deal(buyers[i], amount);
      vm.prank(buyers[i]);
      market.buy{value: amount}(uint8(picks[i] % outcomeCount));
    }
    int256 answer = int256(bound(answerSeed, 0, outcomeCount)) - 1; // -1 .. 2
    _resolve(answer);

    uint256 pool = market.totalPoolWei();
    uint256 paid;
    uint256 payers;
    for (uint256 i = 0; i < 6; ++i) {
      uint256 owed = market.payoutOf(buyers[i]);
      if (owed == 0) continue;
      vm.prank(buyers[i]);
      market.redeem();
      paid += owed;
      ++payers;
      assertEq(buyers[i].balance, owed, "paid what payoutOf said");
    }
    assertEq(paid, pool, "payouts == pool");
    assertEq(address(market).balance, 0, "no dust");
    assertGe(payers, 1, "someone was paid");
  }
}
