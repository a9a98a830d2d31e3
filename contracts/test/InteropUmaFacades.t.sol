// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Cheats} from "./utils/Cheats.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {SibylOptimisticOracleV2} from "../src/interop/SibylOptimisticOracleV2.sol";
import {SibylOptimisticOracleV3} from "../src/interop/SibylOptimisticOracleV3.sol";
import {SibylQuestionFacade} from "../src/interop/SibylQuestionFacade.sol";
import {SibylTextSpec} from "../src/interop/SibylTextSpec.sol";
import {ClaimRecorder} from "../src/interop/examples/ClaimRecorder.sol";
import {OptimisticOracleV3Interface} from "../src/interop/examples/OptimisticOracleV3Interface.sol";

/// @dev A V2 requester: asks the facade a YES_OR_NO_QUERY now with a reward, and chooses which callbacks it wants.
abstract contract V2Client {
  SibylOptimisticOracleV2 internal immutable i_oo;

  constructor(SibylOptimisticOracleV2 oo) {
    i_oo = oo;
  }

  function _request(bytes calldata data, uint256 reward, bool proposed, bool disputed, bool settled) internal {
    IERC20 currency = IERC20(address(i_oo.resolutionOracle().token()));
    currency.approve(address(i_oo), reward);
    i_oo.requestPrice("YES_OR_NO_QUERY", block.timestamp, data, currency, reward);
    i_oo.setCallbacks("YES_OR_NO_QUERY", block.timestamp, data, proposed, disputed, settled);
  }
}

/// @dev A V2 requester that records UMA's callbacks, or reverts in them.
contract RecordingRequester is V2Client {
  bool public shouldRevert;
  uint256 public proposed;
  uint256 public disputed;
  int256 public price;

  constructor(SibylOptimisticOracleV2 oo) V2Client(oo) {}

  function setRevert(bool on) external {
    shouldRevert = on;
  }

  function request(bytes calldata data, uint256 reward) external {
    _request(data, reward, true, true, true);
  }

  function priceProposed(bytes32, uint256, bytes calldata) external {
    require(!shouldRevert, "no");
    proposed += 1;
  }

  function priceDisputed(bytes32, uint256, bytes calldata, uint256) external {
    require(!shouldRevert, "no");
    disputed += 1;
  }

  function priceSettled(bytes32, uint256, bytes calldata, int256 price_) external {
    require(!shouldRevert, "no");
    price = price_;
  }
}

/// @dev A requester whose priceProposed needs a lot of gas (as a real market adapter's bookkeeping may).
contract HungryRequester is V2Client {
  uint256 public proposed;
  uint256[64] internal s_work;

  constructor(SibylOptimisticOracleV2 oo) V2Client(oo) {}

  function request(bytes calldata data, uint256 reward) external {
    _request(data, reward, true, false, false);
  }

  function priceProposed(bytes32, uint256, bytes calldata) external {
    for (uint256 i = 0; i < 20; ++i) s_work[i] = block.timestamp + i;
    proposed += 1;
  }

  function priceDisputed(bytes32, uint256, bytes calldata, uint256) external {}

  function priceSettled(bytes32, uint256, bytes calldata, int256) external {}
}

/// @dev Exposes the library for tests.
contract TextSpecHarness {
  function build(bytes memory text, bytes memory sources, bytes memory rules) external pure returns (string memory) {
    return SibylTextSpec.build(text, sources, rules, true);
  }

  function buildText(bytes memory text, bytes memory sources, bytes memory rules) external pure returns (string memory) {
    return SibylTextSpec.build(text, sources, rules, false);
  }

  function escape(bytes memory raw) external pure returns (bytes memory) {
    return SibylTextSpec.escape(raw);
  }
}

