// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {OptimisticOracleV3Interface, OptimisticOracleV3CallbackRecipientInterface} from "./OptimisticOracleV3Interface.sol";

/// @notice An example client written only against UMA's OptimisticOracleV3 interfaces, in the shape of UMA's
/// own DataAsserter: it asserts a claim with the minimum bond, is called back when the assertion resolves or is
/// disputed, and records what it was told. Pointed at Sibyl's facade, it needs no change.
contract ClaimRecorder is OptimisticOracleV3CallbackRecipientInterface {
  using SafeERC20 for IERC20;

  OptimisticOracleV3Interface public immutable oracle;
  IERC20 public immutable currency;
  uint64 public immutable liveness;

  struct Record {
    address asserter;
    bool resolved;
    bool assertedTruthfully;
    uint32 disputedCallbacks;
  }

  mapping(bytes32 assertionId => Record) public records;
  bytes32 public lastAssertionId;

  event ClaimAsserted(bytes32 indexed assertionId, address indexed asserter, bytes claim);
  event ClaimResolved(bytes32 indexed assertionId, bool assertedTruthfully);

  error OnlyOracle(address caller);

  constructor(OptimisticOracleV3Interface oracle_, IERC20 currency_, uint64 liveness_) {
    oracle = oracle_;
    currency = currency_;
    liveness = liveness_;
  }

  /// @notice Asserts `claim` with the oracle's minimum bond, paid by the caller (approve it to this contract).
  function assertClaim(bytes calldata claim) external returns (bytes32 assertionId) {
    uint256 bond = oracle.getMinimumBond(address(currency));
    currency.safeTransferFrom(msg.sender, address(this), bond);
    currency.forceApprove(address(oracle), bond);
    assertionId = oracle.assertTruth(claim, msg.sender, address(this), address(0), liveness, currency, bond, oracle.defaultIdentifier(), bytes32(0));
    records[assertionId].asserter = msg.sender;
    lastAssertionId = assertionId;
    emit ClaimAsserted(assertionId, msg.sender, claim);
  }

  function assertionResolvedCallback(bytes32 assertionId, bool assertedTruthfully) external {
    if (msg.sender != address(oracle)) revert OnlyOracle(msg.sender);
    records[assertionId].resolved = true;
    records[assertionId].assertedTruthfully = assertedTruthfully;
    emit ClaimResolved(assertionId, assertedTruthfully);
  }

  function assertionDisputedCallback(bytes32 assertionId) external {
    if (msg.sender != address(oracle)) revert OnlyOracle(msg.sender);
    records[assertionId].disputedCallbacks += 1;
  }
}
