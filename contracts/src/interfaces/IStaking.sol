// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The operator registry the oracle contracts consult on every commit.
interface IStaking {
  /// @notice For each signing address, the operator that registered it, or address(0) when that signer
  /// is unknown or its operator's stake is below the minimum. Also returns how many operators are active,
  /// which sets the quorum. One call per report keeps the per-signature cost to a single SLOAD.
  function operatorsOfSigners(
    address[] calldata signers
  ) external view returns (address[] memory operators, uint256 activeOperatorCount);

  function activeOperatorCount() external view returns (uint256);

  /// @notice Stake that a slash can still reach: bonded plus unbonding.
  function slashableOf(address operator) external view returns (uint256);

  function slash(address operator, uint256 amountWei, address recipient) external;
}
