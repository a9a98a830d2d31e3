// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The operator registry the oracle contracts consult on every commit, and the stake the dispute
/// contract slashes.
/// @dev Membership is by epoch: epoch e covers [genesisTimestamp + e * epochLengthSec, + epochLengthSec).
/// Joining and leaving take effect at the next epoch, so the operator set of the current and past epochs is
/// fixed and a report is judged by a set nobody can change while it is in flight.
interface IStaking {
  /// @notice Which of `signers` were members of `epoch` (bit i of memberMask set for signers[i]), how many,
  /// and how many operators were members of `epoch` in all, which sets the quorum. One call per report keeps
  /// the per-signature cost to a single SLOAD; at most 256 signers.
  /// @dev Answers only for the current and the previous epoch, the window the contracts ever ask about.
  function membersOf(
    address[] calldata signers,
    uint32 epoch
  ) external view returns (uint256 memberMask, uint256 memberCount, uint256 operatorCount);

  /// @notice The operator of each signing address (address(0) for an unknown one).
  function operatorsOf(address[] calldata signers) external view returns (address[] memory operators);

  function currentEpoch() external view returns (uint32);

  function epochLengthSec() external view returns (uint64);

  function genesisTimestamp() external view returns (uint64);

  /// @notice Stake that a slash can still reach: bonded plus unbonding.
  function slashableOf(address operator) external view returns (uint256);

  /// @notice The operator a signing address was registered by (a rotated-away signer keeps its operator, so
  /// what it signed stays attributable).
  function operatorOfSigner(address signer) external view returns (address);

  function token() external view returns (IERC20);

  function unbondingDelaySec() external view returns (uint64);

  function slash(address operator, uint256 amountWei, address recipient) external;

  /// @notice Holds the stake of `operators` while a dispute about something they signed is open: nothing
  /// can be withdrawn until as many unlocks.
  function lock(address[] calldata operators) external;

  function unlock(address[] calldata operators) external;

  /// @notice Withdraws an operator's admission: it leaves the operator set at the next epoch.
  function expel(address operator) external;
}
