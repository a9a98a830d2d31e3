// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {TestToken} from "./utils/TestToken.sol";
import {Staking} from "../src/Staking.sol";

/// @notice Staking: registration with proof, admission, epochs (joins and leaves at the next epoch), the member
/// counts, unbonding, locks, slashing, every event, every revert path, and fuzzed amounts.
contract StakingTest is SibylTest {
  address internal alice = address(0xA11CE);
  uint256 internal constant ALICE_KEY = 0xA5;
  address internal aliceSigner;
  address internal slasher = address(0x51A5);

  function setUp() public {
    // A standalone Staking whose slasher is a plain address, so slashing can be driven directly.
    token = new TestToken();
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    staking.setSlasher(slasher);
    aliceSigner = vm.addr(ALICE_KEY);
  }

  function _register(address operator, uint256 key) internal {
    _registerSigner(operator, key);
  }

  /// Registers with proof, admits and stakes; a member from the next epoch.
  function _registerAndStake(address operator, uint256 key, uint256 amountWei) internal {
    _register(operator, key);
    staking.admit(operator);
    _stake(operator, amountWei);
  }

  function _signers1(address a) internal pure returns (address[] memory xs) {
    xs = new address[](1);
    xs[0] = a;
  }

  // ================================================================
  // |                         Constructor                          |
  // ================================================================

  function test_constructor_revertsOnZeroToken() public {
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    new Staking(IERC20(address(0)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
  }

  function test_constructor_revertsOnZeroMinStakeOrEpoch() public {
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAmount.selector));
    new Staking(IERC20(address(token)), 0, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAmount.selector));
    new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, 0);
  }

  function test_constructor_setsParameters() public view {
    assertEq(address(staking.token()), address(token), "token");
    assertEq(staking.minStakeWei(), MIN_STAKE_WEI, "minStakeWei");
    assertEq(uint256(staking.unbondingDelaySec()), uint256(UNBONDING_DELAY_SEC), "unbondingDelaySec");
    assertEq(uint256(staking.epochLengthSec()), uint256(EPOCH_LENGTH_SEC), "epochLengthSec");
    assertEq(uint256(staking.genesisTimestamp()), block.timestamp, "genesis");
    assertEq(uint256(staking.currentEpoch()), 0, "epoch 0 at deployment");
    assertEq(staking.slasher(), slasher, "slasher");
  }

  // ================================================================
  // |                          Slasher                             |
  // ================================================================

  function test_setSlasher_emitsAndIsOnce() public {
    Staking fresh = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    vm.expectEmit(true, true, true, true, address(fresh));
    emit Staking.SlasherSet(slasher);
    fresh.setSlasher(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.SlasherAlreadySet.selector, slasher));
    fresh.setSlasher(address(0xBEEF));
  }

  function test_setSlasher_revertsOnZero() public {
    Staking fresh = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    fresh.setSlasher(address(0));
  }

  function test_setSlasher_onlyOwner() public {
    Staking fresh = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
    vm.prank(alice);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    fresh.setSlasher(slasher);
  }

  // ================================================================
  // |                        Registration                          |
  // ================================================================

  function test_registerSigner_emits() public {
    bytes memory proof = _registrationProof(address(staking), ALICE_KEY, alice);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.SignerRegistered(alice, aliceSigner, address(0));
    vm.prank(alice);
    staking.registerSigner(aliceSigner, proof);
    assertEq(staking.operatorOfSigner(aliceSigner), alice, "operatorOfSigner");
  }

  function test_registerSigner_revertsOnZero() public {
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    staking.registerSigner(address(0), "");
  }

  function test_registerSigner_revertsWithoutAValidProof() public {
    bytes memory proof = _registrationProof(address(staking), ALICE_KEY, alice);
    // Another operator, another contract, a malformed or high-s proof: refused.
    vm.prank(address(0xB0B));
    vm.expectRevert(abi.encodeWithSelector(Staking.InvalidSignerProof.selector, aliceSigner));
    staking.registerSigner(aliceSigner, proof);
    bytes memory elsewhere = _registrationProof(address(0x5EC0), ALICE_KEY, alice);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.InvalidSignerProof.selector, aliceSigner));
    staking.registerSigner(aliceSigner, elsewhere);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.InvalidSignerProof.selector, aliceSigner));
    staking.registerSigner(aliceSigner, hex"1234");
    bytes32 r;
    bytes32 sigS;
    uint8 v;
    assembly {
      r := mload(add(proof, 32))
      sigS := mload(add(proof, 64))
      v := byte(0, mload(add(proof, 96)))
    }
    bytes memory highS = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(sigS)), v == 27 ? uint8(28) : uint8(27));
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.InvalidSignerProof.selector, aliceSigner));
    staking.registerSigner(aliceSigner, highS);
  }

  function test_registerSigner_revertsWhenTaken() public {
    _register(alice, ALICE_KEY);
    bytes memory proof = _registrationProof(address(staking), ALICE_KEY, address(0xB0B));
    vm.prank(address(0xB0B));
    vm.expectRevert(abi.encodeWithSelector(Staking.SignerTaken.selector, aliceSigner, alice));
    staking.registerSigner(aliceSigner, proof);
    // Re-registering one's own signer is also refused: it is taken (by oneself).
    proof = _registrationProof(address(staking), ALICE_KEY, alice);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.SignerTaken.selector, aliceSigner, alice));
    staking.registerSigner(aliceSigner, proof);
  }

  /// @notice A rotation carries stake and membership over to the new key at once; the old key stops counting
  /// but stays attributed to its operator, and can never be registered again.
  function test_registerSigner_rotationCarriesStakeAndMembership() public {
    _registerAndStake(alice, ALICE_KEY, 150 ether);
    _nextEpoch();
    uint32 epoch = staking.currentEpoch();
    uint256 newKey = 0xA6;
    address newSigner = vm.addr(newKey);
    bytes memory proof = _registrationProof(address(staking), newKey, alice);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MembershipScheduled(alice, aliceSigner, 0, 0);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.SignerRegistered(alice, newSigner, aliceSigner);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MembershipScheduled(alice, newSigner, epoch, staking.NO_EPOCH());
    vm.prank(alice);
    staking.registerSigner(newSigner, proof);

    (address signer, uint256 stakeWei, , ) = staking.getOperator(alice);
    assertEq(signer, newSigner, "signer rotated");
    assertEq(stakeWei, 150 ether, "stake carried over");
    assertEq(staking.operatorOfSigner(aliceSigner), alice, "the old key stays attributed");
    assertTrue(staking.isActive(alice), "still a member");
    assertEq(staking.activeOperatorCount(), 1, "still one member");
    address[] memory query = new address[](2);
    query[0] = aliceSigner;
    query[1] = newSigner;
    (uint256 mask, uint256 members, uint256 count) = staking.membersOf(query, epoch);
    assertEq(mask, 2, "only the new signer counts");
    assertEq(members, 1, "members");
    assertEq(count, 1, "member count");
    address[] memory ops = staking.operatorsOf(query);
    assertEq(ops[0], alice, "old key still attributed");
    assertEq(ops[1], alice, "new key");
    // The old key cannot come back, not even to its operator.
    proof = _registrationProof(address(staking), ALICE_KEY, alice);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.SignerTaken.selector, aliceSigner, alice));
    staking.registerSigner(aliceSigner, proof);
  }

  // ================================================================
  // |                      Admission and epochs                    |
  // ================================================================

  function test_admit_onlyOwnerAndEmits() public {
    vm.prank(alice);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    staking.admit(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    staking.admit(address(0));
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.OperatorAdmitted(alice);
    staking.admit(alice);
    assertTrue(staking.isAdmitted(alice), "admitted");
  }

  function test_membershipNeedsAdmissionAndStakeInEitherOrder() public {
    _register(alice, ALICE_KEY);
    _stake(alice, MIN_STAKE_WEI);
    _nextEpoch();
    assertFalse(staking.isActive(alice), "staked but not admitted");
    uint32 next = staking.currentEpoch() + 1;
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MembershipScheduled(alice, aliceSigner, next, staking.NO_EPOCH());
    staking.admit(alice);
    assertFalse(staking.isActive(alice), "from the next epoch only");
    _nextEpoch();
    assertTrue(staking.isActive(alice), "member");
  }

  function test_expel_byOwnerOrSlasherLeavesAtTheNextEpoch() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    _nextEpoch();
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.OnlyOwnerOrSlasher.selector, alice));
    staking.expel(alice);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.OperatorExpelled(alice, slasher);
    vm.prank(slasher);
    staking.expel(alice);
    assertTrue(staking.isActive(alice), "still a member of this epoch");
    _nextEpoch();
    assertFalse(staking.isActive(alice), "out");
    // Topping up does not bring an expelled operator back.
    _stake(alice, 1);
    _nextEpoch();
    assertFalse(staking.isActive(alice), "still out");
  }

  function test_stake_emitsStakedAndSchedulesTheJoin() public {
    _register(alice, ALICE_KEY);
    staking.admit(alice);
    token.mint(alice, MIN_STAKE_WEI);
    vm.prank(alice);
    token.approve(address(staking), MIN_STAKE_WEI);

    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.Staked(alice, MIN_STAKE_WEI, MIN_STAKE_WEI);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MemberCountScheduled(1, 1);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MembershipScheduled(alice, aliceSigner, 1, staking.NO_EPOCH());
    vm.prank(alice);
    staking.stake(MIN_STAKE_WEI);
    assertFalse(staking.isActive(alice), "not in the current epoch");
    assertEq(staking.activeOperatorCount(), 0, "n of the current epoch unchanged");
    assertEq(staking.memberCountAt(1), 1, "n of the next epoch");
    assertEq(staking.totalStakedWei(), MIN_STAKE_WEI, "totalStakedWei");
    assertEq(token.balanceOf(address(staking)), MIN_STAKE_WEI, "token balance");
    _nextEpoch();
    assertTrue(staking.isActive(alice), "member of the next epoch");
  }

  function test_stake_belowMinimumIsNotActive() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI - 1);
    _nextEpoch();
    assertFalse(staking.isActive(alice), "inactive below minimum");
    assertEq(staking.activeOperatorCount(), 0, "no active operators");
    (uint256 mask, , ) = staking.membersOf(_signers1(aliceSigner), staking.currentEpoch());
    assertEq(mask, 0, "under-staked signer is not a member");
  }

  function test_membersOf_answersOnlyTheCurrentAndPreviousEpoch() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    _nextEpoch();
    _nextEpoch();
    _nextEpoch();
    uint32 current = staking.currentEpoch();
    vm.expectRevert(abi.encodeWithSelector(Staking.EpochOutOfRange.selector, current + 1, current));
    staking.membersOf(_signers1(aliceSigner), current + 1);
    vm.expectRevert(abi.encodeWithSelector(Staking.EpochOutOfRange.selector, current - 2, current));
    staking.membersOf(_signers1(aliceSigner), current - 2);
    (, , uint256 count) = staking.membersOf(_signers1(aliceSigner), current - 1);
    assertEq(count, 1, "previous epoch");
    vm.expectRevert(abi.encodeWithSelector(Staking.TooManySigners.selector, 257));
    staking.membersOf(new address[](257), current);
  }

  /// @notice Joins and leaves in one epoch only ever change the next one; undoing a change restores it.
  function test_togglingWithinAnEpochOnlyMovesTheNextEpoch() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    _nextEpoch();
    uint32 epoch = staking.currentEpoch();
    token.mint(alice, 10);
    vm.prank(alice);
    token.approve(address(staking), 10);
    for (uint256 i = 0; i < 10; ++i) {
      vm.prank(alice);
      if (i % 2 == 0) staking.requestUnbond(1);
      else staking.stake(1);
      assertEq(staking.memberCountAt(epoch), 1, "this epoch fixed");
      assertEq(staking.memberCountAt(epoch + 1), i % 2 == 0 ? 0 : 1, "the next epoch follows");
      assertTrue(staking.isMemberAt(aliceSigner, epoch), "member now");
    }
    // Ending the epoch with a leave, then rejoining: out for one epoch, back after.
    vm.prank(alice);
    staking.requestUnbond(1);
    _nextEpoch();
    assertFalse(staking.isActive(alice), "left");
    vm.prank(alice);
    staking.stake(1);
    _nextEpoch();
    assertTrue(staking.isActive(alice), "back");
  }

  function test_stake_revertsPastMaxActiveOperators() public {
    uint256 max = staking.MAX_ACTIVE_OPERATORS();
    for (uint256 i = 0; i < max; ++i) _registerAndStake(address(uint160(0x10000 + i)), 0x20000 + i, MIN_STAKE_WEI);
    _nextEpoch();
    assertEq(staking.activeOperatorCount(), max, "full");
    address extra = address(uint160(0x10000 + max));
    _register(extra, 0x20000 + max);
    staking.admit(extra);
    token.mint(extra, MIN_STAKE_WEI);
    vm.prank(extra);
    token.approve(address(staking), MIN_STAKE_WEI);
    vm.prank(extra);
    vm.expectRevert(abi.encodeWithSelector(Staking.TooManyActiveOperators.selector, max));
    staking.stake(MIN_STAKE_WEI);
    // Staking below the minimum does not take a slot and still works.
    vm.prank(extra);
    staking.stake(MIN_STAKE_WEI - 1);
    assertEq(staking.memberCountAt(staking.currentEpoch() + 1), max, "still full");
  }

  function test_stake_revertsOnZero() public {
    _register(alice, ALICE_KEY);
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
    _registerAndStake(alice, ALICE_KEY, 1);
    uint256 tooMuch = uint256(type(uint96).max);
    token.mint(alice, tooMuch);
    vm.prank(alice);
    token.approve(address(staking), tooMuch);
    vm.prank(alice);
    vm.expectRevert(bytes("SafeCast: value doesn't fit in 96 bits"));
    staking.stake(tooMuch);
  }

  // ================================================================
  // |                     Unbonding and withdrawal                  |
  // ================================================================

  function test_requestUnbond_emitsAndLeavesAtTheNextEpoch() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    _nextEpoch();
    uint32 epoch = staking.currentEpoch();
    uint64 readyAt = staking.epochStartsAt(epoch + 2) + UNBONDING_DELAY_SEC;
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.UnbondRequested(alice, 1, 1, readyAt);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MembershipScheduled(alice, aliceSigner, epoch, epoch + 1);
    vm.prank(alice);
    staking.requestUnbond(1);
    assertTrue(staking.isActive(alice), "still a member of this epoch");
    assertEq(staking.slashableOf(alice), MIN_STAKE_WEI, "unbonding stays slashable");
    _nextEpoch();
    assertFalse(staking.isActive(alice), "left");
  }

  function test_requestUnbond_revertsOnZero() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
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
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, MIN_STAKE_WEI + 1, MIN_STAKE_WEI));
    staking.requestUnbond(MIN_STAKE_WEI + 1);
  }

  function test_withdraw_afterDelay() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.requestUnbond(40 ether);
    uint64 readyAt = staking.epochStartsAt(staking.currentEpoch() + 2) + UNBONDING_DELAY_SEC;

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
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.requestUnbond(1 ether);
    vm.warp(block.timestamp + UNBONDING_DELAY_SEC - 1);
    vm.prank(alice);
    staking.requestUnbond(1 ether);
    uint64 readyAt = staking.epochStartsAt(staking.currentEpoch() + 2) + UNBONDING_DELAY_SEC;
    vm.warp(block.timestamp + 1);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotReady.selector, readyAt));
    staking.withdraw();
  }

  // ================================================================
  // |                             Locks                            |
  // ================================================================

  function test_lock_holdsWithdrawalsUntilAsManyUnlocks() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.prank(alice);
    staking.requestUnbond(MIN_STAKE_WEI);
    address[] memory ops = _signers1(alice);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.OnlySlasher.selector, alice));
    staking.lock(ops);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.StakeLocked(alice, 1);
    vm.prank(slasher);
    staking.lock(ops);
    vm.prank(slasher);
    staking.lock(ops);
    vm.warp(block.timestamp + UNBONDING_DELAY_SEC + 3 * EPOCH_LENGTH_SEC);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.StakeIsLocked.selector, alice, 2));
    staking.withdraw();
    vm.prank(slasher);
    staking.unlock(ops);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.StakeIsLocked.selector, alice, 1));
    staking.withdraw();
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.StakeUnlocked(alice, 0);
    vm.prank(slasher);
    staking.unlock(ops);
    vm.prank(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.NotLocked.selector, alice));
    staking.unlock(ops);
    vm.prank(alice);
    staking.withdraw();
    assertEq(token.balanceOf(alice), MIN_STAKE_WEI, "withdrawn once unlocked");
  }

  function test_sweepExcess_onlyWhatIsNotOwed() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAmount.selector));
    staking.sweepExcess(treasury);
    token.mint(address(staking), 5);
    vm.prank(alice);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    staking.sweepExcess(alice);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.ExcessSwept(treasury, 5);
    staking.sweepExcess(treasury);
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "stake untouched");
  }

  // ================================================================
  // |                           Slashing                           |
  // ================================================================

  function test_slash_onlySlasher() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.prank(alice);
    vm.expectRevert(abi.encodeWithSelector(Staking.OnlySlasher.selector, alice));
    staking.slash(alice, 1, alice);
  }

  function test_slash_revertsOnZeroRecipient() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    vm.prank(slasher);
    vm.expectRevert(abi.encodeWithSelector(Staking.ZeroAddress.selector));
    staking.slash(alice, 1, address(0));
  }

  function test_slash_revertsBeyondStake() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
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
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI + 50 ether);
    vm.prank(alice);
    staking.requestUnbond(60 ether); // bonded 90, unbonding 60: leaves at the next epoch

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

  function test_slash_belowTheMinimumLeavesAtTheNextEpoch() public {
    _registerAndStake(alice, ALICE_KEY, MIN_STAKE_WEI);
    _nextEpoch();
    uint32 epoch = staking.currentEpoch();
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.Slashed(alice, 1, treasury);
    vm.expectEmit(true, true, true, true, address(staking));
    emit Staking.MembershipScheduled(alice, aliceSigner, epoch, epoch + 1);
    vm.prank(slasher);
    staking.slash(alice, 1, treasury);
    assertEq(staking.activeOperatorCount(), 1, "this epoch unchanged");
    _nextEpoch();
    assertEq(staking.activeOperatorCount(), 0, "out from the next");
  }

  // ================================================================
  // |                            Fuzz                              |
  // ================================================================

  function testFuzz_stakeUnbondWithdrawConservesTokens(uint96 stakeWei, uint96 unbondWei, uint32 waitSec) public {
    stakeWei = uint96(bound(stakeWei, 1, type(uint96).max));
    unbondWei = uint96(bound(unbondWei, 1, stakeWei));
    _registerAndStake(alice, ALICE_KEY, stakeWei);
    _nextEpoch();
    assertEq(staking.isActive(alice), stakeWei >= MIN_STAKE_WEI, "active iff stake >= minimum");

    vm.prank(alice);
    staking.requestUnbond(unbondWei);
    uint64 readyAt = staking.epochStartsAt(staking.currentEpoch() + 2) + UNBONDING_DELAY_SEC;
    _nextEpoch();
    assertEq(staking.isActive(alice), stakeWei - unbondWei >= MIN_STAKE_WEI, "active after unbond");
    assertEq(staking.slashableOf(alice), stakeWei, "all still slashable");

    vm.warp(block.timestamp + waitSec);
    vm.prank(alice);
    if (block.timestamp < readyAt) {
      vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotReady.selector, readyAt));
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
    _registerAndStake(alice, ALICE_KEY, stakeWei);
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
      _registerAndStake(address(uint160(0x10000 + i)), 0x20000 + i, amountWei);
      if (amountWei >= MIN_STAKE_WEI) ++expectedActive;
    }
    assertEq(staking.activeOperatorCount(), 0, "nobody in the current epoch yet");
    _nextEpoch();
    assertEq(staking.activeOperatorCount(), expectedActive, "activeOperatorCount");
  }
}
