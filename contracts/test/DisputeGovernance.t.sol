// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {TestToken} from "./utils/TestToken.sol";
import {DisputeGovernance} from "../src/DisputeGovernance.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {Staking} from "../src/Staking.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";
import {IResolutionOracle} from "../src/interfaces/IResolutionOracle.sol";
import {FeedAggregator} from "../src/FeedAggregator.sol";

/// @notice DisputeGovernance wired to the real oracle and staking: disputes and competing claims, answer
/// votes, the three outcomes, slashing and payouts, stake locks, council snapshots, accusations, every event
/// and revert path. The attacks of the security review are in SecurityRegressions.t.sol.
contract DisputeGovernanceTest is SibylTest {
  uint256 internal constant OPERATOR_STAKE_WEI = 1_000 ether;
  uint96 internal constant BOND_WEI = 50 ether;

  bytes32 internal id;
  /// The committed report's signer list (ReportCommitted), and their operators (who are locked, slashed, paid).
  address[] internal signers;
  address[] internal ops;

  function setUp() public {
    _deploy();
    _addOperators(4, OPERATOR_STAKE_WEI); // quorum 3
    id = _request();
    signers = _commitQuorum(id, 1);
    ops = staking.operatorsOf(signers);
  }

  function _dispute(int256 proposed) internal {
    _claim(disputer, id, proposed, BOND_WEI, signers);
  }

  /// Overturn: vote the disputer's answer 0; uphold: the committed answer 1.
  function _vote(uint256 member, bool overturn) internal {
    vm.prank(council[member]);
    governance.vote(id, overturn ? int256(0) : int256(1));
  }

  function _deployGovernance(
    address tokenAddr,
    address stakingAddr,
    address oracleAddr,
    uint16 slashBps,
    uint16 rewardBps,
    address treasury_,
    address[] memory council_,
    uint8 threshold
  ) internal returns (DisputeGovernance) {
    return
      new DisputeGovernance(
        IERC20(tokenAddr),
        IStaking(stakingAddr),
        IResolutionOracle(oracleAddr),
        MIN_BOND_WEI,
        VOTING_PERIOD_SEC,
        FEED_DISPUTE_WINDOW_SEC,
        slashBps,
        rewardBps,
        treasury_,
        council_,
        threshold
      );
  }

  // ================================================================
  // |                          Constructor                         |
  // ================================================================

  function test_constructor_revertsOnZeroAddresses() public {
    address t = address(token);
    address s = address(staking);
    address o = address(oracle);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.ZeroAddress.selector));
    _deployGovernance(address(0), s, o, 0, 0, treasury, council, 2);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.ZeroAddress.selector));
    _deployGovernance(t, address(0), o, 0, 0, treasury, council, 2);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.ZeroAddress.selector));
    _deployGovernance(t, s, address(0), 0, 0, treasury, council, 2);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.ZeroAddress.selector));
    _deployGovernance(t, s, o, 0, 0, address(0), council, 2);
    address[] memory withZero = new address[](2);
    withZero[0] = address(0xC1);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.ZeroAddress.selector));
    _deployGovernance(t, s, o, 0, 0, treasury, withZero, 2);
  }

  function test_constructor_revertsOnBadBps() public {
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadBps.selector, 10_001));
    _deployGovernance(address(token), address(staking), address(oracle), 10_001, 0, treasury, council, 2);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadBps.selector, 10_001));
    _deployGovernance(address(token), address(staking), address(oracle), 0, 10_001, treasury, council, 2);
  }

  function test_constructor_revertsOnBadCouncil() public {
    address[] memory empty = new address[](0);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadCouncil.selector, 0, 1));
    _deployGovernance(address(token), address(staking), address(oracle), 0, 0, treasury, empty, 1);
    // Threshold must be a strict majority and at most the size.
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadCouncil.selector, 3, 1));
    _deployGovernance(address(token), address(staking), address(oracle), 0, 0, treasury, council, 1);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadCouncil.selector, 3, 4));
    _deployGovernance(address(token), address(staking), address(oracle), 0, 0, treasury, council, 4);
    address[] memory dup = new address[](3);
    (dup[0], dup[1], dup[2]) = (address(0xC1), address(0xC2), address(0xC1));
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadCouncil.selector, 3, 2));
    _deployGovernance(address(token), address(staking), address(oracle), 0, 0, treasury, dup, 2);
    address[] memory big = new address[](33);
    for (uint256 i = 0; i < big.length; ++i) big[i] = address(uint160(0xC000 + i));
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadCouncil.selector, 33, 17));
    _deployGovernance(address(token), address(staking), address(oracle), 0, 0, treasury, big, 17);
  }

  function test_constructor_emitsTreasuryAndCouncil() public {
    vm.expectEmit(true, true, true, true);
    emit DisputeGovernance.TreasurySet(treasury);
    vm.expectEmit(true, true, true, true);
    emit DisputeGovernance.CouncilSet(council, 2, 1);
    DisputeGovernance g = _deployGovernance(address(token), address(staking), address(oracle), 1, 2, treasury, council, 2);
    assertEq(uint256(g.slashBps()), 1, "slashBps");
    assertEq(uint256(g.disputerRewardBps()), 2, "disputerRewardBps");
    assertEq(uint256(g.minBondWei()), MIN_BOND_WEI, "minBondWei");
    assertEq(uint256(g.votingPeriodSec()), VOTING_PERIOD_SEC, "votingPeriodSec");
    assertEq(g.treasury(), treasury, "treasury");
    (address[] memory members, uint8 threshold) = g.council();
    assertEq(members, council, "council");
    assertEq(uint256(threshold), 2, "threshold");
  }

  // ================================================================
  // |                     Council and treasury                     |
  // ================================================================

  function test_setCouncil_emitsAndBumpsEpoch() public {
    address[] memory next = new address[](1);
    next[0] = address(0xC0FFEE);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.CouncilSet(next, 1, 2);
    governance.setCouncil(next, 1);
    vm.prank(council[0]);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    governance.setCouncil(next, 1);
  }

  function test_setTreasury_emitsAndRejectsZero() public {
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.TreasurySet(address(0x7EA6));
    governance.setTreasury(address(0x7EA6));
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.ZeroAddress.selector));
    governance.setTreasury(address(0));
    vm.prank(disputer);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    governance.setTreasury(disputer);
  }

  // ================================================================
  // |                           Dispute                            |
  // ================================================================

  function test_dispute_emitsMarksAndPullsBond() public {
    token.mint(disputer, BOND_WEI);
    vm.prank(disputer);
    token.approve(address(governance), BOND_WEI);
    uint64 endsAt = uint64(block.timestamp) + VOTING_PERIOD_SEC;
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionDisputed(id);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Disputed(id, disputer, 1, endsAt, 1);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Claimed(id, disputer, 0, BOND_WEI);
    vm.prank(disputer);
    governance.dispute(id, 0, BOND_WEI, signers);

    DisputeGovernance.Dispute memory d = governance.getDispute(id);
    DisputeGovernance.Claim memory c = governance.getClaim(id, disputer);
    assertEq(uint256(c.bondWei), BOND_WEI, "bond");
    assertEq(int256(c.answer), 0, "claimed");
    assertEq(uint256(d.totalBondWei), BOND_WEI, "total bond");
    assertEq(int256(d.committedAnswer), 1, "committed");
    assertEq(uint256(d.councilEpoch), 1, "council of the dispute");
    assertEq(uint256(d.votingEndsAt), endsAt, "votingEndsAt");
    for (uint256 i = 0; i < signers.length; ++i) assertEq(staking.locksOf(ops[i]), 1, "signer's stake locked");
    assertEq(uint256(d.state), uint256(DisputeGovernance.State.Voting), "voting");
    assertEq(token.balanceOf(address(governance)), BOND_WEI, "bond held");
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Disputed), "oracle marked");
  }

  function test_dispute_revertsOnSmallBond() public {
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BondTooSmall.selector, MIN_BOND_WEI - 1, MIN_BOND_WEI));
    governance.dispute(id, 0, MIN_BOND_WEI - 1, signers);
  }

  function test_dispute_competingClaimsAddUp() public {
    _dispute(0);
    _claim(address(0xD2), id, -1, BOND_WEI + 1, new address[](0));
    _claim(address(0xD3), id, 0, BOND_WEI + 2, new address[](0));
    DisputeGovernance.Dispute memory d = governance.getDispute(id);
    assertEq(uint256(d.totalBondWei), 3 * uint256(BOND_WEI) + 3, "total");
    assertEq(governance.bondOnAnswer(id, 0), 2 * uint256(BOND_WEI) + 2, "on 0");
    assertEq(governance.bondOnAnswer(id, -1), uint256(BOND_WEI) + 1, "on -1");
    for (uint256 i = 0; i < signers.length; ++i) assertEq(staking.locksOf(ops[i]), 1, "locked once");
    assertEq(token.balanceOf(address(governance)), 3 * uint256(BOND_WEI) + 3, "bonds held");
  }

  function test_dispute_revertsWhenTheSameAddressClaimsAgain() public {
    _dispute(0);
    token.mint(disputer, BOND_WEI);
    vm.prank(disputer);
    token.approve(address(governance), BOND_WEI);
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyClaimed.selector, id, disputer, int256(0)));
    governance.dispute(id, -1, BOND_WEI, signers);
  }

  function test_dispute_claimsCloseWithTheVote() public {
    _dispute(0);
    uint64 endsAt = governance.getDispute(id).votingEndsAt;
    vm.warp(endsAt);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.VotingClosed.selector, id, endsAt));
    governance.dispute(id, -1, BOND_WEI, signers);
  }

  function test_dispute_bubblesOracleChecks() public {
    // The committed answer itself, an out-of-range answer, a wrong signer list, and after the window: refused,
    // and nothing of the dispute is kept.
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.InvalidClaim.selector, id, int256(1)));
    governance.dispute(id, 1, BOND_WEI, signers);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.InvalidClaim.selector, id, int256(7)));
    governance.dispute(id, 7, BOND_WEI, signers);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SignersMismatch.selector, id));
    governance.dispute(id, 0, BOND_WEI, new address[](0));
    bytes32 open = _request();
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, open, ResolutionOracle.Status.Open));
    governance.dispute(open, 0, BOND_WEI, signers);
    uint64 endsAt = oracle.getRequest(id).committedAt + DISPUTE_WINDOW_SEC;
    vm.warp(endsAt);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowClosed.selector, endsAt));
    governance.dispute(id, 0, BOND_WEI, signers);
    assertEq(uint256(governance.getDispute(id).state), uint256(DisputeGovernance.State.None), "rolled back");
  }

  function test_dispute_revertsWithoutBondAllowance() public {
    token.mint(disputer, BOND_WEI);
    vm.prank(disputer);
    vm.expectRevert(bytes("ERC20: insufficient allowance"));
    governance.dispute(id, 0, BOND_WEI, signers);
  }

  // ================================================================
  // |                             Vote                             |
  // ================================================================

  function test_vote_emitsAndCounts() public {
    _dispute(0);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Voted(id, council[0], 0);
    _vote(0, true);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Voted(id, council[1], 1);
    _vote(1, false);
    DisputeGovernance.Dispute memory d = governance.getDispute(id);
    assertEq(governance.votesFor(id, 0), 1, "votes for 0");
    assertEq(governance.votesFor(id, 1), 1, "votes for 1");
    assertEq(uint256(d.votedMask), 3, "voted mask");
    assertFalse(d.decided, "undecided");
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Decided(id, 1);
    _vote(2, false);
    d = governance.getDispute(id);
    assertTrue(d.decided, "decided");
    assertEq(int256(d.decision), 1, "decision");
  }

  function test_vote_revertsOnAnAnswerTheRequestCannotTake() public {
    _dispute(0);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.InvalidVote.selector, id, int256(2)));
    governance.vote(id, 2);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.InvalidVote.selector, id, int256(-2)));
    governance.vote(id, -2);
  }

  function test_vote_revertsForNonMember() public {
    _dispute(0);
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotCouncil.selector, disputer));
    governance.vote(id, 0);
  }

  function test_vote_revertsWithoutDispute() public {
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoDispute.selector, id));
    governance.vote(id, 0);
  }

  function test_vote_revertsTwice() public {
    _dispute(0);
    _vote(0, true);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyVoted.selector, id, council[0]));
    governance.vote(id, 1);
  }

  function test_vote_revertsAfterDeadline() public {
    _dispute(0);
    uint64 endsAt = governance.getDispute(id).votingEndsAt;
    vm.warp(endsAt);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.VotingClosed.selector, id, endsAt));
    governance.vote(id, 0);
  }

  function test_vote_usesTheCouncilOfTheDispute() public {
    _dispute(0);
    _vote(0, true);
    address[] memory next = new address[](1);
    next[0] = address(0xC0FFEE);
    governance.setCouncil(next, 1);
    vm.prank(next[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotCouncil.selector, next[0]));
    governance.vote(id, 1);
    _vote(1, true); // the dispute's council still votes
    assertTrue(governance.getDispute(id).decided, "decided by its own council");
  }

  function test_vote_revertsAfterExecution() public {
    _dispute(0);
    _vote(0, false);
    _vote(1, false);
    governance.execute(id, signers);
    vm.prank(council[2]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeAlreadyExecuted.selector, id));
    governance.vote(id, 0);
  }

  // ================================================================
  // |                           Execute                            |
  // ================================================================

  function test_execute_revertsWithoutDispute() public {
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoDispute.selector, id));
    governance.execute(id, signers);
  }

  function test_execute_revertsWhenUndecided() public {
    _dispute(0);
    _vote(0, true);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotDecided.selector, id));
    governance.execute(id, signers);
  }

  function test_execute_overturnedSlashesAndRewards() public {
    _dispute(0);
    _vote(0, true);
    _vote(2, true);

    uint256 perSigner = (OPERATOR_STAKE_WEI * SLASH_BPS) / 10_000;
    uint256 slashed = perSigner * signers.length;
    uint256 reward = (slashed * DISPUTER_REWARD_BPS) / 10_000;
    for (uint256 i = 0; i < signers.length; ++i) {
      vm.expectEmit(true, true, true, true, address(staking));
      emit Staking.Slashed(ops[i], perSigner, address(governance));
    }
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Overturned, 0, slashed);
    governance.execute(id, signers);

    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, 0, "answer replaced by the council's decision");
    for (uint256 i = 0; i < signers.length; ++i) {
      assertEq(staking.slashableOf(ops[i]), OPERATOR_STAKE_WEI - perSigner, "signer slashed");
      assertEq(staking.locksOf(ops[i]), 0, "unlocked");
    }
    assertEq(staking.slashableOf(operators[3]), OPERATOR_STAKE_WEI, "non-signer untouched");
    assertEq(governance.pendingClaimWei(id, disputer), BOND_WEI + reward, "pending: bond + reward");
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.ClaimSettled(id, disputer, BOND_WEI + reward);
    governance.settleClaim(id, disputer);
    assertEq(governance.claimableWei(disputer), BOND_WEI + reward, "disputer: bond + reward");
    assertEq(governance.claimableWei(treasury), slashed - reward, "treasury: the rest");
    assertEq(token.balanceOf(address(governance)), BOND_WEI + slashed, "governance holds what it owes");
    assertEq(governance.owedWei(), BOND_WEI + slashed, "owed");
    assertEq(oracle.claimableWei(requester), MIN_FEE_WEI, "fee refunded");

    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeAlreadyExecuted.selector, id));
    governance.execute(id, signers);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NothingToClaim.selector, id, disputer));
    governance.settleClaim(id, disputer);
  }

  function test_execute_overturnedSharesTheRewardByBondExactly() public {
    _dispute(0);
    _claim(address(0xD2), id, 0, 3 * BOND_WEI + 1, new address[](0));
    _claim(address(0xD3), id, 0, BOND_WEI + 7, new address[](0));
    _vote(0, true);
    _vote(1, true);
    governance.execute(id, signers);
    uint256 slashed = ((OPERATOR_STAKE_WEI * SLASH_BPS) / 10_000) * signers.length;
    uint256 reward = (slashed * DISPUTER_REWARD_BPS) / 10_000;
    governance.settleClaim(id, disputer);
    governance.settleClaim(id, address(0xD2));
    governance.settleClaim(id, address(0xD3));
    uint256 paid = governance.claimableWei(disputer) + governance.claimableWei(address(0xD2)) +
      governance.claimableWei(address(0xD3));
    assertEq(paid, 5 * uint256(BOND_WEI) + 8 + reward, "bonds + the whole reward, no dust");
    assertGe(governance.claimableWei(address(0xD2)), governance.claimableWei(disputer) * 3, "shared by bond");
  }

  function test_execute_overturnedRevertsOnWrongSigners() public {
    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    address[] memory wrong = new address[](1);
    wrong[0] = operators[3];
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SignersMismatch.selector, id));
    governance.execute(id, wrong);
  }

  function test_execute_upheldPaysBondToSigners() public {
    _dispute(0);
    _vote(0, false);
    _vote(1, false);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Upheld, 1, 0);
    governance.execute(id, signers);
    governance.settleClaim(id, disputer);

    uint256 share = BOND_WEI / signers.length;
    uint256 total;
    for (uint256 i = 0; i < signers.length; ++i) {
      total += governance.claimableWei(ops[i]);
      assertGe(governance.claimableWei(ops[i]), share, "signer share");
      assertEq(staking.slashableOf(ops[i]), OPERATOR_STAKE_WEI, "not slashed");
    }
    assertEq(total, BOND_WEI, "the whole bond shared");
    assertEq(governance.claimableWei(disputer), 0, "disputer loses the bond");
    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, 1, "answer stands");
  }

  function test_execute_expiredReturnsBond() public {
    _dispute(0);
    _vote(0, true);
    vm.warp(governance.getDispute(id).votingEndsAt);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Expired, 1, 0);
    governance.execute(id, signers);
    governance.settleClaim(id, disputer);
    assertEq(governance.claimableWei(disputer), BOND_WEI, "bond back");
    (, int256 answer) = oracle.getResolution(id);
    assertEq(answer, 1, "answer stands");
  }

  /// @notice Replacing the council mid-vote cannot void or flip a decision: the dispute keeps its council.
  function test_execute_councilChangeMidVoteKeepsTheDecision() public {
    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    governance.setCouncil(council, 2);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Overturned, 0, 3 * ((OPERATOR_STAKE_WEI * SLASH_BPS) / 10_000));
    governance.execute(id, signers);
  }

  // ================================================================
  // |                          Accusations                         |
  // ================================================================

  function _fundAccuser(uint96 bond) internal {
    token.mint(disputer, bond);
    vm.prank(disputer);
    token.approve(address(governance), bond);
  }

  function _feedRound(int192 value) internal returns (FeedAggregator.SignedValue[] memory values, address[] memory ops) {
    int192[] memory answers = new int192[](3);
    (answers[0], answers[1], answers[2]) = (value, value, value);
    uint256[] memory keys = _keys(3);
    values = _signValues(address(feed), feed.feedId(), feed.latestRoundId() + 1, answers, keys);
    ops = _operatorsOf(keys);
    feed.transmit(feed.latestRoundId() + 1, values);
  }

  function test_accuseFeedSigners_checksTheEvidence() public {
    (FeedAggregator.SignedValue[] memory values, ) = _feedRound(900e8);
    _fundAccuser(BOND_WEI);
    vm.startPrank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.UnknownFeed.selector, address(0xFEED)));
    governance.accuseFeedSigners(FeedAggregator(address(0xFEED)), 1, values, 100e8, BOND_WEI);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoRound.selector, address(feed), uint32(2)));
    governance.accuseFeedSigners(feed, 2, values, 100e8, BOND_WEI);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BadAccused.selector, 0));
    governance.accuseFeedSigners(feed, 1, new FeedAggregator.SignedValue[](0), 100e8, BOND_WEI);
    FeedAggregator.SignedValue[] memory swapped = new FeedAggregator.SignedValue[](2);
    (swapped[0], swapped[1]) = (values[1], values[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.SignersNotAscending.selector, 1, feed.recoverSigner(1, values[0])));
    governance.accuseFeedSigners(feed, 1, swapped, 100e8, BOND_WEI);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BondTooSmall.selector, MIN_BOND_WEI - 1, MIN_BOND_WEI));
    governance.accuseFeedSigners(feed, 1, values, 100e8, MIN_BOND_WEI - 1);
    vm.stopPrank();
    // A value signed by a key nobody registered.
    int192[] memory one = new int192[](1);
    one[0] = 900e8;
    uint256[] memory strangerKey = new uint256[](1);
    strangerKey[0] = 0xBADBAD;
    FeedAggregator.SignedValue[] memory stranger = _signValues(address(feed), feed.feedId(), 1, one, strangerKey);
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.UnknownSigner.selector, vm.addr(0xBADBAD)));
    governance.accuseFeedSigners(feed, 1, stranger, 100e8, BOND_WEI);
  }

  function test_accuseFeedSigners_locksAndEmits() public {
    (FeedAggregator.SignedValue[] memory values, address[] memory ops) = _feedRound(900e8);
    _fundAccuser(BOND_WEI);
    uint64 endsAt = uint64(block.timestamp) + VOTING_PERIOD_SEC;
    bytes32 expectedId = keccak256(abi.encode(block.chainid, address(governance), uint256(1)));
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Accused(expectedId, DisputeGovernance.AccusationKind.FeedValues, disputer, ops, BOND_WEI, endsAt);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.FeedValuesAccused(expectedId, address(feed), 1, 100e8);
    vm.prank(disputer);
    bytes32 caseId = governance.accuseFeedSigners(feed, 1, values, 100e8, BOND_WEI);
    assertEq(caseId, expectedId, "case id");
    for (uint256 i = 0; i < ops.length; ++i) assertEq(staking.locksOf(ops[i]), 1, "accused stake locked");
    DisputeGovernance.Accusation memory a = governance.getAccusation(caseId);
    assertEq(a.accuser, disputer, "accuser");
    assertEq(a.accusedHash, keccak256(abi.encodePacked(ops)), "accused");
  }

  function test_accusation_votesAndOutcomes() public {
    (FeedAggregator.SignedValue[] memory values, address[] memory ops) = _feedRound(900e8);
    _fundAccuser(BOND_WEI);
    vm.prank(disputer);
    bytes32 caseId = governance.accuseFeedSigners(feed, 1, values, 100e8, BOND_WEI);

    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotCouncil.selector, disputer));
    governance.voteAccusation(caseId, true);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoDispute.selector, bytes32(0)));
    governance.voteAccusation(bytes32(0), true);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.AccusationVoted(caseId, council[0], false);
    vm.prank(council[0]);
    governance.voteAccusation(caseId, false);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyVoted.selector, caseId, council[0]));
    governance.voteAccusation(caseId, true);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotDecided.selector, caseId));
    governance.executeAccusation(caseId, ops);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AccusedMismatch.selector, caseId));
    governance.executeAccusation(caseId, new address[](0));
    vm.prank(council[1]);
    governance.voteAccusation(caseId, false);
    // Not guilty: the bond is shared by the accused; nobody is slashed.
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.AccusationExecuted(caseId, DisputeGovernance.Outcome.Upheld, 0);
    governance.executeAccusation(caseId, ops);
    uint256 total;
    for (uint256 i = 0; i < ops.length; ++i) {
      total += governance.claimableWei(ops[i]);
      assertEq(staking.locksOf(ops[i]), 0, "unlocked");
    }
    assertEq(total, BOND_WEI, "bond to the accused");
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeAlreadyExecuted.selector, caseId));
    governance.executeAccusation(caseId, ops);
    vm.prank(council[2]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.DisputeAlreadyExecuted.selector, caseId));
    governance.voteAccusation(caseId, true);
  }

  /// An accusation nobody decided costs the accuser its bond, paid to the accused whose stake it locked (so rolling
  /// accusations cannot keep an operator's stake locked for free).
  function test_accusation_expiresWithTheBondToTheAccused() public {
    _fundAccuser(BOND_WEI);
    vm.prank(disputer);
    bytes32 caseId = governance.accuseSilence(operators[3], keccak256("evidence"), BOND_WEI);
    uint64 endsAt = governance.getAccusation(caseId).votingEndsAt;
    vm.warp(endsAt);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.VotingClosed.selector, caseId, endsAt));
    governance.voteAccusation(caseId, true);
    address[] memory accused = new address[](1);
    accused[0] = operators[3];
    governance.executeAccusation(caseId, accused);
    assertEq(governance.claimableWei(disputer), 0, "the accuser loses its bond");
    assertEq(governance.claimableWei(operators[3]), BOND_WEI, "the accused is paid for the lock");
    assertTrue(staking.isAdmitted(operators[3]), "not expelled");
  }

  function test_accuseSilence_revertsForANonOperator() public {
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotAnOperator.selector, address(0xBEEF)));
    governance.accuseSilence(address(0xBEEF), bytes32(0), BOND_WEI);
  }

  function test_executeAccusation_revertsWithoutCase() public {
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoDispute.selector, bytes32(uint256(7))));
    governance.executeAccusation(bytes32(uint256(7)), new address[](0));
  }

  function test_setFeed_onlyOwnerAndSameStaking() public {
    FeedAggregator other = new FeedAggregator(IStaking(address(staking)), 8, "other", 1, 2, 60);
    vm.prank(disputer);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    governance.setFeed(other, true);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.FeedSet(address(other), true);
    governance.setFeed(other, true);
    assertTrue(governance.isDisputableFeed(address(other)), "registered");
    Staking otherStaking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    FeedAggregator foreign = new FeedAggregator(IStaking(address(otherStaking)), 8, "foreign", 1, 2, 60);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.UnknownFeed.selector, address(foreign)));
    governance.setFeed(foreign, true);
  }

  function test_sweepExcess_onlyWhatIsNotOwed() public {
    _dispute(0);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NothingToWithdraw.selector));
    governance.sweepExcess();
    token.mint(address(governance), 3);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.ExcessSwept(treasury, 3);
    governance.sweepExcess();
    assertEq(token.balanceOf(address(governance)), BOND_WEI, "the open bond stays");
  }

  // ================================================================
  // |                           Withdraw                           |
  // ================================================================

  function test_withdraw_paysAndEmits() public {
    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    governance.execute(id, signers);
    governance.settleClaim(id, disputer);
    uint256 amount = governance.claimableWei(disputer);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Withdrawn(disputer, amount);
    vm.prank(disputer);
    governance.withdraw();
    assertEq(token.balanceOf(disputer), amount, "paid");
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NothingToWithdraw.selector));
    governance.withdraw();
  }

  // ================================================================
  // |                             Fuzz                             |
  // ================================================================

  /// @notice Overturning with any slash and reward rates over any mix of bonded and unbonding stake: each
  /// signer loses exactly slashBps of its slashable stake, and every token slashed or bonded is owed to
  /// someone (disputer or treasury), none created or lost.
  function testFuzz_overturnConservesTokens(uint16 slashBps, uint16 rewardBps, uint96[4] memory unbond) public {
    slashBps = uint16(bound(slashBps, 0, 10_000));
    rewardBps = uint16(bound(rewardBps, 0, 10_000));

    // A fresh network with the fuzzed rates.
    token = new TestToken();
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    oracle = new ResolutionOracle(
      IStaking(address(staking)),
      IERC20(address(token)),
      DISPUTE_WINDOW_SEC,
      1,
      MIN_FEE_WEI,
      REQUEST_TIMEOUT_SEC,
      CONTEST_DISSENT_MIN,
      CONTEST_CONFIDENCE_BPS,
      CONTESTED_WINDOW_MULTIPLIER
    );
    governance = _deployGovernance(address(token), address(staking), address(oracle), slashBps, rewardBps, treasury, council, 2);
    staking.setSlasher(address(governance));
    oracle.setGovernance(address(governance));
    delete operators;
    delete signerKeys;
    _addOperators(4, OPERATOR_STAKE_WEI);
    id = _request();
    signers = _commit(id, 1, 4);
    ops = staking.operatorsOf(signers);
    // Signers move part of their stake to unbonding after signing; it stays slashable.
    uint256[] memory before = new uint256[](4);
    for (uint256 i = 0; i < 4; ++i) {
      uint256 amount = bound(unbond[i], 0, OPERATOR_STAKE_WEI);
      if (amount > 0) {
        vm.prank(ops[i]);
        staking.requestUnbond(amount);
      }
      before[i] = staking.slashableOf(ops[i]);
    }

    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    governance.execute(id, signers);
    governance.settleClaim(id, disputer);

    uint256 slashed;
    for (uint256 i = 0; i < 4; ++i) {
      uint256 expectedCut = (before[i] * slashBps) / 10_000;
      assertEq(staking.slashableOf(ops[i]), before[i] - expectedCut, "slashed by slashBps");
      slashed += expectedCut;
    }
    assertEq(staking.totalSlashedWei(), slashed, "totalSlashedWei");
    assertEq(
      governance.claimableWei(disputer) + governance.claimableWei(treasury),
      BOND_WEI + slashed,
      "bond + slash all owed"
    );
    assertEq(token.balanceOf(address(governance)), BOND_WEI + slashed, "governance balance");
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "staking balance");
  }

  function testFuzz_upheldSharesTheWholeBond(uint96 bond) public {
    bond = uint96(bound(bond, MIN_BOND_WEI, type(uint96).max));
    token.mint(disputer, bond);
    vm.prank(disputer);
    token.approve(address(governance), bond);
    vm.prank(disputer);
    governance.dispute(id, 0, bond, signers);
    _vote(0, false);
    _vote(2, false);
    governance.execute(id, signers);
    uint256 total;
    for (uint256 i = 0; i < signers.length; ++i) total += governance.claimableWei(ops[i]);
    assertEq(total, bond, "shares sum to the bond");
  }
}
