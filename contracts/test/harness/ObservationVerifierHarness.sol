// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ObservationVerifier} from "../../src/lib/ObservationVerifier.sol";
import {IStaking} from "../../src/interfaces/IStaking.sol";

/// @notice Exposes ObservationVerifier's internal hashing and recovery, so the golden vectors can be checked
/// against the exact code the oracle contracts run.
contract ObservationVerifierHarness is ObservationVerifier {
  constructor(IStaking staking_) ObservationVerifier(staking_) {}

  function exposed_domainSeparatorFor(uint256 chainId, address verifyingContract) external pure returns (bytes32) {
    return _domainSeparatorFor(chainId, verifyingContract);
  }

  function exposed_observationDigest(
    bytes32 domainSeparator_,
    bytes32 requestId,
    uint32 round,
    int256 answer,
    uint16 confidenceBps,
    bytes32 evidenceHash,
    bytes32 modelHash
  ) external pure returns (bytes32) {
    return _observationDigest(domainSeparator_, requestId, round, answer, confidenceBps, evidenceHash, modelHash);
  }

  function exposed_recover(bytes32 digest, bytes32 r, bytes32 yParityAndS, uint256 index) external view returns (address) {
    return _recover(digest, r, yParityAndS, index);
  }

  function exposed_feedObservationDigest(
    bytes32 domainSeparator_,
    bytes32 feedId,
    uint32 roundId,
    int256 answer,
    uint64 observedAt,
    uint16 confidenceBps,
    bytes32 evidenceHash,
    bytes32 modelHash
  ) external pure returns (bytes32) {
    return _feedObservationDigest(domainSeparator_, feedId, roundId, answer, observedAt, confidenceBps, evidenceHash, modelHash);
  }
}
