// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SibylTest} from "./utils/SibylTest.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {FeedAggregator} from "../src/FeedAggregator.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";

/// @notice The quorum rule and the feed median, fuzzed over the number of active operators (1..31), the
/// number of signatures and the signed values, against the real contracts.
///   quorum(n) = n - floor((n - 1) / 3): a commit succeeds iff signatures >= quorum(n).
///   The feed stores the upper median of the signed values, which lies between their min and max, and
///   between the min and max of the honest values when at most f of them lie.
contract QuorumTest is SibylTest {
  uint256 internal constant MAX_OPERATORS = 31;

  function setUp() public {
    _deploy();
  }

  function _expectedQuorum(uint256 n) internal pure returns (uint256) {
    return n - (n - 1) / 3;
  }

  function testFuzz_quorumForFormulaAndSafety(uint256 n) public view {
    n = bound(n, 1, 1_000_000);
    uint256 q = oracle.quorumFor(n);
    uint256 f = (n - 1) / 3;
    assertEq(q, _expectedQuorum(n), "quorumFor(n)");
    assertEq(feed.quorumFor(n), q, "feed and oracle agree");
    // Safety: any two quorums share at least f + 1 operators, so an honest one.
    assertGe(2 * q, n + f + 1, "two quorums overlap in f + 1");
    // Liveness: the n - f honest operators are a quorum alone.
    assertLe(q, n - f, "honest operators suffice");
    // f liars are not a quorum.
    assertLe(f + 1, q, "f < q");
  }

  function test_quorumForZero() public view {
    assertEq(oracle.quorumFor(0), 0, "quorumFor(0)");
  }

  function testFuzz_commitSucceedsIffQuorum(uint256 nSeed, uint256 kSeed, bool unresolvable) public {
    uint256 n = bound(nSeed, 1, MAX_OPERATORS);
    uint256 k = bound(kSeed, 0, n);
    _addOperators(n, MIN_STAKE_WEI);
    assertEq(staking.activeOperatorCount(), n, "active operators");
    bytes32 id = _request();
    int256 answer = unresolvable ? int256(-1) : int256(1);

    uint256[] memory keys = _keys(k);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, answer, keys);
    uint256 q = _expectedQuorum(n);
    if (k < q) {
      vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, k, q));
      oracle.commitReport(id, 0, answer, obs);
      assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Open), "still open");
    } else {
      oracle.commitReport(id, 0, answer, obs);
      assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed");
      assertEq(oracle.getRequest(id).signersHash, keccak256(abi.encodePacked(_signersOf(keys))), "signersHash");
    }
  }

  /// @notice Operators outside the set (stake below the minimum) neither count towards n nor count when they
  /// sign: a quorum of members plus their signatures commits, and only the members are recorded.
  function testFuzz_quorumCountsOnlyActiveOperators(uint256 activeSeed, uint256 inactiveSeed) public {
    uint256 active = bound(activeSeed, 1, 20);
    uint256 inactive = bound(inactiveSeed, 1, 10);
    _addOperators(active, MIN_STAKE_WEI);
    _addOperators(inactive, MIN_STAKE_WEI - 1);
    assertEq(staking.activeOperatorCount(), active, "only the staked count");
    bytes32 id = _request();
    uint256 q = _expectedQuorum(active);

    // q - 1 members plus an outsider are not a quorum.
    uint256[] memory keys = new uint256[](q);
    for (uint256 i = 0; i + 1 < q; ++i) keys[i] = signerKeys[i];
    keys[q - 1] = signerKeys[active];
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, q - 1, q));
    oracle.commitReport(id, 0, 1, obs);

    // q members plus an outsider: committed, the outsider left off the record.
    keys = new uint256[](q + 1);
    uint256[] memory members = new uint256[](q);
    for (uint256 i = 0; i < q; ++i) (keys[i], members[i]) = (signerKeys[i], signerKeys[i]);
    keys[q] = signerKeys[active];
    obs = _signObservations(address(oracle), id, 0, 1, keys);
    oracle.commitReport(id, 0, 1, obs);
    address[] memory recorded = _signersOf(_sortKeysBySigner(members));
    assertEq(oracle.getRequest(id).signersHash, keccak256(abi.encodePacked(recorded)), "members only");
  }

  /// @notice Liveness: a report with a quorum of valid honest signatures commits whatever one other operator
  /// does between the signing and the commit (unbond any amount, top up, withdraw, rotate its key, get
  /// expelled, or a newcomer joins), and whether the commit lands in the request's epoch or the next.
  function testFuzz_livenessWhateverOneOtherOperatorDoes(
    uint256 nSeed,
    uint256 actionSeed,
    uint256 amountSeed,
    bool nextEpoch
  ) public {
    uint256 n = bound(nSeed, 2, 16);
    _addOperators(n, MIN_STAKE_WEI);
    bytes32 id = _request();
    uint256 q = _expectedQuorum(n);
    // The honest quorum: the first q operators; the other one: the last.
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(q));
    address other = operators[n - 1];
    uint256 action = actionSeed % 6;
    uint256 amount = bound(amountSeed, 1, MIN_STAKE_WEI);
    if (q == n) {
      // No operator outside the quorum: the "other" is a newcomer.
      action = 5;
    }
    if (action == 0) {
      vm.prank(other);
      staking.requestUnbond(amount);
    } else if (action == 1) {
      _stake(other, amount);
    } else if (action == 2) {
      vm.prank(other);
      staking.requestUnbond(MIN_STAKE_WEI);
      vm.warp(block.timestamp + UNBONDING_DELAY_SEC + 2 * EPOCH_LENGTH_SEC);
      vm.prank(other);
      staking.withdraw();
      // It took a while: the request is still judged by a fixed set (at most the previous epoch's).
    } else if (action == 3) {
      _registerSigner(other, uint256(keccak256(abi.encode("rotated", amountSeed))) % 2 ** 128 + 1);
    } else if (action == 4) {
      staking.expel(other);
    } else {
      _addOperator(MIN_STAKE_WEI);
    }
    if (nextEpoch) _nextEpoch();
    oracle.commitReport(id, 0, 1, obs);
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed");
  }

  function testFuzz_feedTransmitSucceedsIffQuorum(uint256 nSeed, uint256 kSeed) public {
    uint256 n = bound(nSeed, 1, MAX_OPERATORS);
    uint256 k = bound(kSeed, 0, n);
    _addOperators(n, MIN_STAKE_WEI);
    int192[] memory answers = new int192[](k);
    for (uint256 i = 0; i < k; ++i) answers[i] = int192(int256(100 + i));
    FeedAggregator.SignedValue[] memory values = _signValues(address(feed), feed.feedId(), 1, answers, _keys(k));
    uint256 q = _expectedQuorum(n);
    if (k < q) {
      vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, k, q));
      feed.transmit(1, values);
    } else {
      feed.transmit(1, values);
      assertEq(uint256(feed.latestRoundId()), 1, "transmitted");
    }
  }

  /// @notice The stored answer is the upper median of the signed values and lies between their min and max.
  function testFuzz_feedStoresUpperMedian(uint256 nSeed, uint256 kSeed, int256[31] memory raw) public {
    uint256 n = bound(nSeed, 1, MAX_OPERATORS);
    uint256 q = _expectedQuorum(n);
    uint256 k = bound(kSeed, q, n);
    _addOperators(n, MIN_STAKE_WEI);

    int192[] memory answers = new int192[](k);
    int256 lo = type(int256).max;
    int256 hi = type(int256).min;
    for (uint256 i = 0; i < k; ++i) {
      int256 x = boundInt(raw[i], FEED_MIN_ANSWER, FEED_MAX_ANSWER);
      answers[i] = int192(x);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    int256 expected = _upperMedianOf(answers);

    FeedAggregator.SignedValue[] memory values = _signValues(address(feed), feed.feedId(), 1, answers, _keys(k));
    feed.transmit(1, values);
    (, int256 stored, , , ) = feed.latestRoundData();
    assertEq(stored, expected, "upper median");
    assertGe(stored, lo, "median >= min");
    assertLe(stored, hi, "median <= max");
    _assertIsUpperMedian(stored, answers);
  }

  /// @notice With n = 3f + 1 operators and a quorum of 2f + 1 values of which f are lies (any values, in the
  /// feed's bounds), the stored answer stays between the lowest and highest honest value.
  function testFuzz_feedMedianResistsFLiars(uint256 fSeed, int256[31] memory raw, bool liarsHigh) public {
    uint256 f = bound(fSeed, 1, 10);
    uint256 n = 3 * f + 1;
    uint256 q = _expectedQuorum(n);
    assertEq(q, 2 * f + 1, "q = 2f + 1");
    _addOperators(n, MIN_STAKE_WEI);

    int192[] memory answers = new int192[](q);
    int256 lo = type(int256).max;
    int256 hi = type(int256).min;
    for (uint256 i = 0; i < q; ++i) {
      if (i < f) {
        // Liars: everything at one extreme, or fuzzed anywhere in bounds.
        int256 lie = raw[i] % 2 == 0 ? (liarsHigh ? FEED_MAX_ANSWER : FEED_MIN_ANSWER) : boundInt(raw[i], FEED_MIN_ANSWER, FEED_MAX_ANSWER);
        answers[i] = int192(lie);
      } else {
        int256 honest = boundInt(raw[i], 1_000e8, 1_100e8);
        answers[i] = int192(honest);
        if (honest < lo) lo = honest;
        if (honest > hi) hi = honest;
      }
    }
    feed.transmit(1, _signValues(address(feed), feed.feedId(), 1, answers, _keys(q)));
    (, int256 stored, , , ) = feed.latestRoundData();
    assertGe(stored, lo, "median >= lowest honest value");
    assertLe(stored, hi, "median <= highest honest value");
  }

  function _upperMedianOf(int192[] memory xs) internal pure returns (int256) {
    int192[] memory ys = new int192[](xs.length);
    for (uint256 i = 0; i < xs.length; ++i) ys[i] = xs[i];
    for (uint256 i = 0; i < ys.length; ++i) {
      for (uint256 j = i + 1; j < ys.length; ++j) {
        if (ys[j] < ys[i]) (ys[i], ys[j]) = (ys[j], ys[i]);
      }
    }
    return ys[ys.length / 2];
  }

  /// @dev Order-free definition: at most k/2 values are strictly below it and at most (k-1)/2 strictly above.
  function _assertIsUpperMedian(int256 m, int192[] memory xs) internal pure {
    uint256 below;
    uint256 above;
    for (uint256 i = 0; i < xs.length; ++i) {
      if (xs[i] < m) ++below;
      else if (xs[i] > m) ++above;
    }
    assertLe(below, xs.length / 2, "values below the median");
    assertLe(above, (xs.length - 1) / 2, "values above the median");
  }
}
