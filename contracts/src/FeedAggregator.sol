// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {ObservationVerifier} from "./lib/ObservationVerifier.sol";

/// @title FeedAggregator
/// @notice A numeric feed (a price, a score) that existing Chainlink consumers read unchanged through
/// AggregatorV3Interface.
/// Each round, every node signs its own value as an Observation with requestId = feedId() and round = the
/// next round id; anyone transmits a quorum of them. The contract verifies every signature, takes the
/// median itself (so the transmitter cannot pick the answer), checks it against the feed's bounds and
/// stores it. With q = n - f values of which at most f are lies, the median always lies between two honest
/// values. Even counts take the upper median, as Chainlink's OCR aggregators do.
contract FeedAggregator is AggregatorV3Interface, ObservationVerifier {
  struct SignedValue {
    int192 answer;
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

  uint256 public constant override version = 1;

  uint8 internal immutable i_decimals;
  int192 internal immutable i_minAnswer;
  int192 internal immutable i_maxAnswer;
  bytes32 internal immutable i_feedId;
  string internal s_description;

  uint32 internal s_latestRoundId;
  mapping(uint32 roundId => Round) internal s_rounds;

  /// Same signature as Chainlink's AggregatorInterface, so indexers that watch feeds see Sibyl feeds too.
  event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
  event NewTransmission(uint32 indexed roundId, int192 answer, address transmitter, address[] signers);

  error BadBounds(int192 minAnswer, int192 maxAnswer);
  error StaleRound(uint32 roundId, uint32 expected);
  error AnswerOutOfBounds(int192 answer, int192 minAnswer, int192 maxAnswer);
  error NoDataPresent(uint80 roundId);

  constructor(
    IStaking staking,
    uint8 decimals_,
    string memory description_,
    int192 minAnswer,
    int192 maxAnswer
  ) ObservationVerifier(staking) {
    if (minAnswer >= maxAnswer) revert BadBounds(minAnswer, maxAnswer);
    i_decimals = decimals_;
    i_minAnswer = minAnswer;
    i_maxAnswer = maxAnswer;
    i_feedId = keccak256(bytes(description_));
    s_description = description_;
  }

  /// @notice Records the median of a quorum of signed values as round s_latestRoundId + 1. Values must be
  /// ordered by recovered signer, ascending.
  function transmit(uint32 roundId, SignedValue[] calldata values) external {
    uint32 expected = s_latestRoundId + 1;
    if (roundId != expected) revert StaleRound(roundId, expected);

    uint256 n = values.length;
    address[] memory signers = new address[](n);
    int192[] memory answers = new int192[](n);
    bytes32 domainSeparator_ = domainSeparator();
    bytes32 feedId_ = i_feedId;
    address previous;
    for (uint256 i = 0; i < n; ++i) {
      SignedValue calldata v = values[i];
      bytes32 digest = _observationDigest(
        domainSeparator_,
        feedId_,
        roundId,
        v.answer,
        v.confidenceBps,
        v.evidenceHash,
        v.modelHash
      );
      address signer = _recover(digest, v.r, v.yParityAndS, i);
      if (signer <= previous) revert SignersNotAscending(i, signer);
      signers[i] = signer;
      answers[i] = v.answer;
      previous = signer;
    }
    address[] memory operators = _requireQuorum(signers);

    int192 median = _upperMedian(answers);
    if (median < i_minAnswer || median > i_maxAnswer) revert AnswerOutOfBounds(median, i_minAnswer, i_maxAnswer);
    s_latestRoundId = roundId;
    s_rounds[roundId] = Round({answer: median, updatedAt: uint64(block.timestamp)});
    emit AnswerUpdated(median, roundId, block.timestamp);
    emit NewTransmission(roundId, median, msg.sender, operators);
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
    if (roundId == 0 || roundId > s_latestRoundId) revert NoDataPresent(roundId);
    Round memory r = s_rounds[uint32(roundId)];
    return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
  }

  function latestRoundData()
    external
    view
    override
    returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    uint32 latest = s_latestRoundId;
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
    return s_latestRoundId;
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
