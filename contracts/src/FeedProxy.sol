// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AggregatorV2V3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV2V3Interface.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/// @title FeedProxy
/// @notice One stable address for a feed, read through AggregatorV2V3Interface with the semantics of
/// Chainlink's AggregatorProxy, so a consumer keeps its address when the feed behind it is replaced.
///
/// Phases. Each aggregator the proxy has pointed at is a phase (ids from 1, in order). A round id read through
/// the proxy packs the phase id above the aggregator's own round id: `(phaseId << 64) | aggregatorRoundId`,
/// an 80-bit id (uint80) whose top 16 bits are the phase. So ids keep growing across an upgrade even though the
/// new aggregator restarts at round 1, and every round of every past phase stays readable through its packed
/// id (getRoundData, getAnswer, getTimestamp ask that phase's aggregator). Latest reads go to the current
/// aggregator. Unknown rounds answer as the aggregators do: the V3 getters revert (an unknown phase reverts
/// NoDataPresent here; a known phase's unknown round reverts in its aggregator), the V2 getters return 0.
///
/// Upgrades: propose, try, wait, confirm. The owner (governance: a timelock or a multisig, two-step transfer)
/// proposes the next aggregator; anyone can read it before it is live through proposedLatestRoundData /
/// proposedGetRoundData (its own round ids, unpacked). The owner confirms it no earlier than upgradeDelaySec
/// after the proposal, and only if it has reported at least once, so consumers never see an empty feed.
/// Why a delay enforced here and not only in the owner: whoever owns the proxy decides every consumer's price,
/// so the delay is a promise the proxy itself keeps (whatever the owner is, or becomes after a transfer): every
/// consumer gets upgradeDelaySec of notice (AggregatorProposed, with the time it can be confirmed) to check
/// the new aggregator and exit if they must. The delay is fixed at deployment (shortening it would itself need
/// a delay). A proposal must keep the current decimals: consumers cache them, and a silent change of scale
/// would misprice every position.
///
/// What differs from Chainlink's EACAggregatorProxy: reads are open to all (no access controller); upgrades
/// wait upgradeDelaySec and need a proposal that has data and the same decimals; a proposal can be withdrawn;
/// errors are custom errors.
contract FeedProxy is AggregatorV2V3Interface, Ownable2Step {
  /// The current phase, in one slot: every read loads it.
  struct Phase {
    uint16 id;
    AggregatorV2V3Interface aggregator;
  }

  /// The pending proposal, in one slot.
  struct Proposal {
    AggregatorV2V3Interface aggregator;
    uint64 proposedAt;
  }

  /// Bits of a proxy round id below the phase id.
  uint256 internal constant PHASE_OFFSET = 64;
  /// The largest round id the proxy can hand out: a 16-bit phase above a 64-bit aggregator round id.
  uint256 internal constant MAX_ROUND_ID = (1 << (PHASE_OFFSET + 16)) - 1;

  uint64 internal immutable i_upgradeDelaySec;

  Phase internal s_current;
  Proposal internal s_proposal;
  mapping(uint16 phaseId => AggregatorV2V3Interface) internal s_phaseAggregators;

  event AggregatorProposed(address indexed current, address indexed proposed, uint256 confirmableAt);
  event AggregatorProposalWithdrawn(address indexed proposed);
  event AggregatorConfirmed(address indexed previous, address indexed latest, uint16 indexed phaseId);

  /// Same signature as FeedAggregator.NoDataPresent, so a decoder names both alike.
  error NoDataPresent(uint80 roundId);
  error NoProposal();
  error ZeroAggregator();
  error AlreadyCurrent(address aggregator);
  error DecimalsMismatch(uint8 current, uint8 proposed);
  error NotProposed(address aggregator, address proposed);
  error UpgradeDelayNotElapsed(uint256 confirmableAt);
  error ProposalHasNoData(address aggregator);
  error BadUpgradeDelay(uint64 upgradeDelaySec);
  error ZeroGovernance();

  /// @param aggregator The first phase's aggregator.
  /// @param upgradeDelaySec The least time between a proposal and its confirmation; not 0.
  /// @param governance The owner from the start (two-step transfers afterwards).
  constructor(AggregatorV2V3Interface aggregator, uint64 upgradeDelaySec, address governance) {
    if (address(aggregator) == address(0)) revert ZeroAggregator();
    if (upgradeDelaySec == 0) revert BadUpgradeDelay(upgradeDelaySec);
    if (governance == address(0)) revert ZeroGovernance();
    i_upgradeDelaySec = upgradeDelaySec;
    _transferOwnership(governance);
    _setAggregator(aggregator);
  }

  // ================================================================
  // |                          Upgrades                            |
  // ================================================================

  /// @notice Proposes the next aggregator (replacing any pending proposal, whose clock starts again). It can be
  /// confirmed upgradeDelaySec from now.
  function proposeAggregator(AggregatorV2V3Interface aggregator_) external onlyOwner {
    if (address(aggregator_) == address(0)) revert ZeroAggregator();
    AggregatorV2V3Interface current = s_current.aggregator;
    if (aggregator_ == current) revert AlreadyCurrent(address(aggregator_));
    uint8 currentDecimals = current.decimals();
    uint8 proposedDecimals = aggregator_.decimals();
    if (proposedDecimals != currentDecimals) revert DecimalsMismatch(currentDecimals, proposedDecimals);
    s_proposal = Proposal({aggregator: aggregator_, proposedAt: uint64(block.timestamp)});
    emit AggregatorProposed(address(current), address(aggregator_), block.timestamp + i_upgradeDelaySec);
  }

  /// @notice Withdraws the pending proposal.
  function withdrawProposal() external onlyOwner {
    AggregatorV2V3Interface proposed = s_proposal.aggregator;
    if (address(proposed) == address(0)) revert NoProposal();
    delete s_proposal;
    emit AggregatorProposalWithdrawn(address(proposed));
  }

  /// @notice Makes the proposed aggregator the current one, as a new phase. `aggregator_` must be the pending
  /// proposal (so a confirmation cannot land on a proposal replaced in between), proposed at least
  /// upgradeDelaySec ago, with at least one round.
  function confirmAggregator(address aggregator_) external onlyOwner {
    Proposal memory proposal = s_proposal;
    if (address(proposal.aggregator) == address(0) || aggregator_ != address(proposal.aggregator)) {
      revert NotProposed(aggregator_, address(proposal.aggregator));
    }
    uint256 confirmableAt = uint256(proposal.proposedAt) + i_upgradeDelaySec;
    if (block.timestamp < confirmableAt) revert UpgradeDelayNotElapsed(confirmableAt);
    if (proposal.aggregator.latestTimestamp() == 0) revert ProposalHasNoData(aggregator_);
    delete s_proposal;
    address previous = address(s_current.aggregator);
    uint16 phaseId_ = _setAggregator(proposal.aggregator);
    emit AggregatorConfirmed(previous, aggregator_, phaseId_);
  }

  /// @dev 65,535 phases at most: the 16-bit phase id overflows (a checked-arithmetic panic) after that.
  function _setAggregator(AggregatorV2V3Interface aggregator_) private returns (uint16 id) {
    id = s_current.id + 1;
    s_current = Phase({id: id, aggregator: aggregator_});
    s_phaseAggregators[id] = aggregator_;
  }

  // ================================================================
  // |                 Phases and the proposed feed                 |
  // ================================================================

  /// @notice The current aggregator.
  function aggregator() external view returns (address) {
    return address(s_current.aggregator);
  }

  /// @notice The current phase id (1 for the first aggregator).
  function phaseId() external view returns (uint16) {
    return s_current.id;
  }

  /// @notice The aggregator of phase `phaseId_`; address(0) for a phase that has not been.
  function phaseAggregators(uint16 phaseId_) external view returns (AggregatorV2V3Interface) {
    return s_phaseAggregators[phaseId_];
  }

  /// @notice The pending proposal; address(0) if none.
  function proposedAggregator() external view returns (AggregatorV2V3Interface) {
    return s_proposal.aggregator;
  }

  /// @notice When the pending proposal can be confirmed; 0 if none.
  function proposalConfirmableAt() external view returns (uint256) {
    Proposal memory proposal = s_proposal;
    return address(proposal.aggregator) == address(0) ? 0 : uint256(proposal.proposedAt) + i_upgradeDelaySec;
  }

  function upgradeDelaySec() external view returns (uint64) {
    return i_upgradeDelaySec;
  }

  /// @notice The proposed aggregator's latest round, in its own round ids (no phase).
  function proposedLatestRoundData()
    external
    view
    returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    return _proposed().latestRoundData();
  }

  /// @notice Round `roundId` of the proposed aggregator, in its own round ids (no phase).
  function proposedGetRoundData(
    uint80 roundId
  ) external view returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) {
    return _proposed().getRoundData(roundId);
  }

  function _proposed() private view returns (AggregatorV2V3Interface proposed) {
    proposed = s_proposal.aggregator;
    if (address(proposed) == address(0)) revert NoProposal();
  }

  // ================================================================
  // |              AggregatorInterface (Chainlink V2)              |
  // ================================================================

  function latestAnswer() external view override returns (int256) {
    return s_current.aggregator.latestAnswer();
  }

  function latestTimestamp() external view override returns (uint256) {
    return s_current.aggregator.latestTimestamp();
  }

  /// @notice The latest round id, with the current phase packed above it.
  function latestRound() external view override returns (uint256) {
    Phase memory current = s_current;
    return _pack(current.id, current.aggregator.latestRound());
  }

  /// @notice The answer of a packed round id; 0 for an unknown phase or round.
  function getAnswer(uint256 roundId) external view override returns (int256) {
    if (roundId > MAX_ROUND_ID) return 0;
    (uint16 phase, uint64 aggregatorRoundId) = _unpack(roundId);
    AggregatorV2V3Interface a = s_phaseAggregators[phase];
    if (address(a) == address(0)) return 0;
    return a.getAnswer(aggregatorRoundId);
  }

  /// @notice The timestamp of a packed round id; 0 for an unknown phase or round.
  function getTimestamp(uint256 roundId) external view override returns (uint256) {
    if (roundId > MAX_ROUND_ID) return 0;
    (uint16 phase, uint64 aggregatorRoundId) = _unpack(roundId);
    AggregatorV2V3Interface a = s_phaseAggregators[phase];
    if (address(a) == address(0)) return 0;
    return a.getTimestamp(aggregatorRoundId);
  }

  // ================================================================
  // |                    AggregatorV3Interface                     |
  // ================================================================

  function decimals() external view override returns (uint8) {
    return s_current.aggregator.decimals();
  }

  function description() external view override returns (string memory) {
    return s_current.aggregator.description();
  }

  function version() external view override returns (uint256) {
    return s_current.aggregator.version();
  }

  /// @notice Round `roundId` (packed) of its phase's aggregator, ids packed with that phase. Reverts
  /// NoDataPresent for a phase that has not been, and as the aggregator does for a round it does not have.
  function getRoundData(
    uint80 roundId
  )
    external
    view
    override
    returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    (uint16 phase, uint64 aggregatorRoundId) = _unpack(roundId);
    AggregatorV2V3Interface a = s_phaseAggregators[phase];
    if (address(a) == address(0)) revert NoDataPresent(roundId);
    uint80 r;
    uint80 answered;
    (r, answer, startedAt, updatedAt, answered) = a.getRoundData(aggregatorRoundId);
    return (_pack80(phase, r), answer, startedAt, updatedAt, _pack80(phase, answered));
  }

  /// @notice The current aggregator's latest round, ids packed with the current phase.
  function latestRoundData()
    external
    view
    override
    returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    Phase memory current = s_current;
    uint80 r;
    uint80 answered;
    (r, answer, startedAt, updatedAt, answered) = current.aggregator.latestRoundData();
    return (_pack80(current.id, r), answer, startedAt, updatedAt, _pack80(current.id, answered));
  }

  // ================================================================
  // |                       Round id packing                       |
  // ================================================================

  /// @dev Only the low 64 bits of the aggregator's id are kept, as Chainlink's proxy does.
  function _pack(uint16 phase, uint256 aggregatorRoundId) private pure returns (uint256) {
    return (uint256(phase) << PHASE_OFFSET) | uint64(aggregatorRoundId);
  }

  function _pack80(uint16 phase, uint80 aggregatorRoundId) private pure returns (uint80) {
    return uint80(_pack(phase, aggregatorRoundId));
  }

  function _unpack(uint256 roundId) private pure returns (uint16 phase, uint64 aggregatorRoundId) {
    phase = uint16(roundId >> PHASE_OFFSET);
    aggregatorRoundId = uint64(roundId);
  }
}
