// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice What a consumer (a market) and the dispute contract need from the ResolutionOracle.
interface IResolutionOracle {
  struct RequestParams {
    /// keccak256 of the question spec (JSON: question, sources, rules). Nodes check what they read against it.
    bytes32 specHash;
    /// The spec itself when small, else a URI to it. Emitted, not stored.
    string spec;
    /// Outcome labels, 2..MAX_OUTCOMES. Emitted, not stored; the answer is an index into them.
    string[] outcomes;
    /// Nodes do not answer (and commits revert) before this time.
    uint64 resolveAfter;
    /// Paid in the network token, shared by the nodes whose answer becomes final.
    uint96 feeWei;
    /// Gas given to IResolutionConsumer.onResolution at finality; 0 for no callback.
    uint32 callbackGasLimit;
  }

  function requestResolution(RequestParams calldata params) external returns (bytes32 requestId);

  /// @notice Reverts with the error requestResolution would revert with for these parameters (the fee's
  /// allowance aside), so a consumer can refuse a question the oracle would refuse before it takes money.
  function checkRequest(RequestParams calldata params) external view;

  /// @return isFinal true once the answer can no longer change
  /// @return answer an outcome index, or ANSWER_UNRESOLVABLE (-1)
  function getResolution(bytes32 requestId) external view returns (bool isFinal, int256 answer);

  function token() external view returns (IERC20);

  function claimableWei(address account) external view returns (uint256);

  /// @notice Pays out fees credited to msg.sender (signers' shares, a requester's refund).
  function withdrawFees() external;

  function disputeWindowSec() external view returns (uint64);

  /// @notice The longest dispute window a request can have: a contested one's (disputeWindowSec x
  /// contestedWindowMultiplier). A signer must stay slashable that long after a commit.
  function maxDisputeWindowSec() external view returns (uint64);

  /// @notice How the answer was reached: contested (dissent of at least contestDissentMin epoch members, or a
  /// median signed confidence of the agreeing members below contestConfidenceBps), the number of distinct
  /// dissenting members proved, that median, and when the request's dispute window ends (0 before a commit).
  function getScrutiny(
    bytes32 requestId
  ) external view returns (bool contested, uint256 dissentCount, uint16 medianConfidenceBps, uint64 disputeEndsAt);

  /// @notice When the request's dispute window ends (0 before a commit); longer when contested.
  function disputeEndsAt(bytes32 requestId) external view returns (uint64);

  /// @notice Whether `answer` is a final answer the request can take: an outcome index or -1.
  function isFinalAnswer(bytes32 requestId, int256 answer) external view returns (bool);

  /// @dev Governance only. Reverts unless the answer is committed, the dispute window is open, and `signers`
  /// is the committed report's operator list. Returns the committed answer.
  function markDisputed(bytes32 requestId, address[] calldata signers) external returns (int256 committedAnswer);

  /// @dev Governance only. `finalAnswer` different from the committed answer overturns it (the fee goes back
  /// to the requester); the same answer upholds it (the signers get the fee).
  function settleDispute(bytes32 requestId, int256 finalAnswer, address[] calldata signers) external;
}
