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
/// Numeric feeds sign a FeedObservation, which adds the time the value was observed, so a value cannot be
/// transmitted long after it was read and pass for fresh:
///   FeedObservation(bytes32 feedId,uint32 roundId,int256 answer,uint64 observedAt,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)
///
/// Quorum: with n operators in the report's epoch (Staking: a fixed set, see there), f = floor((n - 1) / 3)
/// may be faulty and a report needs q = n - f agreeing signatures of members (2f + 1 when n = 3f + 1). A report
/// counts its valid signers and fails only below the quorum: a signer that is not a member of the epoch does
/// not count and does not fail the report, so nobody can make an honest quorum's report revert by what
/// happens to someone else's stake. Safety: f liars are fewer than q, so they cannot commit
/// alone, and any two quorums share at least q + q - n = n - 2f >= f + 1 operators, one of them honest, so
/// two different answers can never both gather a quorum in the same round. Liveness: the n - f honest
/// operators are a quorum by themselves, so f operators that refuse to sign cannot block the right answer.
abstract contract ObservationVerifier {
  /// keccak256("Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)")
  bytes32 public constant OBSERVATION_TYPEHASH =
    keccak256(
      "Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)"
    );
  /// keccak256("FeedObservation(bytes32 feedId,uint32 roundId,int256 answer,uint64 observedAt,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)")
  bytes32 public constant FEED_OBSERVATION_TYPEHASH =
    keccak256(
      "FeedObservation(bytes32 feedId,uint32 roundId,int256 answer,uint64 observedAt,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)"
    );
  /// Confidence is in basis points: at most 100 %.
  uint16 public constant MAX_CONFIDENCE_BPS = 10_000;
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
  /// Staking's epoch clock, copied once (it is immutable there too).
  uint64 internal immutable i_genesisTimestamp;
  uint64 internal immutable i_epochLengthSec;

  error InvalidSignature(uint256 index);
  error HighS(uint256 index);
  /// Signatures must be ordered by recovered signer, strictly ascending; equal neighbours are one signer twice.
  error SignersNotAscending(uint256 index, address signer);
  error QuorumNotReached(uint256 validSignatures, uint256 quorum);
  error NoActiveOperators();
  error ConfidenceOutOfRange(uint256 index, uint16 confidenceBps);

  constructor(IStaking staking) {
    i_staking = staking;
    i_cachedChainId = block.chainid;
    i_cachedDomainSeparator = _domainSeparatorFor(block.chainid, address(this));
    if (address(staking) != address(0)) {
      i_genesisTimestamp = staking.genesisTimestamp();
      i_epochLengthSec = staking.epochLengthSec();
    }
  }

  /// @notice The EIP-712 domain separator, recomputed if the chain id changed (a fork).
  function domainSeparator() public view returns (bytes32) {
    return block.chainid == i_cachedChainId ? i_cachedDomainSeparator : _domainSeparatorFor(block.chainid, address(this));
  }

  function staking() external view returns (IStaking) {
    return i_staking;
  }

  /// @notice Quorum for a given number of members of the judging epoch: n - floor((n - 1) / 3).
  function quorumFor(uint256 activeOperators) public pure returns (uint256) {
    if (activeOperators == 0) return 0;
    return activeOperators - (activeOperators - 1) / 3;
  }

  /// @notice The epoch a report for a round of epoch `roundEpoch` is judged by if it lands now: the round's
  /// own epoch, but never older than the previous epoch (Staking keeps the sets of those two; and a member
  /// that left can sign only until the end of the epoch after it left, which its unbonding delay covers).
  function reportEpochFor(uint32 roundEpoch) public view returns (uint32) {
    uint32 current = _currentEpoch();
    return roundEpoch + 1 >= current ? roundEpoch : current - 1;
  }

  function _currentEpoch() internal view returns (uint32) {
    return uint32((block.timestamp - i_genesisTimestamp) / i_epochLengthSec);
  }

  /// @dev The epoch that time `t` falls in (0 before the genesis).
  function _epochOf(uint256 t) internal view returns (uint256) {
    return t <= i_genesisTimestamp ? 0 : (t - i_genesisTimestamp) / i_epochLengthSec;
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

  /// @dev As _observationDigest, the last three fields (confidenceBps, evidenceHash, modelHash) copied as they
  /// lie in calldata at `fieldsOffset` (the first three words of a SignedObservation). The caller reads
  /// confidenceBps through Solidity, which rejects a word with dirty high bits, so the digest signs what is used.
  function _observationDigestFromCalldata(
    bytes32 domainSeparator_,
    bytes32 requestId,
    uint32 round,
    int256 answer,
    uint256 fieldsOffset
  ) internal pure returns (bytes32 digest) {
    bytes32 typeHash = OBSERVATION_TYPEHASH;
    assembly ("memory-safe") {
      let ptr := mload(0x40)
      mstore(ptr, typeHash)
      mstore(add(ptr, 0x20), requestId)
      mstore(add(ptr, 0x40), and(round, 0xffffffff))
      mstore(add(ptr, 0x60), answer)
      calldatacopy(add(ptr, 0x80), fieldsOffset, 0x60)
      let structHash := keccak256(ptr, 0xe0)
      mstore(ptr, 0x1901000000000000000000000000000000000000000000000000000000000000)
      mstore(add(ptr, 0x02), domainSeparator_)
      mstore(add(ptr, 0x22), structHash)
      digest := keccak256(ptr, 0x42)
    }
  }

  /// @dev The EIP-712 digest of one feed observation, its five value fields (answer, observedAt,
  /// confidenceBps, evidenceHash, modelHash) copied as they lie in calldata at `fieldsOffset` (the first five
  /// words of a FeedAggregator.SignedValue). The caller reads answer, observedAt and confidenceBps through
  /// Solidity, which rejects words with dirty high bits.
  function _feedObservationDigestFromCalldata(
    bytes32 domainSeparator_,
    bytes32 feedId,
    uint32 roundId,
    uint256 fieldsOffset
  ) internal pure returns (bytes32 digest) {
    bytes32 typeHash = FEED_OBSERVATION_TYPEHASH;
    assembly ("memory-safe") {
      let ptr := mload(0x40)
      mstore(ptr, typeHash)
      mstore(add(ptr, 0x20), feedId)
      mstore(add(ptr, 0x40), and(roundId, 0xffffffff))
      calldatacopy(add(ptr, 0x60), fieldsOffset, 0xa0)
      let structHash := keccak256(ptr, 0x100)
      mstore(ptr, 0x1901000000000000000000000000000000000000000000000000000000000000)
      mstore(add(ptr, 0x02), domainSeparator_)
      mstore(add(ptr, 0x22), structHash)
      digest := keccak256(ptr, 0x42)
    }
  }

  /// @dev The EIP-712 digest of one feed observation, as _observationDigest with observedAt after the answer.
  function _feedObservationDigest(
    bytes32 domainSeparator_,
    bytes32 feedId,
    uint32 roundId,
    int256 answer,
    uint64 observedAt,
    uint16 confidenceBps,
    bytes32 evidenceHash,
    bytes32 modelHash
  ) internal pure returns (bytes32 digest) {
    bytes32 typeHash = FEED_OBSERVATION_TYPEHASH;
    assembly ("memory-safe") {
      let ptr := mload(0x40)
      mstore(ptr, typeHash)
      mstore(add(ptr, 0x20), feedId)
      mstore(add(ptr, 0x40), and(roundId, 0xffffffff))
      mstore(add(ptr, 0x60), answer)
      mstore(add(ptr, 0x80), and(observedAt, 0xffffffffffffffff))
      mstore(add(ptr, 0xa0), and(confidenceBps, 0xffff))
      mstore(add(ptr, 0xc0), evidenceHash)
      mstore(add(ptr, 0xe0), modelHash)
      let structHash := keccak256(ptr, 0x100)
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

  /// @dev Looks the recovered signers (already checked ascending) up in the set of `epoch` with one external
  /// call. Returns which are members (bit i for signers[i]) and how many; reverts only when they are fewer
  /// than the epoch's quorum.
  function _countMembers(address[] memory signers, uint32 epoch) internal view returns (uint256 memberMask, uint256 members) {
    uint256 operatorCount;
    (memberMask, members, operatorCount) = i_staking.membersOf(signers, epoch);
    if (operatorCount == 0) revert NoActiveOperators();
    uint256 quorum = quorumFor(operatorCount);
    if (members < quorum) revert QuorumNotReached(members, quorum);
  }

  /// @dev Keeps the members (by `memberMask`) of `signers` in place, in order, and shortens the array.
  function _keepMembers(address[] memory signers, uint256 memberMask, uint256 members) internal pure {
    if (members == signers.length) return;
    uint256 k;
    for (uint256 i = 0; i < signers.length; ++i) {
      if (memberMask & (1 << i) != 0) signers[k++] = signers[i];
    }
    assembly ("memory-safe") {
      mstore(signers, k)
    }
  }
}
