// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ResolutionOracle} from "../ResolutionOracle.sol";
import {IOptimisticRequester} from "./IOptimisticRequester.sol";
import {IResolutionConsumer} from "../interfaces/IResolutionConsumer.sol";
import {SibylQuestionFacade} from "./SibylQuestionFacade.sol";

/// @title SibylOptimisticOracleV2
/// @notice UMA's OptimisticOracleV2 interface, answered by Sibyl: a contract written for UMA's V2 (requestPrice,
/// settleAndGetPrice, the OptimisticRequester callbacks) works against this address unchanged.
///
/// Life of a request:
///  1. requestPrice(YES_OR_NO_QUERY, timestamp, ancillaryData, currency, reward): the ancillary data is the
///     question text (SibylTextSpec), asked of Sibyl at once with the outcomes NO / YES. `currency` must be the
///     network token and the reward, pulled from the requester as UMA does, is Sibyl's fee: it pays the nodes,
///     who play the proposer's part.
///  2. The network's committed answer is the proposal (proposer: the ResolutionOracle; state Proposed); the
///     oracle's dispute window is the liveness, and a dispute goes through Sibyl's DisputeGovernance (state
///     Disputed). pokeRequest, which anyone may call, delivers priceProposed / priceDisputed to a requester
///     that asked for them (Sibyl itself calls back only at finality).
///  3. At finality the oracle calls back; the request settles and priceSettled is sent if asked for. A final
///     answer the callback did not deliver settles with settle / settleAndGetPrice (they read getResolution).
/// Prices (UMA's YES_OR_NO_QUERY convention): NO = 0, YES = 1e18, "unresolvable" = 0.5e18. Sibyl's "too early"
/// never settles: the nodes are asked again later, and hasPrice stays false; UMA's too-early price
/// (type(int256).min) is never returned.
/// Bonds, custom liveness, event-based and refund-on-dispute settings are recorded and returned by getRequest,
/// but nothing is bonded and the liveness is always the oracle's dispute window. proposePrice(For) and
/// disputePrice(For) revert Unsupported: the network proposes, and disputes go through DisputeGovernance.
contract SibylOptimisticOracleV2 is SibylQuestionFacade {
  /// UMA's identifier for yes/no questions, the only one a Sibyl text question answers.
  bytes32 public constant YES_OR_NO_QUERY = "YES_OR_NO_QUERY";
  int256 public constant PRICE_NO = 0;
  int256 public constant PRICE_YES = 1e18;
  int256 public constant PRICE_UNRESOLVABLE = 0.5e18;
  /// UMA's limit; the text must also fit a question spec (SibylTextSpec.MAX_QUESTION_BYTES) unless it is a spec.
  uint256 public constant ancillaryBytesLimit = 8192;

  // UMA's OptimisticOracleV2Interface types, field for field, so getRequest decodes in an UMA client.
  enum State {
    Invalid,
    Requested,
    Proposed,
    Expired,
    Disputed,
    Resolved,
    Settled
  }

  struct RequestSettings {
    bool eventBased;
    bool refundOnDispute;
    bool callbackOnPriceProposed;
    bool callbackOnPriceDisputed;
    bool callbackOnPriceSettled;
    uint256 bond;
    uint256 customLiveness;
  }

  struct Request {
    address proposer;
    address disputer;
    IERC20 currency;
    bool settled;
    RequestSettings requestSettings;
    int256 proposedPrice;
    int256 resolvedPrice;
    uint256 expirationTime;
    uint256 reward;
    uint256 finalFee;
  }

  /// What the oracle's callback needs to find and call the requester.
  struct Asked {
    address requester;
    bool proposedSent;
    bool disputedSent;
    bytes32 identifier;
    uint256 timestamp;
    bytes ancillaryData;
  }

  /// UMA's storage layout: keccak256(abi.encodePacked(requester, identifier, timestamp, ancillaryData)).
  mapping(bytes32 => Request) internal s_requests;
  mapping(bytes32 key => bytes32 requestId) internal s_sibylRequestIds;
  mapping(bytes32 requestId => Asked) internal s_asked;

  // UMA's events, with UMA's signatures.
  event RequestPrice(
    address indexed requester,
    bytes32 identifier,
    uint256 timestamp,
    bytes ancillaryData,
    address currency,
    uint256 reward,
    uint256 finalFee
  );
  event ProposePrice(
    address indexed requester,
    address indexed proposer,
    bytes32 identifier,
    uint256 timestamp,
    bytes ancillaryData,
    int256 proposedPrice,
    uint256 expirationTimestamp,
    address currency
  );
  event DisputePrice(
    address indexed requester,
    address indexed proposer,
    address indexed disputer,
    bytes32 identifier,
    uint256 timestamp,
    bytes ancillaryData,
    int256 proposedPrice
  );
  event Settle(
    address indexed requester,
    address indexed proposer,
    address indexed disputer,
    bytes32 identifier,
    uint256 timestamp,
    bytes ancillaryData,
    int256 price,
    uint256 payout
  );
  event SibylRequested(bytes32 indexed key, bytes32 indexed requestId);

  error UnsupportedIdentifier(bytes32 identifier);
  error TimestampInFuture(uint256 timestamp);
  error AncillaryDataTooLong(uint256 bytesLength);
  error WrongState(State state, State expected);
  error NotSettleable(State state);

  constructor(
    ResolutionOracle oracle,
    string memory sourcesJson,
    string memory rules,
    uint32 callbackGasLimit
  ) SibylQuestionFacade(oracle, sourcesJson, rules, callbackGasLimit) {}

  // ================================================================
  // |                       Requester calls                        |
  // ================================================================

  /// @notice Asks Sibyl the yes/no question in `ancillaryData`; `reward` (network token) is Sibyl's fee.
  /// @return totalBond always 0: nothing is bonded here.
  function requestPrice(
    bytes32 identifier,
    uint256 timestamp,
    bytes memory ancillaryData,
    IERC20 currency,
    uint256 reward
  ) external nonReentrant returns (uint256 totalBond) {
    if (identifier != YES_OR_NO_QUERY) revert UnsupportedIdentifier(identifier);
    if (timestamp > block.timestamp) revert TimestampInFuture(timestamp);
    if (ancillaryData.length > ancillaryBytesLimit) revert AncillaryDataTooLong(ancillaryData.length);
    if (address(currency) != address(i_token)) revert UnsupportedCurrency(address(currency));
    bytes32 key = _key(msg.sender, identifier, timestamp, ancillaryData);
    State state = _state(key);
    if (state != State.Invalid) revert WrongState(state, State.Invalid);

    bytes32 requestId = _ask(ancillaryData, reward, msg.sender);
    s_sibylRequestIds[key] = requestId;
    s_asked[requestId] = Asked({
      requester: msg.sender,
      proposedSent: false,
      disputedSent: false,
      identifier: identifier,
      timestamp: timestamp,
      ancillaryData: ancillaryData
    });
    Request storage r = s_requests[key];
    r.currency = currency;
    r.reward = reward;
    emit RequestPrice(msg.sender, identifier, timestamp, ancillaryData, address(currency), reward, 0);
    emit SibylRequested(key, requestId);
    return 0;
  }

  /// @notice Recorded and returned by getRequest; nothing is bonded. Requester only, while Requested.
  function setBond(
    bytes32 identifier,
    uint256 timestamp,
    bytes memory ancillaryData,
    uint256 bond
  ) external returns (uint256 totalBond) {
    _requested(msg.sender, identifier, timestamp, ancillaryData).requestSettings.bond = bond;
    return bond;
  }

  /// @notice Recorded and returned by getRequest; the liveness is always the oracle's dispute window.
  function setCustomLiveness(bytes32 identifier, uint256 timestamp, bytes memory ancillaryData, uint256 customLiveness) external {
    _requested(msg.sender, identifier, timestamp, ancillaryData).requestSettings.customLiveness = customLiveness;
  }

  /// @notice Recorded (with refundOnDispute, as UMA does). Sibyl's nodes answer "too early" before the event on
  /// their own, so every request behaves as event-based.
  function setEventBased(bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external {
    Request storage r = _requested(msg.sender, identifier, timestamp, ancillaryData);
    r.requestSettings.eventBased = true;
    r.requestSettings.refundOnDispute = true;
  }

  /// @notice Recorded. No reward is refunded on a dispute: an overturned answer's fee is refunded to this
  /// facade by the oracle (see the interop README).
  function setRefundOnDispute(bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external {
    _requested(msg.sender, identifier, timestamp, ancillaryData).requestSettings.refundOnDispute = true;
  }

  /// @notice Which callbacks the requester receives. priceSettled comes with finality; priceProposed and
  /// priceDisputed come through pokeRequest.
  function setCallbacks(
    bytes32 identifier,
    uint256 timestamp,
    bytes memory ancillaryData,
    bool callbackOnPriceProposed,
    bool callbackOnPriceDisputed,
    bool callbackOnPriceSettled
  ) external {
    RequestSettings storage s = _requested(msg.sender, identifier, timestamp, ancillaryData).requestSettings;
    s.callbackOnPriceProposed = callbackOnPriceProposed;
    s.callbackOnPriceDisputed = callbackOnPriceDisputed;
    s.callbackOnPriceSettled = callbackOnPriceSettled;
  }

  /// @notice Settles the caller's request (once Sibyl's answer is final) and returns its price.
  function settleAndGetPrice(bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external nonReentrant returns (int256) {
    bytes32 key = _key(msg.sender, identifier, timestamp, ancillaryData);
    if (!s_requests[key].settled) _settleFromOracle(key);
    return s_requests[key].resolvedPrice;
  }

  /// @notice Settles a request whose Sibyl answer is final. Anyone may call it.
  /// @return payout always 0: no bonds or rewards are paid out here (the reward paid the nodes).
  function settle(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external nonReentrant returns (uint256 payout) {
    bytes32 key = _key(requester, identifier, timestamp, ancillaryData);
    if (s_requests[key].settled) revert WrongState(State.Settled, State.Resolved);
    _settleFromOracle(key);
    return 0;
  }

  /// @notice Emits ProposePrice / DisputePrice and sends priceProposed / priceDisputed (if the requester asked)
  /// once Sibyl's request has been committed / disputed, and settles a final one. Anyone may call it: a keeper.
  function pokeRequest(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external nonReentrant {
    bytes32 key = _key(requester, identifier, timestamp, ancillaryData);
    bytes32 requestId = s_sibylRequestIds[key];
    if (requestId == bytes32(0)) revert WrongState(State.Invalid, State.Requested);
    Asked storage asked = s_asked[requestId];
    Request storage r = s_requests[key];
    // Settled: the notices of earlier states would only arrive out of order.
    if (r.settled) return;
    ResolutionOracle.Request memory sr = _sibylRequest(requestId);
    bool committed = sr.status == ResolutionOracle.Status.Committed ||
      sr.status == ResolutionOracle.Status.Disputed ||
      sr.status == ResolutionOracle.Status.Finalized;
    if (committed && !asked.proposedSent) {
      asked.proposedSent = true;
      int256 proposed = _priceOf(sr.answer);
      emit ProposePrice(requester, address(i_oracle), identifier, timestamp, ancillaryData, proposed, _expirationOf(requestId), address(r.currency));
      if (r.requestSettings.callbackOnPriceProposed) {
        _callClient(requestId, requester, abi.encodeCall(IOptimisticRequester.priceProposed, (identifier, timestamp, ancillaryData)));
      }
    }
    if (sr.status == ResolutionOracle.Status.Disputed && !asked.disputedSent) {
      asked.disputedSent = true;
      emit DisputePrice(requester, address(i_oracle), i_oracle.governance(), identifier, timestamp, ancillaryData, _priceOf(sr.answer));
      if (r.requestSettings.callbackOnPriceDisputed) {
        _callClient(requestId, requester, abi.encodeCall(IOptimisticRequester.priceDisputed, (identifier, timestamp, ancillaryData, 0)));
      }
    }
    if (sr.status == ResolutionOracle.Status.Finalized) _settle(key, requestId, int256(sr.answer));
  }

  /// @notice Proposals come from Sibyl's nodes.
  function proposePrice(address, bytes32, uint256, bytes memory, int256) external pure returns (uint256) {
    revert Unsupported();
  }

  function proposePriceFor(address, address, bytes32, uint256, bytes memory, int256) external pure returns (uint256) {
    revert Unsupported();
  }

  /// @notice Disputes go through Sibyl's DisputeGovernance (with its bond), within the oracle's dispute window.
  function disputePrice(address, bytes32, uint256, bytes memory) external pure returns (uint256) {
    revert Unsupported();
  }

  function disputePriceFor(address, address, bytes32, uint256, bytes memory) external pure returns (uint256) {
    revert Unsupported();
  }

  /// @inheritdoc IResolutionConsumer
  function onResolution(bytes32 requestId, int256 answer) external {
    _checkOracle();
    Asked storage asked = s_asked[requestId];
    if (asked.requester == address(0)) return;
    bytes32 key = _key(asked.requester, asked.identifier, asked.timestamp, asked.ancillaryData);
    if (!s_requests[key].settled) _settle(key, requestId, answer);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @notice UMA's Request, with the proposal fields read live from Sibyl until settlement.
  function getRequest(
    address requester,
    bytes32 identifier,
    uint256 timestamp,
    bytes memory ancillaryData
  ) external view returns (Request memory r) {
    bytes32 key = _key(requester, identifier, timestamp, ancillaryData);
    r = s_requests[key];
    bytes32 requestId = s_sibylRequestIds[key];
    if (requestId == bytes32(0) || r.settled) return r;
    ResolutionOracle.Request memory sr = _sibylRequest(requestId);
    if (sr.status == ResolutionOracle.Status.Open) return r;
    r.proposer = address(i_oracle);
    r.proposedPrice = _priceOf(sr.answer);
    r.expirationTime = _expirationOf(requestId);
    if (sr.status == ResolutionOracle.Status.Disputed || s_asked[requestId].disputedSent) r.disputer = i_oracle.governance();
  }

  /// @notice UMA's public mapping getter, by UMA's key; the stored record (settlement writes the final fields).
  function requests(bytes32 key) external view returns (Request memory) {
    return s_requests[key];
  }

  function getState(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external view returns (State) {
    return _state(_key(requester, identifier, timestamp, ancillaryData));
  }

  /// @notice True once the request is settled or Sibyl's answer is final (settling it then succeeds).
  function hasPrice(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external view returns (bool) {
    State state = _state(_key(requester, identifier, timestamp, ancillaryData));
    return state == State.Settled || state == State.Resolved || state == State.Expired;
  }

  /// @notice The Sibyl request behind an UMA request (0 if none).
  function sibylRequestId(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) external view returns (bytes32) {
    return s_sibylRequestIds[_key(requester, identifier, timestamp, ancillaryData)];
  }

  /// @notice The liveness: the oracle's dispute window.
  function defaultLiveness() external view returns (uint256) {
    return i_oracle.disputeWindowSec();
  }

  function getCurrentTime() external view returns (uint256) {
    return block.timestamp;
  }

  /// @notice UMA appends the requester to the ancillary data it hands voters; here the requester is in the key
  /// and the data is returned as it is.
  function stampAncillaryData(bytes memory ancillaryData, address) external pure returns (bytes memory) {
    return ancillaryData;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  function _key(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) internal pure returns (bytes32) {
    return keccak256(abi.encodePacked(requester, identifier, timestamp, ancillaryData));
  }

  function _requested(address requester, bytes32 identifier, uint256 timestamp, bytes memory ancillaryData) internal view returns (Request storage r) {
    bytes32 key = _key(requester, identifier, timestamp, ancillaryData);
    State state = _state(key);
    if (state != State.Requested) revert WrongState(state, State.Requested);
    return s_requests[key];
  }

  function _state(bytes32 key) internal view returns (State) {
    bytes32 requestId = s_sibylRequestIds[key];
    if (requestId == bytes32(0)) return State.Invalid;
    if (s_requests[key].settled) return State.Settled;
    ResolutionOracle.Request memory sr = _sibylRequest(requestId);
    if (sr.status == ResolutionOracle.Status.Open) return State.Requested;
    if (sr.status == ResolutionOracle.Status.Committed) return State.Proposed;
    if (sr.status == ResolutionOracle.Status.Disputed) return State.Disputed;
    // Final: Resolved when a dispute was seen (a vote decided it), Expired when the proposal stood.
    return s_asked[requestId].disputedSent ? State.Resolved : State.Expired;
  }

  function _settleFromOracle(bytes32 key) internal {
    bytes32 requestId = s_sibylRequestIds[key];
    (bool isFinal, int256 answer) = i_oracle.getResolution(requestId);
    if (!isFinal) revert NotSettleable(_state(key));
    _settle(key, requestId, answer);
  }

  function _settle(bytes32 key, bytes32 requestId, int256 answer) internal {
    Request storage r = s_requests[key];
    Asked storage asked = s_asked[requestId];
    int256 price = _priceOf(answer);
    r.settled = true;
    r.proposer = address(i_oracle);
    r.proposedPrice = price;
    r.resolvedPrice = price;
    r.expirationTime = block.timestamp;
    if (asked.disputedSent) r.disputer = i_oracle.governance();
    emit Settle(asked.requester, address(i_oracle), r.disputer, asked.identifier, asked.timestamp, asked.ancillaryData, price, 0);
    if (r.requestSettings.callbackOnPriceSettled) {
      _callClient(
        requestId,
        asked.requester,
        abi.encodeCall(IOptimisticRequester.priceSettled, (asked.identifier, asked.timestamp, asked.ancillaryData, price))
      );
    }
  }

  /// @dev NO = 0, YES = 1e18, unresolvable = 0.5e18 (UMA's YES_OR_NO_QUERY convention).
  function _priceOf(int256 answer) internal pure returns (int256) {
    if (answer == ANSWER_YES) return PRICE_YES;
    if (answer == ANSWER_NO) return PRICE_NO;
    return PRICE_UNRESOLVABLE;
  }

  /// @dev The end of the request's dispute window (longer when Sibyl's scrutiny finds it contested).
  function _expirationOf(bytes32 requestId) internal view returns (uint256) {
    return i_oracle.disputeEndsAt(requestId);
  }
}
