// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";

/// @notice forge-std's Vm (1.1.2 on npm, the only version installable here) plus the cheatcodes it predates.
/// Cheatcodes are matched by selector, so declaring them here is all forge needs; the signatures follow
/// forge's cheatcode reference.
interface Cheats is Vm {
  /// One event, as getRecordedLogs returns it.
  struct Log {
    bytes32[] topics;
    bytes data;
    address emitter;
  }

  /// Records every event emitted from here on; getRecordedLogs returns them (and forgets them).
  function recordLogs() external;
  function getRecordedLogs() external returns (Log[] memory logs);
  function readFile(string calldata path) external view returns (string memory data);
  function keyExistsJson(string calldata json, string calldata key) external view returns (bool);
  function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
  function parseJsonInt(string calldata json, string calldata key) external pure returns (int256);
  function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
  function parseJsonAddress(string calldata json, string calldata key) external pure returns (address);
  function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
  function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);

  function toString(uint256 value) external pure returns (string memory);
  function toString(int256 value) external pure returns (string memory);
  function toString(address value) external pure returns (string memory);
  function toString(bytes32 value) external pure returns (string memory);
  function toString(bool value) external pure returns (string memory);
  function toString(bytes calldata value) external pure returns (string memory);

  /// Checks every topic and the data of the next event against the one emitted right after this call.
  function expectEmit() external;
  function expectEmit(address emitter) external;

  function mockCallRevert(address callee, bytes calldata data, bytes calldata revertData) external;
}

/// @dev The cheatcode address: address(bytes20(uint160(uint256(keccak256("hevm cheat code"))))).
address constant CHEATS_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;
