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

/// @notice DisputeGovernance wired to the real oracle and staking: disputes, votes, the three outcomes,
/// slashing and payouts, council changes, every event and revert path.
contract DisputeGovernanceTest is SibylTest {
  uint256 internal constant OPERATOR_STAKE_WEI = 1_000 ether;
  uint96 internal constant BOND_WEI = 50 ether;

  bytes32 internal id;
  address[] internal signers;

  function setUp() public {
    _deploy();
    _addOperators(4, OPERATOR_STAKE_WEI); // quorum 3
    id = _request();
    signers = _commitQuorum(id, 1);
  }

  function _dispute(int256 proposed) internal {
    token.mint(disputer, BOND_WEI);
    vm.prank(disputer);
    token.approve(address(governance), BOND_WEI);
    vm.prank(disputer);
    governance.dispute(id, proposed, BOND_WEI);
  }

  function _vote(uint256 member, bool overturn) internal {
    vm.prank(council[member]);
    governance.vote(id, overturn);
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
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Disputed(id, disputer, 0, BOND_WEI, endsAt);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionDisputed(id);
    vm.prank(disputer);
    governance.dispute(id, 0, BOND_WEI);

    DisputeGovernance.Dispute memory d = governance.getDispute(id);
    assertEq(d.disputer, disputer, "disputer");
    assertEq(uint256(d.bondWei), BOND_WEI, "bond");
    assertEq(int256(d.proposedAnswer), 0, "proposed");
    assertEq(uint256(d.votingEndsAt), endsAt, "votingEndsAt");
    assertEq(uint256(d.state), uint256(DisputeGovernance.State.Voting), "voting");
    assertEq(token.balanceOf(address(governance)), BOND_WEI, "bond held");
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Disputed), "oracle marked");
  }

  function test_dispute_revertsOnSmallBond() public {
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.BondTooSmall.selector, MIN_BOND_WEI - 1, MIN_BOND_WEI));
    governance.dispute(id, 0, MIN_BOND_WEI - 1);
  }

  function test_dispute_revertsWhenAlreadyDisputed() public {
    _dispute(0);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyExecuted.selector, id));
    governance.dispute(id, -1, BOND_WEI);
  }

  function test_dispute_bubblesOracleChecks() public {
    // The committed answer itself, an out-of-range answer, and after the window: the oracle refuses and
    // nothing of the dispute is kept.
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, int256(1)));
    governance.dispute(id, 1, BOND_WEI);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, int256(7)));
    governance.dispute(id, 7, BOND_WEI);
    bytes32 open = _request();
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, open, ResolutionOracle.Status.Open));
    governance.dispute(open, 0, BOND_WEI);
    uint64 endsAt = oracle.getRequest(id).committedAt + DISPUTE_WINDOW_SEC;
    vm.warp(endsAt);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowClosed.selector, endsAt));
    governance.dispute(id, 0, BOND_WEI);
    assertEq(uint256(governance.getDispute(id).state), uint256(DisputeGovernance.State.None), "rolled back");
  }

  function test_dispute_revertsWithoutBondAllowance() public {
    token.mint(disputer, BOND_WEI);
    vm.prank(disputer);
    vm.expectRevert(bytes("ERC20: insufficient allowance"));
    governance.dispute(id, 0, BOND_WEI);
  }

  // ================================================================
  // |                             Vote                             |
  // ================================================================

  function test_vote_emitsAndCounts() public {
    _dispute(0);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Voted(id, council[0], true);
    _vote(0, true);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.Voted(id, council[1], false);
    _vote(1, false);
    DisputeGovernance.Dispute memory d = governance.getDispute(id);
    assertEq(uint256(d.overturnVotes), 1, "overturn votes");
    assertEq(uint256(d.upholdVotes), 1, "uphold votes");
    assertEq(uint256(d.votedMask), 3, "voted mask");
  }

  function test_vote_revertsForNonMember() public {
    _dispute(0);
    vm.prank(disputer);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotCouncil.selector, disputer));
    governance.vote(id, true);
  }

  function test_vote_revertsWithoutDispute() public {
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoDispute.selector, id));
    governance.vote(id, true);
  }

  function test_vote_revertsTwice() public {
    _dispute(0);
    _vote(0, true);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyVoted.selector, id, council[0]));
    governance.vote(id, false);
  }

  function test_vote_revertsAfterDeadline() public {
    _dispute(0);
    uint64 endsAt = governance.getDispute(id).votingEndsAt;
    vm.warp(endsAt);
    vm.prank(council[0]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.VotingClosed.selector, id, endsAt));
    governance.vote(id, true);
  }

  function test_vote_revertsForStaleCouncil() public {
    _dispute(0);
    _vote(0, true);
    governance.setCouncil(council, 2); // same people, new epoch
    vm.prank(council[1]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.StaleCouncil.selector, id));
    governance.vote(id, true);
  }

  function test_vote_revertsAfterExecution() public {
    _dispute(0);
    _vote(0, false);
    _vote(1, false);
    governance.execute(id, signers);
    vm.prank(council[2]);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NoDispute.selector, id));
    governance.vote(id, true);
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
      emit Staking.Slashed(signers[i], perSigner, address(governance));
    }
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Overturned, slashed);
    governance.execute(id, signers);

    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, 0, "answer replaced by the disputer's");
    for (uint256 i = 0; i < signers.length; ++i) {
      assertEq(staking.slashableOf(signers[i]), OPERATOR_STAKE_WEI - perSigner, "signer slashed");
    }
    assertEq(staking.slashableOf(operators[3]), OPERATOR_STAKE_WEI, "non-signer untouched");
    assertEq(governance.claimableWei(disputer), BOND_WEI + reward, "disputer: bond + reward");
    assertEq(governance.claimableWei(treasury), slashed - reward, "treasury: the rest");
    assertEq(token.balanceOf(address(governance)), BOND_WEI + slashed, "governance holds what it owes");
    assertEq(oracle.claimableWei(requester), MIN_FEE_WEI, "fee refunded");

    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.AlreadyExecuted.selector, id));
    governance.execute(id, signers);
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
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Upheld, 0);
    governance.execute(id, signers);

    uint256 share = BOND_WEI / signers.length;
    uint256 total;
    for (uint256 i = 0; i < signers.length; ++i) {
      total += governance.claimableWei(signers[i]);
      assertGe(governance.claimableWei(signers[i]), share, "signer share");
      assertEq(staking.slashableOf(signers[i]), OPERATOR_STAKE_WEI, "not slashed");
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
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Expired, 0);
    governance.execute(id, signers);
    assertEq(governance.claimableWei(disputer), BOND_WEI, "bond back");
    (, int256 answer) = oracle.getResolution(id);
    assertEq(answer, 1, "answer stands");
  }

  /// @notice Replacing the council mid-vote cannot flip a decision: old votes stop counting and the
  /// dispute can only expire.
  function test_execute_councilChangeMidVoteExpires() public {
    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    governance.setCouncil(council, 2);
    vm.expectRevert(abi.encodeWithSelector(DisputeGovernance.NotDecided.selector, id));
    governance.execute(id, signers);
    vm.warp(governance.getDispute(id).votingEndsAt);
    vm.expectEmit(true, true, true, true, address(governance));
    emit DisputeGovernance.DisputeExecuted(id, DisputeGovernance.Outcome.Expired, 0);
    governance.execute(id, signers);
  }

  // ================================================================
  // |                           Withdraw                           |
  // ================================================================

  function test_withdraw_paysAndEmits() public {
    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    governance.execute(id, signers);
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
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC);
    oracle = new ResolutionOracle(IStaking(address(staking)), IERC20(address(token)), DISPUTE_WINDOW_SEC, 1, MIN_FEE_WEI);
    governance = _deployGovernance(address(token), address(staking), address(oracle), slashBps, rewardBps, treasury, council, 2);
    staking.setSlasher(address(governance));
    oracle.setGovernance(address(governance));
    delete operators;
    delete signerKeys;
    _addOperators(4, OPERATOR_STAKE_WEI);
    id = _request();
    signers = _commit(id, 1, 4);
    // Signers move part of their stake to unbonding after signing; it stays slashable.
    uint256[] memory before = new uint256[](4);
    for (uint256 i = 0; i < 4; ++i) {
      uint256 amount = bound(unbond[i], 0, OPERATOR_STAKE_WEI);
      if (amount > 0) {
        vm.prank(signers[i]);
        staking.requestUnbond(amount);
      }
      before[i] = staking.slashableOf(signers[i]);
    }

    _dispute(0);
    _vote(0, true);
    _vote(1, true);
    governance.execute(id, signers);

    uint256 slashed;
    for (uint256 i = 0; i < 4; ++i) {
      uint256 expectedCut = (before[i] * slashBps) / 10_000;
      assertEq(staking.slashableOf(signers[i]), before[i] - expectedCut, "slashed by slashBps");
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
    governance.dispute(id, 0, bond);
    _vote(0, false);
    _vote(2, false);
    governance.execute(id, signers);
    uint256 total;
    for (uint256 i = 0; i < signers.length; ++i) total += governance.claimableWei(signers[i]);
    assertEq(total, bond, "shares sum to the bond");
  }
}
