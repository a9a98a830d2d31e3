// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The callbacks a requester of UMA's OptimisticOracleV2 implements, with UMA's signatures (from the
/// OptimisticRequesterTest ABI in the npm package of UMA's contracts), so the V2 facade calls an unchanged UMA client.
interface IOptimisticRequester {
  function priceProposed(bytes32 identifier, uint256 timestamp, bytes calldata ancillaryData) external;

  function priceDisputed(bytes32 identifier, uint256 timestamp, bytes calldata ancillaryData, uint256 refund) external;

  function priceSettled(bytes32 identifier, uint256 timestamp, bytes calldata ancillaryData, int256 price) external;
}
