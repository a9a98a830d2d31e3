// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../../utils/TestBase.sol";
import {TestToken} from "../../utils/TestToken.sol";
import {Staking} from "../../../src/Staking.sol";

/// @notice Drives Staking with bounded random calls from several operators, and is its slasher and its owner
/// (admits, expels, locks, unlocks). Keeps ghost totals of every token that went in and out, and what each
/// epoch's set looked like when first seen, for StakingInvariants.t.sol.
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
  /// Withdrawals that went through while a lock was held. Must stay 0.
  uint256 public ghostLockedWithdrawals;
  /// The member count of an epoch, as first seen during it (+1, so 0 means unseen).
  mapping(uint32 epoch => uint256) public firstSeenCountPlusOne;
  /// Times the current epoch's member count differed from what it was when first seen. Must stay 0.
  uint256 public ghostCurrentSetChanges;
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

  /// @dev Every action first checks that the current epoch's set is what it was when the epoch was first seen.
  modifier observed() {
    _observe();
    _;
    _observe();
  }

  function _observe() internal {
    uint32 epoch = staking.currentEpoch();
    uint256 count = staking.activeOperatorCount();
    uint256 seen = firstSeenCountPlusOne[epoch];
    if (seen == 0) firstSeenCountPlusOne[epoch] = count + 1;
    else if (seen != count + 1) ++ghostCurrentSetChanges;
  }

  function registerSigner(uint256 actorSeed, uint256 signerSeed) external observed {
    ++callCount[this.registerSigner.selector];
    address actor = _actor(actorSeed);
    uint256 key = 0x51C0 + (signerSeed % SIGNER_POOL);
    // Now and then a proof made for someone else.
    address provedFor = signerSeed % 7 == 0 ? _actor((actorSeed % s_actors.length) + 1) : actor;
    bytes memory proof = _registrationProof(address(staking), key, provedFor);
    vm.prank(actor);
    try staking.registerSigner(vm.addr(key), proof) {} catch {}
  }

  function admit(uint256 actorSeed) external observed {
    ++callCount[this.admit.selector];
    try staking.admit(_actor(actorSeed)) {} catch {}
  }

  function expel(uint256 actorSeed) external observed {
    ++callCount[this.expel.selector];
    try staking.expel(_actor(actorSeed)) {} catch {}
  }

  function lock(uint256 actorSeed) external observed {
    ++callCount[this.lock.selector];
    address[] memory ops = new address[](1);
    ops[0] = _actor(actorSeed);
    staking.lock(ops);
  }

  function unlock(uint256 actorSeed) external observed {
    ++callCount[this.unlock.selector];
    address[] memory ops = new address[](1);
    ops[0] = _actor(actorSeed);
    try staking.unlock(ops) {} catch {}
  }

  function stake(uint256 actorSeed, uint256 amountWei) external observed {
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

  function requestUnbond(uint256 actorSeed, uint256 amountWei) external observed {
    ++callCount[this.requestUnbond.selector];
    address actor = _actor(actorSeed);
    (, uint256 bonded, , ) = staking.getOperator(actor);
    // Now and then more than the bond, to hit InsufficientStake.
    amountWei = bound(amountWei, 1, bonded + 1);
    vm.prank(actor);
    try staking.requestUnbond(amountWei) {} catch {}
  }

  function withdraw(uint256 actorSeed) external observed {
    ++callCount[this.withdraw.selector];
    address actor = _actor(actorSeed);
    uint256 before = token.balanceOf(actor);
    bool locked = staking.locksOf(actor) > 0;
    vm.prank(actor);
    try staking.withdraw() {
      ghostWithdrawnWei += token.balanceOf(actor) - before;
      if (locked) ++ghostLockedWithdrawals;
    } catch {}
  }

  function slash(uint256 actorSeed, uint256 amountWei, bool beyond) external observed {
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
    _observe();
    vm.warp(block.timestamp + bound(secondsAhead, 0, 20 days));
    _observe();
  }
}
