// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AggregatorV2V3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV2V3Interface.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {ObservationVerifier} from "./lib/ObservationVerifier.sol";

/// @title FeedAggregator
/// @notice A numeric feed (a price, a score) that existing Chainlink consumers read unchanged through
/// AggregatorV2V3Interface: the V3 round getters and the V2 getters (latestAnswer, getAnswer, ...) that lending
/// protocols still call, and the AnswerUpdated / NewRound events feed indexers watch. Consumers that want one
/// address across feed upgrades read it through a FeedProxy.
/// Each round, every node signs its own value as a FeedObservation with feedId = feedId(), roundId = the next
/// round id and the time it observed the value; anyone transmits them. The contract verifies every
/// signature, counts the fresh values (observed at most maxObservationAgeSec ago, and not in the future) of
/// members of the round's operator set (Staking's epoch of the earliest observation counted, never older than
/// the previous epoch), requires a quorum of them, takes their median itself, checks it against the feed's
/// bounds and stores it. Stale values and non-members' values are left out, not fatal. Even counts take the
/// upper median, as Chainlink's OCR aggregators do.
///
/// What the transmitter can and cannot do (bounded, not removed): with at most f liars among q counted
/// values the median lies between two honest values, whoever transmits. But every node signs only its own
/// value, so whoever transmits chooses which quorum of the signed values to include, and can move the median
/// within the spread of the honest values it holds (with f liars at one extreme, up to the most extreme
/// honest value); the aggregator's outlier filter is not repeated here. Honest aggregators include every
/// fresh inlier they hold. Closing this fully needs the nodes to sign the ordered set of observations in a
/// second phase (as OCR does); until then consumers see a median inside the honest range, not the exact
/// honest median. Every signed value is evidence: DisputeGovernance.accuseFeedSigners slashes the signers of
/// values the council finds false, within feedDisputeWindowSec of the round.
///
/// Rounds nobody transmitted (a decision: Chainlink's own aggregators differ on it). The V3 getters
/// (getRoundData, latestRoundData) revert NoDataPresent, as Chainlink's V3 interface notes asked (raise "No data
/// present" rather than return unset values; FluxAggregator and this package's sequencer uptime feeds do, OCR2
/// returns zeros), so a V3 consumer never mistakes an empty round for a 0 answer. The V2 getters (latestAnswer,
/// latestTimestamp, latestRound, getAnswer, getTimestamp) return 0, as Chainlink's OCR aggregators do; V2
/// consumers are expected to check the timestamp for 0. A round id above uint32 (the ids this feed uses) is an
/// unknown round, never truncated onto a known one.
contract FeedAggregator is AggregatorV2V3Interface, ObservationVerifier {
  struct SignedValue {
    int192 answer;
    /// When the node observed the value (unix seconds, chain clock); signed.
    uint64 observedAt;
    uint16 confidenceBps;
    bytes32 evidenceHash;
    bytes32 modelHash;
    bytes32 r;
    bytes32 yParityAndS;
  }

  struct Round {
    int192 answer;
    uint64 updatedAt;
  }

  /// The latest round, in one slot: read and written by every transmit.
  struct Latest {
    uint32 roundId;
    uint64 updatedAt;
  }

  uint256 public constant override version = 1;
  /// A value observed up to this far in the chain's future still counts (clock skew between nodes and blocks).
  uint64 public constant MAX_FUTURE_SEC = 60;

  uint8 internal immutable i_decimals;
  int192 internal immutable i_minAnswer;
  int192 internal immutable i_maxAnswer;
  bytes32 internal immutable i_feedId;
  uint64 internal immutable i_maxObservationAgeSec;
  string internal s_description;

  Latest internal s_latest;
  mapping(uint32 roundId => Round) internal s_rounds;

  // AnswerUpdated and NewRound are AggregatorInterface's own events (inherited), so indexers that watch
  // Chainlink feeds see Sibyl feeds too.
  event NewTransmission(uint32 indexed roundId, int192 answer, address transmitter, address[] signers);

  error BadBounds(int192 minAnswer, int192 maxAnswer);
  error StaleRound(uint32 roundId, uint32 expected);
  error AnswerOutOfBounds(int192 answer, int192 minAnswer, int192 maxAnswer);
  error NoDataPresent(uint80 roundId);
  error BadMaxObservationAge(uint64 maxObservationAgeSec);

  constructor(
    IStaking staking,
    uint8 decimals_,
    string memory description_,
    int192 minAnswer,
    int192 maxAnswer,
    uint64 maxObservationAgeSec_
  ) ObservationVerifier(staking) {
    if (minAnswer >= maxAnswer) revert BadBounds(minAnswer, maxAnswer);
    if (maxObservationAgeSec_ == 0) revert BadMaxObservationAge(maxObservationAgeSec_);
    i_maxObservationAgeSec = maxObservationAgeSec_;
    i_decimals = decimals_;
    i_minAnswer = minAnswer;
    i_maxAnswer = maxAnswer;
    i_feedId = keccak256(bytes(description_));
    s_description = description_;
  }

  /// @notice Records the median of a quorum of fresh signed values of members as round latestRoundId() + 1.
  /// Values must be ordered by recovered signer, ascending (stale ones are skipped before that check).
  function transmit(uint32 roundId, SignedValue[] calldata values) external {
    Latest memory latest = s_latest;
    uint32 expected = latest.roundId + 1;
    if (roundId != expected) revert StaleRound(roundId, expected);

    (address[] memory signers, int192[] memory answers, uint256 earliest) = _recoverFresh(roundId, values);
    uint256 fresh = signers.length;
    uint32 epoch = reportEpochAt(earliest);
    (uint256 memberMask, uint256 members) = _countMembers(signers, epoch);
    if (members != fresh) {
      // Keep the members' values and signers, in report order.
      uint256 k;
      for (uint256 i = 0; i < fresh; ++i) {
        if (memberMask & (1 << i) == 0) continue;
        (signers[k], answers[k]) = (signers[i], answers[i]);
        ++k;
      }
      assembly ("memory-safe") {
        mstore(signers, k)
      }
    }
    assembly ("memory-safe") {
      mstore(answers, members)
    }

    int192 median = _upperMedian(answers);
    if (median < i_minAnswer || median > i_maxAnswer) revert AnswerOutOfBounds(median, i_minAnswer, i_maxAnswer);
    s_latest = Latest({roundId: roundId, updatedAt: uint64(block.timestamp)});
    s_rounds[roundId] = Round({answer: median, updatedAt: uint64(block.timestamp)});
    // A round starts and ends in the same transmit: startedBy is its transmitter (OCR2 reports address(0)
    // here; the transmitter says more to an indexer and costs the same).
    emit NewRound(roundId, msg.sender, block.timestamp);
    emit AnswerUpdated(median, roundId, block.timestamp);
    emit NewTransmission(roundId, median, msg.sender, signers);
  }

  /// @notice The signer of one signed value of round `roundId` (reverts on an invalid signature): how a
  /// dispute turns a signed value into evidence against its operator.
  function recoverSigner(uint32 roundId, SignedValue calldata v) external view returns (address) {
    bytes32 digest = _feedObservationDigest(
      domainSeparator(),
      i_feedId,
      roundId,
      v.answer,
      v.observedAt,
      v.confidenceBps,
      v.evidenceHash,
      v.modelHash
    );
    return _recover(digest, v.r, v.yParityAndS, 0);
  }

  /// @dev Recovers the signers of the fresh values (ascending) and collects their answers; stale values are
  /// skipped before their signature is checked.
  function _recoverFresh(
    uint32 roundId,
    SignedValue[] calldata values
  ) private view returns (address[] memory signers, int192[] memory answers, uint256 earliest) {
    signers = new address[](values.length);
    answers = new int192[](values.length);
    (uint256 oldest, uint256 newest) = _freshWindow();
    address previous;
    uint256 fresh;
    earliest = newest;
    for (uint256 i = 0; i < values.length; ++i) {
      SignedValue calldata v = values[i];
      if (v.confidenceBps > MAX_CONFIDENCE_BPS) revert ConfidenceOutOfRange(i, v.confidenceBps);
      uint256 observedAt = v.observedAt;
      // A value observed too long ago (or in the future) is not evidence of the value now: left out.
      if (observedAt < oldest || observedAt > newest) continue;
      if (observedAt < earliest) earliest = observedAt;
      answers[fresh] = v.answer;
      address signer = _recoverValue(roundId, v, i);
      if (signer <= previous) revert SignersNotAscending(i, signer);
      signers[fresh] = signer;
      ++fresh;
      previous = signer;
    }
    assembly ("memory-safe") {
      mstore(signers, fresh)
    }
  }

  /// @dev [oldest, newest]: the observation times that count now.
  function _freshWindow() private view returns (uint256 oldest, uint256 newest) {
    oldest = block.timestamp > i_maxObservationAgeSec ? block.timestamp - i_maxObservationAgeSec : 0;
    newest = block.timestamp + MAX_FUTURE_SEC;
  }

  /// @dev The caller has read answer, observedAt and confidenceBps through Solidity (so they are clean).
  function _recoverValue(uint32 roundId, SignedValue calldata v, uint256 index) private view returns (address) {
    uint256 fields;
    assembly ("memory-safe") {
      fields := v
    }
    bytes32 digest = _feedObservationDigestFromCalldata(domainSeparator(), i_feedId, roundId, fields);
    return _recover(digest, v.r, v.yParityAndS, index);
  }

  // ================================================================
  // |              AggregatorInterface (Chainlink V2)              |
  // ================================================================

  /// @notice The latest round's answer; 0 before the first round.
  function latestAnswer() external view override returns (int256) {
    return s_rounds[s_latest.roundId].answer;
  }

  /// @notice When the latest round was recorded (unix seconds); 0 before the first round.
  function latestTimestamp() external view override returns (uint256) {
    return s_latest.updatedAt;
  }

  /// @notice The latest round's id; 0 before the first round.
  function latestRound() external view override returns (uint256) {
    return s_latest.roundId;
  }

  /// @notice Round `roundId`'s answer; 0 for a round not transmitted (or an id above uint32).
  function getAnswer(uint256 roundId) external view override returns (int256) {
    if (roundId > type(uint32).max) return 0;
    return s_rounds[uint32(roundId)].answer;
  }

  /// @notice When round `roundId` was recorded; 0 for a round not transmitted (or an id above uint32).
  function getTimestamp(uint256 roundId) external view override returns (uint256) {
    if (roundId > type(uint32).max) return 0;
    return s_rounds[uint32(roundId)].updatedAt;
  }

  // ================================================================
  // |                    AggregatorV3Interface                     |
  // ================================================================

  function decimals() external view override returns (uint8) {
    return i_decimals;
  }

  function description() external view override returns (string memory) {
    return s_description;
  }

  function getRoundData(
    uint80 roundId
  )
    external
    view
    override
    returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    if (roundId == 0 || roundId > s_latest.roundId) revert NoDataPresent(roundId);
    Round memory r = s_rounds[uint32(roundId)];
    return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
  }

  function latestRoundData()
    external
    view
    override
    returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    uint32 latest = s_latest.roundId;
    if (latest == 0) revert NoDataPresent(0);
    Round memory r = s_rounds[latest];
    return (latest, r.answer, r.updatedAt, r.updatedAt, latest);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @notice The requestId every observation of this feed signs: keccak256(bytes(description())).
  function feedId() external view returns (bytes32) {
    return i_feedId;
  }

  function latestRoundId() external view returns (uint32) {
    return s_latest.roundId;
  }

  /// @notice The epoch whose operator set judges a round landing now whose earliest counted observation was
  /// made at `observedAt`: that time's epoch, but not older than the previous epoch nor later than the current.
  function reportEpochAt(uint256 observedAt) public view returns (uint32) {
    uint32 current = _currentEpoch();
    uint256 e = _epochOf(observedAt);
    return reportEpochFor(e > current ? current : uint32(e));
  }

  function maxObservationAgeSec() external view returns (uint64) {
    return i_maxObservationAgeSec;
  }

  function minAnswer() external view returns (int192) {
    return i_minAnswer;
  }

  function maxAnswer() external view returns (int192) {
    return i_maxAnswer;
  }

  /// @dev Insertion sort: n is bounded by the active operator count (at most 64), where it beats a
  /// quickselect on gas.
  function _upperMedian(int192[] memory xs) private pure returns (int192) {
    uint256 n = xs.length;
    for (uint256 i = 1; i < n; ++i) {
      int192 key = xs[i];
      uint256 j = i;
      while (j > 0 && xs[j - 1] > key) {
        xs[j] = xs[j - 1];
        --j;
      }
      xs[j] = key;
    }
    return xs[n / 2];
  }
}
