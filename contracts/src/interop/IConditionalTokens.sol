// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The functions of Gnosis's ConditionalTokens (the contract behind Omen and Polymarket markets) that
/// an oracle adapter calls. The deployed contract is Gnosis's own; this declares only what is used.
/// @dev A condition is keccak256(oracle, questionId, outcomeSlotCount): only `oracle` can report its payouts,
/// and it does so by calling reportPayouts with the questionId and one numerator per outcome slot.
interface IConditionalTokens {
  function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external;

  function reportPayouts(bytes32 questionId, uint256[] calldata payouts) external;

  function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external pure returns (bytes32);

  function getOutcomeSlotCount(bytes32 conditionId) external view returns (uint256);

  function payoutDenominator(bytes32 conditionId) external view returns (uint256);

  function payoutNumerators(bytes32 conditionId, uint256 index) external view returns (uint256);
}
