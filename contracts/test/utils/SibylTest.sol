// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TestBase} from "./TestBase.sol";
import {TestToken} from "./TestToken.sol";
import {Staking} from "../../src/Staking.sol";
import {ResolutionOracle} from "../../src/ResolutionOracle.sol";
import {DisputeGovernance} from "../../src/DisputeGovernance.sol";
import {FeedAggregator} from "../../src/FeedAggregator.sol";
import {IStaking} from "../../src/interfaces/IStaking.sol";
import {IResolutionOracle} from "../../src/interfaces/IResolutionOracle.sol";

/// @notice The whole network deployed and wired as the deploy code does it, plus builders for operators,
/// requests and signed reports. Tests inherit it and call _deploy() in setUp.
abstract contract SibylTest is TestBase {
  uint256 internal constant MIN_STAKE_WEI = 100 ether;
  uint64 internal constant UNBONDING_DELAY_SEC = 10 days;
  uint64 internal constant DISPUTE_WINDOW_SEC = 1 days;
  uint64 internal constant TOO_EARLY_RETRY_DELAY_SEC = 1 hours;
  uint96 internal constant MIN_FEE_WEI = 1 ether;
  uint96 internal constant MIN_BOND_WEI = 10 ether;
  uint64 internal constant VOTING_PERIOD_SEC = 3 days;
  uint64 internal constant EPOCH_LENGTH_SEC = 1 hours;
  uint64 internal constant REQUEST_TIMEOUT_SEC = 7 days;
  uint64 internal constant FEED_DISPUTE_WINDOW_SEC = 1 days;
  /// Scrutiny rule. The builders sign confidences of at least 5,000 bps (_confidenceOf), so only dissent
  /// or a test's own confidences make a request contested here.
  uint8 internal constant CONTEST_DISSENT_MIN = 2;
  uint16 internal constant CONTEST_CONFIDENCE_BPS = 5_000;
  uint8 internal constant CONTESTED_WINDOW_MULTIPLIER = 3;
  uint64 internal constant MAX_OBSERVATION_AGE_SEC = 1 hours;
  uint16 internal constant SLASH_BPS = 1_000;
  uint16 internal constant DISPUTER_REWARD_BPS = 5_000;
  uint8 internal constant FEED_DECIMALS = 8;
  string internal constant FEED_DESCRIPTION = "ETH / USD";
  int192 internal constant FEED_MIN_ANSWER = 1;
  int192 internal constant FEED_MAX_ANSWER = 1e8 * 1e8;
  /// Signing keys are SIGNER_KEY_BASE + operator index.
  uint256 internal constant SIGNER_KEY_BASE = 0x5EED0000;

  TestToken internal token;
  Staking internal staking;
  ResolutionOracle internal oracle;
  DisputeGovernance internal governance;
  FeedAggregator internal feed;

  address internal treasury = address(0x7EA5);
  address[] internal council;
  address internal requester = address(0xB0B);
  address internal disputer = address(0xD15);

  address[] internal operators;
  uint256[] internal signerKeys;

  function _deploy() internal {
    token = new TestToken();
    staking = new Staking(IERC20(address(token)), MIN_STAKE_WEI, UNBONDING_DELAY_SEC, EPOCH_LENGTH_SEC);
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
    council.push(address(0xC001));
    council.push(address(0xC002));
    council.push(address(0xC003));
    governance = new DisputeGovernance(
      IERC20(address(token)),
      IStaking(address(staking)),
      IResolutionOracle(address(oracle)),
      MIN_BOND_WEI,
      VOTING_PERIOD_SEC,
      FEED_DISPUTE_WINDOW_SEC,
      SLASH_BPS,
      DISPUTER_REWARD_BPS,
      treasury,
      council,
      2
    );
    staking.setSlasher(address(governance));
    oracle.setGovernance(address(governance));
    feed = new FeedAggregator(
      IStaking(address(staking)),
      FEED_DECIMALS,
      FEED_DESCRIPTION,
      FEED_MIN_ANSWER,
      FEED_MAX_ANSWER,
      MAX_OBSERVATION_AGE_SEC
    );
    governance.setFeed(feed, true);

    vm.label(address(token), "TestToken");
    vm.label(address(staking), "Staking");
    vm.label(address(oracle), "ResolutionOracle");
    vm.label(address(governance), "DisputeGovernance");
    vm.label(address(feed), "FeedAggregator");
  }

  // ================================================================
  // |                          Operators                           |
  // ================================================================

  function _operatorAddress(uint256 index) internal pure returns (address) {
    return address(uint160(uint256(keccak256(abi.encode("sibyl.operator", index)))));
  }

  /// @notice Registers operator `operators.length` with a fresh signing key (with its proof), admits it and
  /// stakes `stakeWei`. It is a member from the next epoch (see _nextEpoch).
  function _addOperator(uint256 stakeWei) internal returns (address operator, uint256 key) {
    (operator, key) = _addStranger(stakeWei);
    staking.admit(operator);
  }

  /// @notice As _addOperator, without governance's admission.
  function _addStranger(uint256 stakeWei) internal returns (address operator, uint256 key) {
    uint256 index = operators.length;
    operator = _operatorAddress(index);
    key = SIGNER_KEY_BASE + index;
    operators.push(operator);
    signerKeys.push(key);
    vm.label(operator, string.concat("operator", vm.toString(index)));
    _registerSigner(operator, key);
    if (stakeWei > 0) _stake(operator, stakeWei);
  }

  function _registerSigner(address operator, uint256 key) internal {
    bytes memory proof = _registrationProof(address(staking), key, operator);
    vm.prank(operator);
    staking.registerSigner(vm.addr(key), proof);
  }

  /// @notice Adds n admitted, staked operators and starts the next epoch, where they are members.
  function _addOperators(uint256 n, uint256 stakeWei) internal {
    for (uint256 i = 0; i < n; ++i) _addOperator(stakeWei);
    _nextEpoch();
  }

  /// @notice Moves time to the start of the next Staking epoch (where scheduled joins and leaves apply).
  function _nextEpoch() internal {
    vm.warp(staking.epochStartsAt(staking.currentEpoch() + 1));
  }

  function _stake(address operator, uint256 amountWei) internal {
    token.mint(operator, amountWei);
    vm.prank(operator);
    token.approve(address(staking), amountWei);
    vm.prank(operator);
    staking.stake(amountWei);
  }

  /// @notice The first `count` signing keys (a copy, safe to sort).
  function _keys(uint256 count) internal view returns (uint256[] memory keys) {
    keys = new uint256[](count);
    for (uint256 i = 0; i < count; ++i) keys[i] = signerKeys[i];
  }

  /// @notice The operators behind sorted keys, in report order.
  function _operatorsOf(uint256[] memory sortedKeys) internal returns (address[] memory ops) {
    ops = new address[](sortedKeys.length);
    for (uint256 i = 0; i < sortedKeys.length; ++i) ops[i] = staking.operatorOfSigner(vm.addr(sortedKeys[i]));
  }

  /// @notice The signing addresses of sorted keys: the list ReportCommitted and NewTransmission emit.
  function _signersOf(uint256[] memory sortedKeys) internal returns (address[] memory signers) {
    signers = new address[](sortedKeys.length);
    for (uint256 i = 0; i < sortedKeys.length; ++i) signers[i] = vm.addr(sortedKeys[i]);
  }

  // ================================================================
  // |                          Requests                            |
  // ================================================================

  function _params(
    uint96 feeWei,
    uint64 resolveAfter,
    uint256 outcomeCount,
    uint32 callbackGasLimit
  ) internal pure returns (IResolutionOracle.RequestParams memory p) {
    string[] memory outcomes = new string[](outcomeCount);
    for (uint256 i = 0; i < outcomeCount; ++i) outcomes[i] = string.concat("outcome ", vm.toString(i));
    string memory spec = '{"question":"Did the Chiefs win Super Bowl LVIII?","sources":["https://example.org/sb"]}';
    p = IResolutionOracle.RequestParams({
      specHash: keccak256(bytes(spec)),
      spec: spec,
      outcomes: outcomes,
      resolveAfter: resolveAfter,
      feeWei: feeWei,
      callbackGasLimit: callbackGasLimit
    });
  }

  /// @notice A two-outcome request by `requester`, answerable now, with the minimum fee.
  function _request() internal returns (bytes32) {
    return _requestAs(requester, _params(MIN_FEE_WEI, uint64(block.timestamp), 2, 0));
  }

  function _requestAs(address from, IResolutionOracle.RequestParams memory p) internal returns (bytes32 requestId) {
    token.mint(from, p.feeWei);
    vm.prank(from);
    token.approve(address(oracle), p.feeWei);
    vm.prank(from);
    requestId = oracle.requestResolution(p);
  }

  /// @notice Commits `answer` in the request's current round, signed by the first `signerCount` operators.
  /// Returns the signer list of ReportCommitted (what finalize and disputes take).
  function _commit(bytes32 requestId, int256 answer, uint256 signerCount) internal returns (address[] memory signers) {
    uint256[] memory keys = _keys(signerCount);
    uint32 round = oracle.getRequest(requestId).round;
    ResolutionOracle.SignedObservation[] memory obs = _signObservations(address(oracle), requestId, round, answer, keys);
    signers = _signersOf(keys);
    oracle.commitReport(requestId, round, answer, obs);
  }

  /// @notice Commits with exactly a quorum of the registered operators.
  function _commitQuorum(bytes32 requestId, int256 answer) internal returns (address[] memory) {
    return _commit(requestId, answer, oracle.quorumFor(staking.activeOperatorCount()));
  }

  /// @notice Posts a claim in a dispute (opening it if first): `from` is funded with the bond.
  function _claim(address from, bytes32 requestId, int256 answer, uint96 bondWei, address[] memory signers) internal {
    token.mint(from, bondWei);
    vm.prank(from);
    token.approve(address(governance), bondWei);
    vm.prank(from);
    governance.dispute(requestId, answer, bondWei, signers);
  }

  /// @notice `count` council members (from the first) vote `answer`.
  function _councilVotes(bytes32 requestId, int256 answer, uint256 count) internal {
    for (uint256 i = 0; i < count; ++i) {
      vm.prank(council[i]);
      governance.vote(requestId, answer);
    }
  }
}
