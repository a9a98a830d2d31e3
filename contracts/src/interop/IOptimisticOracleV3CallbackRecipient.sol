// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice UMA's OptimisticOracleV3CallbackRecipientInterface, as its ABI in the npm package of UMA's contracts declares it.
interface IOptimisticOracleV3CallbackRecipient {
  function assertionResolvedCallback(bytes32 assertionId, bool assertedTruthfully) external;

  function assertionDisputedCallback(bytes32 assertionId) external;
}
