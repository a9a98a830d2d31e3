// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TestBase} from "../utils/TestBase.sol";
import {TestToken} from "../utils/TestToken.sol";
import {Staking} from "../../src/Staking.sol";
import {StakingHandler} from "./handlers/StakingHandler.sol";

/// @notice Staking's books always balance, whatever operators do (register, rotate, stake, unbond, wait,
/// withdraw) and however they are slashed.
contract StakingInvariantsTest is TestBase {
  uint256 internal constant MIN_STAKE_WEI = 100 ether;

  TestToken internal token;
  Staking internal staking;
  StakingHandler internal handler;

  function setUp() public {
    token = new TestToken();
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, 7 days);
    address[] memory actors = new address[](5);
    for (uint256 i = 0; i < actors.length; ++i) actors[i] = address(uint160(0xA0 + i));
    handler = new StakingHandler(staking, token, actors);
    staking.setSlasher(address(handler));
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

  function invariant_activeCountMatchesOperators() public view {
    address[] memory actors = handler.actors();
    uint256 active;
    for (uint256 i = 0; i < actors.length; ++i) {
      (address signer, uint256 bonded, , ) = staking.getOperator(actors[i]);
      bool isActive = signer != address(0) && bonded >= MIN_STAKE_WEI;
      assertEq(staking.isActive(actors[i]), isActive, "isActive");
      if (isActive) ++active;
      if (signer != address(0)) assertEq(staking.operatorOfSigner(signer), actors[i], "signer maps back to its operator");
    }
    assertEq(staking.activeOperatorCount(), active, "activeOperatorCount");
  }
}
