// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SibylTest} from "./utils/SibylTest.sol";
import {FeedAggregator} from "../src/FeedAggregator.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";

/// @notice FeedAggregator: transmissions, the AggregatorV3Interface views, every event and revert path.
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
    new FeedAggregator(IStaking(address(staking)), 8, "x", 5, 5);
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.BadBounds.selector, int192(6), int192(5)));
    new FeedAggregator(IStaking(address(staking)), 8, "x", 6, 5);
  }

  function test_views() public view {
    assertEq(uint256(feed.decimals()), FEED_DECIMALS, "decimals");
    assertEq(feed.description(), FEED_DESCRIPTION, "description");
    assertEq(feed.version(), 1, "version");
    assertEq(feed.feedId(), keccak256(bytes(FEED_DESCRIPTION)), "feedId");
    assertEq(int256(feed.minAnswer()), FEED_MIN_ANSWER, "minAnswer");
    assertEq(int256(feed.maxAnswer()), FEED_MAX_ANSWER, "maxAnswer");
    assertEq(uint256(feed.latestRoundId()), 0, "no rounds yet");
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
    uint256[] memory keys = _keys(3);
    FeedAggregator.SignedValue[] memory values = _values(1, _three(300e8, 100e8, 200e8), keys);
    address[] memory ops = _operatorsOf(keys); // keys were sorted with the values
    vm.warp(1_700_000_000);

    vm.expectEmit(true, true, true, true, address(feed));
    emit FeedAggregator.AnswerUpdated(200e8, 1, 1_700_000_000);
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

  function test_transmit_revertsOnInactiveSigner() public {
    uint256[] memory keys = _keys(3);
    keys[1] = 0xBADBAD;
    FeedAggregator.SignedValue[] memory values = _values(1, _three(1, 2, 3), keys);
    uint256 at;
    for (uint256 i = 0; i < 3; ++i) if (keys[i] == 0xBADBAD) at = i;
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.SignerNotActive.selector, at, vm.addr(0xBADBAD)));
    feed.transmit(1, values);
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
}
