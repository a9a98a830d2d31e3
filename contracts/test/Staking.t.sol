// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {TestToken} from "./utils/TestToken.sol";
import {Staking} from "../src/Staking.sol";

/// @notice Staking: lifecycle, every event, every revert path, and fuzzed amounts.
contract StakingTest is SibylTest {
  address internal alice = address(0xA11CE);
  address internal aliceSigner = address(0xA5);
  address internal slasher = address(0x51A5);

  function setUp() public {
    // A standalone Staking whose slasher is a plain address, so slashing can be driven directly.
    token = new TestToken();
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC);
    staking.setSlasher(slasher);
  }

  function _registerAndStake(address operator, address signer, uint256 amountWei) internal {
    vm.prank(operator);
    staking.registerSigner(signer);
    _stake(operator, amountWei);
  }

  // ================================================================
  // |                         Constructor                          |
  // ================================================================

  function test_constructor_revertsOnZeroToken() public {
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    new Staking(IERC20(address(0)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC);
  }

  function test_constructor_revertsOnZeroMinStake() public {
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAmount.selector));
    new Staking(IERC20(address(token)), 0, UNBONDING_DELAY_SEC);
  }

  function test_constructor_setsParameters() public view {
    assertEq(address(staking.token()), address(token), "token");
    assertEq(staking.minStakeWei(), MIN_STAKE_WEI, "minStakeWei");
    assertEq(uint256(staking.unbondingDelaySec()), uint256(UNBONDING_DELAY_SEC), "unbondingDelaySec");
    assertEq(staking.slasher(), slasher, "slasher");
  }

  // ================================================================
  // |                          Slasher                             |
  // ================================================================

  function test_setSlasher_emitsAndIsOnce() public {
    Staking fresh = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC);
    vm.expectEmit(true, true, true, true, address(fresh));
    emit Staking.SlasherSet(slasher);
    fresh.setSlasher(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.SlasherAlreadySet.selector, slasher));
    fresh.setSlasher(address(0xBEEF));
  }

  function test_setSlasher_revertsOnZero() public {
    Staking fresh = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    fresh.setSlasher(address(0));
  }

  function test_setSlasher_onlyOwner() public {
    Staking fresh = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC);
    vm.prank(alice);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    fresh.setSlasher(slasher);
  }

  // ================================================================
  // |                        Registration                          |
  // ================================================================

  function test_registerSigner_emits() public {
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.SignerRegistered(alice, aliceSigner, address(0));
    vm.prank(alice);
    staking.registerSigner(aliceSigner);
    assertEq(staking.operatorOfSigner(aliceSigner), alice, "operatorOfSigner");
  }

  function test_registerSigner_revertsOnZero() public {
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    staking.registerSigner(address(0));
  }

  function test_registerSigner_revertsWhenTaken() public {
    vm.prank(alice);
    staking.registerSigner(aliceSigner);
    vm.prank(address(0xB0B));
    vm.expectRevert(abi.encodeWithSelector(Staking.SignerTaken.selector, aliceSigner, alice));
    staking.registerSigner(aliceSigner);
    // Re-registering one's own signer is also refused: it is taken (by oneself).
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.SignerTaken.selector, aliceSigner, alice));
    staking.registerSigner(aliceSigner);
  }

  function test_registerSigner_rotationCarriesStakeAndFreesOldSigner() public {
    _registerAndStake(alice, aliceSigner, 150 ether);
    address newSigner = address(0xA6);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.SignerRegistered(alice, newSigner, aliceSigner);
    vm.prank(alice);
    staking.registerSigner(newSigner);

    (address signer, uint256 stakeWei, , ) = staking.getOperator(alice);
    assertEq(signer, newSigner, "signer rotated");
    assertEq(stakeWei, 150 ether, "stake carried over");
    assertEq(staking.operatorOfSigner(aliceSigner), address(0), "old signer freed");
    assertEq(staking.activeOperatorCount(), 1, "still one active operator");
    address[] memory query = new address[](2);
    query[0] = aliceSigner;
    query[1] = newSigner;
    (address[] memory ops, uint256 active) = staking.operatorsOfSigners(query);
    assertEq(ops[0], address(0), "old signer no longer counts");
    assertEq(ops[1], alice, "new signer counts");
    assertEq(active, 1, "active count");
  }

  // ================================================================
  // |                           Staking                            |
  // ================================================================

  function test_stake_emitsStakedAndActivated() public {
    vm.prank(alice);
    staking.registerSigner(aliceSigner);
    token.mint(alice, MIN_STAKE_WEI);
    vm.prank(alice);
    token.approve(address(staking), MIN_STAKE_WEI);

    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.OperatorActivated(alice, aliceSigner);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.Staked(alice, MIN_STAKE_WEI, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.stake(MIN_STAKE_WEI);
    assertTrue(staking.isActive(alice), "active");
    assertEq(staking.totalStakedWei(), MIN_STAKE_WEI, "totalStakedWei");
    assertEq(token.balanceOf(address(staking)), MIN_STAKE_WEI, "token balance");
  }

  function test_stake_belowMinimumIsNotActive() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI - 1);
    assertFalse(staking.isActive(alice), "inactive below minimum");
    assertEq(staking.activeOperatorCount(), 0, "no active operators");
    address[] memory query = new address[](1);
    query[0] = aliceSigner;
    (address[] memory ops, ) = staking.operatorsOfSigners(query);
    assertEq(ops[0], address(0), "under-staked signer is not an operator");
  }

  function test_stake_revertsOnZero() public {
    vm.prank(alice);
    staking.registerSigner(aliceSigner);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAmount.selector));
    staking.stake(0);
  }

  function test_stake_revertsWhenNotRegistered() public {
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.NotRegistered.selector, alice));
    staking.stake(1 ether);
  }

  function test_stake_revertsAboveUint96() public {
    _registerAndStake(alice, aliceSigner, 1);
    uint256 tooMuch = uint256(type(uint96).max);
    token.mint(alice, tooMuch);
    vm.prank(alice);
    token.approve(address(staking), tooMuch);
    vm.prank(alice);
    vm.expectRevert(bytes("SafeCast: value doesn't fit in 96 bits"));
    staking.stake(tooMuch);
  }

  function test_stake_revertsPastMaxActiveOperators() public {
    uint256 max = staking.MAX_ACTIVE_OPERATORS();
    for (uint256 i = 0; i < max; ++i) {
      _registerAndStake(address(uint160(0x10000 + i)), address(uint160(0x20000 + i)), MIN_STAKE_WEI);
    }
    assertEq(staking.activeOperatorCount(), max, "full");
    address extra = address(uint160(0x10000 + max));
    vm.prank(extra);
    staking.registerSigner(address(uint160(0x20000 + max)));
    token.mint(extra, MIN_STAKE_WEI);
    vm.prank(extra);
    token.approve(address(staking), MIN_STAKE_WEI);
    vm.prank(extra);
    vm.expectRevert(abi.encodeWithSelector(Staking.TooManyActiveOperators.selector, max));
    staking.stake(MIN_STAKE_WEI);
    // Staking below the minimum does not take a slot and still works.
    vm.prank(extra);
    staking.stake(MIN_STAKE_WEI - 1);
    assertEq(staking.activeOperatorCount(), max, "still full");
  }

  // ================================================================
  // |                     Unbonding and withdrawal                  |
  // ================================================================

  function test_requestUnbond_emitsAndDeactivates() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    uint64 readyAt = uint64(block.timestamp) + UNBONDING_DELAY_SEC;
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.OperatorDeactivated(alice, aliceSigner);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.UnbondRequested(alice, 1, 1, readyAt);
    vm.prank(alice);
    staking.requestUnbond(1);
    assertFalse(staking.isActive(alice), "deactivated");
    assertEq(staking.slashableOf(alice), MIN_STAKE_WEI, "unbonding stays slashable");
  }

  function test_requestUnbond_revertsOnZero() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAmount.selector));
    staking.requestUnbond(0);
  }

  function test_requestUnbond_revertsWhenNotRegistered() public {
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.NotRegistered.selector, alice));
    staking.requestUnbond(1);
  }

  function test_requestUnbond_revertsAboveStake() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, MIN_STAKE_WEI + 1, MIN_STAKE_WEI));
    staking.requestUnbond(MIN_STAKE_WEI + 1);
  }

  function test_withdraw_afterDelay() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.requestUnbond(40 ether);
    uint64 readyAt = uint64(block.timestamp) + UNBONDING_DELAY_SEC;

    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotReady.selector, readyAt));
    staking.withdraw();

    vm.warp(readyAt);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.Withdrawn(alice, 40 ether);
    vm.prank(alice);
    staking.withdraw();
    assertEq(token.balanceOf(alice), 40 ether, "paid out");
    assertEq(staking.totalStakedWei(), MIN_STAKE_WEI - 40 ether, "totalStakedWei");
  }

  function test_withdraw_revertsWithNothing() public {
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.NothingToWithdraw.selector));
    staking.withdraw();
  }

  function test_requestUnbond_restartsTheDelay() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.requestUnbond(1 ether);
    vm.warp(block.timestamp + UNBONDING_DELAY_SEC - 1);
    vm.prank(alice);
    staking.requestUnbond(1 ether);
    uint64 readyAt = uint64(block.timestamp) + UNBONDING_DELAY_SEC;
    vm.warp(block.timestamp + 1);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotReady.selector, readyAt));
    staking.withdraw();
  }

  // ================================================================
  // |                           Slashing                           |
  // ================================================================

  function test_slash_onlySlasher() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.OnlySlasher.selector, alice));
    staking.slash(alice, 1, alice);
  }

  function test_slash_revertsOnZeroRecipient() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    staking.slash(alice, 1, address(0));
  }

  function test_slash_revertsBeyondStake() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.requestUnbond(30 ether);
    vm.prank(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.SlashExceedsStake.selector, alice, MIN_STAKE_WEI + 1, MIN_STAKE_WEI));
    staking.slash(alice, MIN_STAKE_WEI + 1, treasury);
  }

  function test_slash_unknownOperatorHasNothing() public {
    vm.prank(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.SlashExceedsStake.selector, alice, 1, 0));
    staking.slash(alice, 1, treasury);
    // A zero slash of nothing is a no-op.
    vm.prank(slasher);
    staking.slash(alice, 0, treasury);
    assertEq(staking.totalSlashedWei(), 0, "nothing slashed");
  }

  function test_slash_takesBondFirstThenUnbonding() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI + 50 ether);
    vm.prank(alice);
    staking.requestUnbond(60 ether); // bonded 90, unbonding 60: inactive
    assertFalse(staking.isActive(alice), "inactive");

    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.Slashed(alice, 100 ether, treasury);
    vm.prank(slasher);
    staking.slash(alice, 100 ether, treasury);

    (, uint256 stakeWei, uint256 unbondingWei, ) = staking.getOperator(alice);
    assertEq(stakeWei, 0, "bond emptied first");
    assertEq(unbondingWei, 50 ether, "rest from unbonding");
    assertEq(token.balanceOf(treasury), 100 ether, "recipient paid");
    assertEq(staking.totalSlashedWei(), 100 ether, "totalSlashedWei");
    assertEq(staking.totalStakedWei(), 50 ether, "totalStakedWei");
  }

  function test_slash_emitsDeactivated() public {
    _registerAndStake(alice, aliceSigner, MIN_STAKE_WEI);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.OperatorDeactivated(alice, aliceSigner);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.Slashed(alice, 1, treasury);
    vm.prank(slasher);
    staking.slash(alice, 1, treasury);
    assertEq(staking.activeOperatorCount(), 0, "deactivated by the slash");
  }

  // ================================================================
  // |                            Fuzz                              |
  // ================================================================

  function testFuzz_stakeUnbondWithdrawConservesTokens(uint96 stakeWei, uint96 unbondWei, uint32 waitSec) public {
    stakeWei = uint96(bound(stakeWei, 1, type(uint96).max));
    unbondWei = uint96(bound(unbondWei, 1, stakeWei));
    _registerAndStake(alice, aliceSigner, stakeWei);
    assertEq(staking.isActive(alice), stakeWei >= MIN_STAKE_WEI, "active iff stake >= minimum");

    vm.prank(alice);
    staking.requestUnbond(unbondWei);
    assertEq(staking.isActive(alice), stakeWei - unbondWei >= MIN_STAKE_WEI, "active after unbond");
    assertEq(staking.slashableOf(alice), stakeWei, "all still slashable");

    vm.warp(block.timestamp + waitSec);
    vm.prank(alice);
    if (waitSec < UNBONDING_DELAY_SEC) {
      vm.expectRevert(
        abi.encodeWithSelector(Staking.UnbondingNotReady.selector, uint64(block.timestamp - waitSec) + UNBONDING_DELAY_SEC)
      );
      staking.withdraw();
    } else {
      staking.withdraw();
      assertEq(token.balanceOf(alice), unbondWei, "withdrawn");
    }
    (, uint256 bonded, uint256 unbonding, ) = staking.getOperator(alice);
    assertEq(bonded + unbonding, staking.totalStakedWei(), "one operator: its stake is the total");
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "balance == totalStakedWei");
  }

  function testFuzz_slashNeverExceedsStake(uint96 stakeWei, uint96 unbondWei, uint256 slashWei) public {
    stakeWei = uint96(bound(stakeWei, 1, type(uint96).max));
    unbondWei = uint96(bound(unbondWei, 0, stakeWei));
    _registerAndStake(alice, aliceSigner, stakeWei);
    if (unbondWei > 0) {
      vm.prank(alice);
      staking.requestUnbond(unbondWei);
    }
    uint256 slashable = staking.slashableOf(alice);
    assertEq(slashable, stakeWei, "slashable is bonded + unbonding");

    vm.prank(slasher);
    if (slashWei > slashable) {
      vm.expectRevert(abi.encodeWithSelector(Staking.SlashExceedsStake.selector, alice, slashWei, slashable));
      staking.slash(alice, slashWei, treasury);
      return;
    }
    staking.slash(alice, slashWei, treasury);
    (, uint256 bonded, uint256 unbonding, ) = staking.getOperator(alice);
    assertEq(bonded + unbonding, slashable - slashWei, "stake reduced by exactly the slash");
    assertEq(bonded, slashWei <= stakeWei - unbondWei ? stakeWei - unbondWei - slashWei : 0, "bond slashed first");
    assertEq(token.balanceOf(treasury), slashWei, "recipient got the slash");
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "balance == totalStakedWei");
  }

  function testFuzz_activeCountTracksThreshold(uint96[6] memory stakes) public {
    uint256 expectedActive;
    for (uint256 i = 0; i < stakes.length; ++i) {
      uint256 amountWei = bound(stakes[i], 1, 3 * MIN_STAKE_WEI);
      _registerAndStake(address(uint160(0x10000 + i)), address(uint160(0x20000 + i)), amountWei);
      if (amountWei >= MIN_STAKE_WEI) ++expectedActive;
    }
    assertEq(staking.activeOperatorCount(), expectedActive, "activeOperatorCount");
  }
}
