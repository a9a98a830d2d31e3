// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {IResolutionOracle} from "../interfaces/IResolutionOracle.sol";
import {IResolutionConsumer} from "../interfaces/IResolutionConsumer.sol";
import {ResolutionOracle} from "../ResolutionOracle.sol";
import {SibylTextSpec} from "./SibylTextSpec.sol";

/// @notice What the UMA-style facades share: a yes/no text question asked of the ResolutionOracle with the
/// facade as requester (outcomes NO = 0, YES = 1), the oracle's callback at finality, and calls into client
/// contracts that cannot block a resolution.
abstract contract SibylQuestionFacade is IResolutionConsumer, ReentrancyGuard {
  using SafeERC20 for IERC20;

  int256 internal constant ANSWER_NO = 0;
  int256 internal constant ANSWER_YES = 1;
  int256 internal constant ANSWER_UNRESOLVABLE = -1;

  ResolutionOracle internal immutable i_oracle;
  IERC20 internal immutable i_token;
  /// Gas the oracle gives this facade's callback: its bookkeeping plus the client's own callback.
  uint32 internal immutable i_callbackGasLimit;
  /// The JSON array of sources every built question is judged from (SibylTextSpec).
  bytes internal s_sourcesJson;
  bytes internal s_escapedRules;
  /// Who gets each request's fee back if the oracle refunds it, and how much was paid.
  struct Refund {
    address to;
    uint96 feeWei;
  }
  mapping(bytes32 requestId => Refund) internal s_refunds;

  event ClientCallback(bytes32 indexed requestId, address indexed client, bytes4 selector, bool success);
  event FeeRefunded(bytes32 indexed requestId, address indexed to, uint256 amountWei);

  error ZeroAddress();
  error OnlyOracle(address caller);
  error UnsupportedCurrency(address currency);
  error FeeTooLarge(uint256 amountWei);
  error Unsupported();
  /// A client ran out of the gas this call carried: send the call again with more gas.
  error ClientStarved(address client);
  /// The oracle did not refund this request's fee, or it was paid back already, or there was none.
  error NoRefund(bytes32 requestId);

  constructor(ResolutionOracle oracle, string memory sourcesJson, string memory rules, uint32 callbackGasLimit) {
    if (address(oracle) == address(0)) revert ZeroAddress();
    i_oracle = oracle;
    i_token = oracle.token();
    i_callbackGasLimit = callbackGasLimit;
    s_sourcesJson = bytes(sourcesJson);
    s_escapedRules = SibylTextSpec.escape(bytes(rules));
  }

  /// @notice The spec a question with this text is asked with (see SibylTextSpec).
  function specFor(bytes memory text) public view returns (string memory) {
    return SibylTextSpec.build(text, s_sourcesJson, s_escapedRules, _takesWholeSpecs());
  }

  /// @dev Whether a text that is a whole spec is asked as it stands (naming its own sources): only where the
  /// party writing the text is the one relying on the answer.
  function _takesWholeSpecs() internal pure virtual returns (bool) {
    return true;
  }

  function resolutionOracle() external view returns (ResolutionOracle) {
    return i_oracle;
  }

  /// @notice Pays a fee the oracle refunded (the request expired unanswered, or a dispute overturned its answer)
  /// back to whom the request named: the requester for V2, the asserter for V3, unless the facade says otherwise
  /// (V3: a false claim a dispute caught gets nothing back; its fee goes to the dispute treasury). The oracle
  /// credits every refund to this facade, which pools many payers' fees; this sends each its own.
  /// Anyone may call it; once per request.
  function refundFee(bytes32 requestId) external nonReentrant returns (uint256 amountWei) {
    Refund memory r = s_refunds[requestId];
    if (r.feeWei == 0 || !i_oracle.feeRefunded(requestId)) revert NoRefund(requestId);
    delete s_refunds[requestId];
    address to = _refundRecipient(requestId, r.to);
    // Refunds are credited in the oracle until withdrawn; this facade holds no other tokens of its own.
    if (i_token.balanceOf(address(this)) < r.feeWei) i_oracle.withdrawFees();
    emit FeeRefunded(requestId, to, r.feeWei);
    i_token.safeTransfer(to, r.feeWei);
    return r.feeWei;
  }

  /// @notice The fee refundFee would pay back for `requestId` now, and to whom (zero: nothing to pay).
  function refundableFee(bytes32 requestId) external view returns (address to, uint256 amountWei) {
    Refund memory r = s_refunds[requestId];
    if (r.feeWei == 0 || !i_oracle.feeRefunded(requestId)) return (address(0), 0);
    return (_refundRecipient(requestId, r.to), r.feeWei);
  }

  /// @dev Who a refunded fee goes to: whom the request named (`named`), unless a facade says otherwise.
  function _refundRecipient(bytes32 requestId, address named) internal view virtual returns (address) {
    requestId;
    return named;
  }

  /// @dev Pulls `feeWei` of the network token from msg.sender and asks the oracle; resolvable from now on. A fee
  /// the oracle refunds goes back to `refundTo` (refundFee).
  function _ask(bytes memory text, uint256 feeWei, address refundTo) internal returns (bytes32 requestId) {
    if (feeWei > type(uint96).max) revert FeeTooLarge(feeWei);
    string memory spec = specFor(text);
    string[] memory outcomes = new string[](2);
    outcomes[0] = "NO";
    outcomes[1] = "YES";
    if (feeWei > 0) {
      i_token.safeTransferFrom(msg.sender, address(this), feeWei);
      i_token.forceApprove(address(i_oracle), feeWei);
    }
    requestId = i_oracle.requestResolution(
      IResolutionOracle.RequestParams({
        specHash: keccak256(bytes(spec)),
        spec: spec,
        outcomes: outcomes,
        resolveAfter: uint64(block.timestamp),
        feeWei: uint96(feeWei),
        callbackGasLimit: i_callbackGasLimit
      })
    );
    if (feeWei > 0) s_refunds[requestId] = Refund({to: refundTo, feeWei: uint96(feeWei)});
  }

  /// @dev The oracle's view of a request (status, committed answer, commit time).
  function _sibylRequest(bytes32 requestId) internal view returns (ResolutionOracle.Request memory) {
    return i_oracle.getRequest(requestId);
  }

  function _checkOracle() internal view {
    if (msg.sender != address(i_oracle)) revert OnlyOracle(msg.sender);
  }

  /// @dev Calls a client; its revert is recorded, never passed on, so a client cannot block the settlement that
  /// every other reader of the answer relies on. Return data is not copied.
  /// One exception: the notices (poke, settle) are sent by whoever calls, and each is marked sent before the
  /// client is called. A caller could send just enough gas for this contract but not for the client (EIP-150
  /// keeps 1/64 back), and the notice would be lost. So a client call that fails having used all the gas it was
  /// given (at most 1/64 of it left here) reverts the whole call outside the oracle's own callback; a later
  /// call with enough gas delivers it. In the oracle's callback the gas is the requester's chosen limit and a
  /// failure is only recorded (settle then delivers what the callback could not).
  function _callClient(bytes32 requestId, address client, bytes memory data) internal {
    if (client.code.length == 0) return;
    bool success;
    uint256 gasBefore = gasleft();
    assembly ("memory-safe") {
      success := call(gas(), client, 0, add(data, 0x20), mload(data), 0, 0)
    }
    if (!success && msg.sender != address(i_oracle) && gasleft() <= gasBefore / 64) revert ClientStarved(client);
    bytes4 selector;
    assembly ("memory-safe") {
      selector := mload(add(data, 0x20))
    }
    emit ClientCallback(requestId, client, selector, success);
  }
}
