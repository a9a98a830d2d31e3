// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SibylTest} from "./utils/SibylTest.sol";
import {FeedAggregator} from "../src/FeedAggregator.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";
import {AggregatorInterface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorInterface.sol";

/// @notice FeedAggregator: transmissions, the AggregatorV2V3Interface views, every event and revert path.
/// The quorum and median properties are fuzzed in Quorum.t.sol.
contract FeedAggregatorTest is SibylTest {
  function setUp() public {
    _deploy();
    _addOperators(4, MIN_STAKE_WEI); // quorum 3
  }

  function _values(uint32 roundId, int192[] memory answers, uint256[] memory keys)
    internal
    returns (FeedAggregator.SignedValue[] memory)
  {
    return _signValues(address(feed), feed.feedId(), roundId, answers, keys);
  }

  function _three(int192 a, int192 b, int192 c) internal pure returns (int192[] memory xs) {
    xs = new int192[](3);
    (xs[0], xs[1], xs[2]) = (a, b, c);
  }

  function test_constructor_revertsOnBadBounds() public {
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.BadBounds.selector, int192(5), int192(5)));
    new FeedAggregator(IStaking(address(staking)), 8, "x", 5, 5, 60);
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.BadBounds.selector, int192(6), int192(5)));
    new FeedAggregator(IStaking(address(staking)), 8, "x", 6, 5, 60);
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.BadMaxObservationAge.selector, uint64(0)));
    new FeedAggregator(IStaking(address(staking)), 8, "x", 5, 6, 0);
  }

  function test_views() public view {
    assertEq(uint256(feed.decimals()), FEED_DECIMALS, "decimals");
    assertEq(feed.description(), FEED_DESCRIPTION, "description");
    assertEq(feed.version(), 1, "version");
    assertEq(feed.feedId(), keccak256(bytes(FEED_DESCRIPTION)), "feedId");
    assertEq(int256(feed.minAnswer()), FEED_MIN_ANSWER, "minAnswer");
    assertEq(int256(feed.maxAnswer()), FEED_MAX_ANSWER, "maxAnswer");
    assertEq(uint256(feed.latestRoundId()), 0, "no rounds yet");
    assertEq(uint256(feed.maxObservationAgeSec()), MAX_OBSERVATION_AGE_SEC, "maxObservationAgeSec");
  }

  function test_noDataPresent() public {
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(0)));
    feed.latestRoundData();
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(0)));
    feed.getRoundData(0);
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(1)));
    feed.getRoundData(1);
  }

  function test_transmit_storesMedianAndEmits() public {
    vm.warp(1_700_000_000);
    uint256[] memory keys = _keys(3);
    FeedAggregator.SignedValue[] memory values = _values(1, _three(300e8, 100e8, 200e8), keys);
    address[] memory ops = _signersOf(keys); // keys were sorted with the values

    vm.expectEmit(true, true, true, true, address(feed));
    emit AggregatorInterface.NewRound(1, address(this), 1_700_000_000);
    vm.expectEmit(true, true, true, true, address(feed));
    emit AggregatorInterface.AnswerUpdated(200e8, 1, 1_700_000_000);
    vm.expectEmit(true, true, true, true, address(feed));
    emit FeedAggregator.NewTransmission(1, 200e8, address(this), ops);
    feed.transmit(1, values);

    (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) = feed.latestRoundData();
    assertEq(uint256(roundId), 1, "roundId");
    assertEq(answer, 200e8, "median");
    assertEq(startedAt, 1_700_000_000, "startedAt");
    assertEq(updatedAt, 1_700_000_000, "updatedAt");
    assertEq(uint256(answeredInRound), 1, "answeredInRound");
    (roundId, answer, , , ) = feed.getRoundData(1);
    assertEq(answer, 200e8, "getRoundData");
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(2)));
    feed.getRoundData(2);
  }

  function test_transmit_evenCountTakesUpperMedian() public {
    int192[] memory xs = new int192[](4);
    (xs[0], xs[1], xs[2], xs[3]) = (40, 10, 30, 20);
    feed.transmit(1, _values(1, xs, _keys(4)));
    (, int256 answer, , , ) = feed.latestRoundData();
    assertEq(answer, 30, "upper median of 10, 20, 30, 40");
  }

  function test_transmit_revertsOnStaleRound() public {
    FeedAggregator.SignedValue[] memory values = _values(2, _three(1, 2, 3), _keys(3));
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.StaleRound.selector, uint32(2), uint32(1)));
    feed.transmit(2, values);

    FeedAggregator.SignedValue[] memory first = _values(1, _three(1, 2, 3), _keys(3));
    feed.transmit(1, first);
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.StaleRound.selector, uint32(1), uint32(2)));
    feed.transmit(1, first);
  }

  /// @notice Values signed for round 1 do not count in round 2: the round is in the digest.
  function test_transmit_valuesAreBoundToTheirRound() public {
    FeedAggregator.SignedValue[] memory first = _values(1, _three(1, 2, 3), _keys(3));
    feed.transmit(1, first);
    vm.expectRevert();
    feed.transmit(2, first);
  }

  function test_transmit_revertsOutOfBounds() public {
    FeedAggregator.SignedValue[] memory low = _values(1, _three(0, 0, 5), _keys(3));
    vm.expectRevert(
      abi.encodeWithSelector(FeedAggregator.AnswerOutOfBounds.selector, int192(0), FEED_MIN_ANSWER, FEED_MAX_ANSWER)
    );
    feed.transmit(1, low);
    int192 tooHigh = FEED_MAX_ANSWER + 1;
    FeedAggregator.SignedValue[] memory high = _values(1, _three(tooHigh, tooHigh, 5), _keys(3));
    vm.expectRevert(
      abi.encodeWithSelector(FeedAggregator.AnswerOutOfBounds.selector, tooHigh, FEED_MIN_ANSWER, FEED_MAX_ANSWER)
    );
    feed.transmit(1, high);
    // One out-of-range value among in-range ones does not move the median out.
    feed.transmit(1, _values(1, _three(-5, 7, 9), _keys(3)));
  }

  function test_transmit_signatureChecks() public {
    FeedAggregator.SignedValue[] memory values = _values(1, _three(1, 2, 3), _keys(3));
    values[0].yParityAndS = bytes32(SECP256K1_N / 2 + 1);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.HighS.selector, 0));
    feed.transmit(1, values);

    values = _values(1, _three(1, 2, 3), _keys(3));
    values[1].r = bytes32(0);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.InvalidSignature.selector, 1));
    feed.transmit(1, values);

    uint256[] memory keys = _keys(3);
    values = _values(1, _three(1, 2, 3), keys);
    (values[1], values[2]) = (values[2], values[1]);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.SignersNotAscending.selector, 2, vm.addr(keys[1])));
    feed.transmit(1, values);

    // A signed value whose answer was changed after signing recovers someone else.
    values = _values(1, _three(1, 2, 3), _keys(3));
    values[0].answer = 1_000;
    vm.expectRevert();
    feed.transmit(1, values);
  }

  /// @notice A value signed by someone outside the round's operator set is left out, not fatal: the members'
  /// values decide, and fail only below the quorum.
  function test_transmit_leavesOutNonMembers() public {
    uint256[] memory keys = _keys(4);
    keys[1] = 0xBADBAD;
    int192[] memory xs = new int192[](4);
    (xs[0], xs[1], xs[2], xs[3]) = (10, 1_000_000, 20, 30);
    FeedAggregator.SignedValue[] memory values = _values(1, xs, keys);
    feed.transmit(1, values);
    (, int256 answer, , , ) = feed.latestRoundData();
    assertEq(answer, 20, "median of the members' 10, 20, 30");

    keys = _keys(3);
    keys[1] = 0xBADBAD;
    values = _values(2, _three(1, 2, 3), keys);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 2, 3));
    feed.transmit(2, values);
  }

  function test_transmit_leavesOutStaleValues() public {
    uint256[] memory keys = _keys(4);
    int192[] memory xs = new int192[](4);
    (xs[0], xs[1], xs[2], xs[3]) = (10, 20, 30, 40);
    FeedAggregator.SignedValue[] memory values = _values(1, xs, keys);
    // One value observed earlier than the others, now too old.
    uint64 old = uint64(block.timestamp);
    vm.warp(block.timestamp + MAX_OBSERVATION_AGE_SEC);
    FeedAggregator.SignedValue[] memory fresh = _values(1, xs, _keys(4));
    fresh[0] = values[0];
    assertEq(uint256(fresh[0].observedAt), old, "the stale one");
    feed.transmit(1, fresh);
    int192[] memory counted = _three(fresh[1].answer, fresh[2].answer, fresh[3].answer);
    int192 lo = counted[0] < counted[1] ? counted[0] : counted[1];
    int192 hi = counted[0] < counted[1] ? counted[1] : counted[0];
    int192 expected = counted[2] < lo ? lo : (counted[2] > hi ? hi : counted[2]);
    (, int256 answer, , , ) = feed.latestRoundData();
    assertEq(answer, int256(expected), "median of the three fresh values");
  }

  function test_transmit_revertsOnConfidenceAbove10000() public {
    FeedAggregator.SignedValue[] memory values = _values(1, _three(1, 2, 3), _keys(3));
    values[2].confidenceBps = 10_001;
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.ConfidenceOutOfRange.selector, 2, uint16(10_001)));
    feed.transmit(1, values);
  }

  /// @notice The digest is hashed from the calldata words as sent; dirty high bits in answer, observedAt or
  /// confidenceBps are refused by the ABI decoder.
  function test_transmit_refusesDirtyFieldWords() public {
    FeedAggregator.SignedValue[] memory values = _values(1, _three(1, 2, 3), _keys(3));
    bytes memory data = abi.encodeCall(FeedAggregator.transmit, (1, values));
    // Layout: selector, roundId, offset, length, then 7 words per value (answer, observedAt, confidence, ...).
    uint256 first = 4 + 32 * 3;
    for (uint256 field = 0; field < 3; ++field) {
      uint256 at = first + 32 * field;
      bytes1 clean = data[at];
      data[at] = field == 0 ? bytes1(0x7f) : bytes1(0x01); // an int192 not sign-extended; a uint64 / uint16 overflow
      (bool ok, ) = address(feed).call(data);
      assertFalse(ok, "a dirty field word was accepted");
      data[at] = clean;
    }
    (bool accepted, ) = address(feed).call(data);
    assertTrue(accepted, "the clean transmit lands");
  }

  function test_recoverSigner_namesTheSignerOfAValue() public {
    uint256[] memory keys = _keys(3);
    FeedAggregator.SignedValue[] memory values = _values(1, _three(1, 2, 3), keys);
    for (uint256 i = 0; i < 3; ++i) assertEq(feed.recoverSigner(1, values[i]), vm.addr(keys[i]), "signer");
    assertTrue(feed.recoverSigner(2, values[0]) != vm.addr(keys[0]), "bound to its round");
  }

  function test_transmit_revertsBelowQuorum() public {
    int192[] memory two = new int192[](2);
    FeedAggregator.SignedValue[] memory values = _values(1, two, _keys(2));
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 2, 3));
    feed.transmit(1, values);
  }

  function test_transmit_revertsWithNoActiveOperators() public {
    for (uint256 i = 0; i < operators.length; ++i) {
      vm.prank(operators[i]);
      staking.requestUnbond(1);
    }
    _nextEpoch();
    _nextEpoch();
    FeedAggregator.SignedValue[] memory values = _values(1, _three(1, 2, 3), _keys(3));
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.NoActiveOperators.selector));
    feed.transmit(1, values);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.NoActiveOperators.selector));
    feed.transmit(1, new FeedAggregator.SignedValue[](0));
  }

  function test_transmit_roundsAdvance() public {
    for (uint32 r = 1; r <= 3; ++r) {
      vm.warp(block.timestamp + 60);
      feed.transmit(r, _values(r, _three(int192(uint192(r)), 10, 20), _keys(3)));
      (uint80 roundId, int256 answer, , uint256 updatedAt, ) = feed.latestRoundData();
      assertEq(uint256(roundId), r, "latest round");
      assertEq(answer, 10, "median");
      assertEq(updatedAt, block.timestamp, "updatedAt");
    }
  }

  // ================================================================
  // |              AggregatorInterface (Chainlink V2)              |
  // ================================================================

  /// @notice Before any round the V2 getters return 0 (Chainlink's OCR aggregators do), where the V3 ones revert.
  function test_v2_zeroBeforeTheFirstRound() public view {
    assertEq(feed.latestAnswer(), 0, "latestAnswer");
    assertEq(feed.latestTimestamp(), 0, "latestTimestamp");
    assertEq(feed.latestRound(), 0, "latestRound");
    assertEq(feed.getAnswer(0), 0, "getAnswer(0)");
    assertEq(feed.getTimestamp(1), 0, "getTimestamp(1)");
  }

  function test_v2_gettersFollowEachRound() public {
    for (uint32 r = 1; r <= 3; ++r) {
      vm.warp(1_700_000_000 + uint256(r) * 60);
      int192 median = int192(uint192(r)) * 100;
      feed.transmit(r, _values(r, _three(median - 1, median, median + 1), _keys(3)));
      assertEq(feed.latestAnswer(), median, "latestAnswer");
      assertEq(feed.latestTimestamp(), block.timestamp, "latestTimestamp");
      assertEq(feed.latestRound(), r, "latestRound");
      assertEq(feed.getAnswer(r), median, "getAnswer");
      assertEq(feed.getTimestamp(r), block.timestamp, "getTimestamp");
    }
    // Earlier rounds keep their answer and time.
    assertEq(feed.getAnswer(1), 100, "round 1 answer");
    assertEq(feed.getTimestamp(1), 1_700_000_060, "round 1 time");
  }

  /// @notice An unknown round reads 0 through the V2 getters: not transmitted yet, 0, or an id that would
  /// read round 1 if it were truncated to uint32.
  function test_v2_unknownRoundsReadZero() public {
    feed.transmit(1, _values(1, _three(5, 6, 7), _keys(3)));
    uint256[4] memory unknown = [uint256(0), 2, uint256(type(uint32).max) + 2, type(uint256).max];
    for (uint256 i = 0; i < unknown.length; ++i) {
      assertEq(feed.getAnswer(unknown[i]), 0, "getAnswer of an unknown round");
      assertEq(feed.getTimestamp(unknown[i]), 0, "getTimestamp of an unknown round");
    }
    assertEq(feed.getAnswer(1), 6, "round 1 is known");
  }

  /// @notice The events' topics are Chainlink's own: indexers decode them with AggregatorInterface.
  function test_events_areChainlinks() public pure {
    assertEq(AggregatorInterface.AnswerUpdated.selector, keccak256("AnswerUpdated(int256,uint256,uint256)"), "AnswerUpdated");
    assertEq(AggregatorInterface.NewRound.selector, keccak256("NewRound(uint256,address,uint256)"), "NewRound");
  }
}
