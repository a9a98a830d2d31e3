// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SibylTest} from "./utils/SibylTest.sol";
import {ResolutionOracle} from "../src/ResolutionOracle.sol";
import {ObservationVerifier} from "../src/lib/ObservationVerifier.sol";
import {IStaking} from "../src/interfaces/IStaking.sol";
import {IResolutionOracle} from "../src/interfaces/IResolutionOracle.sol";
import {TestConsumer} from "./fixtures/TestConsumers.sol";

/// @notice ResolutionOracle: requests, commits, deferral, finality, callbacks, fees and the governance hooks.
/// Here the oracle's governance is a plain address (`gov`), so markDisputed / settleDispute are driven
/// directly; DisputeGovernance.t.sol covers them through the real dispute contract.
contract ResolutionOracleTest is SibylTest {
  address internal gov = address(0x60F);

  function setUp() public {
    _deploy();
    oracle = new ResolutionOracle(
      IStaking(address(staking)),
      IERC20(address(token)),
      DISPUTE_WINDOW_SEC,
      TOO_EARLY_RETRY_DELAY_SEC,
      MIN_FEE_WEI,
      REQUEST_TIMEOUT_SEC,
      CONTEST_DISSENT_MIN,
      CONTEST_CONFIDENCE_BPS,
      CONTESTED_WINDOW_MULTIPLIER
    );
    oracle.setGovernance(gov);
    _addOperators(4, MIN_STAKE_WEI); // quorum 3
  }

  function _commitAt(bytes32 requestId, uint32 round, int256 answer, uint256[] memory keys) internal {
    oracle.commitReport(requestId, round, answer, _signObservations(address(oracle), requestId, round, answer, keys));
  }

  // ================================================================
  // |                     Constructor and wiring                    |
  // ================================================================

  function test_constructor_revertsOnZeroStakingOrToken() public {
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.ZeroAddress.selector));
    new ResolutionOracle(IStaking(address(0)), IERC20(address(token)), 1, 1, 1, 1, 2, 0, 3);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.ZeroAddress.selector));
    new ResolutionOracle(IStaking(address(staking)), IERC20(address(0)), 1, 1, 1, 1, 2, 0, 3);
  }

  function test_constructor_setsParameters() public view {
    assertEq(address(oracle.token()), address(token), "token");
    assertEq(address(oracle.staking()), address(staking), "staking");
    assertEq(uint256(oracle.disputeWindowSec()), DISPUTE_WINDOW_SEC, "disputeWindowSec");
    assertEq(uint256(oracle.tooEarlyRetryDelaySec()), TOO_EARLY_RETRY_DELAY_SEC, "tooEarlyRetryDelaySec");
    assertEq(uint256(oracle.minFeeWei()), MIN_FEE_WEI, "minFeeWei");
    assertEq(uint256(oracle.requestTimeoutSec()), REQUEST_TIMEOUT_SEC, "requestTimeoutSec");
    assertEq(oracle.governance(), gov, "governance");
  }

  function test_setGovernance_emitsOnceAndRejectsZero() public {
    ResolutionOracle fresh = new ResolutionOracle(IStaking(address(staking)), IERC20(address(token)), 1, 1, 1, 1, 2, 0, 3);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.ZeroAddress.selector));
    fresh.setGovernance(address(0));
    vm.prank(gov);
    vm.expectRevert(bytes("Ownable: caller is not the owner"));
    fresh.setGovernance(gov);
    vm.expectEmit(true, true, true, true, address(fresh));
    emit ResolutionOracle.GovernanceSet(gov);
    fresh.setGovernance(gov);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.GovernanceAlreadySet.selector, gov));
    fresh.setGovernance(address(0xBAD));
  }

  function test_domainSeparator_followsTheChainId() public {
    assertEq(oracle.domainSeparator(), _domainSeparator(block.chainid, address(oracle)), "domain separator");
    vm.chainId(4242);
    assertEq(oracle.domainSeparator(), _domainSeparator(4242, address(oracle)), "domain separator after a fork");
  }

  /// @notice A signature made for the old chain id does not verify after a fork.
  function test_commitReport_signaturesDoNotSurviveAFork() public {
    bytes32 id = _request();
    uint256[] memory keys = _keys(3);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    vm.chainId(4242);
    // Recovery gives other addresses, unknown to Staking (or out of order): the report is refused.
    try oracle.commitReport(id, 0, 1, obs) {
      fail("a report signed for another chain id committed");
    } catch (bytes memory reason) {
      bytes4 sel = bytes4(reason);
      assertTrue(
        sel == ObservationVerifier.QuorumNotReached.selector || sel == ObservationVerifier.SignersNotAscending.selector,
        "refused as unknown or unordered signers"
      );
    }
  }

  // ================================================================
  // |                          Requests                            |
  // ================================================================

  function test_requestResolution_emitsStoresAndPullsFee() public {
    IResolutionOracle.RequestParams memory p = _params(2 ether, uint64(block.timestamp + 100), 3, 50_000);
    token.mint(requester, p.feeWei);
    vm.prank(requester);
    token.approve(address(oracle), p.feeWei);
    bytes32 expectedId = keccak256(abi.encode(block.chainid, address(oracle), requester, uint256(1)));

    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionRequested(
      expectedId,
      requester,
      p.specHash,
      p.resolveAfter,
      p.feeWei,
      p.callbackGasLimit,
      p.spec,
      p.outcomes
    );
    vm.prank(requester);
    bytes32 id = oracle.requestResolution(p);

    assertEq(id, expectedId, "requestId");
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    assertEq(r.requester, requester, "requester");
    assertEq(uint256(r.feeWei), 2 ether, "feeWei");
    assertEq(uint256(r.resolveAfter), p.resolveAfter, "resolveAfter");
    assertEq(uint256(r.outcomeCount), 3, "outcomeCount");
    assertEq(uint256(r.callbackGasLimit), 50_000, "callbackGasLimit");
    assertEq(uint256(r.status), uint256(ResolutionOracle.Status.Open), "status");
    assertEq(token.balanceOf(address(oracle)), 2 ether, "fee pulled");
    assertEq(oracle.totalFeesReceivedWei(), 2 ether, "totalFeesReceivedWei");
  }

  function test_requestResolution_revertsOnBadOutcomeCount() public {
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.BadOutcomeCount.selector, 1));
    oracle.requestResolution(_params(MIN_FEE_WEI, 0, 1, 0));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.BadOutcomeCount.selector, 33));
    oracle.requestResolution(_params(MIN_FEE_WEI, 0, 33, 0));
  }

  function test_requestResolution_acceptsOutcomeCountLimits() public {
    _requestAs(requester, _params(MIN_FEE_WEI, 0, 2, 0));
    _requestAs(requester, _params(MIN_FEE_WEI, 0, 32, 0));
  }

  function test_requestResolution_revertsOnLongSpec() public {
    IResolutionOracle.RequestParams memory p = _params(MIN_FEE_WEI, 0, 2, 0);
    p.spec = string(new bytes(8193));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SpecTooLong.selector, 8193));
    oracle.requestResolution(p);
    p.spec = string(new bytes(8192));
    _requestAs(requester, p);
  }

  function test_requestResolution_revertsOnLowFee() public {
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.FeeTooLow.selector, MIN_FEE_WEI - 1, MIN_FEE_WEI));
    oracle.requestResolution(_params(MIN_FEE_WEI - 1, 0, 2, 0));
  }

  function test_requestResolution_revertsOnHighCallbackGas() public {
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.CallbackGasTooHigh.selector, 1_000_001));
    oracle.requestResolution(_params(MIN_FEE_WEI, 0, 2, 1_000_001));
  }

  function test_requestResolution_revertsWithoutAllowance() public {
    token.mint(requester, MIN_FEE_WEI);
    vm.prank(requester);
    vm.expectRevert(bytes("ERC20: insufficient allowance"));
    oracle.requestResolution(_params(MIN_FEE_WEI, 0, 2, 0));
  }

  // ================================================================
  // |                            Commit                            |
  // ================================================================

  function test_commitReport_emitsAndStores() public {
    bytes32 id = _request();
    uint256[] memory keys = _keys(3);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    address[] memory ops = _signersOf(keys);

    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ReportCommitted(id, 0, 1, ops);
    oracle.commitReport(id, 0, 1, obs);

    ResolutionOracle.Request memory r = oracle.getRequest(id);
    assertEq(uint256(r.status), uint256(ResolutionOracle.Status.Committed), "status");
    assertEq(int256(r.answer), 1, "answer");
    assertEq(uint256(r.committedAt), block.timestamp, "committedAt");
    assertEq(r.signersHash, keccak256(abi.encodePacked(ops)), "signersHash");
    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertFalse(isFinal, "not final during the window");
    assertEq(answer, 1, "answer readable");
  }

  function test_commitReport_acceptsUnresolvable() public {
    bytes32 id = _request();
    _commitQuorum(id, oracle.ANSWER_UNRESOLVABLE());
    assertEq(int256(oracle.getRequest(id).answer), -1, "unresolvable stored");
  }

  function test_commitReport_acceptsAllSigners() public {
    bytes32 id = _request();
    _commit(id, 0, 4);
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed");
  }

  function test_commitReport_revertsOnUnknownRequest() public {
    bytes32 id = keccak256("nope");
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RequestNotOpen.selector, id, ResolutionOracle.Status.None));
    oracle.commitReport(id, 0, 1, obs);
  }

  function test_commitReport_replayAndSecondReportRevert() public {
    bytes32 id = _request();
    uint256[] memory keys = _keys(3);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    oracle.commitReport(id, 0, 1, obs);

    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RequestNotOpen.selector, id, ResolutionOracle.Status.Committed));
    oracle.commitReport(id, 0, 1, obs);

    // A different quorum, a different answer: still only one commit.
    uint256[] memory others = new uint256[](3);
    (others[0], others[1], others[2]) = (signerKeys[1], signerKeys[2], signerKeys[3]);
    ResolutionOracle.SignedObservation[] memory obs2 = _signObservations(address(oracle), id, 0, 0, others);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RequestNotOpen.selector, id, ResolutionOracle.Status.Committed));
    oracle.commitReport(id, 0, 0, obs2);
  }

  function test_commitReport_revertsOnRoundMismatch() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 1, 1, _keys(3));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RoundMismatch.selector, 1, 0));
    oracle.commitReport(id, 1, 1, obs);
  }

  function test_commitReport_revertsBeforeResolveAfter() public {
    uint64 resolveAfter = uint64(block.timestamp + 1 days);
    bytes32 id = _requestAs(requester, _params(MIN_FEE_WEI, resolveAfter, 2, 0));
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.TooEarly.selector, resolveAfter));
    oracle.commitReport(id, 0, 1, obs);
    vm.warp(resolveAfter);
    oracle.commitReport(id, 0, 1, obs);
  }

  function test_commitReport_revertsOnInvalidAnswer() public {
    bytes32 id = _request();
    int256[3] memory bad = [int256(2), int256(-3), type(int256).max];
    for (uint256 i = 0; i < bad.length; ++i) {
      ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, bad[i], _keys(3));
      vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, bad[i]));
      oracle.commitReport(id, 0, bad[i], obs);
    }
  }

  function test_commitReport_revertsOnHighS() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    obs[1].yParityAndS = bytes32(SECP256K1_N / 2 + 1);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.HighS.selector, 1));
    oracle.commitReport(id, 0, 1, obs);
  }

  function test_commitReport_revertsOnInvalidSignature() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    obs[2].r = bytes32(0);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.InvalidSignature.selector, 2));
    oracle.commitReport(id, 0, 1, obs);
  }

  function test_commitReport_revertsOnUnorderedOrDuplicateSigners() public {
    bytes32 id = _request();
    uint256[] memory keys = _keys(3);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
    // Swap the first two: index 1 now recovers a lower address than index 0.
    (obs[0], obs[1]) = (obs[1], obs[0]);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.SignersNotAscending.selector, 1, vm.addr(keys[0])));
    oracle.commitReport(id, 0, 1, obs);

    // One signer twice.
    ResolutionOracle.SignedObservation[] memory dup = _signObservations(address(oracle), id, 0, 1, keys);
    dup[1] = dup[0];
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.SignersNotAscending.selector, 1, vm.addr(keys[0])));
    oracle.commitReport(id, 0, 1, dup);
  }

  /// @notice An unknown key and an under-staked operator are not members: they do not count, so two members
  /// with one of them are below the quorum; three members with one of them commit without it.
  function test_commitReport_doesNotCountNonMembers() public {
    bytes32 id = _request();
    uint256 strangerKey = 0xBADBAD;
    (, uint256 weakKey) = _addOperator(MIN_STAKE_WEI - 1);
    _nextEpoch();
    uint256[] memory pairs = new uint256[](2);
    pairs[0] = strangerKey;
    pairs[1] = weakKey;
    for (uint256 p = 0; p < 2; ++p) {
      uint256[] memory keys = _keys(3);
      keys[2] = pairs[p];
      ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, keys);
      vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 2, 3));
      oracle.commitReport(id, 0, 1, obs);
    }
    uint256[] memory withOutsider = new uint256[](4);
    uint256[] memory members = _keys(3);
    for (uint256 i = 0; i < 3; ++i) withOutsider[i] = members[i];
    withOutsider[3] = weakKey;
    ResolutionOracle.SignedObservation[] memory all = _signObservations(address(oracle), id, 0, 1, withOutsider);
    address[] memory recorded = _signersOf(_sortKeysBySigner(members));
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ReportCommitted(id, 0, 1, recorded);
    oracle.commitReport(id, 0, 1, all);
    assertEq(oracle.getRequest(id).signersHash, keccak256(abi.encodePacked(recorded)), "members only on record");
  }

  function test_commitReport_revertsBelowQuorum() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(2));
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 2, 3));
    oracle.commitReport(id, 0, 1, obs);
    ResolutionOracle.SignedObservation[] memory none = new ResolutionOracle.SignedObservation[](0);
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.QuorumNotReached.selector, 0, 3));
    oracle.commitReport(id, 0, 1, none);
  }

  function test_commitReport_revertsWithNoActiveOperators() public {
    // Every operator leaves the bond.
    for (uint256 i = 0; i < operators.length; ++i) {
      vm.prank(operators[i]);
      staking.requestUnbond(MIN_STAKE_WEI);
    }
    _nextEpoch();
    _nextEpoch();
    assertEq(staking.activeOperatorCount(), 0, "no active operators");
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    vm.expectRevert(abi.encodeWithSelector(ObservationVerifier.NoActiveOperators.selector));
    oracle.commitReport(id, 0, 1, obs);
  }

  /// @notice Another oracle's signatures (same chain, same request id and round) do not verify here.
  function test_commitReport_signaturesAreBoundToTheContract() public {
    bytes32 id = _request();
    uint256[] memory keys = _keys(3);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(0xDEAD), id, 0, 1, keys);
    vm.expectRevert();
    oracle.commitReport(id, 0, 1, obs);
  }

  // ================================================================
  // |                     Too early: deferral                      |
  // ================================================================

  function test_tooEarly_defersToANewRound() public {
    bytes32 id = _request();
    int256 tooEarly = oracle.ANSWER_TOO_EARLY();
    uint256[] memory keys = _keys(3);
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, tooEarly, keys);
    uint64 retryAt = uint64(block.timestamp) + TOO_EARLY_RETRY_DELAY_SEC;

    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionDeferred(id, 1, retryAt);
    oracle.commitReport(id, 0, tooEarly, obs);

    ResolutionOracle.Request memory r = oracle.getRequest(id);
    assertEq(uint256(r.round), 1, "round advanced");
    assertEq(uint256(r.resolveAfter), retryAt, "resolveAfter moved");
    assertEq(uint256(r.status), uint256(ResolutionOracle.Status.Open), "still open");

    // Round 0 signatures no longer count, and round 1 waits for the retry time.
    ResolutionOracle.SignedObservation[] memory old = _signObservations(address(oracle), id, 0, 1, keys);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RoundMismatch.selector, 0, 1));
    oracle.commitReport(id, 0, 1, old);
    ResolutionOracle.SignedObservation[] memory next = _signObservations(address(oracle), id, 1, 1, keys);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.TooEarly.selector, retryAt));
    oracle.commitReport(id, 1, 1, next);
    vm.warp(retryAt);
    oracle.commitReport(id, 1, 1, next);
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Committed), "committed in round 1");
  }

  function test_tooEarly_cannotBeDisputedAsAnswer() public {
    bytes32 id = _request();
    address[] memory ops = _commitQuorum(id, 0);
    int256 tooEarly = oracle.ANSWER_TOO_EARLY();
    assertFalse(oracle.isFinalAnswer(id, tooEarly), "too early is not a final answer");
    vm.startPrank(gov);
    oracle.markDisputed(id, ops);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, tooEarly));
    oracle.settleDispute(id, tooEarly, ops);
    vm.stopPrank();
  }

  function test_requestResolution_recordsTheEpochItCanFirstBeAnswered() public {
    bytes32 now_ = _request();
    assertEq(uint256(oracle.getRequest(now_).epoch), uint256(staking.currentEpoch()), "answerable now: this epoch");
    uint64 later = uint64(block.timestamp + 5 * EPOCH_LENGTH_SEC);
    bytes32 id = _requestAs(requester, _params(MIN_FEE_WEI, later, 2, 0));
    assertEq(uint256(oracle.getRequest(id).epoch), uint256(staking.currentEpoch()) + 5, "the epoch of resolveAfter");
    bytes32 past = _requestAs(requester, _params(MIN_FEE_WEI, 1, 2, 0));
    assertEq(uint256(oracle.getRequest(past).epoch), uint256(staking.currentEpoch()), "a past resolveAfter: now");
  }

  function test_requestResolution_revertsWhenResolveAfterIsTooFar() public {
    IResolutionOracle.RequestParams memory p = _params(MIN_FEE_WEI, type(uint64).max, 2, 0);
    token.mint(requester, p.feeWei);
    vm.prank(requester);
    token.approve(address(oracle), p.feeWei);
    vm.prank(requester);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.ResolveAfterTooFar.selector, type(uint64).max));
    oracle.requestResolution(p);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.ResolveAfterTooFar.selector, type(uint64).max));
    oracle.checkRequest(p);
  }

  /// @notice A request is judged by its own epoch while that is the current or the previous one, then by the
  /// previous epoch: Staking keeps those two sets, and a member that left cannot sign for long after.
  function test_commitReport_isJudgedByTheRequestsEpochThenThePrevious() public {
    bytes32 id = _request();
    uint32 epoch = staking.currentEpoch();
    assertEq(uint256(oracle.reportEpochOf(id)), epoch, "its own");
    _nextEpoch();
    assertEq(uint256(oracle.reportEpochOf(id)), epoch, "its own, one epoch later");
    _nextEpoch();
    _nextEpoch();
    assertEq(uint256(oracle.reportEpochOf(id)), uint256(staking.currentEpoch()) - 1, "then the previous");
    _commitQuorum(id, 1);
    assertEq(uint256(oracle.getRequest(id).epoch), uint256(staking.currentEpoch()) - 1, "recorded at commit");
  }

  function test_expireRequest_onlyAnOpenRequestAfterItsTimeout() public {
    bytes32 id = _request();
    _commitQuorum(id, 1);
    vm.warp(block.timestamp + REQUEST_TIMEOUT_SEC);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RequestNotOpen.selector, id, ResolutionOracle.Status.Committed));
    oracle.expireRequest(id);
    bytes32 unknown = keccak256("unknown");
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.RequestNotOpen.selector, unknown, ResolutionOracle.Status.None));
    oracle.expireRequest(unknown);
    bytes32 open = _request();
    vm.warp(block.timestamp + REQUEST_TIMEOUT_SEC);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.RequestExpired(open, MIN_FEE_WEI);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionFinalized(open, -1);
    oracle.expireRequest(open);
  }

  /// @notice The digest is hashed from the calldata words as sent; a word with dirty high bits (a confidence
  /// that is not a uint16) is refused by the ABI decoder, so what is signed is what is checked.
  function test_commitReport_refusesDirtyFieldWords() public {
    bytes32 id = _request();
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, 1, _keys(3));
    bytes memory data = abi.encodeCall(ResolutionOracle.commitReport, (id, 0, 1, obs));
    // Layout: selector, requestId, round, answer, offset, length, then 5 words per observation.
    uint256 confidenceWord = 4 + 32 * 5;
    data[confidenceWord] = 0x01; // the top byte of the first observation's confidenceBps word
    (bool ok, ) = address(oracle).call(data);
    assertFalse(ok, "a dirty confidence word was accepted");
    data[confidenceWord] = 0x00;
    (ok, ) = address(oracle).call(data);
    assertTrue(ok, "the clean report commits");
  }

  /// @notice A deferred round is judged by the epoch it starts in.
  function test_tooEarly_newRoundTakesTheEpochItStartsIn() public {
    bytes32 id = _request();
    _commitQuorum(id, oracle.ANSWER_TOO_EARLY());
    ResolutionOracle.Request memory r = oracle.getRequest(id);
    assertEq(
      uint256(r.epoch),
      (uint256(r.resolveAfter) - staking.genesisTimestamp()) / EPOCH_LENGTH_SEC,
      "the epoch of the retry time"
    );
  }

  // ================================================================
  // |                          Finality                            |
  // ================================================================

  function test_finalize_creditsFeesAndEmits() public {
    uint96 fee = MIN_FEE_WEI + 1; // 3 signers: 1e18 + 1 = 3 * 333333333333333333 + 2
    bytes32 id = _requestAs(requester, _params(fee, uint64(block.timestamp), 2, 0));
    address[] memory ops = _commitQuorum(id, 1);

    uint64 endsAt = uint64(block.timestamp) + DISPUTE_WINDOW_SEC;
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowOpen.selector, endsAt));
    oracle.finalize(id, ops);
    vm.warp(endsAt);

    address[] memory wrong = new address[](ops.length);
    for (uint256 i = 0; i < ops.length; ++i) wrong[i] = ops[ops.length - 1 - i];
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SignersMismatch.selector, id));
    oracle.finalize(id, wrong);

    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.FeesCredited(id, fee, ops.length);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionFinalized(id, 1);
    oracle.finalize(id, ops);

    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, 1, "answer");
    uint256 share = 333333333333333333;
    assertEq(oracle.claimableWei(staking.operatorOfSigner(ops[0])), share + 2, "first signer gets the remainder");
    assertEq(oracle.claimableWei(staking.operatorOfSigner(ops[1])), share, "share");
    assertEq(oracle.claimableWei(staking.operatorOfSigner(ops[2])), share, "share");

    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Finalized));
    oracle.finalize(id, ops);
  }

  function test_finalize_revertsWhenNotCommitted() public {
    bytes32 id = _request();
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Open));
    oracle.finalize(id, new address[](0));
  }

  function test_withdrawFees_paysAndEmits() public {
    bytes32 id = _request();
    address[] memory ops = _commitQuorum(id, 1);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, ops);

    uint256 amount = oracle.claimableWei(staking.operatorOfSigner(ops[1]));
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.FeesWithdrawn(staking.operatorOfSigner(ops[1]), amount);
    vm.prank(staking.operatorOfSigner(ops[1]));
    oracle.withdrawFees();
    assertEq(token.balanceOf(staking.operatorOfSigner(ops[1])), amount, "paid");
    assertEq(oracle.totalFeesPaidWei(), amount, "totalFeesPaidWei");

    vm.prank(staking.operatorOfSigner(ops[1]));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.NothingToWithdraw.selector));
    oracle.withdrawFees();
  }

  // ================================================================
  // |                          Callbacks                           |
  // ================================================================

  function _consumerRequest(TestConsumer consumer, uint32 gasLimit) internal returns (bytes32 id) {
    token.mint(address(consumer), MIN_FEE_WEI);
    id = consumer.request(_params(MIN_FEE_WEI, uint64(block.timestamp), 2, gasLimit));
  }

  function _finalizeWithMode(TestConsumer.Mode mode) internal returns (TestConsumer consumer, bytes32 id) {
    consumer = new TestConsumer(oracle);
    consumer.setMode(mode);
    id = _consumerRequest(consumer, 200_000);
    address[] memory ops = _commitQuorum(id, 1);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    // The return bomb asks for 1 MB of memory, which costs more gas than any allowed limit: it fails
    // inside the consumer, and the oracle copies nothing back either way.
    bool expectSuccess = mode == TestConsumer.Mode.Record;
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.CallbackResult(id, address(consumer), expectSuccess);
    oracle.finalize(id, ops);
    (bool isFinal, ) = oracle.getResolution(id);
    assertTrue(isFinal, "final whatever the consumer did");
  }

  function test_callback_recordsAnswer() public {
    (TestConsumer consumer, bytes32 id) = _finalizeWithMode(TestConsumer.Mode.Record);
    assertEq(consumer.calls(), 1, "called once");
    assertEq(consumer.lastRequestId(), id, "requestId");
    assertEq(consumer.lastAnswer(), 1, "answer");
  }

  function test_callback_revertingConsumerDoesNotBlock() public {
    _finalizeWithMode(TestConsumer.Mode.Revert);
  }

  function test_callback_gasBurningConsumerDoesNotBlock() public {
    _finalizeWithMode(TestConsumer.Mode.BurnGas);
  }

  function test_callback_returnBombDoesNotBlock() public {
    _finalizeWithMode(TestConsumer.Mode.ReturnBomb);
  }

  function test_callback_skippedForZeroGasOrEoa() public {
    TestConsumer consumer = new TestConsumer(oracle);
    bytes32 id = _consumerRequest(consumer, 0);
    address[] memory ops = _commitQuorum(id, 1);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, ops);
    assertEq(consumer.calls(), 0, "no callback with a zero gas limit");
  }

  /// @notice A finalizer that sends too little gas to honour the consumer's limit is refused, so a
  /// callback cannot be starved on purpose.
  function test_callback_revertsWithInsufficientGas() public {
    TestConsumer consumer = new TestConsumer(oracle);
    bytes32 id = _consumerRequest(consumer, 1_000_000);
    address[] memory ops = _commitQuorum(id, 1);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    try oracle.finalize{gas: 400_000}(id, ops) {
      fail("finalize with starved callback gas succeeded");
    } catch (bytes memory reason) {
      assertEq(bytes4(reason), ResolutionOracle.InsufficientGasForCallback.selector, "InsufficientGasForCallback");
    }
    oracle.finalize{gas: 2_000_000}(id, ops);
    assertEq(consumer.calls(), 1, "called with enough gas");
  }

  // ================================================================
  // |                   Governance hooks (direct)                  |
  // ================================================================

  function test_markDisputed_onlyGovernance() public {
    bytes32 id = _request();
    address[] memory ops = _commitQuorum(id, 1);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.OnlyGovernance.selector, address(this)));
    oracle.markDisputed(id, ops);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.OnlyGovernance.selector, address(this)));
    oracle.settleDispute(id, 1, ops);
  }

  function test_markDisputed_emitsAndChecks() public {
    bytes32 id = _request();
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Open));
    oracle.markDisputed(id, new address[](0));

    address[] memory ops = _commitQuorum(id, 1);
    assertTrue(oracle.isFinalAnswer(id, -1), "-1 is final");
    assertTrue(oracle.isFinalAnswer(id, 0), "0 is an outcome");
    assertFalse(oracle.isFinalAnswer(id, 2), "2 is out of range");
    assertFalse(oracle.isFinalAnswer(keccak256("unknown"), 0), "no request");
    vm.startPrank(gov);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SignersMismatch.selector, id));
    oracle.markDisputed(id, new address[](0));
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionDisputed(id);
    int256 committed = oracle.markDisputed(id, ops);
    assertEq(committed, 1, "returns the committed answer");
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Disputed));
    oracle.markDisputed(id, ops);
    vm.stopPrank();
    assertEq(uint256(oracle.getRequest(id).status), uint256(ResolutionOracle.Status.Disputed), "disputed");
  }

  function test_markDisputed_revertsAfterWindow() public {
    bytes32 id = _request();
    address[] memory ops = _commitQuorum(id, 1);
    uint64 endsAt = uint64(block.timestamp) + DISPUTE_WINDOW_SEC;
    vm.warp(endsAt);
    vm.prank(gov);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.DisputeWindowClosed.selector, endsAt));
    oracle.markDisputed(id, ops);
  }

  function test_settleDispute_overturnedRefundsRequester() public {
    bytes32 id = _request();
    address[] memory ops = _commitQuorum(id, 1);
    vm.startPrank(gov);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.WrongStatus.selector, id, ResolutionOracle.Status.Committed));
    oracle.settleDispute(id, 0, ops);
    oracle.markDisputed(id, ops);
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.SignersMismatch.selector, id));
    oracle.settleDispute(id, 0, new address[](0));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, int256(5)));
    oracle.settleDispute(id, 5, ops);

    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.DisputeSettled(id, true, 0);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.ResolutionFinalized(id, 0);
    oracle.settleDispute(id, 0, ops);
    vm.stopPrank();

    (bool isFinal, int256 answer) = oracle.getResolution(id);
    assertTrue(isFinal, "final");
    assertEq(answer, 0, "answer replaced");
    assertEq(oracle.claimableWei(requester), MIN_FEE_WEI, "fee back to the requester");
    for (uint256 i = 0; i < ops.length; ++i) assertEq(oracle.claimableWei(staking.operatorOfSigner(ops[i])), 0, "signers of a wrong answer get nothing");
  }

  function test_settleDispute_upheldPaysSigners() public {
    bytes32 id = _request();
    address[] memory ops = _commitQuorum(id, 1);
    vm.startPrank(gov);
    oracle.markDisputed(id, ops);
    vm.expectEmit(true, true, true, true, address(oracle));
    emit ResolutionOracle.DisputeSettled(id, false, 1);
    oracle.settleDispute(id, 1, ops);
    vm.stopPrank();
    (, int256 answer) = oracle.getResolution(id);
    assertEq(answer, 1, "answer kept");
    assertGe(oracle.claimableWei(staking.operatorOfSigner(ops[0])), MIN_FEE_WEI / 3, "signers paid");
  }

  // ================================================================
  // |                             Fuzz                             |
  // ================================================================

  /// @notice Fees are conserved: whatever is credited sums to the fee, and the oracle can pay it all.
  function testFuzz_feeSplitConserves(uint96 fee, uint8 signerCount) public {
    fee = uint96(bound(fee, MIN_FEE_WEI, type(uint96).max));
    uint256 n = bound(signerCount, 3, 4);
    bytes32 id = _requestAs(requester, _params(fee, uint64(block.timestamp), 2, 0));
    address[] memory ops = _commit(id, 1, n);
    vm.warp(block.timestamp + DISPUTE_WINDOW_SEC);
    oracle.finalize(id, ops);
    uint256 credited;
    for (uint256 i = 0; i < ops.length; ++i) credited += oracle.claimableWei(staking.operatorOfSigner(ops[i]));
    assertEq(credited, fee, "credited == fee");
    for (uint256 i = 0; i < ops.length; ++i) {
      vm.prank(staking.operatorOfSigner(ops[i]));
      oracle.withdrawFees();
    }
    assertEq(token.balanceOf(address(oracle)), 0, "all paid out");
    assertEq(oracle.totalFeesPaidWei(), oracle.totalFeesReceivedWei(), "paid == received");
  }

  function testFuzz_commitRejectsEveryOutOfRangeAnswer(int256 answer, uint8 outcomeCount) public {
    uint256 count = bound(outcomeCount, 2, 32);
    vm.assume(answer != -2 && answer != -1 && (answer < 0 || answer >= int256(count)));
    bytes32 id = _requestAs(requester, _params(MIN_FEE_WEI, uint64(block.timestamp), count, 0));
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), id, 0, answer, _keys(3));
    vm.expectRevert(abi.encodeWithSelector(ResolutionOracle.InvalidAnswer.selector, answer));
    oracle.commitReport(id, 0, answer, obs);
  }

  function testFuzz_commitAcceptsEveryInRangeAnswer(uint256 answerSeed, uint8 outcomeCount) public {
    uint256 count = bound(outcomeCount, 2, 32);
    int256 answer = int256(bound(answerSeed, 0, count)) - 1; // -1 (unresolvable) .. count - 1
    bytes32 id = _requestAs(requester, _params(MIN_FEE_WEI, uint64(block.timestamp), count, 0));
    _commitQuorum(id, answer);
    assertEq(int256(oracle.getRequest(id).answer), answer, "stored answer");
  }
}
