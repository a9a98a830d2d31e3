// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";

/// @notice Scrutiny when nodes disagree: dissent proved by signatures, the contested rule, the longer and
/// bounded dispute window, and the attacks on them (forged, foreign, duplicated, replayed, late dissent;
/// one liar trying to make every request contested).
contract ScrutinyTest is SibylTest {
  address internal gov = address(0x60F);
  uint16 internal constant THRESHOLD_BPS = 7_500;
  uint16 internal constant CONFIDENT_BPS = 9_000;

  function setUp() public {
    _deploy();
    // The devnet's rule: 2 dissenting members, a 7,500 bps median, 3 times the window.
    oracle = new ResolutionOracle(
      IStaking(address(staking)),
      IERC20(address(token)),
      DISPUTE_WINDOW_SEC,
      TOO_EARLY_RETRY_DELAY_SEC,
      MIN_FEE_WEI,
      REQUEST_TIMEOUT_SEC,
      2,
      THRESHOLD_BPS,
      3
    );
    oracle.setGovernance(gov);
    _addOperators(7, MIN_STAKE_WEI); // quorum 5
  }

  // ================================================================
  // |                           Builders                           |
  // ================================================================

  function _range(uint256 from, uint256 to) internal view returns (uint256[] memory keys) {
    keys = new uint256[](to - from);
    for (uint256 i = from; i < to; ++i) keys[i - from] = signerKeys[i];
  }

  function _one(uint256 key) internal pure returns (uint256[] memory keys) {
    keys = new uint256[](1);
    keys[0] = key;
  }

  function _same(uint256 count, uint16 value) internal pure returns (uint16[] memory c) {
    c = new uint16[](count);
    for (uint256 i = 0; i < count; ++i) c[i] = value;
  }

  /// @dev Sorts keys (and their confidences with them) by signer address, ascending.
  function _sortPairs(uint256[] memory keys, uint16[] memory conf) internal {
    for (uint256 i = 1; i < keys.length; ++i) {
      (uint256 k, uint16 c) = (keys[i], conf[i]);
      uint256 j = i;
      while (j > 0 && vm.addr(keys[j - 1]) > vm.addr(k)) {
        (keys[j], conf[j]) = (keys[j - 1], conf[j - 1]);
        --j;
      }
      (keys[j], conf[j]) = (k, c);
    }
  }

  function _digest(bytes32 id, uint32 round, int256 answer, uint16 conf, uint256 key) internal view returns (bytes32) {
    return
      _typedDataDigest(
        _domainSeparator(block.chainid, address(oracle)),
        _observationStructHash(id, round, answer, conf, _evidenceOf(key), _modelOf(key))
      );
  }

  function _agree(
    bytes32 id,
    uint32 round,
    int256 answer,
    uint256[] memory keys,
    uint16[] memory conf
  ) internal returns (ResolutionOracle.SignedObservation[] memory obs) {
    _sortPairs(keys, conf);
    obs = new ResolutionOracle.SignedObservation[](keys.length);
    for (uint256 i = 0; i < keys.length; ++i) {
      (bytes32 r, bytes32 vs) = _signCompact(keys[i], _digest(id, round, answer, conf[i], keys[i]));
      obs[i] = ResolutionOracle.SignedObservation(conf[i], _evidenceOf(keys[i]), _modelOf(keys[i]), r, vs);
    }
  }

  /// @dev Dissent of `answer` signed for (id, round): the dissent's own answer is in the digest.
  function _dissent(
    bytes32 id,
    uint32 round,
    int256 answer,
    uint256[] memory keys
  ) internal returns (ResolutionOracle.DissentingObservation[] memory d) {
    uint16[] memory conf = _same(keys.length, CONFIDENT_BPS);
    _sortPairs(keys, conf);
    d = new ResolutionOracle.DissentingObservation[](keys.length);
    for (uint256 i = 0; i < keys.length; ++i) {
      (bytes32 r, bytes32 vs) = _signCompact(keys[i], _digest(id, round, answer, conf[i], keys[i]));
      d[i] = ResolutionOracle.DissentingObservation(answer, conf[i], _evidenceOf(keys[i]), _modelOf(keys[i]), r, vs);
    }
  }

  /// @dev Commits answer 0 signed by operators 0..4 (confident) with dissent of answer 1 by `dissenters`.
  function _commitWith(bytes32 id, uint256[] memory dissenters) internal returns (address[] memory signers) {
    uint256[] memory keys = _range(0, 5);
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, 0, keys, _same(5, CONFIDENT_BPS));
    oracle.commitReportWithDissent(id, 0, 0, obs, _dissent(id, 0, 1, dissenters));
    signers = _signersOf(keys);
  }

  function _scrutiny(bytes32 id) internal view returns (bool contested, uint256 count, uint16 median, uint64 endsAt) {
    return oracle.getScrutiny(id);
  }

  // ================================================================
  // |                         The rule                             |
  // ================================================================

  function test_unanimousConfidentAnswer_isNotContested() public {
    bytes32 id = _request();
    address[] memory signers = _commitWith(id, new uint256[](0));
    (bool contested, uint256 count, uint16 median, uint64 endsAt) = _scrutiny(id);
    assertFalse(contested, "not contested");
    assertEq(count, 0, "no dissent");
    assertEq(uint256(median), CONFIDENT_BPS, "median");
    assertEq(uint256(endsAt), block.timestamp + DISPUTE_WINDOW_SEC, "plain window");
    assertEq(uint256(oracle.disputeEndsAt(id)), uint256(endsAt), "disputeEndsAt view");
    vm.warp(endsAt);
    oracle.finalize(id, signers);
  }

  function test_twoDissentingMembers_contestAndLengthenTheWindow_whichStillEnds() public {
    bytes32 id = _request();
    // A second request with the same dissent, disputed past the plain window.
    bytes32 twin = _request();
    address[] memory twinSigners = _commitWith(twin, _range(5, 7));
    uint64 committedAt = uint64(block.timestamp);
    uint64 contestedEnd = committedAt + 3 * DISPUTE_WINDOW_SEC;
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionContested(id, 2, CONFIDENT_BPS, contestedEnd);
    address[] memory signers = _commitWith(id, _range(5, 7));
    (bool contested, uint256 count, , uint64 endsAt) = _scrutiny(id);
    assertTrue(contested, "contested");
    assertEq(count, 2, "two dissenters");
    assertEq(uint256(endsAt), uint256(contestedEnd), "three windows");

    // Past the plain window: not final yet, still disputable.
    vm.warp(committedAt + DISPUTE_WINDOW_SEC);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowOpen.selector, contestedEnd));
    oracle.finalize(id, signers);
    vm.prank(gov);
    oracle.markDisputed(twin, twinSigners);

    // At the end of the longer window it finalizes like any answer.
    vm.warp(contestedEnd);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowClosed.selector, contestedEnd));
    oracle.markDisputed(id, signers);
    oracle.finalize(id, signers);
    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, 0, "the majority's answer");
  }

  function test_lowMedianConfidence_contests() public {
    bytes32 id = _request();
    uint16[] memory conf = new uint16[](5);
    (conf[0], conf[1], conf[2], conf[3], conf[4]) = (9_000, 7_000, 6_500, 9_500, 7_400);
    oracle.commitReport(id, 0, 0, _agree(id, 0, 0, _range(0, 5), conf));
    (bool contested, uint256 count, uint16 median, uint64 endsAt) = _scrutiny(id);
    assertEq(uint256(median), 7_400, "median of 6500 7000 7400 9000 9500");
    assertTrue(contested, "below 7500");
    assertEq(count, 0, "no dissent");
    assertEq(uint256(endsAt), block.timestamp + 3 * DISPUTE_WINDOW_SEC, "three windows");
  }

  function test_evenCount_takesTheLowerMedian_andOnlyMembersCount() public {
    bytes32 id = _request();
    (, uint256 strangerKey) = _addStranger(MIN_STAKE_WEI);
    uint256[] memory keys = new uint256[](7);
    uint16[] memory conf = new uint16[](7);
    for (uint256 i = 0; i < 6; ++i) keys[i] = signerKeys[i];
    keys[6] = strangerKey;
    (conf[0], conf[1], conf[2], conf[3], conf[4], conf[5], conf[6]) = (8_000, 8_000, 8_000, 9_000, 9_000, 9_000, 0);
    oracle.commitReport(id, 0, 0, _agree(id, 0, 0, keys, conf));
    (bool contested, , uint16 median, ) = _scrutiny(id);
    assertEq(uint256(median), 8_000, "lower median of six members; the outsider's 0 is not counted");
    assertFalse(contested, "8000 >= 7500");
  }

  function test_constructor_refusesARuleOneLiarCouldTrip() public {
    uint8[4] memory mins = [1, 2, 2, 2];
    uint16[4] memory bps = [uint16(0), 10_001, 0, 0];
    uint8[4] memory mults = [3, 3, 0, 11];
    for (uint256 i = 0; i < 4; ++i) {
      vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.BadScrutinyConfig.selector));
      new ResolutionOracle(IStaking(address(staking)), IERC20(address(token)), 1, 1, 1, 1, mins[i], bps[i], mults[i]);
    }
    assertEq(uint256(oracle.maxDisputeWindowSec()), 3 * DISPUTE_WINDOW_SEC, "max window");
    assertEq(uint256(oracle.contestDissentMin()), 2, "dissent min");
    assertEq(uint256(oracle.contestConfidenceBps()), THRESHOLD_BPS, "confidence threshold");
    assertEq(uint256(oracle.contestedWindowMultiplier()), 3, "multiplier");
  }

  function test_tooEarlyReport_ignoresDissent() public {
    bytes32 id = _request();
    int256 tooEarly = oracle.ANSWER_TOO_EARLY();
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, tooEarly, _range(0, 5), _same(5, CONFIDENT_BPS));
    oracle.commitReportWithDissent(id, 0, tooEarly, obs, _dissent(id, 0, 1, _range(5, 7)));
    assertEq(uint256(oracle.getRequest(id).round), 1, "deferred");
    (bool contested, uint256 count, , uint64 endsAt) = _scrutiny(id);
    assertFalse(contested, "nothing committed");
    assertEq(count, 0, "dissent not recorded");
    assertEq(uint256(endsAt), 0, "no window");
  }

  // ================================================================
  // |                          Attacks                             |
  // ================================================================

  function test_attack_forgedDissent_countsNothingOrReverts() public {
    bytes32 id = _request();
    ResolutionOracle.DissentingObservation[] memory d = _dissent(id, 0, 1, _range(5, 7));
    // The signers signed answer 1; claiming they dissented with answer -1 recovers other addresses.
    d[0].answer = -1;
    d[1].answer = -1;
    if (_recoverAddr(id, d[0]) > _recoverAddr(id, d[1])) (d[0], d[1]) = (d[1], d[0]);
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, 0, _range(0, 5), _same(5, CONFIDENT_BPS));
    ResolutionOracle.DissentingObservation[] memory bad = _dissent(id, 0, 1, _range(5, 7));
    bad[1].r = bytes32(0);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.InvalidSignature.selector, 1));
    oracle.commitReportWithDissent(id, 0, 0, obs, bad);
    oracle.commitReportWithDissent(id, 0, 0, obs, d);
    (bool contested, uint256 count, , ) = _scrutiny(id);
    assertEq(count, 0, "a tampered dissent proves nobody");
    assertFalse(contested, "not contested");
  }

  function _recoverAddr(bytes32 id, ResolutionOracle.DissentingObservation memory o) internal view returns (address) {
    bytes32 digest = _typedDataDigest(
      _domainSeparator(block.chainid, address(oracle)),
      _observationStructHash(id, 0, o.answer, o.confidenceBps, o.evidenceHash, o.modelHash)
    );
    uint256 s = uint256(o.yParityAndS) & ((1 << 255) - 1);
    return ecrecover(digest, uint8((uint256(o.yParityAndS) >> 255) + 27), o.r, bytes32(s));
  }

  function test_attack_nonMemberDissent_isNotCounted() public {
    bytes32 id = _request();
    (, uint256 k1) = _addStranger(MIN_STAKE_WEI);
    (, uint256 k2) = _addStranger(MIN_STAKE_WEI);
    uint256[] memory strangers = new uint256[](2);
    (strangers[0], strangers[1]) = (k1, k2);
    address[] memory signers = _commitWith(id, strangers);
    (bool contested, uint256 count, , ) = _scrutiny(id);
    assertEq(count, 0, "outsiders prove nothing");
    assertFalse(contested, "not contested");
    // Posting it later does not help either.
    ResolutionOracle.DissentingObservation[] memory d = _dissent(id, 0, 1, strangers);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.NoNewDissent.selector, 0, 0));
    oracle.contest(id, signers, d);
  }

  function test_attack_signerOfBothAnswers_countsOnceAsAgreeing() public {
    bytes32 id = _request();
    // Operator 4 signs the committed answer and a dissent; operator 5 dissents honestly.
    uint256[] memory dissenters = new uint256[](2);
    (dissenters[0], dissenters[1]) = (signerKeys[4], signerKeys[5]);
    address[] memory signers = _commitWith(id, dissenters);
    (bool contested, uint256 count, , ) = _scrutiny(id);
    assertEq(count, 1, "only the honest dissenter counts");
    assertFalse(contested, "one dissenter is below the threshold");
    // contest with the same pair: still one.
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.NoNewDissent.selector, 1, 1));
    oracle.contest(id, signers, _dissent(id, 0, 1, dissenters));
  }

  function test_attack_duplicateOrUnorderedDissent_reverts() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, 0, _range(0, 5), _same(5, CONFIDENT_BPS));
    ResolutionOracle.DissentingObservation[] memory one = _dissent(id, 0, 1, _one(signerKeys[5]));
    ResolutionOracle.DissentingObservation[] memory twice = new ResolutionOracle.DissentingObservation[](2);
    (twice[0], twice[1]) = (one[0], one[0]);
    address signer = vm.addr(signerKeys[5]);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DissentersNotAscending.selector, 1, signer));
    oracle.commitReportWithDissent(id, 0, 0, obs, twice);
    ResolutionOracle.DissentingObservation[] memory pair = _dissent(id, 0, 1, _range(5, 7));
    (pair[0], pair[1]) = (pair[1], pair[0]);
    vm.expectRevert();
    oracle.commitReportWithDissent(id, 0, 0, obs, pair);
  }

  function test_attack_dissentCarryingTheCommittedOrAnImpossibleAnswer_reverts() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, 0, _range(0, 5), _same(5, CONFIDENT_BPS));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DissentAgrees.selector, 0));
    oracle.commitReportWithDissent(id, 0, 0, obs, _dissent(id, 0, 0, _one(signerKeys[5])));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, int256(2)));
    oracle.commitReportWithDissent(id, 0, 0, obs, _dissent(id, 0, 2, _one(signerKeys[5])));
    ResolutionOracle.DissentingObservation[] memory d = _dissent(id, 0, 1, _one(signerKeys[5]));
    d[0].confidenceBps = 10_001;
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.ConfidenceOutOfRange.selector, 0, uint16(10_001)));
    oracle.commitReportWithDissent(id, 0, 0, obs, d);
  }

  function test_attack_dissentOfAnotherRoundOrRequest_provesNothing() public {
    bytes32 id = _request();
    bytes32 other = _request();
    // Signed for round 1 of this request, and for round 0 of another request: the digest differs, so the
    // recovered signers are nobody the staking contract knows.
    ResolutionOracle.DissentingObservation[] memory otherRound = _dissent(id, 1, 1, _range(5, 7));
    ResolutionOracle.DissentingObservation[] memory replayed = _dissent(other, 0, 1, _range(5, 7));
    _sortByRecovered(id, otherRound);
    _sortByRecovered(id, replayed);
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, 0, _range(0, 5), _same(5, CONFIDENT_BPS));
    oracle.commitReportWithDissent(id, 0, 0, obs, otherRound);
    (bool contested, uint256 count, , ) = _scrutiny(id);
    assertEq(count, 0, "another round's dissent");
    assertFalse(contested, "not contested");
    address[] memory signers = _signersOf(_range(0, 5));
    _sortAddrs(signers);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.NoNewDissent.selector, 0, 0));
    oracle.contest(id, signers, replayed);
  }

  function _sortByRecovered(bytes32 id, ResolutionOracle.DissentingObservation[] memory d) internal view {
    for (uint256 i = 1; i < d.length; ++i) {
      ResolutionOracle.DissentingObservation memory o = d[i];
      uint256 j = i;
      while (j > 0 && _recoverAddr(id, d[j - 1]) > _recoverAddr(id, o)) {
        d[j] = d[j - 1];
        --j;
      }
      d[j] = o;
    }
  }

  function _sortAddrs(address[] memory a) internal pure {
    for (uint256 i = 1; i < a.length; ++i) {
      address v = a[i];
      uint256 j = i;
      while (j > 0 && a[j - 1] > v) {
        a[j] = a[j - 1];
        --j;
      }
      a[j] = v;
    }
  }

  function test_attack_contestAfterTheWindow_reverts() public {
    bytes32 id = _request();
    address[] memory signers = _commitWith(id, new uint256[](0));
    uint64 endsAt = uint64(block.timestamp) + DISPUTE_WINDOW_SEC;
    ResolutionOracle.DissentingObservation[] memory d = _dissent(id, 0, 1, _range(5, 7));
    vm.warp(endsAt);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowClosed.selector, endsAt));
    oracle.contest(id, signers, d);
    oracle.finalize(id, signers);
    vm.expectRevert(
      abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Finalized)
    );
    oracle.contest(id, signers, d);
  }

  function test_contest_postsHiddenDissent_onceAndBounded() public {
    bytes32 id = _request();
    uint64 committedAt = uint64(block.timestamp);
    // The aggregator left the dissent out.
    address[] memory signers = _commitWith(id, new uint256[](0));
    vm.warp(committedAt + DISPUTE_WINDOW_SEC - 1);
    uint64 contestedEnd = committedAt + 3 * DISPUTE_WINDOW_SEC;
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.DissentRecorded(id, 2);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionContested(id, 2, CONFIDENT_BPS, contestedEnd);
    vm.prank(address(0xA11CE)); // anyone
    oracle.contest(id, signers, _dissent(id, 0, 1, _range(5, 7)));
    assertEq(uint256(oracle.disputeEndsAt(id)), uint256(contestedEnd), "lengthened from the commit");

    // Posting it again adds nothing; the signer list must be the committed one.
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.NoNewDissent.selector, 2, 2));
    oracle.contest(id, signers, _dissent(id, 0, 1, _range(5, 7)));
    address[] memory wrong = _signersOf(_range(1, 6));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SignersMismatch.selector, id));
    oracle.contest(id, wrong, _dissent(id, 0, 1, _range(5, 7)));

    // Once contested the end never moves again, whatever else is proved (bounded).
    (, uint256 k) = _addOperator(MIN_STAKE_WEI);
    // Two epochs on, the report's epoch is no longer kept: the previous one judges (the newcomer is in it).
    _nextEpoch();
    _nextEpoch();
    uint256[] memory three = new uint256[](3);
    (three[0], three[1], three[2]) = (signerKeys[5], signerKeys[6], k);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.DissentRecorded(id, 3);
    oracle.contest(id, signers, _dissent(id, 0, 1, three));
    (, uint256 count, , uint64 endsAt) = _scrutiny(id);
    assertEq(count, 3, "raised");
    assertEq(uint256(endsAt), uint256(contestedEnd), "same end");
    vm.warp(contestedEnd);
    oracle.finalize(id, signers);
  }

  function test_contest_onAnOpenRequest_reverts() public {
    bytes32 id = _request();
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Open));
    oracle.contest(id, new address[](0), _dissent(id, 0, 1, _range(5, 7)));
  }

  /// One liar of n = 4 (f = 1) on every request: it dissents in every report, posts its dissent again with
  /// contest, signs the majority's answer too (equivocation), and signs with 0 confidence when it agrees.
  /// No request becomes contested, and each finalizes after the plain window.
  function test_attack_oneLiarAlone_cannotContestAnyRequest() public {
    // A fresh n = 4 network: 0..2 honest, 3 the liar.
    delete council;
    _deploy();
    oracle = new ResolutionOracle(
      IStaking(address(staking)),
      IERC20(address(token)),
      DISPUTE_WINDOW_SEC,
      TOO_EARLY_RETRY_DELAY_SEC,
      MIN_FEE_WEI,
      REQUEST_TIMEOUT_SEC,
      2,
      THRESHOLD_BPS,
      3
    );
    oracle.setGovernance(gov);
    delete operators;
    delete signerKeys;
    _addOperators(4, MIN_STAKE_WEI);
    for (uint256 i = 0; i < 4; ++i) _oneLiarRequest(signerKeys[3], i % 2 == 1);
  }

  function _oneLiarRequest(uint256 liar, bool liarSignsToo) internal {
    bytes32 id = _request();
    uint256 signerCount = liarSignsToo ? 4 : 3;
    uint16[] memory conf = _same(signerCount, CONFIDENT_BPS);
    // Signing the answer too, the liar drags the median with 0 confidence.
    if (liarSignsToo) conf[3] = 0;
    uint256[] memory keys = _range(0, signerCount);
    address[] memory signers = _commitAgreeing(id, keys, conf, _dissent(id, 0, 1, _one(liar)));
    // And posts its dissent again, any number of times.
    ResolutionOracle.DissentingObservation[] memory again = _dissent(id, 0, 1, _one(liar));
    vm.expectRevert();
    oracle.contest(id, signers, again);
    _assertPlainAndFinalize(id, signers);
  }

  function _commitAgreeing(
    bytes32 id,
    uint256[] memory keys,
    uint16[] memory conf,
    ResolutionOracle.DissentingObservation[] memory d
  ) internal returns (address[] memory signers) {
    ResolutionOracle.SignedObservation[] memory obs = _agree(id, 0, 0, keys, conf);
    oracle.commitReportWithDissent(id, 0, 0, obs, d);
    signers = _signersOf(keys);
  }

  function _assertPlainAndFinalize(bytes32 id, address[] memory signers) internal {
    (bool contested, , uint16 median, uint64 endsAt) = _scrutiny(id);
    assertFalse(contested, "one liar cannot contest");
    assertEq(uint256(median), CONFIDENT_BPS, "the median is an honest confidence");
    assertEq(uint256(endsAt), block.timestamp + DISPUTE_WINDOW_SEC, "plain window");
    vm.warp(endsAt);
    oracle.finalize(id, signers);
  }

  /// However low f = 2 liars among a quorum of 5 (n = 7) sign, the median stays within the honest range.
  function testFuzz_liarsCannotPushTheMedianOutOfTheHonestRange(uint16[5] memory raw) public {
    bytes32 id = _request();
    uint16[] memory conf = new uint16[](5);
    uint256 lo = type(uint256).max;
    uint256 hi;
    for (uint256 i = 0; i < 5; ++i) {
      conf[i] = uint16(bound(raw[i], 0, 10_000));
      // 0..2 honest, 3..4 liars (any value)
      if (i < 3) {
        if (conf[i] < lo) lo = conf[i];
        if (conf[i] > hi) hi = conf[i];
      }
    }
    oracle.commitReport(id, 0, 0, _agree(id, 0, 0, _range(0, 5), conf));
    (, , uint16 median, ) = _scrutiny(id);
    assertGe(uint256(median), lo, "at least the lowest honest");
    assertLe(uint256(median), hi, "at most the highest honest");
  }
}
