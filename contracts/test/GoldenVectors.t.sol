// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "./utils/TestBase.sol";
import {ObservationVerifierHarness} from "./harness/ObservationVerifierHarness.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Staking} from "../src/Staking.sol";
import {TestToken} from "./utils/TestToken.sol";

/// @notice protocol/vectors/observation.json pins the TypeScript signer (protocol/src/eip712.ts) and the
/// Solidity verifier to the same bytes: Observation, FeedObservation and SignerRegistration. This reads the file forge-side and checks every vector against the
/// verifier's own code, through a harness.
contract GoldenVectorsTest is TestBase {
  string internal constant VECTORS_PATH = "../protocol/vectors/observation.json";

  ObservationVerifierHarness internal harness;
  string internal json;

  struct Vector {
    uint256 chainId;
    address verifyingContract;
    bytes32 requestId;
    uint32 round;
    int256 answer;
    uint16 confidenceBps;
    bytes32 evidenceHash;
    bytes32 modelHash;
    bytes32 domainSeparator;
    bytes32 structHash;
    bytes32 digest;
    address signer;
    bytes signature;
    bytes32 r;
    bytes32 yParityAndS;
  }

  function setUp() public {
    harness = new ObservationVerifierHarness(IStaking(address(0)));
    json = vm.readFile(VECTORS_PATH);
  }

  function _vectorCount() internal view returns (uint256 n) {
    while (vm.keyExistsJson(json, string.concat(".vectors[", vm.toString(n), "]"))) ++n;
  }

  function _vector(uint256 i) internal pure returns (string memory) {
    return string.concat(".vectors[", vm.toString(i), "]");
  }

  function _load(uint256 i) internal view returns (Vector memory v) {
    string memory p = _vector(i);
    // Big numbers are JSON strings in the vectors file; the parse cheatcodes coerce them.
    v.chainId = vm.parseJsonUint(json, string.concat(p, ".chainId"));
    v.verifyingContract = vm.parseJsonAddress(json, string.concat(p, ".verifyingContract"));
    v.requestId = vm.parseJsonBytes32(json, string.concat(p, ".requestId"));
    v.round = uint32(vm.parseJsonUint(json, string.concat(p, ".round")));
    v.answer = vm.parseJsonInt(json, string.concat(p, ".answer"));
    v.confidenceBps = uint16(vm.parseJsonUint(json, string.concat(p, ".confidenceBps")));
    v.evidenceHash = vm.parseJsonBytes32(json, string.concat(p, ".evidenceHash"));
    v.modelHash = vm.parseJsonBytes32(json, string.concat(p, ".modelHash"));
    v.domainSeparator = vm.parseJsonBytes32(json, string.concat(p, ".expected.domainSeparator"));
    v.structHash = vm.parseJsonBytes32(json, string.concat(p, ".expected.structHash"));
    v.digest = vm.parseJsonBytes32(json, string.concat(p, ".expected.digest"));
    v.signer = vm.parseJsonAddress(json, string.concat(p, ".expected.signer"));
    v.signature = vm.parseJsonBytes(json, string.concat(p, ".expected.signature"));
    v.r = vm.parseJsonBytes32(json, string.concat(p, ".expected.r"));
    v.yParityAndS = vm.parseJsonBytes32(json, string.concat(p, ".expected.yParityAndS"));
  }

  function test_typeHashMatchesVectors() public view {
    assertEq(harness.OBSERVATION_TYPEHASH(), vm.parseJsonBytes32(json, ".typeHash"), "OBSERVATION_TYPEHASH");
    assertEq(
      keccak256(bytes(vm.parseJsonString(json, ".type"))),
      harness.OBSERVATION_TYPEHASH(),
      "keccak256(vector type string)"
    );
  }

  function test_thereAreVectors() public view {
    assertGe(_vectorCount(), 3, "vector count");
  }

  function test_domainSeparatorDigestAndSignerMatchEveryVector() public {
    uint256 n = _vectorCount();
    address keyAddress = vm.addr(vm.parseJsonUint(json, ".privateKey"));
    for (uint256 i = 0; i < n; ++i) {
      Vector memory v = _load(i);
      string memory at = string.concat("vector ", vm.toString(i), " ");

      bytes32 ds = harness.exposed_domainSeparatorFor(v.chainId, v.verifyingContract);
      assertEq(ds, v.domainSeparator, string.concat(at, "domainSeparator"));
      assertEq(_domainSeparator(v.chainId, v.verifyingContract), v.domainSeparator, string.concat(at, "test-side domainSeparator"));

      bytes32 structHash = _observationStructHash(
        v.requestId,
        v.round,
        v.answer,
        v.confidenceBps,
        v.evidenceHash,
        v.modelHash
      );
      assertEq(structHash, v.structHash, string.concat(at, "structHash"));

      bytes32 digest = harness.exposed_observationDigest(
        ds,
        v.requestId,
        v.round,
        v.answer,
        v.confidenceBps,
        v.evidenceHash,
        v.modelHash
      );
      assertEq(digest, v.digest, string.concat(at, "digest"));
      assertEq(_typedDataDigest(ds, structHash), v.digest, string.concat(at, "test-side digest"));

      assertEq(harness.exposed_recover(digest, v.r, v.yParityAndS, i), v.signer, string.concat(at, "recovered signer"));
      assertEq(v.signer, keyAddress, string.concat(at, "signer is the vector key"));
    }
  }

  /// @notice The compact form is the 65-byte signature repacked, and vm.sign (RFC 6979, like ethers) gives
  /// exactly the vector's bytes, so test-side signing is the node's signing.
  function test_compactFormMatchesSignatureAndTestSigner() public {
    uint256 n = _vectorCount();
    uint256 privateKey = vm.parseJsonUint(json, ".privateKey");
    for (uint256 i = 0; i < n; ++i) {
      Vector memory v = _load(i);
      string memory at = string.concat("vector ", vm.toString(i), " ");
      assertEq(v.signature.length, 65, string.concat(at, "signature length"));
      bytes memory sig = v.signature;
      bytes32 r;
      bytes32 s;
      uint8 sigV;
      assembly {
        r := mload(add(sig, 0x20))
        s := mload(add(sig, 0x40))
        sigV := byte(0, mload(add(sig, 0x60)))
      }
      assertTrue(sigV == 27 || sigV == 28, string.concat(at, "v is 27 or 28"));
      assertEq(r, v.r, string.concat(at, "r"));
      assertEq(bytes32((uint256(sigV - 27) << 255) | uint256(s)), v.yParityAndS, string.concat(at, "yParityAndS"));

      (bytes32 r2, bytes32 vs2) = _signCompact(privateKey, v.digest);
      assertEq(r2, v.r, string.concat(at, "vm.sign r"));
      assertEq(vs2, v.yParityAndS, string.concat(at, "vm.sign yParityAndS"));
    }
  }

  /// @notice Every vector signature has a high-s twin that plain ecrecover accepts. The compact form cannot
  /// carry the twin's s (it needs bit 255, which holds the y parity), and every s the compact form can
  /// carry above n / 2 is refused with HighS, so no second encoding of a signature recovers its signer.
  function test_highSTwinOfEveryVectorIsRefused() public {
    uint256 n = _vectorCount();
    for (uint256 i = 0; i < n; ++i) {
      Vector memory v = _load(i);
      string memory at = string.concat("vector ", vm.toString(i), " ");
      (uint8 twinV, bytes32 twinS) = _highSTwin(v.yParityAndS);
      assertEq(ecrecover(v.digest, twinV, v.r, twinS), v.signer, string.concat(at, "ecrecover accepts the twin"));
      assertGe(uint256(twinS), 1 << 255, string.concat(at, "twin s needs bit 255"));

      // The twin squeezed into the compact form: its top bit becomes the parity and does not give the
      // signer back.
      bytes32 squeezed = bytes32((uint256(twinV - 27) << 255) | uint256(twinS));
      try harness.exposed_recover(v.digest, v.r, squeezed, i) returns (address recovered) {
        assertTrue(recovered != v.signer, string.concat(at, "squeezed twin must not recover the signer"));
      } catch (bytes memory reason) {
        assertEq(bytes4(reason), ObservationVerifier.InvalidSignature.selector, string.concat(at, "squeezed twin error"));
      }

      // The high half that the compact form can carry: (n / 2, 2^255), with either parity.
      uint256 halfN = SECP256K1_N / 2;
      uint256[3] memory highS = [halfN + 1, (halfN + (1 << 255)) / 2, (1 << 255) - 1];
      for (uint256 k = 0; k < highS.length; ++k) {
        for (uint256 parity = 0; parity < 2; ++parity) {
          vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.HighS.selector, i));
          harness.exposed_recover(v.digest, v.r, bytes32((parity << 255) | highS[k]), i);
        }
      }
    }
  }

  function testFuzz_highSRevertsWithHighS(uint256 s, bool parity, uint256 index) public {
    s = bound(s, SECP256K1_N / 2 + 1, (1 << 255) - 1);
    Vector memory v = _load(0);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.HighS.selector, index));
    harness.exposed_recover(v.digest, v.r, bytes32((uint256(parity ? 1 : 0) << 255) | s), index);
  }

  function test_zeroRRevertsWithInvalidSignature() public {
    Vector memory v = _load(0);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.InvalidSignature.selector, 7));
    harness.exposed_recover(v.digest, bytes32(0), v.yParityAndS, 7);
  }

  function test_changedFieldChangesTheSigner() public view {
    Vector memory v = _load(0);
    bytes32 digest = harness.exposed_observationDigest(
      v.domainSeparator,
      v.requestId,
      v.round,
      v.answer + 1,
      v.confidenceBps,
      v.evidenceHash,
      v.modelHash
    );
    assertTrue(digest != v.digest, "digest binds the answer");
    assertTrue(harness.exposed_recover(digest, v.r, v.yParityAndS, 0) != v.signer, "signature binds the answer");
  }

  // ================================================================
  // |                FeedObservation and registration              |
  // ================================================================

  function test_feedTypeHashMatchesVectors() public view {
    assertEq(harness.FEED_OBSERVATION_TYPEHASH(), vm.parseJsonBytes32(json, ".feedTypeHash"), "FEED_OBSERVATION_TYPEHASH");
    assertEq(keccak256(bytes(vm.parseJsonString(json, ".feedType"))), harness.FEED_OBSERVATION_TYPEHASH(), "type string");
  }

  struct FeedVector {
    bytes32 ds;
    bytes32 feedId;
    uint32 roundId;
    int256 answer;
    uint64 observedAt;
    uint16 confidenceBps;
    bytes32 evidenceHash;
    bytes32 modelHash;
  }

  function _loadFeed(string memory p) internal view returns (FeedVector memory v) {
    v.ds = harness.exposed_domainSeparatorFor(
      vm.parseJsonUint(json, string.concat(p, ".chainId")),
      vm.parseJsonAddress(json, string.concat(p, ".verifyingContract"))
    );
    v.feedId = vm.parseJsonBytes32(json, string.concat(p, ".feedId"));
    v.roundId = uint32(vm.parseJsonUint(json, string.concat(p, ".roundId")));
    v.answer = vm.parseJsonInt(json, string.concat(p, ".answer"));
    v.observedAt = uint64(vm.parseJsonUint(json, string.concat(p, ".observedAt")));
    v.confidenceBps = uint16(vm.parseJsonUint(json, string.concat(p, ".confidenceBps")));
    v.evidenceHash = vm.parseJsonBytes32(json, string.concat(p, ".evidenceHash"));
    v.modelHash = vm.parseJsonBytes32(json, string.concat(p, ".modelHash"));
  }

  function _feedDigest(FeedVector memory v, uint64 observedAt) internal view returns (bytes32) {
    return
      harness.exposed_feedObservationDigest(
        v.ds,
        v.feedId,
        v.roundId,
        v.answer,
        observedAt,
        v.confidenceBps,
        v.evidenceHash,
        v.modelHash
      );
  }

  function test_feedDigestAndSignerMatchEveryFeedVector() public {
    address keyAddress = vm.addr(vm.parseJsonUint(json, ".privateKey"));
    uint256 n;
    while (vm.keyExistsJson(json, string.concat(".feedVectors[", vm.toString(n), "]"))) ++n;
    assertGe(n, 2, "feed vector count");
    for (uint256 i = 0; i < n; ++i) {
      string memory p = string.concat(".feedVectors[", vm.toString(i), "]");
      FeedVector memory v = _loadFeed(p);
      bytes32 structHash = _feedObservationStructHash(
        v.feedId,
        v.roundId,
        v.answer,
        v.observedAt,
        v.confidenceBps,
        v.evidenceHash,
        v.modelHash
      );
      assertEq(structHash, vm.parseJsonBytes32(json, string.concat(p, ".expected.structHash")), "feed structHash");
      bytes32 digest = _feedDigest(v, v.observedAt);
      assertEq(digest, vm.parseJsonBytes32(json, string.concat(p, ".expected.digest")), "feed digest");
      assertEq(_typedDataDigest(v.ds, structHash), digest, "test-side feed digest");
      address signer = harness.exposed_recover(
        digest,
        vm.parseJsonBytes32(json, string.concat(p, ".expected.r")),
        vm.parseJsonBytes32(json, string.concat(p, ".expected.yParityAndS")),
        i
      );
      assertEq(signer, keyAddress, "feed signer");
      assertTrue(_feedDigest(v, v.observedAt - 1) != digest, "digest binds observedAt");
    }
  }

  function test_registrationVectorsMatchStaking() public {
    Staking staking = new Staking(IERC20(address(new TestToken())), 1, 1, 1);
    assertEq(staking.SIGNER_REGISTRATION_TYPEHASH(), vm.parseJsonBytes32(json, ".registrationTypeHash"), "typehash");
    assertEq(
      keccak256(bytes(vm.parseJsonString(json, ".registrationType"))),
      staking.SIGNER_REGISTRATION_TYPEHASH(),
      "type string"
    );
    string memory p = ".registrationVectors[0]";
    address operator = vm.parseJsonAddress(json, string.concat(p, ".operator"));
    address signer = vm.parseJsonAddress(json, string.concat(p, ".signer"));
    bytes32 ds = _domainSeparator(
      vm.parseJsonUint(json, string.concat(p, ".chainId")),
      vm.parseJsonAddress(json, string.concat(p, ".verifyingContract"))
    );
    bytes32 digest = _typedDataDigest(ds, keccak256(abi.encode(SIGNER_REGISTRATION_TYPEHASH, operator, signer)));
    assertEq(digest, vm.parseJsonBytes32(json, string.concat(p, ".expected.digest")), "registration digest");
    bytes memory sig = vm.parseJsonBytes(json, string.concat(p, ".expected.signature"));
    bytes32 r;
    bytes32 s;
    uint8 v;
    assembly {
      r := mload(add(sig, 0x20))
      s := mload(add(sig, 0x40))
      v := byte(0, mload(add(sig, 0x60)))
    }
    assertEq(ecrecover(digest, v, r, s), signer, "registration signer");
    // The contract takes a proof made the same way by the vector key for this deployment.
    uint256 key = vm.parseJsonUint(json, ".privateKey");
    bytes memory proof = _registrationProof(address(staking), key, operator);
    vm.prank(operator);
    staking.registerSigner(signer, proof);
    assertEq(staking.operatorOfSigner(signer), operator, "registered");
  }
}