/// @notice The UMA-style facades through the real oracle: the price / result mapping of each final answer,
/// callbacks (and ones that revert), the proposal and dispute notices, and every revert path.
contract InteropUmaFacadesTest is SibylTest {
  bytes32 internal constant YES_OR_NO_QUERY = "YES_OR_NO_QUERY";
  string internal constant SOURCES = '[{"url":"https://news.example/article.html"}]';
  bytes internal constant QUESTION = "Did the council approve the bridge?";

  SibylOptimisticOracleV2 internal v2;
  SibylOptimisticOracleV3 internal v3;
  RecordingRequester internal client;
  ClaimRecorder internal recorder;
  address internal asserter = address(0xA55E);

  function setUp() public {
    _deploy();
    _addOperators(4, MIN_STAKE_WEI);
    v2 = new SibylOptimisticOracleV2(oracle, SOURCES, "Say \"YES\" if so.", 400_000);
    v3 = new SibylOptimisticOracleV3(oracle, SOURCES, "", 400_000, MIN_FEE_WEI);
    client = new RecordingRequester(v2);
    recorder = new ClaimRecorder(OptimisticOracleV3Interface(address(v3)), IERC20(address(token)), 7200);
  }

  function _request(bytes memory data) internal returns (bytes32 requestId) {
    token.mint(address(client), MIN_FEE_WEI);
    client.request(data, MIN_FEE_WEI);
    return v2.sibylRequestId(address(client), YES_OR_NO_QUERY, block.timestamp, data);
  }

  function _state(bytes memory data, uint256 timestamp) internal view returns (uint256) {
    return uint256(v2.getState(address(client), YES_OR_NO_QUERY, timestamp, data));
  }

  // ================================================================
  // |                              V2                              |
  // ================================================================

  function test_v2_pricesFollowUmasYesNoConvention() public {
    int256[3] memory answers = [int256(1), int256(0), int256(-1)];
    int256[3] memory prices = [int256(1e18), int256(0), int256(0.5e18)];
    for (uint256 i = 0; i < 3; ++i) {
      bytes memory data = abi.encodePacked(QUESTION, " #", vm.toString(i));
      uint256 ts = block.timestamp;
      bytes32 id = _request(data);
      assertEq(_state(data, ts), 1, "Requested");
      address[] memory signers = _commitQuorum(id, answers[i]);
      assertEq(_state(data, ts), 2, "Proposed");
      vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
      oracle.finalize(id, signers);
      assertEq(_state(data, ts), 6, "Settled");
      assertEq(client.price(), prices[i], "priceSettled");
      assertTrue(v2.hasPrice(address(client), YES_OR_NO_QUERY, ts, data), "hasPrice");
      assertEq(v2.getRequest(address(client), YES_OR_NO_QUERY, ts, data).resolvedPrice, prices[i], "resolvedPrice");
    }
  }

  function test_v2_tooEarlyKeepsTheRequestOpen() public {
    uint256 ts = block.timestamp;
    bytes32 id = _request(QUESTION);
    _commitQuorum(id, -2);
    assertEq(_state(QUESTION, ts), 1, "still Requested");
    assertFalse(v2.hasPrice(address(client), YES_OR_NO_QUERY, ts, QUESTION), "no price");
    vm.prank(address(client));
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV2.NotSettleable.selector, SibylOptimisticOracleV2.State.Requested));
    v2.settleAndGetPrice(YES_OR_NO_QUERY, ts, QUESTION);
  }

  function test_v2_aRevertingRequesterDoesNotBlockSettlement() public {
    uint256 ts = block.timestamp;
    bytes32 id = _request(QUESTION);
    client.setRevert(true);
    address[] memory signers = _commitQuorum(id, 1);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, signers);
    assertEq(_state(QUESTION, ts), 6, "Settled all the same");
    assertEq(client.price(), 0, "the callback reverted");
    vm.prank(address(client));
    assertEq(v2.settleAndGetPrice(YES_OR_NO_QUERY, ts, QUESTION), 1e18, "the price is readable");
  }

  function test_v2_settleReadsAFinalAnswerTheCallbackDidNotDeliver() public {
    // A facade whose callback gas is too small to settle: the answer is final, the request is not settled.
    SibylOptimisticOracleV2 starved = new SibylOptimisticOracleV2(oracle, SOURCES, "", 5_000);
    token.mint(address(this), MIN_FEE_WEI);
    token.approve(address(starved), MIN_FEE_WEI);
    uint256 ts = block.timestamp;
    starved.requestPrice(YES_OR_NO_QUERY, ts, QUESTION, IERC20(address(token)), MIN_FEE_WEI);
    bytes32 id = starved.sibylRequestId(address(this), YES_OR_NO_QUERY, ts, QUESTION);
    address[] memory signers = _commitQuorum(id, 0);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, signers);
    assertEq(uint256(starved.getState(address(this), YES_OR_NO_QUERY, ts, QUESTION)), 3, "Expired: final, not settled");
    assertTrue(starved.hasPrice(address(this), YES_OR_NO_QUERY, ts, QUESTION), "hasPrice");
    assertEq(starved.settleAndGetPrice(YES_OR_NO_QUERY, ts, QUESTION), 0, "NO");
    vm.expectRevert(
      abi.encodeWithSelector(SibylOptimisticOracleV2.WrongState.selector, SibylOptimisticOracleV2.State.Settled, SibylOptimisticOracleV2.State.Resolved)
    );
    starved.settle(address(this), YES_OR_NO_QUERY, ts, QUESTION);
  }

  function test_v2_pokeSendsProposedAndDisputedOnce() public {
    uint256 ts = block.timestamp;
    bytes32 id = _request(QUESTION);
    address[] memory signers = _commitQuorum(id, 1);
    v2.pokeRequest(address(client), YES_OR_NO_QUERY, ts, QUESTION);
    v2.pokeRequest(address(client), YES_OR_NO_QUERY, ts, QUESTION);
    assertEq(client.proposed(), 1, "priceProposed once");
    _claim(disputer, id, 0, MIN_BOND_WEI, signers);
    assertEq(_state(QUESTION, ts), 4, "Disputed");
    v2.pokeRequest(address(client), YES_OR_NO_QUERY, ts, QUESTION);
    assertEq(client.disputed(), 1, "priceDisputed");
    assertEq(v2.getRequest(address(client), YES_OR_NO_QUERY, ts, QUESTION).disputer, address(governance), "disputer");
    _councilVotes(id, 0, 2);
    governance.execute(id, signers);
    assertEq(client.price(), 0, "the overturned answer: NO");
  }

  /// Attack: anyone may poke, and a poke marks the notice sent before calling the client. With enough gas for
  /// the facade but not for a hungry client (EIP-150 keeps 1/64 back for the caller), the client would run out
  /// of gas while the poke succeeds, and the notice would never be delivered. A starved client call must revert
  /// the poke instead, so a later poke with enough gas delivers it.
  function test_v2_aPokeWithTooLittleGasForTheClientDoesNotLoseTheNotice() public {
    HungryRequester hungry = new HungryRequester(v2);
    token.mint(address(hungry), MIN_FEE_WEI);
    uint256 ts = block.timestamp;
    hungry.request(QUESTION, MIN_FEE_WEI);
    bytes32 id = v2.sibylRequestId(address(hungry), YES_OR_NO_QUERY, ts, QUESTION);
    _commitQuorum(id, 1);
    for (uint256 g = 30_000; g < 600_000; g += 2_000) {
      try this.pokeWithGas(hungry, g, ts) {
        break;
      } catch {}
    }
    v2.pokeRequest(address(hungry), YES_OR_NO_QUERY, ts, QUESTION);
    assertEq(hungry.proposed(), 1, "priceProposed delivered once, whatever gas the first poke carried");
  }

  function pokeWithGas(HungryRequester hungry, uint256 g, uint256 ts) external {
    v2.pokeRequest{gas: g}(address(hungry), YES_OR_NO_QUERY, ts, QUESTION);
  }

  // ================================================================
  // |                 Refunded fees (both facades)                 |
  // ================================================================

  /// Before refundFee, the oracle credited the refund to the facade, which had no way to move it: the
  /// requester's fee was locked in the facade for good.
  function test_v2_anExpiredRequestsFeeGoesBackToTheRequester() public {
    bytes32 id = _request(QUESTION);
    assertEq(token.balanceOf(address(client)), 0, "the fee was paid");
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.NoRefund.selector, id));
    v2.refundFee(id);
    // No quorum ever answers: anyone expires it, and the oracle credits the fee to its requester, the facade.
    vm.warp(block.timestamp + REQUEST_TIMEOUT_SEC);
    oracle.expireRequest(id);
    assertTrue(oracle.feeRefunded(id), "refunded");
    assertEq(oracle.claimableWei(address(v2)), MIN_FEE_WEI, "credited to the facade");
    (address to, uint256 amount) = v2.refundableFee(id);
    assertEq(to, address(client), "to the requester");
    assertEq(amount, MIN_FEE_WEI, "the fee");
    // Anyone may send it on; it goes to the requester that paid, once.
    vm.prank(address(0xBEEF));
    assertEq(v2.refundFee(id), MIN_FEE_WEI, "paid back");
    assertEq(token.balanceOf(address(client)), MIN_FEE_WEI, "back with the requester");
    assertEq(token.balanceOf(address(v2)), 0, "nothing left in the facade");
    assertEq(oracle.claimableWei(address(v2)), 0, "nothing left in the oracle");
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.NoRefund.selector, id));
    v2.refundFee(id);
  }

  /// An assertion the network answered `committed` and a dispute overturned to `overturnedTo`.
  function _overturnedAssertion(int256 committed, int256 overturnedTo) internal returns (bytes32 id) {
    id = _assert("The council approved the bridge.");
    address[] memory signers = _commitQuorum(id, committed);
    _claim(disputer, id, overturnedTo, MIN_BOND_WEI, signers);
    _councilVotes(id, overturnedTo, 2);
    governance.execute(id, signers);
  }

  function test_v3_aTrueClaimTheNetworkDeniedGetsItsFeeBack() public {
    bytes32 id = _overturnedAssertion(0, 1);
    assertTrue(v3.getAssertionResult(id), "overturned to true");
    assertTrue(oracle.feeRefunded(id), "an overturned answer's fee is refunded");
    uint256 before = token.balanceOf(asserter);
    assertEq(v3.refundFee(id), MIN_FEE_WEI, "paid back");
    assertEq(token.balanceOf(asserter) - before, MIN_FEE_WEI, "back with the asserter: its claim was true");
    assertEq(token.balanceOf(address(v3)), 0, "nothing left in the facade");
  }

  /// A false claim the network believed, caught by a dispute: refunding the asserter would make a false
  /// assertion free whenever it is caught. The fee goes to the dispute treasury.
  function test_v3_aCaughtFalseClaimsFeeGoesToTheTreasuryNotTheAsserter() public {
    bytes32 id = _overturnedAssertion(1, 0);
    assertFalse(v3.getAssertionResult(id), "overturned to false");
    address treasury = governance.treasury();
    (address to, ) = v3.refundableFee(id);
    assertEq(to, treasury, "to the treasury");
    uint256 asserterBefore = token.balanceOf(asserter);
    uint256 treasuryBefore = token.balanceOf(treasury);
    assertEq(v3.refundFee(id), MIN_FEE_WEI, "paid out");
    assertEq(token.balanceOf(asserter), asserterBefore, "not to the asserter");
    assertEq(token.balanceOf(treasury) - treasuryBefore, MIN_FEE_WEI, "to the treasury");
  }

  function test_refundFee_onlyWhatTheOracleRefundedAndOnlyToItsPayer() public {
    // Two requests through one facade: one answered and final (its fee went to the signers), one expired.
    bytes32 answered = _request(abi.encodePacked(QUESTION, " answered"));
    address[] memory signers = _commitQuorum(answered, 1);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(answered, signers);
    assertFalse(oracle.feeRefunded(answered), "an answered request's fee went to its signers");
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.NoRefund.selector, answered));
    v2.refundFee(answered);

    RecordingRequester other = new RecordingRequester(v2);
    token.mint(address(other), MIN_FEE_WEI);
    bytes memory data = abi.encodePacked(QUESTION, " other");
    other.request(data, MIN_FEE_WEI);
    bytes32 expired = v2.sibylRequestId(address(other), YES_OR_NO_QUERY, block.timestamp, data);
    vm.warp(block.timestamp + REQUEST_TIMEOUT_SEC);
    oracle.expireRequest(expired);
    uint256 clientBefore = token.balanceOf(address(client));
    v2.refundFee(expired);
    assertEq(token.balanceOf(address(other)), MIN_FEE_WEI, "its own payer");
    assertEq(token.balanceOf(address(client)), clientBefore, "not another requester");
    // An unknown request id, and a request without a fee (nothing to pay back).
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.NoRefund.selector, bytes32(uint256(7))));
    v2.refundFee(bytes32(uint256(7)));
  }

  function test_v2_requestRevertPaths() public {
    token.mint(address(this), 10 * MIN_FEE_WEI);
    token.approve(address(v2), 10 * MIN_FEE_WEI);
    IERC20 t = IERC20(address(token));
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV2.UnsupportedIdentifier.selector, bytes32("NUMERICAL")));
    v2.requestPrice("NUMERICAL", block.timestamp, QUESTION, t, MIN_FEE_WEI);
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV2.TimestampInFuture.selector, block.timestamp + 1));
    v2.requestPrice(YES_OR_NO_QUERY, block.timestamp + 1, QUESTION, t, MIN_FEE_WEI);
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.UnsupportedCurrency.selector, address(0xDEAD)));
    v2.requestPrice(YES_OR_NO_QUERY, block.timestamp, QUESTION, IERC20(address(0xDEAD)), MIN_FEE_WEI);
    vm.expectRevert(abi.encodeWithSelector(SibylTextSpec.QuestionLength.selector, 4));
    v2.requestPrice(YES_OR_NO_QUERY, block.timestamp, "Yes?", t, MIN_FEE_WEI);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.FeeTooLow.selector, 1, MIN_FEE_WEI));
    v2.requestPrice(YES_OR_NO_QUERY, block.timestamp, QUESTION, t, 1);
    v2.requestPrice(YES_OR_NO_QUERY, block.timestamp, QUESTION, t, MIN_FEE_WEI);
    vm.expectRevert(
      abi.encodeWithSelector(SibylOptimisticOracleV2.WrongState.selector, SibylOptimisticOracleV2.State.Requested, SibylOptimisticOracleV2.State.Invalid)
    );
    v2.requestPrice(YES_OR_NO_QUERY, block.timestamp, QUESTION, t, MIN_FEE_WEI);
    // Settings belong to the requester: another address has no such request.
    vm.prank(address(0xBEEF));
    vm.expectRevert(
      abi.encodeWithSelector(SibylOptimisticOracleV2.WrongState.selector, SibylOptimisticOracleV2.State.Invalid, SibylOptimisticOracleV2.State.Requested)
    );
    v2.setBond(YES_OR_NO_QUERY, block.timestamp, QUESTION, 1);
    vm.expectRevert(SibylQuestionFacade.Unsupported.selector);
    v2.proposePrice(address(this), YES_OR_NO_QUERY, block.timestamp, QUESTION, 1e18);
    vm.expectRevert(SibylQuestionFacade.Unsupported.selector);
    v2.disputePrice(address(this), YES_OR_NO_QUERY, block.timestamp, QUESTION);
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.OnlyOracle.selector, address(this)));
    v2.onResolution(bytes32(0), 1);
  }

  function test_v2_specIsTheTextQuestionTheNodesRead() public view {
    assertEq(
      v2.specFor(QUESTION),
      '{"version":1,"type":"text","question":"Did the council approve the bridge?","sources":[{"url":"https://news.example/article.html"}],"rules":"Say \\"YES\\" if so.","outcomes":["NO","YES"]}',
      "spec"
    );
  }

  // ================================================================
  // |                              V3                              |
  // ================================================================

  function _assert(bytes memory claim) internal returns (bytes32 assertionId) {
    token.mint(asserter, MIN_FEE_WEI);
    vm.prank(asserter);
    token.approve(address(recorder), MIN_FEE_WEI);
    vm.prank(asserter);
    return recorder.assertClaim(claim);
  }

  function test_v3_resultsAndTheResolvedCallback() public {
    int256[3] memory answers = [int256(1), int256(0), int256(-1)];
    bool[3] memory results = [true, false, false];
    for (uint256 i = 0; i < 3; ++i) {
      bytes32 id = _assert(abi.encodePacked("The council approved the bridge, #", vm.toString(i)));
      vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.AssertionNotSettled.selector, id));
      v3.getAssertionResult(id);
      address[] memory signers = _commitQuorum(id, answers[i]);
      vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
      oracle.finalize(id, signers);
      (address who, bool resolved, bool truthful, ) = recorder.records(id);
      assertEq(who, asserter, "asserter");
      assertTrue(resolved, "resolved callback");
      assertEq(truthful, results[i], "verdict");
      assertEq(v3.getAssertionResult(id), results[i], "result");
      assertTrue(v3.getAssertion(id).settled, "settled");
      vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.AssertionAlreadySettled.selector, id));
      v3.settleAssertion(id);
    }
  }

  function test_v3_disputedCallbackAndTheOverturnedVerdict() public {
    bytes32 id = _assert("The council approved the bridge.");
    address[] memory signers = _commitQuorum(id, 1);
    v3.pokeAssertion(id);
    (, , , uint32 before) = recorder.records(id);
    assertEq(uint256(before), 0, "no dispute yet");
    _claim(disputer, id, 0, MIN_BOND_WEI, signers);
    v3.pokeAssertion(id);
    v3.pokeAssertion(id);
    (, , , uint32 disputedCallbacks) = recorder.records(id);
    assertEq(uint256(disputedCallbacks), 1, "assertionDisputedCallback once");
    assertEq(v3.getAssertion(id).disputer, address(governance), "disputer");
    _councilVotes(id, 0, 2);
    governance.execute(id, signers);
    assertFalse(v3.getAssertionResult(id), "overturned to NO");
  }

  /// An asserter is not the party that relies on the verdict. A claim that was itself a whole spec was asked as
  /// it stood, so the asserter chose the sources the nodes read (a page it controls) instead of the facade's.
  function test_v3_aClaimCannotNameItsOwnSources() public {
    bytes memory hostile =
      '{"version":1,"type":"text","question":"Did the council approve the bridge?","sources":[{"url":"https://asserter.example/yes.html"}],"rules":"","outcomes":["NO","YES"]}';
    vm.recordLogs();
    bytes32 id = _assert(hostile);
    Cheats.Log[] memory logs = vm.getRecordedLogs();
    string memory asked;
    for (uint256 i = 0; i < logs.length; ++i) {
      if (logs[i].topics[0] == ResolutionOracle.ResolutionRequested.selector && logs[i].topics[1] == id) {
        (, , , , asked, ) = abi.decode(logs[i].data, (bytes32, uint64, uint96, uint32, string, string[]));
      }
    }
    assertEq(asked, v3.specFor(hostile), "the spec asked is the facade's");
    // The claim is the question's text, escaped; the sources are the facade's.
    assertEq(asked, SibylTextSpec.build(hostile, bytes(SOURCES), "", false), "built around the claim");
    assertTrue(keccak256(bytes(asked)) != keccak256(hostile), "not the asserter's spec");
    // V2's requester is the party that relies on its own answer: a spec it writes names its own sources.
    assertEq(v2.specFor(hostile), string(hostile), "V2 passes a requester's spec through");
  }

  function test_v3_settleAndGetAssertionResult_waitsForFinality() public {
    bytes32 id = _assert("The council approved the bridge.");
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.NotFinal.selector, id));
    v3.settleAndGetAssertionResult(id);
    _commitQuorum(id, -2);
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.NotFinal.selector, id));
    v3.settleAndGetAssertionResult(id);
  }

  function test_v3_assertRevertPaths() public {
    token.mint(address(this), 10 * MIN_FEE_WEI);
    token.approve(address(v3), 10 * MIN_FEE_WEI);
    IERC20 t = IERC20(address(token));
    bytes32 idf = v3.defaultIdentifier();
    bytes memory claim = "The council approved the bridge.";
    vm.expectRevert(SibylOptimisticOracleV3.ZeroAsserter.selector);
    v3.assertTruth(claim, address(0), address(0), address(0), 7200, t, MIN_FEE_WEI, idf, 0);
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.UnsupportedEscalationManager.selector, address(0xE5)));
    v3.assertTruth(claim, asserter, address(0), address(0xE5), 7200, t, MIN_FEE_WEI, idf, 0);
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.UnsupportedIdentifier.selector, bytes32("OTHER")));
    v3.assertTruth(claim, asserter, address(0), address(0), 7200, t, MIN_FEE_WEI, "OTHER", 0);
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.UnsupportedCurrency.selector, address(0xDEAD)));
    v3.assertTruth(claim, asserter, address(0), address(0), 7200, IERC20(address(0xDEAD)), MIN_FEE_WEI, idf, 0);
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.BondTooLow.selector, MIN_FEE_WEI - 1, MIN_FEE_WEI));
    v3.assertTruth(claim, asserter, address(0), address(0), 7200, t, MIN_FEE_WEI - 1, idf, 0);
    vm.expectRevert(abi.encodeWithSelector(SibylQuestionFacade.UnsupportedCurrency.selector, address(0xDEAD)));
    v3.getMinimumBond(address(0xDEAD));
    vm.expectRevert(SibylQuestionFacade.Unsupported.selector);
    v3.disputeAssertion(bytes32(0), address(this));
    vm.expectRevert(abi.encodeWithSelector(SibylOptimisticOracleV3.UnknownAssertion.selector, bytes32(0)));
    v3.settleAssertion(bytes32(0));
    bytes32 id = v3.assertTruthWithDefaults(claim, asserter);
    assertEq(v3.getAssertion(id).bond, MIN_FEE_WEI, "default bond: the minimum");
    assertEq(v3.getAssertion(id).escalationManagerSettings.assertingCaller, address(this), "asserting caller");
  }

  // ================================================================
  // |                          Text spec                           |
  // ================================================================

  function test_textSpec_escapesAndPassesSpecsThrough() public {
    TextSpecHarness h = new TextSpecHarness();
    assertEq(string(h.escape('a "b" \\ c\n')), 'a \\"b\\" \\\\ c\\u000a', "escaped");
    assertEq(string(h.escape("plain")), "plain", "unchanged");
    assertEq(h.build('{"version":1}', "[]", ""), '{"version":1}', "a spec passes through");
    assertEq(
      h.buildText('{"version":1}', "[]", ""),
      '{"version":1,"type":"text","question":"{\\"version\\":1}","sources":[],"rules":"","outcomes":["NO","YES"]}',
      "or is taken as text"
    );
    bytes memory long = new bytes(1001);
    for (uint256 i = 0; i < long.length; ++i) long[i] = "a";
    vm.expectRevert(abi.encodeWithSelector(SibylTextSpec.QuestionLength.selector, 1001));
    h.build(long, "[]", "");
  }
}
