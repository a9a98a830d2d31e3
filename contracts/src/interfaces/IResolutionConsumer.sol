// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Implemented by contracts that request resolutions and want to be called back at finality.
/// @dev The call gets exactly the gas limit the requester asked for; a revert or running out of gas is
/// recorded by the oracle and does not block finality. The answer can always be read later with
/// ResolutionOracle.getResolution.
interface IResolutionConsumer {
  function onResolution(bytes32 requestId, int256 answer) external;
}
