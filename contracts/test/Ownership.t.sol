// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {SibylTest} from "./utils/SibylTest.sol";

/// @notice Staking, ResolutionOracle and DisputeGovernance hand over ownership in two steps: a typo in the
/// new owner cannot lose the contract.
contract OwnershipTest is SibylTest {
  address internal newOwner = address(0x0E1);

  function setUp() public {
    _deploy();
  }

  function _checkTwoStep(Ownable2Step c) internal {
    assertEq(c.owner(), address(this), "deployer owns");
    vm.expectEmit(true, true, true, true, address(c));
    emit Ownable2Step.OwnershipTransferStarted(address(this), newOwner);
    c.transferOwnership(newOwner);
    assertEq(c.owner(), address(this), "still owner until accepted");
    assertEq(c.pendingOwner(), newOwner, "pending");

    vm.prank(address(0xBAD));
    vm.expectRevert(bytes("Ownable2Step: caller is not the new owner"));
    c.acceptOwnership();

    vm.expectEmit(true, true, true, true, address(c));
    emit Ownable.OwnershipTransferred(address(this), newOwner);
    vm.prank(newOwner);
    c.acceptOwnership();
    assertEq(c.owner(), newOwner, "new owner");
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    c.transferOwnership(address(this));
  }

  function test_stakingOwnershipIsTwoStep() public {
    _checkTwoStep(staking);
  }

  function test_oracleOwnershipIsTwoStep() public {
    _checkTwoStep(oracle);
  }

  function test_governanceOwnershipIsTwoStep() public {
    _checkTwoStep(governance);
  }
}
