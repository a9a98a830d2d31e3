// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AggregatorV2V3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV2V3Interface.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {FeedAggregator} from "../src/FeedAggregator.sol";
import {FeedProxy} from "../src/FeedProxy.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";

/// @notice FeedProxy: one test per rule a consumer relies on (round id packing, the phase switch, old-phase
/// reads, proposed reads, the upgrade delay, governance only, unknown rounds), every event and revert path.
contract FeedProxyTest is SibylTest {
  uint64 internal constant DELAY_SEC = 2 days;
  uint256 internal constant PHASE_1 = uint256(1) << 64;
  uint256 internal constant PHASE_2 = uint256(2) << 64;
  address internal gov = address(0x600D);
  address internal stranger = address(0xBAD);

  FeedProxy internal proxy;
  FeedAggregator internal next;

  function setUp() public {
    _deploy();
    _addOperators(4, MIN_STAKE_WEI); // quorum 3
    vm.warp(1_700_000_000);
    proxy = new FeedProxy(AggregatorV2V3Interface(address(feed)), DELAY_SEC, gov);
    next = _newFeed(FEED_DECIMALS);
  }

  function _newFeed(uint8 decimals_) internal returns (FeedAggregator) {
    return new FeedAggregator(
      IStaking(address(staking)),
      decimals_,
      FEED_DESCRIPTION,
      FEED_MIN_ANSWER,
      FEED_MAX_ANSWER,
      MAX_OBSERVATION_AGE_SEC
    );
  }

  /// Transmits round `roundId` of `f` with median `answer`, one minute after the last.
  function _round(FeedAggregator f, uint32 roundId, int192 answer) internal {
    vm.warp(block.timestamp + 60);
    int192[] memory xs = new int192[](3);
    (xs[0], xs[1], xs[2]) = (answer - 1, answer, answer + 1);
    f.transmit(roundId, _signValues(address(f), f.feedId(), roundId, xs, _keys(3)));
  }

  function _propose(FeedAggregator f) internal {
    vm.prank(gov);
    proxy.proposeAggregator(AggregatorV2V3Interface(address(f)));
  }

  /// Proposes `next`, gives it a round, waits the delay and confirms it.
  function _upgrade() internal {
    _propose(next);
    _round(next, 1, 900);
    vm.warp(block.timestamp + DELAY_SEC);
    vm.prank(gov);
    proxy.confirmAggregator(address(next));
  }

  // ================================================================
  // |                      Construction, views                     |
  // ================================================================

  function test_constructor_firstPhase() public view {
    assertEq(uint256(proxy.phaseId()), 1, "phase 1");
    assertEq(proxy.aggregator(), address(feed), "aggregator");
    assertEq(address(proxy.phaseAggregators(1)), address(feed), "phase 1 aggregator");
    assertEq(address(proxy.phaseAggregators(0)), address(0), "no phase 0");
    assertEq(address(proxy.phaseAggregators(2)), address(0), "no phase 2 yet");
    assertEq(proxy.owner(), gov, "governance owns it from the start");
    assertEq(uint256(proxy.upgradeDelaySec()), DELAY_SEC, "delay");
    assertEq(address(proxy.proposedAggregator()), address(0), "no proposal");
    assertEq(proxy.proposalConfirmableAt(), 0, "nothing to confirm");
  }

  function test_constructor_refusesBadArguments() public {
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.ZeroAggregator.selector));
    new FeedProxy(AggregatorV2V3Interface(address(0)), DELAY_SEC, gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.BadUpgradeDelay.selector, uint64(0)));
    new FeedProxy(AggregatorV2V3Interface(address(feed)), 0, gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.ZeroGovernance.selector));
    new FeedProxy(AggregatorV2V3Interface(address(feed)), DELAY_SEC, address(0));
  }

  function test_metadataComesFromTheCurrentAggregator() public {
    assertEq(uint256(proxy.decimals()), FEED_DECIMALS, "decimals");
    assertEq(proxy.description(), FEED_DESCRIPTION, "description");
    assertEq(proxy.version(), 1, "version");
    _upgrade();
    assertEq(proxy.description(), next.description(), "description after the switch");
  }

  // ================================================================
  // |                         Round ids                            |
  // ================================================================

  /// @notice Rule: a proxy round id is (phaseId << 64) | aggregatorRoundId, in roundId and answeredInRound.
  function test_roundIds_packThePhase() public {
    _round(feed, 1, 100);
    _round(feed, 2, 200);
    (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) = proxy.latestRoundData();
    assertEq(uint256(roundId), PHASE_1 | 2, "latest round id packs phase 1");
    assertEq(uint256(answeredInRound), PHASE_1 | 2, "answeredInRound too");
    assertEq(answer, 200, "answer");
    assertEq(startedAt, block.timestamp, "startedAt");
    assertEq(updatedAt, block.timestamp, "updatedAt");
    assertEq(proxy.latestRound(), PHASE_1 | 2, "V2 latestRound packs it too");
    assertEq(uint256(roundId) >> 64, uint256(proxy.phaseId()), "the top bits are the phase");

    (roundId, answer, , updatedAt, answeredInRound) = proxy.getRoundData(uint80(PHASE_1 | 1));
    assertEq(uint256(roundId), PHASE_1 | 1, "round 1 packed");
    assertEq(uint256(answeredInRound), PHASE_1 | 1, "answeredInRound packed");
    assertEq(answer, 100, "round 1 answer");
    assertEq(updatedAt, feed.getTimestamp(1), "round 1 time");
  }

  /// @notice Rule: any (phase, round) pair maps to its packed id and back.
  function testFuzz_roundIds_packAndUnpack(uint32 aggregatorRounds, uint32 pick) public {
    aggregatorRounds = uint32(bound(aggregatorRounds, 1, 4));
    for (uint32 r = 1; r <= aggregatorRounds; ++r) _round(feed, r, int192(uint192(r)) * 10);
    uint32 roundId = uint32(bound(pick, 1, aggregatorRounds));
    (uint80 packed, int256 answer, , , ) = proxy.getRoundData(uint80(PHASE_1 | roundId));
    assertEq(uint256(packed), PHASE_1 | roundId, "same id back");
    assertEq(answer, int256(uint256(roundId)) * 10, "that round's answer");
    assertEq(proxy.getAnswer(PHASE_1 | roundId), answer, "V2 agrees");
  }

  // ================================================================
  // |                    V2 reads, unknown rounds                  |
  // ================================================================

  function test_v2_readsThroughTheProxy() public {
    _round(feed, 1, 100);
    _round(feed, 2, 200);
    assertEq(proxy.latestAnswer(), 200, "latestAnswer");
    assertEq(proxy.latestTimestamp(), block.timestamp, "latestTimestamp");
    assertEq(proxy.getAnswer(PHASE_1 | 1), 100, "getAnswer round 1");
    assertEq(proxy.getTimestamp(PHASE_1 | 1), feed.getTimestamp(1), "getTimestamp round 1");
  }

  /// @notice Rule: the V2 getters answer 0 for an unknown round or phase, never revert, never read another.
  function test_v2_unknownRoundsReadZero() public {
    assertEq(proxy.latestAnswer(), 0, "latestAnswer before any round");
    assertEq(proxy.latestTimestamp(), 0, "latestTimestamp before any round");
    assertEq(proxy.latestRound(), PHASE_1, "latestRound: phase 1, round 0");
    _round(feed, 1, 100);
    uint256[6] memory unknown = [
      uint256(1), // phase 0
      PHASE_1 | 2, // not transmitted yet
      PHASE_2 | 1, // a phase that has not been
      (uint256(1) << 80) | PHASE_1 | 1, // above 80 bits: would read phase 1, round 1 if truncated
      PHASE_1 | (uint256(1) << 32) | 1, // above the aggregator's uint32 ids
      type(uint256).max
    ];
    for (uint256 i = 0; i < unknown.length; ++i) {
      assertEq(proxy.getAnswer(unknown[i]), 0, "getAnswer of an unknown round");
      assertEq(proxy.getTimestamp(unknown[i]), 0, "getTimestamp of an unknown round");
    }
    assertEq(proxy.getAnswer(PHASE_1 | 1), 100, "the known one");
  }

  /// @notice Rule: the V3 getters revert for an unknown round: NoDataPresent from the proxy for a phase that
  /// has not been, the aggregator's own NoDataPresent for a round it does not have.
  function test_v3_unknownRoundsRevert() public {
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(0)));
    proxy.latestRoundData();
    _round(feed, 1, 100);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NoDataPresent.selector, uint80(1)));
    proxy.getRoundData(1);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NoDataPresent.selector, uint80(PHASE_2 | 1)));
    proxy.getRoundData(uint80(PHASE_2 | 1));
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(2)));
    proxy.getRoundData(uint80(PHASE_1 | 2));
    assertEq(FeedProxy.NoDataPresent.selector, FeedAggregator.NoDataPresent.selector, "one error, one selector");
  }

  // ================================================================
  // |                 Proposals and the phase switch               |
  // ================================================================

  /// @notice Rule: a proposed aggregator can be read before it is confirmed, in its own round ids, while
  /// every consumer read still goes to the current one.
  function test_proposedReads() public {
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NoProposal.selector));
    proxy.proposedLatestRoundData();
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NoProposal.selector));
    proxy.proposedGetRoundData(1);

    _round(feed, 1, 100);
    _propose(next);
    assertEq(address(proxy.proposedAggregator()), address(next), "proposed");
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(0)));
    proxy.proposedLatestRoundData();
    _round(next, 1, 900);
    _round(next, 2, 950);
    (uint80 roundId, int256 answer, , , uint80 answeredInRound) = proxy.proposedLatestRoundData();
    assertEq(uint256(roundId), 2, "its own id, no phase");
    assertEq(uint256(answeredInRound), 2, "answeredInRound unpacked");
    assertEq(answer, 950, "its answer");
    (roundId, answer, , , ) = proxy.proposedGetRoundData(1);
    assertEq(uint256(roundId), 1, "round 1, no phase");
    assertEq(answer, 900, "round 1 answer");

    assertEq(proxy.latestAnswer(), 100, "consumers still read the current aggregator");
    assertEq(proxy.latestRound(), PHASE_1 | 1, "and its rounds");
  }

  /// @notice Rule: confirming switches to a new phase: phaseId + 1, latest reads from the new aggregator with
  /// the new phase in their ids, so round ids keep growing though the new aggregator starts again at 1.
  function test_confirm_switchesThePhase() public {
    _round(feed, 1, 100);
    _round(feed, 2, 200);
    uint256 before = proxy.latestRound();
    _upgrade();
    assertEq(uint256(proxy.phaseId()), 2, "phase 2");
    assertEq(proxy.aggregator(), address(next), "aggregator");
    assertEq(address(proxy.phaseAggregators(2)), address(next), "phase 2 aggregator");
    assertEq(address(proxy.proposedAggregator()), address(0), "proposal consumed");
    assertEq(proxy.latestAnswer(), 900, "latestAnswer from the new aggregator");
    assertEq(proxy.latestTimestamp(), next.latestTimestamp(), "latestTimestamp too");
    (uint80 roundId, int256 answer, , , uint80 answeredInRound) = proxy.latestRoundData();
    assertEq(uint256(roundId), PHASE_2 | 1, "phase 2, round 1");
    assertEq(uint256(answeredInRound), PHASE_2 | 1, "answeredInRound");
    assertEq(answer, 900, "answer");
    assertTrue(proxy.latestRound() > before, "round ids keep growing across the switch");

    _round(next, 2, 1000);
    assertEq(proxy.latestRound(), PHASE_2 | 2, "next round");
    assertEq(proxy.latestAnswer(), 1000, "and its answer");
    _round(feed, 3, 300);
    assertEq(proxy.latestAnswer(), 1000, "the old aggregator no longer speaks for the proxy");
  }

  /// @notice Rule: rounds of an old phase stay readable through their packed ids, V3 and V2.
  function test_oldPhaseRoundsStayReadable() public {
    _round(feed, 1, 100);
    _round(feed, 2, 200);
    uint256 round2At = feed.getTimestamp(2);
    _upgrade();
    (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = proxy.getRoundData(uint80(PHASE_1 | 2));
    assertEq(uint256(roundId), PHASE_1 | 2, "phase 1 id");
    assertEq(uint256(answeredInRound), PHASE_1 | 2, "phase 1 answeredInRound");
    assertEq(answer, 200, "phase 1 answer");
    assertEq(updatedAt, round2At, "phase 1 time");
    assertEq(proxy.getAnswer(PHASE_1 | 1), 100, "V2 phase 1 round 1");
    assertEq(proxy.getTimestamp(PHASE_1 | 2), round2At, "V2 phase 1 round 2 time");
    (, answer, , , ) = proxy.getRoundData(uint80(PHASE_2 | 1));
    assertEq(answer, 900, "phase 2 round 1");
    vm.expectRevert(abi.encodeWithSelector(FeedAggregator.NoDataPresent.selector, uint80(3)));
    proxy.getRoundData(uint80(PHASE_1 | 3));
  }

  /// @notice Rule: no confirmation before upgradeDelaySec has passed since the proposal; exactly then, yes.
  function test_delay_isEnforced() public {
    _round(next, 1, 900);
    uint256 proposedAt = block.timestamp;
    _propose(next);
    assertEq(proxy.proposalConfirmableAt(), proposedAt + DELAY_SEC, "confirmable at");
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.UpgradeDelayNotElapsed.selector, proposedAt + DELAY_SEC));
    proxy.confirmAggregator(address(next));
    vm.warp(proposedAt + DELAY_SEC - 1);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.UpgradeDelayNotElapsed.selector, proposedAt + DELAY_SEC));
    proxy.confirmAggregator(address(next));
    vm.warp(proposedAt + DELAY_SEC);
    vm.prank(gov);
    proxy.confirmAggregator(address(next));
    assertEq(uint256(proxy.phaseId()), 2, "confirmed at the first allowed second");
  }

  /// @notice A new proposal restarts the clock, even of the same aggregator.
  function test_delay_restartsOnANewProposal() public {
    _round(next, 1, 900);
    _propose(next);
    vm.warp(block.timestamp + DELAY_SEC - 10);
    _propose(next);
    vm.warp(block.timestamp + 10);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.UpgradeDelayNotElapsed.selector, block.timestamp - 10 + DELAY_SEC));
    proxy.confirmAggregator(address(next));
  }

  /// @notice Rule: only governance (the owner) proposes, withdraws and confirms.
  function test_onlyGovernanceUpgrades() public {
    _round(next, 1, 900);
    vm.prank(stranger);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    proxy.proposeAggregator(AggregatorV2V3Interface(address(next)));
    _propose(next);
    vm.warp(block.timestamp + DELAY_SEC);
    vm.prank(stranger);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    proxy.confirmAggregator(address(next));
    vm.prank(stranger);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    proxy.withdrawProposal();
    // Not even the deployer, once governance owns it.
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    proxy.confirmAggregator(address(next));
    assertEq(uint256(proxy.phaseId()), 1, "unchanged");
  }

  /// @notice Ownership moves in two steps; the new owner still waits the delay.
  function test_ownershipIsTwoStep() public {
    address council = address(0xC0C0);
    vm.prank(gov);
    proxy.transferOwnership(council);
    assertEq(proxy.owner(), gov, "still governance until accepted");
    vm.prank(council);
    proxy.acceptOwnership();
    assertEq(proxy.owner(), council, "handed over");
    _round(next, 1, 900);
    vm.prank(council);
    proxy.proposeAggregator(AggregatorV2V3Interface(address(next)));
    vm.prank(council);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.UpgradeDelayNotElapsed.selector, block.timestamp + DELAY_SEC));
    proxy.confirmAggregator(address(next));
  }

  function test_confirm_refusesAnythingButThePendingProposal() public {
    _round(next, 1, 900);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NotProposed.selector, address(next), address(0)));
    proxy.confirmAggregator(address(next));
    _propose(next);
    vm.warp(block.timestamp + DELAY_SEC);
    FeedAggregator other = _newFeed(FEED_DECIMALS);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NotProposed.selector, address(other), address(next)));
    proxy.confirmAggregator(address(other));
  }

  /// @notice A switch never shows consumers an empty feed: a proposal with no round cannot be confirmed.
  function test_confirm_refusesAProposalWithoutData() public {
    _propose(next);
    vm.warp(block.timestamp + DELAY_SEC);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.ProposalHasNoData.selector, address(next)));
    proxy.confirmAggregator(address(next));
  }

  function test_propose_refusesZeroCurrentAndOtherDecimals() public {
    vm.startPrank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.ZeroAggregator.selector));
    proxy.proposeAggregator(AggregatorV2V3Interface(address(0)));
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.AlreadyCurrent.selector, address(feed)));
    proxy.proposeAggregator(AggregatorV2V3Interface(address(feed)));
    FeedAggregator sixDecimals = _newFeed(6);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.DecimalsMismatch.selector, FEED_DECIMALS, uint8(6)));
    proxy.proposeAggregator(AggregatorV2V3Interface(address(sixDecimals)));
    vm.stopPrank();
  }

  function test_withdrawProposal() public {
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NoProposal.selector));
    proxy.withdrawProposal();
    _round(next, 1, 900);
    _propose(next);
    vm.expectEmit(true, true, true, true, address(proxy));
    emit FeedProxy.AggregatorProposalWithdrawn(address(next));
    vm.prank(gov);
    proxy.withdrawProposal();
    assertEq(address(proxy.proposedAggregator()), address(0), "withdrawn");
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NoProposal.selector));
    proxy.proposedLatestRoundData();
    vm.warp(block.timestamp + DELAY_SEC);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(FeedProxy.NotProposed.selector, address(next), address(0)));
    proxy.confirmAggregator(address(next));
  }

  // ================================================================
  // |                           Events                             |
  // ================================================================

  /// @notice Rule: a proposal announces when it can be confirmed; a confirmation names both aggregators and
  /// the new phase.
  function test_events() public {
    _round(next, 1, 900);
    vm.expectEmit(true, true, true, true, address(proxy));
    emit FeedProxy.AggregatorProposed(address(feed), address(next), block.timestamp + DELAY_SEC);
    _propose(next);
    vm.warp(block.timestamp + DELAY_SEC);
    vm.expectEmit(true, true, true, true, address(proxy));
    emit FeedProxy.AggregatorConfirmed(address(feed), address(next), 2);
    vm.prank(gov);
    proxy.confirmAggregator(address(next));
  }

  function test_ownershipEvents() public {
    vm.expectEmit(true, true, true, true, address(proxy));
    emit Ownable2Step.OwnershipTransferStarted(gov, stranger);
    vm.prank(gov);
    proxy.transferOwnership(stranger);
    vm.expectEmit(true, true, true, true, address(proxy));
    emit Ownable.OwnershipTransferred(gov, stranger);
    vm.prank(stranger);
    proxy.acceptOwnership();
  }
}
