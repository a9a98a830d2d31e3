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
/// @dev Payouts round down; the dust stays in the contract.
contract PredictionMarket is IResolutionConsumer, ReentrancyGuard {
  using SafeERC20 for IERC20;

  uint32 public constant CALLBACK_GAS_LIMIT = 100_000;
  /// If no final answer has arrived this long after resolveAfter (the request could not be made, the
  /// oracle halted, a dispute never settled), anyone may void the market and everyone is refunded.
  uint64 public constant RESOLUTION_TIMEOUT_SEC = 30 days;
  int256 internal constant ANSWER_UNRESOLVABLE = -1;

  IResolutionOracle internal immutable i_oracle;
  IERC20 internal immutable i_feeToken;
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
  mapping(uint256 outcome => uint256) internal s_poolWei;
  mapping(address account => mapping(uint256 outcome => uint256)) internal s_positionWei;
  mapping(address account => bool) internal s_redeemed;

  event PositionBought(address indexed account, uint8 indexed outcome, uint256 amountWei);
  event ResolutionRequested(bytes32 indexed requestId);
  event Resolved(bytes32 indexed requestId, int256 answer);
  event Redeemed(address indexed account, uint256 amountWei);
  event Voided(uint64 at);

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

  /// @notice Voids a market whose resolution is overdue: every backer gets its stake back. A final answer
  /// that arrives afterwards is ignored.
  function voidIfUnresolved() external {
    if (s_resolved) revert AlreadyResolved();
    uint64 voidableAt = i_resolveAfter + RESOLUTION_TIMEOUT_SEC;
    if (block.timestamp < voidableAt) revert ResolutionNotOverdue(voidableAt);
    _resolve(ANSWER_UNRESOLVABLE);
    emit Voided(uint64(block.timestamp));
  }

  /// @notice Pays msg.sender its winnings, or its stakes back if the market is void.
  function redeem() external nonReentrant returns (uint256 payoutWei) {
    if (!s_resolved) revert NotResolved();
    if (s_redeemed[msg.sender]) revert AlreadyRedeemed(msg.sender);
    payoutWei = payoutOf(msg.sender);
    if (payoutWei == 0) revert NothingToRedeem(msg.sender);
    s_redeemed[msg.sender] = true;
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
    return (s_positionWei[account][winning] * s_totalPoolWei) / s_poolWei[winning];
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
