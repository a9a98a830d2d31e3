// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Cheats, CHEATS_ADDRESS} from "./Cheats.sol";
import {ResolutionOracle} from "../../src/ResolutionOracle.sol";
import {FeedAggregator} from "../../src/FeedAggregator.sol";

/// @notice What every Sibyl forge test and handler shares: the cheatcodes, assertions that revert with a
/// message saying what differed, input bounding, and the EIP-712 signing of Observations.
/// @dev forge-std's Test.sol needs ds-test, which npm does not have, so the assertions live here. A failed
/// assertion reverts; forge reports the revert string.
abstract contract TestBase {
  Cheats internal constant vm = Cheats(CHEATS_ADDRESS);

  // ================================================================
  // |                         Assertions                           |
  // ================================================================

  function assertTrue(bool condition, string memory what) internal pure {
    if (!condition) revert(string.concat(what, ": expected true"));
  }

  function assertFalse(bool condition, string memory what) internal pure {
    if (condition) revert(string.concat(what, ": expected false"));
  }

  function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
    if (actual != expected) _fail(what, vm.toString(expected), vm.toString(actual));
  }

  function assertEq(int256 actual, int256 expected, string memory what) internal pure {
    if (actual != expected) _fail(what, vm.toString(expected), vm.toString(actual));
  }

  function assertEq(address actual, address expected, string memory what) internal pure {
    if (actual != expected) _fail(what, vm.toString(expected), vm.toString(actual));
  }

  function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
    if (actual != expected) _fail(what, vm.toString(expected), vm.toString(actual));
  }

  function assertEq(bool actual, bool expected, string memory what) internal pure {
    if (actual != expected) _fail(what, vm.toString(expected), vm.toString(actual));
  }

  function assertEq(string memory actual, string memory expected, string memory what) internal pure {
    if (keccak256(bytes(actual)) != keccak256(bytes(expected))) _fail(what, expected, actual);
  }

  function assertEq(address[] memory actual, address[] memory expected, string memory what) internal pure {
    assertEq(actual.length, expected.length, string.concat(what, " (length)"));
    for (uint256 i = 0; i < actual.length; ++i) {
      assertEq(actual[i], expected[i], string.concat(what, " [", vm.toString(i), "]"));
    }
  }

  function assertLe(uint256 a, uint256 b, string memory what) internal pure {
    if (a > b) revert(string.concat(what, ": expected ", vm.toString(a), " <= ", vm.toString(b)));
  }

  function assertGe(uint256 a, uint256 b, string memory what) internal pure {
    if (a < b) revert(string.concat(what, ": expected ", vm.toString(a), " >= ", vm.toString(b)));
  }

  function assertLe(int256 a, int256 b, string memory what) internal pure {
    if (a > b) revert(string.concat(what, ": expected ", vm.toString(a), " <= ", vm.toString(b)));
  }

  function assertGe(int256 a, int256 b, string memory what) internal pure {
    if (a < b) revert(string.concat(what, ": expected ", vm.toString(a), " >= ", vm.toString(b)));
  }

  function fail(string memory what) internal pure {
    revert(what);
  }

  function _fail(string memory what, string memory expected, string memory actual) private pure {
    revert(string.concat(what, ": expected ", expected, ", got ", actual));
  }

  // ================================================================
  // |                        Fuzz inputs                           |
  // ================================================================

  /// @dev Maps x into [min, max] uniformly enough for fuzzing, keeping small x unchanged when in range
  /// so the fuzzer's edge values (0, 1, max) still hit the edges.
  function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
    require(min <= max, "bound: min > max");
    if (x >= min && x <= max) return x;
    uint256 size = max - min;
    if (size == type(uint256).max) return x;
    return min + (x % (size + 1));
  }

  function boundInt(int256 x, int256 min, int256 max) internal pure returns (int256) {
    require(min <= max, "boundInt: min > max");
    if (x >= min && x <= max) return x;
    // Two's complement arithmetic: the width of [min, max] fits in a uint256 even when it spans all of int256.
    unchecked {
      uint256 size = uint256(max) - uint256(min);
      if (size == type(uint256).max) return x;
      return int256(uint256(min) + (uint256(x) % (size + 1)));
    }
  }

  // ================================================================
  // |                   EIP-712 Observation signing                |
  // ================================================================
  // Written from the spec, independently of lib/ObservationVerifier.sol, so a slip on either side shows.

  bytes32 internal constant OBSERVATION_TYPEHASH =
    keccak256(
      "Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)"
    );
  bytes32 internal constant FEED_OBSERVATION_TYPEHASH =
    keccak256(
      "FeedObservation(bytes32 feedId,uint32 roundId,int256 answer,uint64 observedAt,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)"
    );
  bytes32 internal constant SIGNER_REGISTRATION_TYPEHASH = keccak256("SignerRegistration(address operator,address signer)");
  bytes32 internal constant EIP712_DOMAIN_TYPEHASH =
    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

  function _domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
    return
      keccak256(
        abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("Sibyl"), keccak256("1"), chainId, verifyingContract)
      );
  }

  function _observationStructHash(
    bytes32 requestId,
    uint32 round,
    int256 answer,
    uint16 confidenceBps,
    bytes32 evidenceHash,
    bytes32 modelHash
  ) internal pure returns (bytes32) {
    return keccak256(abi.encode(OBSERVATION_TYPEHASH, requestId, round, answer, confidenceBps, evidenceHash, modelHash));
  }

  function _feedObservationStructHash(
    bytes32 feedId,
    uint32 roundId,
    int256 answer,
    uint64 observedAt,
    uint16 confidenceBps,
    bytes32 evidenceHash,
    bytes32 modelHash
  ) internal pure returns (bytes32) {
    return
      keccak256(
        abi.encode(FEED_OBSERVATION_TYPEHASH, feedId, roundId, answer, observedAt, confidenceBps, evidenceHash, modelHash)
      );
  }

  /// @notice The proof Staking.registerSigner takes: the signer's 65-byte EIP-712 signature of
  /// SignerRegistration(operator, signer) under the Staking contract's domain.
  function _registrationProof(address stakingContract, uint256 signerKey, address operator) internal returns (bytes memory) {
    bytes32 structHash = keccak256(abi.encode(SIGNER_REGISTRATION_TYPEHASH, operator, vm.addr(signerKey)));
    bytes32 digest = _typedDataDigest(_domainSeparator(block.chainid, stakingContract), structHash);
    (uint8 v, bytes32 r, bytes32 s_) = vm.sign(signerKey, digest);
    return abi.encodePacked(r, s_, v);
  }

  function _typedDataDigest(bytes32 domainSeparator_, bytes32 structHash) internal pure returns (bytes32) {
    return keccak256(abi.encodePacked(hex"1901", domainSeparator_, structHash));
  }

  /// @dev Signs with vm.sign and packs into EIP-2098 form: yParityAndS = (v - 27) << 255 | s.
  function _signCompact(uint256 privateKey, bytes32 digest) internal returns (bytes32 r, bytes32 yParityAndS) {
    (uint8 v, bytes32 r_, bytes32 s) = vm.sign(privateKey, digest);
    require(uint256(s) <= SECP256K1_N / 2, "vm.sign returned a high-s signature");
    r = r_;
    yParityAndS = bytes32((uint256(v - 27) << 255) | uint256(s));
  }

  /// @dev The malleable twin of a signature in the 65-byte form: (v ^ 1, r, n - s). Plain ecrecover returns the
  /// same signer for it. Its s is above n / 2 and, for all but a 2^-128 sliver of signatures, at or above
  /// 2^255, where the compact form keeps the parity bit: the contracts must refuse it either way.
  function _highSTwin(bytes32 yParityAndS) internal pure returns (uint8 v, bytes32 s) {
    uint256 lowS = uint256(yParityAndS) & ((1 << 255) - 1);
    v = uint8(((uint256(yParityAndS) >> 255) ^ 1) + 27);
    s = bytes32(SECP256K1_N - lowS);
  }

  /// @dev Sorts private keys by their address, ascending, in place: the contracts take signatures
  /// ordered by recovered signer.
  function _sortKeysBySigner(uint256[] memory keys) internal returns (uint256[] memory) {
    address[] memory addrs = new address[](keys.length);
    for (uint256 i = 0; i < keys.length; ++i) addrs[i] = vm.addr(keys[i]);
    for (uint256 i = 1; i < keys.length; ++i) {
      (uint256 key, address a) = (keys[i], addrs[i]);
      uint256 j = i;
      while (j > 0 && addrs[j - 1] > a) {
        (keys[j], addrs[j]) = (keys[j - 1], addrs[j - 1]);
        --j;
      }
      (keys[j], addrs[j]) = (key, a);
    }
    return keys;
  }

  /// @dev Per-signer metadata, so reports carry different confidences, evidence and models per node.
  function _evidenceOf(uint256 key) internal pure returns (bytes32) {
    return keccak256(abi.encode("evidence", key));
  }

  function _modelOf(uint256 key) internal pure returns (bytes32) {
    return keccak256(abi.encode("model", key % 3));
  }

  function _confidenceOf(uint256 key) internal pure returns (uint16) {
    return uint16(5_000 + (key % 5_001));
  }

  /// @notice Signed observations of `answer` for a ResolutionOracle request, ordered by signer.
  /// `keys` is sorted in place.
  function _signObservations(
    address verifyingContract,
    bytes32 requestId,
    uint32 round,
    int256 answer,
    uint256[] memory keys
  ) internal returns (ResolutionOracle.SignedObservation[] memory obs) {
    _sortKeysBySigner(keys);
    bytes32 ds = _domainSeparator(block.chainid, verifyingContract);
    obs = new ResolutionOracle.SignedObservation[](keys.length);
    for (uint256 i = 0; i < keys.length; ++i) {
      uint16 confidenceBps = _confidenceOf(keys[i]);
      bytes32 evidenceHash = _evidenceOf(keys[i]);
      bytes32 modelHash = _modelOf(keys[i]);
      bytes32 digest = _typedDataDigest(
        ds,
        _observationStructHash(requestId, round, answer, confidenceBps, evidenceHash, modelHash)
      );
      (bytes32 r, bytes32 vs) = _signCompact(keys[i], digest);
      obs[i] = ResolutionOracle.SignedObservation({
        confidenceBps: confidenceBps,
        evidenceHash: evidenceHash,
        modelHash: modelHash,
        r: r,
        yParityAndS: vs
      });
    }
  }

  /// @notice Signed values for a FeedAggregator round, observed now: answers[i] is signed by keys[i]. Both
  /// arrays are reordered together by signer.
  function _signValues(
    address feed,
    bytes32 feedId,
    uint32 roundId,
    int192[] memory answers,
    uint256[] memory keys
  ) internal returns (FeedAggregator.SignedValue[] memory values) {
    return _signValuesAt(feed, feedId, roundId, answers, keys, uint64(block.timestamp));
  }

  /// @notice As _signValues, every value observed at `observedAt`.
  function _signValuesAt(
    address feed,
    bytes32 feedId,
    uint32 roundId,
    int192[] memory answers,
    uint256[] memory keys,
    uint64 observedAt
  ) internal returns (FeedAggregator.SignedValue[] memory values) {
    require(answers.length == keys.length, "_signValues: length mismatch");
    // Sort (key, answer) pairs by signer address.
    address[] memory addrs = new address[](keys.length);
    for (uint256 i = 0; i < keys.length; ++i) addrs[i] = vm.addr(keys[i]);
    for (uint256 i = 1; i < keys.length; ++i) {
      (uint256 key, address a, int192 x) = (keys[i], addrs[i], answers[i]);
      uint256 j = i;
      while (j > 0 && addrs[j - 1] > a) {
        (keys[j], addrs[j], answers[j]) = (keys[j - 1], addrs[j - 1], answers[j - 1]);
        --j;
      }
      (keys[j], addrs[j], answers[j]) = (key, a, x);
    }
    bytes32 ds = _domainSeparator(block.chainid, feed);
    values = new FeedAggregator.SignedValue[](keys.length);
    for (uint256 i = 0; i < keys.length; ++i) values[i] = _signValue(ds, feedId, roundId, answers[i], keys[i], observedAt);
  }

  function _signValue(
    bytes32 ds,
    bytes32 feedId,
    uint32 roundId,
    int192 answer,
    uint256 key,
    uint64 observedAt
  ) internal returns (FeedAggregator.SignedValue memory value) {
    value.answer = answer;
    value.observedAt = observedAt;
    value.confidenceBps = _confidenceOf(key);
    value.evidenceHash = _evidenceOf(key);
    value.modelHash = _modelOf(key);
    bytes32 digest = _typedDataDigest(
      ds,
      _feedObservationStructHash(feedId, roundId, answer, observedAt, value.confidenceBps, value.evidenceHash, value.modelHash)
    );
    (value.r, value.yParityAndS) = _signCompact(key, digest);
  }

}
