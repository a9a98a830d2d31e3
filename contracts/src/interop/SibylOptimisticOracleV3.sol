// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ResolutionOracle} from "../ResolutionOracle.sol";
import {IOptimisticOracleV3CallbackRecipient} from "./IOptimisticOracleV3CallbackRecipient.sol";
import {IResolutionConsumer} from "../interfaces/IResolutionConsumer.sol";
import {SibylQuestionFacade} from "./SibylQuestionFacade.sol";

/// @dev DisputeGovernance's treasury, where a caught false assertion's refunded fee goes.
interface ITreasuryHolder {
  function treasury() external view returns (address);
}

/// @title SibylOptimisticOracleV3
/// @notice UMA's OptimisticOracleV3 interface, answered by Sibyl: a contract written against UMA's
/// OptimisticOracleV3Interface (assertTruth, settleAndGetAssertionResult, the resolved / disputed callbacks)
/// works against this address unchanged.
///
/// Life of an assertion:
///  1. assertTruth(claim, ...): the claim becomes a yes/no text question ("is the claim true?", SibylTextSpec)
///     asked of Sibyl at once. The assertion id is the Sibyl request id. `currency` must be the network token;
///     the bond, pulled from the caller as UMA does, is Sibyl's fee (at least getMinimumBond) and pays the
///     nodes: it is not returned to the asserter.
///  2. The oracle's dispute window is the liveness; a dispute goes through Sibyl's DisputeGovernance.
///     pokeAssertion, which anyone may call, sends assertionDisputedCallback once Sibyl's request is disputed.
///  3. At finality the oracle calls back: the assertion settles (YES: true; NO or "unresolvable": false, as
///     UMA's voters resolve a claim that cannot be verified) and assertionResolvedCallback goes to the callback
///     recipient. A final answer the callback did not deliver settles with settleAssertion.
/// Escalation managers are not supported (assertTruth reverts unless it is address(0)); `liveness`,
/// `identifier` and `domainId` are recorded as given.
contract SibylOptimisticOracleV3 is SibylQuestionFacade {
  /// UMA's default identifier for assertions.
  bytes32 public constant defaultIdentifier = "ASSERT_TRUTH";

  // UMA's OptimisticOracleV3Interface types, field for field, so getAssertion decodes in an UMA client.
  struct EscalationManagerSettings {
    bool arbitrateViaEscalationManager;
    bool discardOracle;
    bool validateDisputers;
    address assertingCaller;
    address escalationManager;
  }

  struct Assertion {
    EscalationManagerSettings escalationManagerSettings;
    address asserter;
    uint64 assertionTime;
    bool settled;
    IERC20 currency;
    uint64 expirationTime;
    bool settlementResolution;
    bytes32 domainId;
    bytes32 identifier;
    uint256 bond;
    address callbackRecipient;
    address disputer;
  }

  /// The fee every assertion pays at least (network token).
  uint96 internal immutable i_minimumBondWei;

  mapping(bytes32 assertionId => Assertion) internal s_assertions;
  mapping(bytes32 assertionId => bool) internal s_disputeSent;

  // UMA's events, with UMA's signatures.
  event AssertionMade(
    bytes32 indexed assertionId,
    bytes32 domainId,
    bytes claim,
    address indexed asserter,
    address callbackRecipient,
    address escalationManager,
    address caller,
    uint64 expirationTime,
    IERC20 currency,
    uint256 bond,
    bytes32 indexed identifier
  );
  event AssertionDisputed(bytes32 indexed assertionId, address indexed caller, address indexed disputer);
  event AssertionSettled(
    bytes32 indexed assertionId,
    address indexed bondRecipient,
    bool disputed,
    bool settlementResolution,
    address settleCaller
  );

  error ZeroAsserter();
  error UnsupportedEscalationManager(address escalationManager);
  error UnsupportedIdentifier(bytes32 identifier);
  error BondTooLow(uint256 bond, uint256 minimumBond);
  error UnknownAssertion(bytes32 assertionId);
  error AssertionNotSettled(bytes32 assertionId);
  error AssertionAlreadySettled(bytes32 assertionId);
  error NotFinal(bytes32 assertionId);

  constructor(
    ResolutionOracle oracle,
    string memory sourcesJson,
    string memory rules,
    uint32 callbackGasLimit,
    uint96 minimumBondWei
  ) SibylQuestionFacade(oracle, sourcesJson, rules, callbackGasLimit) {
    i_minimumBondWei = minimumBondWei;
  }

  /// @dev An asserter is not the party that relies on the verdict: a claim is always a question's text, asked of
  /// the sources this facade was deployed with, even when it is itself a whole spec naming other sources.
  function _takesWholeSpecs() internal pure override returns (bool) {
    return false;
  }

  /// @dev A refunded fee goes back to the asserter when the assertion expired unanswered (it was never judged) or
  /// when a dispute found the claim true after all (the network had said NO). An asserter whose false claim a
  /// dispute caught gets nothing back, or a false assertion would cost nothing whenever it is caught (UMA gives a
  /// losing asserter's bond to its disputer): that fee goes to the dispute treasury, else to governance.
  function _refundRecipient(bytes32 requestId, address asserter) internal view override returns (address) {
    ResolutionOracle.Request memory req = _sibylRequest(requestId);
    if (req.committedAt == 0 || req.answer == ANSWER_YES) return asserter;
    address governance = i_oracle.governance();
    if (governance.code.length == 0) return governance;
    try ITreasuryHolder(governance).treasury() returns (address treasury) {
      if (treasury != address(0)) return treasury;
    } catch {}
    return governance;
  }

  // ================================================================
  // |                          Assertions                          |
  // ================================================================

  /// @notice Asserts `claim` with the defaults: the network token, the minimum bond, the default identifier,
  /// no callback recipient.
  function assertTruthWithDefaults(bytes memory claim, address asserter) external returns (bytes32) {
    return
      assertTruth(claim, asserter, address(0), address(0), uint64(i_oracle.disputeWindowSec()), i_token, i_minimumBondWei, defaultIdentifier, bytes32(0));
  }

  /// @notice Asks Sibyl whether `claim` is true; `bond` (network token, from the caller) is Sibyl's fee.
  function assertTruth(
    bytes memory claim,
    address asserter,
    address callbackRecipient,
    address escalationManager,
    uint64 liveness,
    IERC20 currency,
    uint256 bond,
    bytes32 identifier,
    bytes32 domainId
  ) public nonReentrant returns (bytes32 assertionId) {
    liveness; // The oracle's dispute window is the liveness, whatever is asked.
    if (asserter == address(0)) revert ZeroAsserter();
    if (escalationManager != address(0)) revert UnsupportedEscalationManager(escalationManager);
    if (identifier != defaultIdentifier) revert UnsupportedIdentifier(identifier);
    if (address(currency) != address(i_token)) revert UnsupportedCurrency(address(currency));
    if (bond < i_minimumBondWei) revert BondTooLow(bond, i_minimumBondWei);

    assertionId = _ask(claim, bond, asserter);
    Assertion storage a = s_assertions[assertionId];
    a.escalationManagerSettings.assertingCaller = msg.sender;
    a.asserter = asserter;
    a.assertionTime = uint64(block.timestamp);
    a.currency = currency;
    a.domainId = domainId;
    a.identifier = identifier;
    a.bond = bond;
    a.callbackRecipient = callbackRecipient;
    emit AssertionMade(assertionId, domainId, claim, asserter, callbackRecipient, address(0), msg.sender, 0, currency, bond, identifier);
  }

  /// @notice Settles an assertion whose Sibyl answer is final (the callback did not deliver it). Anyone may call it.
  function settleAssertion(bytes32 assertionId) public nonReentrant {
    if (s_assertions[assertionId].asserter == address(0)) revert UnknownAssertion(assertionId);
    if (s_assertions[assertionId].settled) revert AssertionAlreadySettled(assertionId);
    (bool isFinal, int256 answer) = i_oracle.getResolution(assertionId);
    if (!isFinal) revert NotFinal(assertionId);
    _settle(assertionId, answer);
  }

  /// @notice Settles the assertion if it can be and returns its result.
  function settleAndGetAssertionResult(bytes32 assertionId) external returns (bool) {
    if (!s_assertions[assertionId].settled) settleAssertion(assertionId);
    return s_assertions[assertionId].settlementResolution;
  }

  /// @notice Sends assertionDisputedCallback once Sibyl's request is disputed. Anyone may call it: a keeper.
  function pokeAssertion(bytes32 assertionId) external nonReentrant {
    Assertion storage a = s_assertions[assertionId];
    if (a.asserter == address(0)) revert UnknownAssertion(assertionId);
    if (s_disputeSent[assertionId] || _sibylRequest(assertionId).status != ResolutionOracle.Status.Disputed) return;
    s_disputeSent[assertionId] = true;
    a.disputer = i_oracle.governance();
    emit AssertionDisputed(assertionId, msg.sender, a.disputer);
    if (a.callbackRecipient != address(0)) {
      _callClient(assertionId, a.callbackRecipient, abi.encodeCall(IOptimisticOracleV3CallbackRecipient.assertionDisputedCallback, (assertionId)));
    }
  }

  /// @notice Disputes go through Sibyl's DisputeGovernance (with its bond), within the oracle's dispute window.
  function disputeAssertion(bytes32, address) external pure {
    revert Unsupported();
  }

  /// @notice UMA syncs its parameters from its Finder; here there is nothing to sync.
  function syncUmaParams(bytes32, address) external pure {}

  /// @inheritdoc IResolutionConsumer
  function onResolution(bytes32 requestId, int256 answer) external {
    _checkOracle();
    Assertion storage a = s_assertions[requestId];
    if (a.asserter == address(0) || a.settled) return;
    _settle(requestId, answer);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @notice The result of a settled assertion: true if Sibyl answered YES.
  function getAssertionResult(bytes32 assertionId) external view returns (bool) {
    if (!s_assertions[assertionId].settled) revert AssertionNotSettled(assertionId);
    return s_assertions[assertionId].settlementResolution;
  }

  /// @notice UMA's Assertion; until settled, expirationTime is the end of the request's dispute window once
  /// the network has committed an answer (0 before).
  function getAssertion(bytes32 assertionId) external view returns (Assertion memory a) {
    a = s_assertions[assertionId];
    if (a.asserter == address(0) || a.settled) return a;
    ResolutionOracle.Request memory sr = _sibylRequest(assertionId);
    if (sr.committedAt != 0) a.expirationTime = i_oracle.disputeEndsAt(assertionId);
    if (sr.status == ResolutionOracle.Status.Disputed) a.disputer = i_oracle.governance();
  }

  /// @notice The least bond (Sibyl's fee) an assertion in `currency` takes; only the network token is accepted.
  function getMinimumBond(address currency) external view returns (uint256) {
    if (currency != address(i_token)) revert UnsupportedCurrency(currency);
    return i_minimumBondWei;
  }

  function defaultCurrency() external view returns (IERC20) {
    return i_token;
  }

  /// @notice The liveness: the oracle's dispute window.
  function defaultLiveness() external view returns (uint64) {
    return i_oracle.disputeWindowSec();
  }

  function getCurrentTime() external view returns (uint256) {
    return block.timestamp;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  function _settle(bytes32 assertionId, int256 answer) internal {
    Assertion storage a = s_assertions[assertionId];
    bool result = answer == ANSWER_YES;
    a.settled = true;
    a.settlementResolution = result;
    a.expirationTime = uint64(block.timestamp);
    // No bond changes hands here: it paid the nodes. bondRecipient names the asserter when the claim held, as UMA does.
    emit AssertionSettled(assertionId, result ? a.asserter : address(0), s_disputeSent[assertionId], result, msg.sender);
    if (a.callbackRecipient != address(0)) {
      _callClient(
        assertionId,
        a.callbackRecipient,
        abi.encodeCall(IOptimisticOracleV3CallbackRecipient.assertionResolvedCallback, (assertionId, result))
      );
    }
  }
}
