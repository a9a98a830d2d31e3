// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {TestToken} from "./utils/TestToken.sol";
import {Staking} from "../src/Staking.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {DisputeGovernance} from "../src/DisputeGovernance.sol";
import {FeedAggregator} from "../src/FeedAggregator.sol";
import {PredictionMarket} from "../src/PredictionMarket.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";
import {IResolutionOracle} from "../src/interfaces/IResolutionOracle.sol";
import {IResolutionConsumer} from "../src/interfaces/IResolutionConsumer.sol";

/// @notice One attack per finding of the security review (issue 13), each asserting that it fails. Every test
/// here was first run against the contracts as they were and went red; the names carry the finding's id.
contract SecurityRegressionsTest is SibylTest {
  uint96 internal constant BOND = 50 ether;
  uint256 internal constant STAKE = 1_000 ether;
  address internal decoy = address(0xDEC0);
  address internal outsider = address(0x0BAD);

  function setUp() public {
    _deploy();
  }

  function _market(uint96 feeWei) internal returns (PredictionMarket market) {
    string[] memory outcomes = new string[](2);
    (outcomes[0], outcomes[1]) = ("YES", "NO");
    market = new PredictionMarket(
      IResolutionOracle(address(oracle)),
      IERC20(address(token)),
      "{}",
      outcomes,
      uint64(block.timestamp + 10),
      uint64(block.timestamp + 20),
      feeWei
    );
  }

  // ================================================================
  // |  H-1: the first disputer picks the only replacement answer   |
  // ================================================================

  function test_H1_decoyDisputeCannotPickTheAnswer() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3); // a lying quorum says YES (0); the truth is NO (1)
    _claim(decoy, id, -1, BOND, signers); // the decoy claims "unresolvable" at once
    _claim(disputer, id, 1, BOND, new address[](0)); // the honest claim is still possible
    _councilVotes(id, 1, 2); // the council decides NO itself
    governance.execute(id, signers);

    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, int256(1), "the council's answer, not the decoy's");
    uint256 slashed = (STAKE * SLASH_BPS) / 10_000;
    uint256 reward = (3 * slashed * DISPUTER_REWARD_BPS) / 10_000;
    governance.settleClaim(id, disputer);
    governance.settleClaim(id, decoy);
    assertEq(governance.claimableWei(disputer), BOND + reward, "the right claim: bond back plus the reward");
    assertEq(governance.claimableWei(decoy), 0, "the decoy earns nothing");
    assertEq(governance.claimableWei(treasury), 3 * slashed - reward + BOND, "the decoy's bond goes to the treasury");
  }

  function test_H1_councilDecidesAnAnswerNobodyClaimed() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3);
    _claim(decoy, id, 1, BOND, signers);
    _councilVotes(id, -1, 2); // the sources do not settle it: unresolvable
    governance.execute(id, signers);
    (, int256 answer) = oracle.getResolution(id);
    assertEq(answer, int256(-1), "governance decides any final answer");
    governance.settleClaim(id, decoy);
    assertEq(governance.claimableWei(decoy), 0, "no claim matched: no reward");
    assertEq(governance.claimableWei(treasury), 3 * ((STAKE * SLASH_BPS) / 10_000) + BOND, "all to the treasury");
  }

  // ================================================================
  // |        M-1: one cheap operator can block commits             |
  // ================================================================

  function test_M1_toggledSignerDoesNotFailAQuorumReport() public {
    _addOperators(5, MIN_STAKE_WEI); // n = 5, q = 4
    bytes32 id = _request();
    uint256[] memory keys = _keys(5);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    vm.prank(operators[4]);
    staking.requestUnbond(1); // the toggler switches off after signing
    oracle.commitReport(id, 0, 1, obs);
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed");
  }

  function test_M1_joiningOperatorCannotRaiseTheQuorumOfAPendingRequest() public {
    _addOperators(4, MIN_STAKE_WEI); // n = 4, q = 3
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    _addOperator(MIN_STAKE_WEI); // a newcomer (admitted) joins...
    _nextEpoch(); // ...and is a member of the next epoch, while the request is judged by its own
    assertEq(staking.activeOperatorCount(), 5, "the set grew");
    oracle.commitReport(id, 0, 1, obs);
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed by 3 of 4");
  }

  function test_M1_strangerCannotJoinWithoutAdmission() public {
    _addOperators(4, MIN_STAKE_WEI);
    (address sybil, ) = _addStranger(MIN_STAKE_WEI);
    _nextEpoch();
    assertFalse(staking.isActive(sybil), "an unadmitted staker is a member");
    assertEq(staking.activeOperatorCount(), 4, "n unchanged");
  }

  function test_M1_stakeTogglingEveryBlockNeverChangesTheCurrentSet() public {
    _addOperators(4, MIN_STAKE_WEI);
    address toggler = operators[3];
    uint32 epoch = staking.currentEpoch();
    token.mint(toggler, 100);
    vm.prank(toggler);
    token.approve(address(staking), 100);
    for (uint256 i = 0; i < 40; ++i) {
      vm.roll(block.number + 1);
      vm.warp(block.timestamp + 12);
      vm.prank(toggler);
      if (i % 2 == 0) staking.requestUnbond(1);
      else staking.stake(1);
      assertEq(staking.currentEpoch(), epoch, "still the same epoch");
      assertEq(staking.activeOperatorCount(), 4, "n of the current epoch");
      assertTrue(staking.isActive(toggler), "membership of the current epoch");
    }
  }

  function test_M1_silentOperatorIsExpelledAndSlashedOnEvidence() public {
    _addOperators(4, STAKE);
    address silent = operators[3];
    token.mint(disputer, BOND);
    vm.prank(disputer);
    token.approve(address(governance), BOND);
    vm.prank(disputer);
    bytes32 caseId = governance.accuseSilence(silent, keccak256("outlier reports: non-responder in rounds 1..50"), BOND);
    for (uint256 i = 0; i < 2; ++i) {
      vm.prank(council[i]);
      governance.voteAccusation(caseId, true);
    }
    address[] memory accused = new address[](1);
    accused[0] = silent;
    governance.executeAccusation(caseId, accused);
    assertEq(staking.slashableOf(silent), STAKE - (STAKE * SLASH_BPS) / 10_000, "slashed");
    assertFalse(staking.isAdmitted(silent), "expelled");
    _nextEpoch();
    assertFalse(staking.isActive(silent), "out of the set from the next epoch");
    assertEq(staking.activeOperatorCount(), 3, "n shrinks, so the quorum follows the operators who answer");
  }

  // ================================================================
  // |     M-2: whoever transmits a feed round chooses the median   |
  // ================================================================

  /// Bounded, not removed (see FeedAggregator's NatSpec): a mempool copier that drops values moves the median
  /// only within the honest values it kept, even with f liars at one extreme. This held before the fix too.
  function testFuzz_M2_transmitterMovesTheMedianOnlyWithinTheHonestSpread(uint256 dropSeed, bool liarsHigh) public {
    _addOperators(7, MIN_STAKE_WEI); // f = 2, q = 5
    // Honest values 100..104 (keys 0..4), liars (keys 5, 6) at one extreme; the copier keeps 3 of 5 honest.
    uint256 drop1 = dropSeed % 5;
    uint256 drop2 = (drop1 + 1 + ((dropSeed >> 8) % 4)) % 5;
    uint256[] memory keys = new uint256[](5);
    int192[] memory answers = new int192[](5);
    uint256 k;
    for (uint256 i = 0; i < 5; ++i) {
      if (i == drop1 || i == drop2) continue;
      (keys[k], answers[k]) = (signerKeys[i], int192(int256(100e8 + i * 1e8)));
      ++k;
    }
    int192 lie = liarsHigh ? FEED_MAX_ANSWER : FEED_MIN_ANSWER;
    (keys[3], answers[3]) = (signerKeys[5], lie);
    (keys[4], answers[4]) = (signerKeys[6], lie);
    int256 lowestKept = type(int256).max;
    int256 highestKept = type(int256).min;
    for (uint256 i = 0; i < 3; ++i) {
      if (answers[i] < lowestKept) lowestKept = answers[i];
      if (answers[i] > highestKept) highestKept = answers[i];
    }
    feed.transmit(1, _signValues(address(feed), feed.feedId(), 1, answers, keys));
    (, int256 answer, , , ) = feed.latestRoundData();
    assertGe(answer, lowestKept, "median below the honest values kept");
    assertLe(answer, highestKept, "median above the honest values kept");
  }

  // ================================================================
  // |          M-3: any council change cancels open disputes       |
  // ================================================================

  function test_M3_councilChangeDoesNotCancelADecidedDispute() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3);
    _claim(disputer, id, 1, BOND, signers);
    _councilVotes(id, 1, 2); // decided: NO
    address[] memory next = new address[](1);
    next[0] = address(0xC0FFEE);
    governance.setCouncil(next, 1); // the owner replaces the council before anyone executes
    vm.warp(block.timestamp + VOTING_PERIOD_SEC);
    governance.execute(id, signers);
    (, int256 answer) = oracle.getResolution(id);
    assertEq(answer, int256(1), "the decision of the council that voted stands");
  }

  function test_M3_theDisputesCouncilKeepsVotingAfterAChange() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3);
    _claim(disputer, id, 1, BOND, signers);
    vm.prank(council[0]);
    governance.vote(id, 1);
    address[] memory next = new address[](1);
    next[0] = address(0xC0FFEE);
    governance.setCouncil(next, 1);
    vm.prank(next[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotCouncil.selector, next[0]));
    governance.vote(id, 0); // the new council cannot flip an open vote
    vm.prank(council[1]);
    governance.vote(id, 1); // the old council finishes it
    governance.execute(id, signers);
    (, int256 answer) = oracle.getResolution(id);
    assertEq(answer, int256(1), "decided by the dispute's council");
  }

  // ================================================================
  // |                M-4: feeds have no accountability             |
  // ================================================================

  function test_M4_staleFeedValuesAreRefused() public {
    _addOperators(4, MIN_STAKE_WEI);
    int192[] memory answers = new int192[](3);
    (answers[0], answers[1], answers[2]) = (100e8, 101e8, 102e8);
    FeedAggregator.SignedValue[] memory values = _signValues(address(feed), feed.feedId(), 1, answers, _keys(3));
    vm.warp(block.timestamp + 2 days); // signed two days ago, transmitted now
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 0, 3));
    feed.transmit(1, values);
  }

  function test_M4_valuesFromTheFutureAreRefused() public {
    _addOperators(4, MIN_STAKE_WEI);
    int192[] memory answers = new int192[](3);
    (answers[0], answers[1], answers[2]) = (100e8, 101e8, 102e8);
    uint64 future = uint64(block.timestamp) + feed.MAX_FUTURE_SEC() + 1;
    FeedAggregator.SignedValue[] memory values = _signValuesAt(address(feed), feed.feedId(), 1, answers, _keys(3), future);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 0, 3));
    feed.transmit(1, values);
  }

  function test_M4_aLyingFeedQuorumIsSlashed() public {
    _addOperators(4, STAKE);
    int192[] memory answers = new int192[](3);
    (answers[0], answers[1], answers[2]) = (900e8, 900e8, 900e8); // the truth is about 100
    uint256[] memory keys = _keys(3);
    FeedAggregator.SignedValue[] memory values = _signValues(address(feed), feed.feedId(), 1, answers, keys);
    feed.transmit(1, values);
    address[] memory liars = _operatorsOf(keys);

    token.mint(disputer, BOND);
    vm.prank(disputer);
    token.approve(address(governance), BOND);
    vm.prank(disputer);
    bytes32 caseId = governance.accuseFeedSigners(feed, 1, values, 100e8, BOND);
    for (uint256 i = 0; i < 2; ++i) {
      vm.prank(council[i]);
      governance.voteAccusation(caseId, true);
    }
    governance.executeAccusation(caseId, liars);
    uint256 slashed = (STAKE * SLASH_BPS) / 10_000;
    for (uint256 i = 0; i < liars.length; ++i) {
      assertEq(staking.slashableOf(liars[i]), STAKE - slashed, "liar slashed");
    }
    uint256 reward = (3 * slashed * DISPUTER_REWARD_BPS) / 10_000;
    assertEq(governance.claimableWei(disputer), BOND + reward, "accuser rewarded");
  }

  function test_M4_feedAccusationsCloseAfterTheWindow() public {
    _addOperators(4, STAKE);
    int192[] memory answers = new int192[](3);
    (answers[0], answers[1], answers[2]) = (900e8, 900e8, 900e8);
    FeedAggregator.SignedValue[] memory values = _signValues(address(feed), feed.feedId(), 1, answers, _keys(3));
    feed.transmit(1, values);
    uint64 endsAt = uint64(block.timestamp) + FEED_DISPUTE_WINDOW_SEC;
    vm.warp(endsAt);
    token.mint(disputer, BOND);
    vm.prank(disputer);
    token.approve(address(governance), BOND);
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeWindowClosed.selector, endsAt));
    governance.accuseFeedSigners(feed, 1, values, 100e8, BOND);
  }

  // ================================================================
  // |              L-1: slashing can be partly escaped             |
  // ================================================================

  function test_L1_stakeThatBackedAnAnswerStaysSlashableUntilExecute() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3); // a wrong answer
    address liar = staking.operatorOfSigner(signers[0]);
    vm.prank(liar);
    staking.requestUnbond(STAKE); // leaves right after the commit
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC - 1);
    _claim(disputer, id, 1, BOND, signers);
    _councilVotes(id, 1, 2);
    vm.warp(block.timestamp + UNBONDING_DELAY_SEC + 1 days); // nobody executed yet; the delay has passed
    (, , , uint64 readyAt) = staking.getOperator(liar);
    assertLe(readyAt, block.timestamp, "unbonding matured");
    vm.prank(liar);
    vm.expectRevert(abi.encodeWithSelector(Staking.StakeIsLocked.selector, liar, 1));
    staking.withdraw();
    governance.execute(id, signers);
    assertEq(staking.slashableOf(liar), STAKE - (STAKE * SLASH_BPS) / 10_000, "the whole slash reached it");
    vm.prank(liar);
    staking.withdraw(); // and then it leaves with the rest
  }

  function test_L1_unbondingOutlastsTheLastReportItCouldSign() public {
    _addOperators(4, STAKE);
    vm.prank(operators[0]);
    staking.requestUnbond(STAKE);
    uint32 current = staking.currentEpoch();
    (, , , uint64 readyAt) = staking.getOperator(operators[0]);
    // It is a member until the next epoch, and a report may be judged by the previous epoch's set for one
    // more: the delay runs from the end of that.
    assertEq(readyAt, staking.epochStartsAt(current + 2) + UNBONDING_DELAY_SEC, "readyAt");
  }

  function test_L1_contractsEnforceTheDelayRelation() public {
    Staking quick = new Staking(IERC20(address(token)), MIN_STAKE_WEI, DISPUTE_WINDOW_SEC, EPOCH_LENGTH_SEC);
    ResolutionOracle o = new ResolutionOracle(
      IStaking(address(quick)),
      IERC20(address(token)),
      DISPUTE_WINDOW_SEC,
      TOO_EARLY_RETRY_DELAY_SEC,
      MIN_FEE_WEI,
      REQUEST_TIMEOUT_SEC,
      CONTEST_DISSENT_MIN,
      CONTEST_CONFIDENCE_BPS,
      CONTESTED_WINDOW_MULTIPLIER
    );
    vm.expectRevert(
      abi.encodeWithSelector(
        DisputeGovernance.DelayTooShort.selector,
        DISPUTE_WINDOW_SEC,
        DISPUTE_WINDOW_SEC * CONTESTED_WINDOW_MULTIPLIER + VOTING_PERIOD_SEC
      )
    );
    new DisputeGovernance(
      IERC20(address(token)),
      IStaking(address(quick)),
      IResolutionOracle(address(o)),
      MIN_BOND_WEI,
      VOTING_PERIOD_SEC,
      FEED_DISPUTE_WINDOW_SEC,
      SLASH_BPS,
      DISPUTER_REWARD_BPS,
      treasury,
      council,
      2
    );
  }

  // ================================================================
  // |     L-2: the committer chooses which signers go on record    |
  // ================================================================

  /// The contract cannot make a committer include every signature; it makes including every one it holds
  /// safe (the aggregator does), so trimming to exactly q is never the safer choice.
  function test_L2_includingEveryAgreeingSignatureNeverFailsTheReport() public {
    _addOperators(4, MIN_STAKE_WEI); // q = 3; the aggregator includes all 4 it holds
    bytes32 id = _request();
    uint256[] memory keys = _keys(4);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    address leaving = operators[3];
    vm.prank(leaving);
    staking.requestUnbond(MIN_STAKE_WEI);
    _nextEpoch();
    _nextEpoch(); // two epochs on, the report is judged by the previous epoch, where it is not a member
    oracle.commitReport(id, 0, 1, obs);
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed");
  }

  // ================================================================
  // |     L-3: voidIfUnresolved ignores the oracle's answer        |
  // ================================================================

  function test_L3_voidIfUnresolvedReadsTheOracleFirst() public {
    _addOperators(4, MIN_STAKE_WEI);
    PredictionMarket market = _market(MIN_FEE_WEI);
    token.mint(address(market), MIN_FEE_WEI);
    vm.warp(block.timestamp + 20);
    bytes32 id = market.requestResolution();
    address[] memory signers = _commit(id, 0, 3);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    vm.mockCallRevert(address(market), abi.encodeWithSelector(IResolutionConsumer.onResolution.selector), "");
    oracle.finalize(id, signers); // the callback does not get through
    vm.warp(block.timestamp + 31 days);
    market.voidIfUnresolved();
    (bool resolved, int256 answer) = market.resolution();
    assertTrue(resolved, "resolved");
    assertEq(answer, int256(0), "the oracle's final answer, not a void");
  }

  // ================================================================
  // |                  L-4: tokens without an exit               |
  // ================================================================

  function test_L4_feeRefundedToAMarketCanLeaveIt() public {
    _addOperators(4, STAKE);
    PredictionMarket market = _market(MIN_FEE_WEI);
    token.mint(address(market), MIN_FEE_WEI);
    vm.warp(block.timestamp + 20);
    bytes32 id = market.requestResolution();
    address[] memory signers = _commit(id, 0, 3);
    _claim(disputer, id, 1, BOND, signers);
    _councilVotes(id, 1, 2);
    governance.execute(id, signers);
    assertEq(oracle.claimableWei(address(market)), MIN_FEE_WEI, "refund credited to the market");
    market.reclaimFees();
    assertEq(token.balanceOf(address(this)), MIN_FEE_WEI, "the market's creator got the refund");
    assertEq(oracle.claimableWei(address(market)), 0, "nothing left in the oracle");
  }

  function test_L4_requestThatNeverCommitsIsRefunded() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    uint64 expiresAt = oracle.getRequest(id).resolveAfter + REQUEST_TIMEOUT_SEC;
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.NotExpired.selector, expiresAt));
    oracle.expireRequest(id);
    vm.warp(expiresAt);
    oracle.expireRequest(id);
    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, int256(-1), "unresolvable");
    assertEq(oracle.claimableWei(requester), MIN_FEE_WEI, "fee back to the requester");
    vm.prank(requester);
    oracle.withdrawFees();
    assertEq(token.balanceOf(requester), MIN_FEE_WEI, "and out");
  }

  function test_L4_strayTokensCanBeSweptButNeverWhatIsOwed() public {
    _addOperators(4, STAKE);
    _request();
    token.mint(address(oracle), 7);
    token.mint(address(staking), 8);
    token.mint(address(governance), 9);
    oracle.sweepExcess(outsider);
    staking.sweepExcess(outsider);
    governance.sweepExcess();
    assertEq(token.balanceOf(outsider), 15, "stray tokens out of the oracle and staking");
    assertEq(token.balanceOf(treasury), 9, "stray tokens out of governance");
    assertEq(token.balanceOf(address(oracle)), MIN_FEE_WEI, "the open request's fee stays");
    assertEq(token.balanceOf(address(staking)), 4 * STAKE, "stake stays");
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.ZeroAmount.selector));
    oracle.sweepExcess(outsider);
  }

  function test_L4_marketPayoutsLeaveNoDust() public {
    _addOperators(4, MIN_STAKE_WEI);
    PredictionMarket market = _market(MIN_FEE_WEI);
    token.mint(address(market), MIN_FEE_WEI);
    address[3] memory buyers = [address(0xA1), address(0xA2), address(0xA3)];
    uint256[3] memory amounts = [uint256(1 ether + 1), 2 ether + 3, 1];
    for (uint256 i = 0; i < 3; ++i) {
      vm.deal(buyers[i], amounts[i]);
      vm.prank(buyers[i]);
      market.buy{value: amounts[i]}(0);
    }
    vm.deal(address(0xB1), 5 ether + 7);
    vm.prank(address(0xB1));
    market.buy{value: 5 ether + 7}(1);
    vm.warp(block.timestamp + 20);
    bytes32 id = market.requestResolution();
    address[] memory signers = _commit(id, 0, 3);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, signers);
    for (uint256 i = 0; i < 3; ++i) {
      vm.prank(buyers[i]);
      market.redeem();
    }
    assertEq(address(market).balance, 0, "every wei paid out");
  }

  // ================================================================
  // |                              Also                            |
  // ================================================================

  function test_Also_registerSignerProvesPossessionOfTheKey() public {
    uint256 victimKey = 0xB0B0CAFE;
    address victimSigner = vm.addr(victimKey);
    bytes memory proofForVictim = _registrationProof(address(staking), victimKey, address(0xB0B));
    // The attacker replays the proof the signer gave its own operator, or offers a proof of its own key.
    vm.prank(outsider);
    vm.expectRevert(abi.encodeWithSelector(Staking.InvalidSignerProof.selector, victimSigner));
    staking.registerSigner(victimSigner, proofForVictim);
    bytes memory ownProof = _registrationProof(address(staking), 0xA77AC4, outsider);
    vm.prank(outsider);
    vm.expectRevert(abi.encodeWithSelector(Staking.InvalidSignerProof.selector, victimSigner));
    staking.registerSigner(victimSigner, ownProof);
    vm.prank(address(0xB0B));
    staking.registerSigner(victimSigner, proofForVictim);
    assertEq(staking.operatorOfSigner(victimSigner), address(0xB0B), "the rightful operator");
  }

  function test_Also_confidenceAbove10000IsRefused() public {
    _addOperators(4, MIN_STAKE_WEI);
    bytes32 id = _request();
    uint256[] memory keys = _sortKeysBySigner(_keys(3));
    bytes32 ds = _domainSeparator(block.chainid, address(oracle));
    ResolutionOracle.SignedObservation[] memory obs = new ResolutionOracle.SignedObservation[](3);
    for (uint256 i = 0; i < 3; ++i) {
      bytes32 digest = _typedDataDigest(ds, _observationStructHash(id, 0, 1, 60_000, bytes32(0), bytes32(0)));
      (bytes32 r, bytes32 vs) = _signCompact(keys[i], digest);
      obs[i] = ResolutionOracle.SignedObservation(60_000, bytes32(0), bytes32(0), r, vs);
    }
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.ConfidenceOutOfRange.selector, 0, 60_000));
    oracle.commitReport(id, 0, 1, obs);
  }

  function test_Also_constructorsRefuseMixedTokens() public {
    TestToken other = new TestToken();
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.TokenMismatch.selector, address(other), address(token)));
    new DisputeGovernance(
      IERC20(address(other)),
      IStaking(address(staking)),
      IResolutionOracle(address(oracle)),
      MIN_BOND_WEI,
      VOTING_PERIOD_SEC,
      FEED_DISPUTE_WINDOW_SEC,
      SLASH_BPS,
      DISPUTER_REWARD_BPS,
      treasury,
      council,
      2
    );
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.TokenMismatch.selector, address(other), address(token)));
    new ResolutionOracle(
      IStaking(address(staking)),
      IERC20(address(other)),
      DISPUTE_WINDOW_SEC,
      TOO_EARLY_RETRY_DELAY_SEC,
      MIN_FEE_WEI,
      REQUEST_TIMEOUT_SEC,
      CONTEST_DISSENT_MIN,
      CONTEST_CONFIDENCE_BPS,
      CONTESTED_WINDOW_MULTIPLIER
    );
  }

  function test_Also_marketRefusesWhatTheOracleWouldRefuse() public {
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.FeeTooLow.selector, MIN_FEE_WEI - 1, MIN_FEE_WEI));
    _market(MIN_FEE_WEI - 1);
  }

  function test_Also_aSecondClaimSaysWhatHappened() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3);
    _claim(disputer, id, 1, BOND, signers);
    token.mint(disputer, BOND);
    vm.prank(disputer);
    token.approve(address(governance), BOND);
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyClaimed.selector, id, disputer, int256(1)));
    governance.dispute(id, -1, BOND, signers);
    _councilVotes(id, 1, 2);
    governance.execute(id, signers);
    vm.prank(decoy);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeAlreadyExecuted.selector, id));
    governance.dispute(id, -1, BOND, signers);
  }

  // ================================================================
  // |   Second attack review: M3 (late claims), M4 (lock griefing), |
  // |   L3 (lock counter overflow)                                   |
  // ================================================================

  /// M3 (review 2): once the council has decided, a claim on the decided answer carries no risk, so a late
  /// claimant with a large bond would take most of the disputer's reward pro rata. Claims close at the decision.
  function test_Review2_M3_lateClaimAfterTheDecisionIsRefused() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3); // a lying quorum says YES (0)
    _claim(disputer, id, 1, BOND, signers);
    _councilVotes(id, 1, 2); // Decided(id, 1): still inside votingEndsAt
    uint96 bigBond = 100 * BOND;
    token.mint(outsider, bigBond);
    vm.prank(outsider);
    token.approve(address(governance), bigBond);
    vm.prank(outsider);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeAlreadyDecided.selector, id, int256(1)));
    governance.dispute(id, 1, bigBond, new address[](0));

    governance.execute(id, signers);
    governance.settleClaim(id, disputer);
    uint256 reward = (3 * ((STAKE * SLASH_BPS) / 10_000) * DISPUTER_REWARD_BPS) / 10_000;
    assertEq(governance.claimableWei(disputer), BOND + reward, "the disputer keeps the whole reward");
  }

  /// M4 (review 2): anyone could accuse any operator of silence (or of the values it signed, which are public)
  /// and lock its stake; an accusation the council let expire returned the whole bond, so rolling accusations
  /// kept withdraw() blocked for free. An expired accusation now costs the accuser its bond (to the accused),
  /// and the lock ends when the vote does (anyone, the accused too, executes the expired case).
  function test_Review2_M4_expiredAccusationCostsTheAccuserItsBond() public {
    _addOperators(4, STAKE);
    address victim = operators[3];
    vm.prank(victim);
    staking.requestUnbond(STAKE);
    (, , , uint64 readyAt) = staking.getOperator(victim);

    token.mint(outsider, BOND);
    vm.prank(outsider);
    token.approve(address(governance), BOND);
    vm.prank(outsider);
    bytes32 caseId = governance.accuseSilence(victim, keccak256("nothing"), BOND);
    assertEq(staking.locksOf(victim), 1, "locked by the accusation");

    uint64 endsAt = governance.getAccusation(caseId).votingEndsAt;
    vm.warp(endsAt > readyAt ? endsAt : readyAt); // the council never votes
    vm.prank(victim);
    vm.expectRevert(abi.encodeWithSelector(Staking.StakeIsLocked.selector, victim, 1));
    staking.withdraw();
    address[] memory accused = new address[](1);
    accused[0] = victim;
    vm.prank(victim); // the accused ends the lock itself once the vote is over
    governance.executeAccusation(caseId, accused);
    assertEq(staking.locksOf(victim), 0, "expiry unlocks");
    vm.prank(victim);
    staking.withdraw();

    assertEq(governance.claimableWei(outsider), 0, "griefing costs the accuser its bond");
    assertEq(governance.claimableWei(victim), BOND, "the bond compensates the accused");
  }

  /// M4 (review 2): a feed accusation against values the operators really signed (public), never voted on,
  /// costs the bond as well, shared by the accused.
  function test_Review2_M4_expiredFeedAccusationCostsTheBond() public {
    _addOperators(4, STAKE);
    int192[] memory answers = new int192[](3);
    (answers[0], answers[1], answers[2]) = (100e8, 100e8, 100e8); // honest values
    uint256[] memory keys = _keys(3);
    FeedAggregator.SignedValue[] memory values = _signValues(address(feed), feed.feedId(), 1, answers, keys);
    feed.transmit(1, values);
    address[] memory accused = _operatorsOf(keys);
    token.mint(outsider, BOND);
    vm.prank(outsider);
    token.approve(address(governance), BOND);
    vm.prank(outsider);
    bytes32 caseId = governance.accuseFeedSigners(feed, 1, values, 900e8, BOND);
    vm.warp(governance.getAccusation(caseId).votingEndsAt);
    governance.executeAccusation(caseId, accused);
    assertEq(governance.claimableWei(outsider), 0, "no free lock");
    uint256 total;
    for (uint256 i = 0; i < accused.length; ++i) {
      total += governance.claimableWei(accused[i]);
      assertEq(staking.locksOf(accused[i]), 0, "unlocked");
    }
    assertEq(total, BOND, "the bond goes to the accused");
  }

  /// L3 (review 2): the lock counter was a uint16 with a checked +1: at 65,535 open accusations lock() reverted,
  /// and with it every dispute of a report that operator signed.
  function test_Review2_L3_lockCounterDoesNotOverflowAt65535() public {
    _addOperators(4, STAKE);
    bytes32 id = _request();
    address[] memory signers = _commit(id, 0, 3);
    address target = staking.operatorOfSigner(signers[0]);
    address[] memory many = new address[](uint256(type(uint16).max));
    for (uint256 i = 0; i < many.length; ++i) many[i] = target;
    vm.prank(address(governance));
    staking.lock(many); // 65,535 open locks (as many accusations)
    assertEq(staking.locksOf(target), type(uint16).max, "65,535 locks");
    _claim(disputer, id, 1, BOND, signers); // a dispute of a report it signed still opens
    assertEq(staking.locksOf(target), uint256(type(uint16).max) + 1, "one more lock");
  }
}
