// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TestBase} from "../utils/TestBase.sol";
import {TestToken} from "../utils/TestToken.sol";
import {Staking} from "../../src/Staking.sol";
import {StakingHandler} from "./handlers/StakingHandler.sol";

/// @notice Staking's books always balance, whatever operators do (register with or without a valid proof,
/// rotate, stake, unbond, wait, withdraw), however governance admits, expels and locks them and however they
/// are slashed; the current epoch's operator set never changes while it lasts; locked stake never leaves.
contract StakingInvariantsTest is TestBase {
  uint256 internal constant MIN_STAKE_WEI = 100 ether;

  TestToken internal token;
  Staking internal staking;
  StakingHandler internal handler;

  function setUp() public {
    token = new TestToken();
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, 7 days, 1 hours);
    address[] memory actors = new address[](5);
    for (uint256 i = 0; i < actors.length; ++i) actors[i] = address(uint160(0xA0 + i));
    handler = new StakingHandler(staking, token, actors);
    staking.setSlasher(address(handler));
    staking.transferOwnership(address(handler));
    vm.prank(address(handler));
    staking.acceptOwnership();
  }

  /// @dev Read by forge: only the handler is called during invariant runs.
  function targetContracts() public view returns (address[] memory targets) {
    targets = new address[](1);
    targets[0] = address(handler);
  }

  function invariant_totalStakeIsSumOfOperatorStakes() public view {
    address[] memory actors = handler.actors();
    uint256 sum;
    for (uint256 i = 0; i < actors.length; ++i) {
      (, uint256 bonded, uint256 unbonding, ) = staking.getOperator(actors[i]);
      assertEq(staking.slashableOf(actors[i]), bonded + unbonding, "slashableOf == bonded + unbonding");
      sum += bonded + unbonding;
    }
    assertEq(staking.totalStakedWei(), sum, "totalStakedWei == sum of operator stakes");
  }

  function invariant_totalStakeIsDepositsMinusWithdrawalsMinusSlashes() public view {
    assertEq(
      staking.totalStakedWei(),
      handler.ghostDepositedWei() - handler.ghostWithdrawnWei() - handler.ghostSlashedWei(),
      "totalStakedWei == deposits - withdrawals - slashes"
    );
    assertEq(staking.totalSlashedWei(), handler.ghostSlashedWei(), "totalSlashedWei");
    assertEq(token.balanceOf(handler.slashRecipient()), handler.ghostSlashedWei(), "slashes reached the recipient");
  }

  function invariant_tokenBalanceIsTotalStake() public view {
    assertEq(token.balanceOf(address(staking)), staking.totalStakedWei(), "balanceOf(staking) == totalStakedWei");
  }

  function invariant_slashNeverExceedsStake() public view {
    assertEq(handler.ghostOverslashAccepted(), 0, "a slash beyond slashableOf was accepted");
  }

  /// @notice The member count of the current and the next epoch is the number of operators that are members
  /// of it; the next epoch's set is exactly the admitted operators with a signer and the minimum bonded.
  function invariant_memberCountsMatchOperators() public view {
    address[] memory actors = handler.actors();
    uint32 epoch = staking.currentEpoch();
    uint256 active;
    uint256 next;
    for (uint256 i = 0; i < actors.length; ++i) {
      (address signer, uint256 bonded, , ) = staking.getOperator(actors[i]);
      if (staking.isActive(actors[i])) ++active;
      bool shouldBeNext = signer != address(0) && bonded >= MIN_STAKE_WEI && staking.isAdmitted(actors[i]);
      assertEq(staking.isMemberAt(signer, epoch + 1), shouldBeNext, "next epoch's membership");
      if (shouldBeNext) ++next;
      if (signer != address(0)) assertEq(staking.operatorOfSigner(signer), actors[i], "signer maps back to its operator");
    }
    assertEq(staking.activeOperatorCount(), active, "activeOperatorCount");
    assertEq(staking.memberCountAt(epoch + 1), next, "next epoch's count");
  }

  function invariant_currentSetNeverChangesWithinItsEpoch() public view {
    assertEq(handler.ghostCurrentSetChanges(), 0, "the current epoch's member count changed");
  }

  function invariant_lockedStakeNeverLeaves() public view {
    assertEq(handler.ghostLockedWithdrawals(), 0, "a withdrawal went through while locked");
  }
}
