// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {IResolutionOracle} from "../interfaces/IResolutionOracle.sol";
import {IResolutionConsumer} from "../interfaces/IResolutionConsumer.sol";
import {IConditionalTokens} from "./IConditionalTokens.sol";

/// @title SibylCTFAdapter
/// @notice Resolves Gnosis ConditionalTokens conditions (the markets of Omen and Polymarket) with Sibyl.
///
/// Life of a question:
///  1. prepareQuestion: the caller pays Sibyl's fee (network token, pulled from the caller), the adapter asks
///     the ResolutionOracle and prepares a condition in ConditionalTokens with itself as the oracle, the
///     Sibyl request id as the questionId and one outcome slot per outcome label. Traders split collateral
///     into that condition's positions as in any CTF market.
///  2. At finality the oracle calls onResolution; the adapter reports payouts: the winning outcome's slot gets
///     everything ([0, 1, 0]), "unresolvable" (-1) splits evenly ([1, 1, 1]). "Too early" is never final:
///     Sibyl asks its nodes again later and nothing is reported meanwhile.
///  3. If the callback did not get through (out of gas, say), anyone calls resolve(questionId), which reads the
///     final answer with getResolution and reports the same payouts. A condition is reported once.
/// A dispute that overturns the committed answer happens before finality, so the payout is always the final
/// answer's. A fee the oracle refunds (an overturned or expired request) accrues to this adapter and
/// reclaimFees sends it to the fee recipient named at deployment.
contract SibylCTFAdapter is IResolutionConsumer, ReentrancyGuard {
  using SafeERC20 for IERC20;

  int256 internal constant ANSWER_UNRESOLVABLE = -1;
  /// CTF conditions have at most 256 slots; Sibyl questions at most 32 outcomes.
  uint256 public constant MAX_OUTCOMES = 32;
  /// Callback gas: the adapter's bookkeeping and reportPayouts' fixed part, plus one fresh numerator slot and
  /// its share of the event per outcome (a numerator of 1 in every slot is the unresolvable case's worst).
  uint32 public constant CALLBACK_BASE_GAS = 80_000;
  uint32 public constant CALLBACK_GAS_PER_OUTCOME = 26_000;

  struct Question {
    /// Outcome slots of the condition (0: no such question).
    uint8 outcomeCount;
    bool reported;
    /// The final answer reported (meaningful once reported).
    int16 answer;
    address creator;
  }

  IResolutionOracle internal immutable i_oracle;
  IConditionalTokens internal immutable i_ctf;
  IERC20 internal immutable i_feeToken;
  address internal immutable i_feeRecipient;

  mapping(bytes32 questionId => Question) internal s_questions;

  event QuestionPrepared(bytes32 indexed questionId, bytes32 indexed conditionId, address indexed creator, uint256 outcomeCount);
  event PayoutsReported(bytes32 indexed questionId, bytes32 indexed conditionId, int256 answer, uint256[] payouts);
  event FeesReclaimed(address indexed to, uint256 amountWei);

  error ZeroAddress();
  error BadOutcomeCount(uint256 count);
  error OnlyOracle(address caller);
  error UnknownQuestion(bytes32 questionId);
  error AlreadyReported(bytes32 questionId);
  error NotFinal(bytes32 questionId);
  error InvalidAnswer(int256 answer);
  error NothingToReclaim();

  constructor(IResolutionOracle oracle_, IConditionalTokens ctf_, address feeRecipient_) {
    if (address(oracle_) == address(0) || address(ctf_) == address(0) || feeRecipient_ == address(0)) revert ZeroAddress();
    i_oracle = oracle_;
    i_ctf = ctf_;
    i_feeToken = oracle_.token();
    i_feeRecipient = feeRecipient_;
  }

  // ================================================================
  // |                          Questions                           |
  // ================================================================

  /// @notice Asks Sibyl `spec` (see IResolutionOracle.RequestParams) and prepares the CTF condition it
  /// resolves. The caller must have approved `feeWei` of the network token to this adapter.
  /// @return questionId the Sibyl request id, which is the condition's questionId
  /// @return conditionId the ConditionalTokens condition (oracle: this adapter)
  function prepareQuestion(
    string calldata spec,
    string[] calldata outcomes,
    uint64 resolveAfter,
    uint96 feeWei
  ) external nonReentrant returns (bytes32 questionId, bytes32 conditionId) {
    uint256 outcomeCount = outcomes.length;
    if (outcomeCount < 2 || outcomeCount > MAX_OUTCOMES) revert BadOutcomeCount(outcomeCount);
    if (feeWei > 0) {
      i_feeToken.safeTransferFrom(msg.sender, address(this), feeWei);
      i_feeToken.forceApprove(address(i_oracle), feeWei);
    }
    questionId = i_oracle.requestResolution(
      IResolutionOracle.RequestParams({
        specHash: keccak256(bytes(spec)),
        spec: spec,
        outcomes: outcomes,
        resolveAfter: resolveAfter,
        feeWei: feeWei,
        callbackGasLimit: callbackGasLimitFor(outcomeCount)
      })
    );
    s_questions[questionId] = Question({outcomeCount: uint8(outcomeCount), reported: false, answer: 0, creator: msg.sender});
    conditionId = _conditionId(questionId, outcomeCount);
    // The request id is predictable, so someone may have prepared this very condition first; it is the same
    // condition (same oracle, question and slots), and a revert here would only let them block the question.
    if (i_ctf.getOutcomeSlotCount(conditionId) == 0) i_ctf.prepareCondition(address(this), questionId, outcomeCount);
    emit QuestionPrepared(questionId, conditionId, msg.sender, outcomeCount);
  }

  /// @inheritdoc IResolutionConsumer
  function onResolution(bytes32 requestId, int256 answer) external {
    if (msg.sender != address(i_oracle)) revert OnlyOracle(msg.sender);
    _report(requestId, answer);
  }

  /// @notice Reports a final answer the callback did not deliver. Anyone may call it.
  function resolve(bytes32 questionId) external {
    (bool isFinal, int256 answer) = i_oracle.getResolution(questionId);
    if (!isFinal) revert NotFinal(questionId);
    _report(questionId, answer);
  }

  /// @notice Withdraws fees the oracle refunded to this adapter and sends them to the fee recipient. Anyone may call it.
  function reclaimFees() external nonReentrant returns (uint256 amountWei) {
    if (i_oracle.claimableWei(address(this)) > 0) i_oracle.withdrawFees();
    amountWei = i_feeToken.balanceOf(address(this));
    if (amountWei == 0) revert NothingToReclaim();
    emit FeesReclaimed(i_feeRecipient, amountWei);
    i_feeToken.safeTransfer(i_feeRecipient, amountWei);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @notice The payout vector for a final answer: the winner takes all, "unresolvable" splits evenly.
  function payoutsFor(int256 answer, uint256 outcomeCount) public pure returns (uint256[] memory payouts) {
    payouts = new uint256[](outcomeCount);
    if (answer == ANSWER_UNRESOLVABLE) {
      for (uint256 i = 0; i < outcomeCount; ++i) payouts[i] = 1;
    } else if (answer >= 0 && uint256(answer) < outcomeCount) {
      payouts[uint256(answer)] = 1;
    } else {
      // "Too early" (-2) and anything else are never final answers: reporting them would be a bug.
      revert InvalidAnswer(answer);
    }
  }

  /// @notice Gas the oracle gives the callback for a question of `outcomeCount` outcomes.
  function callbackGasLimitFor(uint256 outcomeCount) public pure returns (uint32) {
    return CALLBACK_BASE_GAS + CALLBACK_GAS_PER_OUTCOME * uint32(outcomeCount);
  }

  function conditionIdOf(bytes32 questionId) external view returns (bytes32) {
    Question storage q = s_questions[questionId];
    if (q.outcomeCount == 0) revert UnknownQuestion(questionId);
    return _conditionId(questionId, q.outcomeCount);
  }

  function getQuestion(bytes32 questionId) external view returns (Question memory) {
    return s_questions[questionId];
  }

  function oracle() external view returns (IResolutionOracle) {
    return i_oracle;
  }

  function conditionalTokens() external view returns (IConditionalTokens) {
    return i_ctf;
  }

  function feeRecipient() external view returns (address) {
    return i_feeRecipient;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  /// @dev CTHelpers.getConditionId, computed here instead of asking the CTF contract.
  function _conditionId(bytes32 questionId, uint256 outcomeCount) private view returns (bytes32) {
    return keccak256(abi.encodePacked(address(this), questionId, outcomeCount));
  }

  function _report(bytes32 questionId, int256 answer) private {
    Question storage q = s_questions[questionId];
    uint256 outcomeCount = q.outcomeCount;
    if (outcomeCount == 0) revert UnknownQuestion(questionId);
    if (q.reported) revert AlreadyReported(questionId);
    uint256[] memory payouts = payoutsFor(answer, outcomeCount);
    q.reported = true;
    q.answer = int16(answer);
    emit PayoutsReported(questionId, _conditionId(questionId, outcomeCount), answer, payouts);
    i_ctf.reportPayouts(questionId, payouts);
  }
}
