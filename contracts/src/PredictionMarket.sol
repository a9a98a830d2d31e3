// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {IResolutionOracle} from "./interfaces/IResolutionOracle.sol";
import {IResolutionConsumer} from "./interfaces/IResolutionConsumer.sol";

/// @title PredictionMarket
/// @notice An example consumer of the ResolutionOracle: a parimutuel market on one question. Before
/// closeTime anyone buys positions on an outcome with ETH (two outcomes, YES/NO, is the usual case). After
/// closeTime anyone asks the oracle to resolve it; the fee, in the network token, is paid from this
/// contract's token balance, funded by the market's creator. At finality the oracle calls back; winners
/// then redeem their share of the whole pool. If the answer is "unresolvable", or nobody backed the
/// winning outcome, everyone gets their ETH back.
/// The constructor asks the oracle to check the question (spec size, outcomes, fee, callback gas) and that the
/// fee token is the oracle's, so a market the oracle would refuse never takes a bettor's money.
/// Every token that enters leaves: payouts are exact (the last winner to redeem gets the remainder, so no
/// dust stays), and a fee the oracle refunds (an overturned or expired request) is taken back from the oracle
/// and sent to the market's creator with reclaimFees.
contract PredictionMarket is IResolutionConsumer, ReentrancyGuard {
  using SafeERC20 for IERC20;

  uint32 public constant CALLBACK_GAS_LIMIT = 100_000;
  /// If no final answer has arrived this long after resolveAfter (the request could not be made, the
  /// oracle halted, a dispute never settled), anyone may void the market and everyone is refunded.
  uint64 public constant RESOLUTION_TIMEOUT_SEC = 30 days;
  int256 internal constant ANSWER_UNRESOLVABLE = -1;

  IResolutionOracle internal immutable i_oracle;
  IERC20 internal immutable i_feeToken;
  /// Funds the oracle fee; gets back what the oracle refunds.
  address internal immutable i_creator;
  bytes32 internal immutable i_specHash;
  uint64 internal immutable i_closeTime;
  uint64 internal immutable i_resolveAfter;
  uint96 internal immutable i_feeWei;
  uint8 internal immutable i_outcomeCount;
  string internal s_spec;
  string[] internal s_outcomes;

  bytes32 internal s_requestId;
  bool internal s_resolved;
  int256 internal s_answer;
  uint256 internal s_totalPoolWei;
  /// Winning positions redeemed so far, and what they were paid: the last winner gets the exact remainder.
  uint256 internal s_redeemedWinningWei;
  uint256 internal s_paidWinningWei;
  mapping(uint256 outcome => uint256) internal s_poolWei;
  mapping(address account => mapping(uint256 outcome => uint256)) internal s_positionWei;
  mapping(address account => bool) internal s_redeemed;

  event PositionBought(address indexed account, uint8 indexed outcome, uint256 amountWei);
  event ResolutionRequested(bytes32 indexed requestId);
  event Resolved(bytes32 indexed requestId, int256 answer);
  event Redeemed(address indexed account, uint256 amountWei);
  event Voided(uint64 at);
  event FeesReclaimed(address indexed to, uint256 amountWei);

  error BadOutcomeCount(uint256 count);
  error BadTimes(uint64 closeTime, uint64 resolveAfter);
  error MarketClosed(uint64 closeTime);
  error MarketOpen(uint64 closeTime);
  error InvalidOutcome(uint8 outcome);
  error ZeroAmount();
  error AlreadyRequested(bytes32 requestId);
  error OnlyOracle(address caller);
  error UnknownRequest(bytes32 requestId);
  error NotResolved();
  error AlreadyRedeemed(address account);
  error NothingToRedeem(address account);
  error PayoutFailed(address account);
  error AlreadyResolved();
  error ResolutionNotOverdue(uint64 voidableAt);
  error TokenMismatch(address feeToken, address oracleToken);
  error NothingToReclaim();

  constructor(
    IResolutionOracle oracle,
    IERC20 feeToken,
    string memory spec,
    string[] memory outcomes,
    uint64 closeTime,
    uint64 resolveAfter,
    uint96 feeWei
  ) {
    if (outcomes.length < 2 || outcomes.length > 32) revert BadOutcomeCount(outcomes.length);
    if (resolveAfter < closeTime) revert BadTimes(closeTime, resolveAfter);
    if (address(oracle.token()) != address(feeToken)) revert TokenMismatch(address(feeToken), address(oracle.token()));
    // Reverts with the oracle's own error if it would refuse this question later.
    oracle.checkRequest(
      IResolutionOracle.RequestParams({
        specHash: keccak256(bytes(spec)),
        spec: spec,
        outcomes: outcomes,
        resolveAfter: resolveAfter,
        feeWei: feeWei,
        callbackGasLimit: CALLBACK_GAS_LIMIT
      })
    );
    i_creator = msg.sender;
    i_oracle = oracle;
    i_feeToken = feeToken;
    i_specHash = keccak256(bytes(spec));
    i_closeTime = closeTime;
    i_resolveAfter = resolveAfter;
    i_feeWei = feeWei;
    i_outcomeCount = uint8(outcomes.length);
    s_spec = spec;
    s_outcomes = outcomes;
  }

  /// @notice Backs `outcome` with msg.value.
  function buy(uint8 outcome) external payable {
    if (block.timestamp >= i_closeTime) revert MarketClosed(i_closeTime);
    if (outcome >= i_outcomeCount) revert InvalidOutcome(outcome);
    if (msg.value == 0) revert ZeroAmount();
    s_positionWei[msg.sender][outcome] += msg.value;
    s_poolWei[outcome] += msg.value;
    s_totalPoolWei += msg.value;
    emit PositionBought(msg.sender, outcome, msg.value);
  }

  /// @notice Asks the oracle to resolve the market. Anyone may call it once the market has closed.
  function requestResolution() external nonReentrant returns (bytes32 requestId) {
    if (block.timestamp < i_closeTime) revert MarketOpen(i_closeTime);
    if (s_requestId != bytes32(0)) revert AlreadyRequested(s_requestId);
    i_feeToken.forceApprove(address(i_oracle), i_feeWei);
    requestId = i_oracle.requestResolution(
      IResolutionOracle.RequestParams({
        specHash: i_specHash,
        spec: s_spec,
        outcomes: s_outcomes,
        resolveAfter: i_resolveAfter,
        feeWei: i_feeWei,
        callbackGasLimit: CALLBACK_GAS_LIMIT
      })
    );
    s_requestId = requestId;
    emit ResolutionRequested(requestId);
  }

  /// @inheritdoc IResolutionConsumer
  function onResolution(bytes32 requestId, int256 answer) external {
    if (msg.sender != address(i_oracle)) revert OnlyOracle(msg.sender);
    if (requestId != s_requestId) revert UnknownRequest(requestId);
    _resolve(answer);
  }

  /// @notice Reads a final answer from the oracle, for when the callback did not get through.
  function sync() external {
    bytes32 requestId = s_requestId;
    if (requestId == bytes32(0)) revert UnknownRequest(requestId);
    (bool isFinal, int256 answer) = i_oracle.getResolution(requestId);
    if (!isFinal) revert NotResolved();
    _resolve(answer);
  }

  /// @notice Voids a market whose resolution is overdue: every backer gets its stake back. If the oracle has
  /// a final answer by then (its callback did not get through), that answer is taken instead. A final answer
  /// that arrives after a void is ignored.
  function voidIfUnresolved() external {
    if (s_resolved) revert AlreadyResolved();
    uint64 voidableAt = i_resolveAfter + RESOLUTION_TIMEOUT_SEC;
    if (block.timestamp < voidableAt) revert ResolutionNotOverdue(voidableAt);
    bytes32 requestId_ = s_requestId;
    if (requestId_ != bytes32(0)) {
      (bool isFinal, int256 answer) = i_oracle.getResolution(requestId_);
      if (isFinal) return _resolve(answer);
    }
    _resolve(ANSWER_UNRESOLVABLE);
    emit Voided(uint64(block.timestamp));
  }

  /// @notice Once the fee is paid (the request is made) or the market is settled, sends the fee token this
  /// market holds, including a fee the oracle refunded, to the market's creator. Anyone may call it.
  function reclaimFees() external nonReentrant returns (uint256 amountWei) {
    if (s_requestId == bytes32(0) && !s_resolved) revert NothingToReclaim();
    if (i_oracle.claimableWei(address(this)) > 0) i_oracle.withdrawFees();
    amountWei = i_feeToken.balanceOf(address(this));
    if (amountWei == 0) revert NothingToReclaim();
    emit FeesReclaimed(i_creator, amountWei);
    i_feeToken.safeTransfer(i_creator, amountWei);
  }

  /// @notice Pays msg.sender its winnings, or its stakes back if the market is void.
  function redeem() external nonReentrant returns (uint256 payoutWei) {
    if (!s_resolved) revert NotResolved();
    if (s_redeemed[msg.sender]) revert AlreadyRedeemed(msg.sender);
    payoutWei = payoutOf(msg.sender);
    if (payoutWei == 0) revert NothingToRedeem(msg.sender);
    s_redeemed[msg.sender] = true;
    if (!_isVoid()) {
      s_redeemedWinningWei += s_positionWei[msg.sender][uint256(s_answer)];
      s_paidWinningWei += payoutWei;
    }
    emit Redeemed(msg.sender, payoutWei);
    (bool ok, ) = msg.sender.call{value: payoutWei}("");
    if (!ok) revert PayoutFailed(msg.sender);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @notice What `account` would receive now (0 before resolution or after redeeming).
  function payoutOf(address account) public view returns (uint256) {
    if (!s_resolved || s_redeemed[account]) return 0;
    if (_isVoid()) {
      uint256 total;
      for (uint256 i = 0; i < i_outcomeCount; ++i) total += s_positionWei[account][i];
      return total;
    }
    uint256 winning = uint256(s_answer);
    uint256 position = s_positionWei[account][winning];
    if (position == 0) return 0;
    // The last winning position to redeem takes what is left of the pool: no rounding dust stays behind.
    if (s_redeemedWinningWei + position == s_poolWei[winning]) return s_totalPoolWei - s_paidWinningWei;
    return (position * s_totalPoolWei) / s_poolWei[winning];
  }

  function positionOf(address account, uint8 outcome) external view returns (uint256) {
    return s_positionWei[account][outcome];
  }

  function poolOf(uint8 outcome) external view returns (uint256) {
    return s_poolWei[outcome];
  }

  function totalPoolWei() external view returns (uint256) {
    return s_totalPoolWei;
  }

  function requestId() external view returns (bytes32) {
    return s_requestId;
  }

  function resolution() external view returns (bool resolved, int256 answer) {
    return (s_resolved, s_answer);
  }

  function closeTime() external view returns (uint64) {
    return i_closeTime;
  }

  function resolveAfter() external view returns (uint64) {
    return i_resolveAfter;
  }

  function outcomes() external view returns (string[] memory) {
    return s_outcomes;
  }

  function spec() external view returns (string memory) {
    return s_spec;
  }

  function creator() external view returns (address) {
    return i_creator;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  function _resolve(int256 answer) private {
    if (s_resolved) return;
    s_resolved = true;
    s_answer = answer;
    emit Resolved(s_requestId, answer);
  }

  /// @dev Void: unresolvable (any negative answer), or nobody backed the winner.
  function _isVoid() private view returns (bool) {
    return s_answer < 0 || s_poolWei[uint256(s_answer)] == 0;
  }
}
