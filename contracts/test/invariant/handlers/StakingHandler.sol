// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../../utils/TestBase.sol";
import {TestToken} from "../../utils/TestToken.sol";
import {Staking} from "../../../src/Staking.sol";

/// @notice Drives Staking with bounded random calls from several operators, and is its slasher. Keeps
/// ghost totals of every token that went in and out, for StakingInvariants.t.sol.
contract StakingHandler is TestBase {
  Staking public immutable staking;
  TestToken public immutable token;
  address public immutable slashRecipient = address(0x5A5A);

  address[] internal s_actors;
  /// A small pool of signing addresses, so registrations collide and rotations reuse freed signers.
  uint256 internal constant SIGNER_POOL = 8;

  uint256 public ghostDepositedWei;
  uint256 public ghostWithdrawnWei;
  uint256 public ghostSlashedWei;
  /// Slashes beyond slashableOf that did not revert with SlashExceedsStake. Must stay 0.
  uint256 public ghostOverslashAccepted;
  mapping(bytes4 => uint256) public callCount;

  constructor(Staking staking_, TestToken token_, address[] memory actors) {
    staking = staking_;
    token = token_;
    s_actors = actors;
  }

  function actors() external view returns (address[] memory) {
    return s_actors;
  }

  function _actor(uint256 seed) internal view returns (address) {
    return s_actors[seed % s_actors.length];
  }

  function registerSigner(uint256 actorSeed, uint256 signerSeed) external {
    ++callCount[this.registerSigner.selector];
    address actor = _actor(actorSeed);
    address signer = address(uint160(0x51C0 + (signerSeed % SIGNER_POOL)));
    vm.prank(actor);
    try staking.registerSigner(signer) {} catch {}
  }

  function stake(uint256 actorSeed, uint256 amountWei) external {
    ++callCount[this.stake.selector];
    address actor = _actor(actorSeed);
    amountWei = bound(amountWei, 1, 300 ether);
    token.mint(actor, amountWei);
    vm.prank(actor);
    token.approve(address(staking), amountWei);
    vm.prank(actor);
    try staking.stake(amountWei) {
      ghostDepositedWei += amountWei;
    } catch {
      // Not registered: the minted tokens stay with the actor.
    }
  }

  function requestUnbond(uint256 actorSeed, uint256 amountWei) external {
    ++callCount[this.requestUnbond.selector];
    address actor = _actor(actorSeed);
    (, uint256 bonded, , ) = staking.getOperator(actor);
    // Now and then more than the bond, to hit InsufficientStake.
    amountWei = bound(amountWei, 1, bonded + 1);
    vm.prank(actor);
    try staking.requestUnbond(amountWei) {} catch {}
  }

  function withdraw(uint256 actorSeed) external {
    ++callCount[this.withdraw.selector];
    address actor = _actor(actorSeed);
    uint256 before = token.balanceOf(actor);
    vm.prank(actor);
    try staking.withdraw() {
      ghostWithdrawnWei += token.balanceOf(actor) - before;
    } catch {}
  }

  function slash(uint256 actorSeed, uint256 amountWei, bool beyond) external {
    ++callCount[this.slash.selector];
    address actor = _actor(actorSeed);
    uint256 slashable = staking.slashableOf(actor);
    if (beyond) {
      amountWei = slashable + bound(amountWei, 1, 1e30);
      try staking.slash(actor, amountWei, slashRecipient) {
        ++ghostOverslashAccepted;
      } catch (bytes memory reason) {
        if (bytes4(reason) != Staking.SlashExceedsStake.selector) ++ghostOverslashAccepted;
      }
      return;
    }
    amountWei = bound(amountWei, 0, slashable);
    try staking.slash(actor, amountWei, slashRecipient) {
      ghostSlashedWei += amountWei;
    } catch {}
  }

  function warp(uint256 secondsAhead) external {
    ++callCount[this.warp.selector];
    vm.warp(block.timestamp + bound(secondsAhead, 0, 20 days));
  }
}
