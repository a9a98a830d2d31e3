// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IStaking} from "../interfaces/IStaking.sol";

/// @notice Checks signed observations against the staking registry.
/// @dev Every node signs, with EIP-712, the struct
///   Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)
/// under the domain {name: "Sibyl", version: "1", chainId, verifyingContract: this contract}. The domain binds a
/// signature to one chain and one contract, so it cannot be replayed on another deployment or fork; the
/// request id and round bind it to one question and one attempt. protocol/src/eip712.ts is the TypeScript
/// mirror, and protocol/vectors/observation.json pins both sides to the same bytes.
///
/// Signatures travel in the compact EIP-2098 form (r, yParityAndS). Recovered signers must be strictly
/// ascending, which proves them distinct without a storage write. s must be in the lower half of the curve
/// order (no malleable twins).
///
/// Quorum: with n active operators, f = floor((n - 1) / 3) may be faulty and a report needs q = n - f
/// agreeing signatures (2f + 1 when n = 3f + 1). Safety: f liars are fewer than q, so they cannot commit
/// alone, and any two quorums share at least q + q - n = n - 2f >= f + 1 operators, one of them honest, so
/// two different answers can never both gather a quorum in the same round. Liveness: the n - f honest
/// operators are a quorum by themselves, so f operators that refuse to sign cannot block the right answer.
abstract contract ObservationVerifier {
  /// keccak256("Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)")
  bytes32 public constant OBSERVATION_TYPEHASH =
    keccak256(
      "Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)"
    );
  bytes32 private constant DOMAIN_TYPEHASH =
    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  bytes32 private constant NAME_HASH = keccak256("Sibyl");
  bytes32 private constant VERSION_HASH = keccak256("1");
  /// secp256k1n / 2: larger s values are the malleable twin of a valid signature.
  uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
  uint256 private constant S_MASK = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;

  IStaking internal immutable i_staking;
  uint256 private immutable i_cachedChainId;
  bytes32 private immutable i_cachedDomainSeparator;

  error InvalidSignature(uint256 index);
  error HighS(uint256 index);
  /// Signatures must be ordered by recovered signer, strictly ascending; equal neighbours are one signer twice.
  error SignersNotAscending(uint256 index, address signer);
  error SignerNotActive(uint256 index, address signer);
  error QuorumNotReached(uint256 signatures, uint256 quorum);
  error NoActiveOperators();

  constructor(IStaking staking) {
    i_staking = staking;
    i_cachedChainId = block.chainid;
    i_cachedDomainSeparator = _domainSeparatorFor(block.chainid, address(this));
  }

  /// @notice The EIP-712 domain separator, recomputed if the chain id changed (a fork).
  function domainSeparator() public view returns (bytes32) {
    return block.chainid == i_cachedChainId ? i_cachedDomainSeparator : _domainSeparatorFor(block.chainid, address(this));
  }

  function staking() external view returns (IStaking) {
    return i_staking;
  }

  /// @notice Quorum for a given number of active operators: n - floor((n - 1) / 3).
  function quorumFor(uint256 activeOperators) public pure returns (uint256) {
    if (activeOperators == 0) return 0;
    return activeOperators - (activeOperators - 1) / 3;
  }

  function _domainSeparatorFor(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
    return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId, verifyingContract));
  }

  /// @dev The EIP-712 digest of one observation under this contract's domain:
  /// keccak256(0x1901 ++ domainSeparator ++ keccak256(abi.encode(OBSERVATION_TYPEHASH, fields...))).
  /// Written in assembly over scratch memory past the free pointer (never allocated), because it runs once
  /// per signature on the commit path; GoldenVectors.t.sol pins it to the TypeScript signer.
  function _observationDigest(
    bytes32 domainSeparator_,
    bytes32 requestId,
    uint32 round,
    int256 answer,
    uint16 confidenceBps,
    bytes32 evidenceHash,
    bytes32 modelHash
  ) internal pure returns (bytes32 digest) {
    bytes32 typeHash = OBSERVATION_TYPEHASH;
    assembly ("memory-safe") {
      let ptr := mload(0x40)
      mstore(ptr, typeHash)
      mstore(add(ptr, 0x20), requestId)
      mstore(add(ptr, 0x40), and(round, 0xffffffff))
      mstore(add(ptr, 0x60), answer)
      mstore(add(ptr, 0x80), and(confidenceBps, 0xffff))
      mstore(add(ptr, 0xa0), evidenceHash)
      mstore(add(ptr, 0xc0), modelHash)
      let structHash := keccak256(ptr, 0xe0)
      mstore(ptr, 0x1901000000000000000000000000000000000000000000000000000000000000)
      mstore(add(ptr, 0x02), domainSeparator_)
      mstore(add(ptr, 0x22), structHash)
      digest := keccak256(ptr, 0x42)
    }
  }

  /// @dev Recovers a compact (EIP-2098) signature; reverts on a malleable or invalid one.
  function _recover(bytes32 digest, bytes32 r, bytes32 yParityAndS, uint256 index) internal view returns (address signer) {
    uint256 s = uint256(yParityAndS) & S_MASK;
    if (s > HALF_CURVE_ORDER) revert HighS(index);
    uint256 v = (uint256(yParityAndS) >> 255) + 27;
    assembly ("memory-safe") {
      let ptr := mload(0x40)
      mstore(ptr, digest)
      mstore(add(ptr, 0x20), v)
      mstore(add(ptr, 0x40), r)
      mstore(add(ptr, 0x60), s)
      // The precompile returns nothing for an invalid signature: clear the output word first.
      mstore(0x00, 0)
      pop(staticcall(gas(), 0x01, ptr, 0x80, 0x00, 0x20))
      signer := mload(0x00)
    }
    if (signer == address(0)) revert InvalidSignature(index);
  }

  /// @dev Given the recovered signers (already checked ascending), returns their operators and reverts unless
  /// every signer is active and they are a quorum. One external call for the whole report.
  function _requireQuorum(address[] memory signers) internal view returns (address[] memory operators) {
    uint256 activeCount;
    (operators, activeCount) = i_staking.operatorsOfSigners(signers);
    if (activeCount == 0) revert NoActiveOperators();
    uint256 quorum = quorumFor(activeCount);
    if (signers.length < quorum) revert QuorumNotReached(signers.length, quorum);
    for (uint256 i = 0; i < operators.length; ++i) {
      if (operators[i] == address(0)) revert SignerNotActive(i, signers[i]);
    }
  }
}
