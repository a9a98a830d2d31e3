// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

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

  /// @return isFinal true once the answer can no longer change
  /// @return answer an outcome index, or ANSWER_UNRESOLVABLE (-1)
  function getResolution(bytes32 requestId) external view returns (bool isFinal, int256 answer);

  /// @dev Reverts unless the answer is committed, the dispute window is open, and proposedAnswer is a valid
  /// final answer other than the committed one.
  function markDisputed(bytes32 requestId, int256 proposedAnswer) external;

  function settleDispute(bytes32 requestId, bool overturned, int256 newAnswer, address[] calldata signers) external;
}
