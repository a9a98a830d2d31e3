// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice UMA's OptimisticOracleV3Interface, declared from the ABI UMA publishes in its npm package of contracts: what a
/// contract written for UMA compiles against. Only declarations; the Sibyl facade implements it.
interface OptimisticOracleV3Interface {
  struct EscalationManagerSettings {
    bool arbitrateViaEscalationManager;
    bool discardOracle;
    bool validateDisputers;
    address assertingCaller;
    address escalationManager;
  }

  struct Assertion {
    EscalationManagerSettings escalationManagerSettings;
    address asserter;
    uint64 assertionTime;
    bool settled;
    IERC20 currency;
    uint64 expirationTime;
    bool settlementResolution;
    bytes32 domainId;
    bytes32 identifier;
    uint256 bond;
    address callbackRecipient;
    address disputer;
  }

  function defaultIdentifier() external view returns (bytes32);

  function getAssertion(bytes32 assertionId) external view returns (Assertion memory);

  function assertTruthWithDefaults(bytes memory claim, address asserter) external returns (bytes32);

  function assertTruth(
    bytes memory claim,
    address asserter,
    address callbackRecipient,
    address escalationManager,
    uint64 liveness,
    IERC20 currency,
    uint256 bond,
    bytes32 identifier,
    bytes32 domainId
  ) external returns (bytes32);

  function syncUmaParams(bytes32 identifier, address currency) external;

  function settleAssertion(bytes32 assertionId) external;

  function settleAndGetAssertionResult(bytes32 assertionId) external returns (bool);

  function getAssertionResult(bytes32 assertionId) external view returns (bool);

  function getMinimumBond(address currency) external view returns (uint256);

  function disputeAssertion(bytes32 assertionId, address disputer) external;
}

/// @notice UMA's OptimisticOracleV3CallbackRecipientInterface, declared from its ABI.
interface OptimisticOracleV3CallbackRecipientInterface {
  function assertionResolvedCallback(bytes32 assertionId, bool assertedTruthfully) external;

  function assertionDisputedCallback(bytes32 assertionId) external;
}
