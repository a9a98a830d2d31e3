// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IStaking} from "./interfaces/IStaking.sol";

/// @title Staking
/// @notice Operators lock the network token to run oracle nodes. Each operator registers one signing
/// address (the hot key its node signs with; the operator key that holds the stake can stay cold).
/// An operator is active, and its signatures count towards a quorum, while its bonded stake is at least
/// the minimum. Leaving takes two steps: requestUnbond moves stake out of the bond at once (so it stops
/// counting) but it stays slashable until the unbonding delay has passed and it is withdrawn. The delay
/// must outlast the dispute window plus the voting period, so a node cannot sign a wrong answer and leave
/// before the vote that would slash it; the deploy code checks that.
/// @dev The hot path (ObservationVerifier) reads one slot per signature: s_signers[signer] packs the
/// operator and its bonded stake.
contract Staking is IStaking, ReentrancyGuard, Ownable2Step {
  using SafeERC20 for IERC20;

  // ================================================================
  // |                         Storage                              |
  // ================================================================

  /// Keyed by signing address: the hot record read on every commit. One slot.
  struct SignerRecord {
    address operator;
    uint96 stakeWei;
  }

  /// Keyed by operator.
  struct OperatorRecord {
    address signer; // slot 0
    uint96 unbondingWei; // slot 0
    uint64 unbondReadyAt; // slot 1
  }

  /// Bounds every loop over operators, on-chain and off.
  uint256 public constant MAX_ACTIVE_OPERATORS = 64;

  IERC20 internal immutable i_token;
  uint256 internal immutable i_minStakeWei;
  uint64 internal immutable i_unbondingDelaySec;

  mapping(address signer => SignerRecord) internal s_signers;
  mapping(address operator => OperatorRecord) internal s_operators;
  /// The dispute contract; the only address that may slash. Set once.
  address internal s_slasher;
  uint256 internal s_activeOperatorCount;
  /// Bonded plus unbonding stake of every operator: what this contract owes.
  uint256 internal s_totalStakedWei;
  uint256 internal s_totalSlashedWei;

  // ================================================================
  // |                      Events and errors                       |
  // ================================================================

  event SignerRegistered(address indexed operator, address indexed signer, address previousSigner);
  event Staked(address indexed operator, uint256 amountWei, uint256 stakeWei);
  event UnbondRequested(address indexed operator, uint256 amountWei, uint256 unbondingWei, uint64 readyAt);
  event Withdrawn(address indexed operator, uint256 amountWei);
  event Slashed(address indexed operator, uint256 amountWei, address indexed recipient);
  event OperatorActivated(address indexed operator, address indexed signer);
  event OperatorDeactivated(address indexed operator, address indexed signer);
  event SlasherSet(address slasher);

  error ZeroAddress();
  error ZeroAmount();
  error SignerTaken(address signer, address operator);
  error NotRegistered(address operator);
  error InsufficientStake(uint256 requestedWei, uint256 stakeWei);
  error NothingToWithdraw();
  error UnbondingNotReady(uint64 readyAt);
  error OnlySlasher(address caller);
  error SlasherAlreadySet(address slasher);
  error SlashExceedsStake(address operator, uint256 amountWei, uint256 slashableWei);
  error TooManyActiveOperators(uint256 max);

  constructor(IERC20 token, uint256 minStakeWei, uint64 unbondingDelaySec) {
    if (address(token) == address(0)) revert ZeroAddress();
    if (minStakeWei == 0) revert ZeroAmount();
    i_token = token;
    i_minStakeWei = minStakeWei;
    i_unbondingDelaySec = unbondingDelaySec;
  }

  // ================================================================
  // |                         Governance                           |
  // ================================================================

  /// @notice Names the dispute contract, once. Deployment wires it right after the dispute contract exists.
  function setSlasher(address slasher) external onlyOwner {
    if (slasher == address(0)) revert ZeroAddress();
    if (s_slasher != address(0)) revert SlasherAlreadySet(s_slasher);
    s_slasher = slasher;
    emit SlasherSet(slasher);
  }

  // ================================================================
  // |                         Operators                            |
  // ================================================================

  /// @notice Registers (or rotates) the signing address of msg.sender. A rotation carries the stake over.
  function registerSigner(address signer) external {
    if (signer == address(0)) revert ZeroAddress();
    address taken = s_signers[signer].operator;
    if (taken != address(0)) revert SignerTaken(signer, taken);

    OperatorRecord storage op = s_operators[msg.sender];
    address previous = op.signer;
    uint96 stakeWei;
    if (previous != address(0)) {
      stakeWei = s_signers[previous].stakeWei;
      delete s_signers[previous];
    }
    op.signer = signer;
    s_signers[signer] = SignerRecord({operator: msg.sender, stakeWei: stakeWei});
    emit SignerRegistered(msg.sender, signer, previous);
  }

  /// @notice Adds to msg.sender's bonded stake. The operator must have registered a signer first.
  function stake(uint256 amountWei) external nonReentrant {
    if (amountWei == 0) revert ZeroAmount();
    address signer = s_operators[msg.sender].signer;
    if (signer == address(0)) revert NotRegistered(msg.sender);
    SignerRecord storage rec = s_signers[signer];
    uint256 before = rec.stakeWei;
    rec.stakeWei = SafeCast.toUint96(before + amountWei);
    s_totalStakedWei += amountWei;
    _afterStakeChange(msg.sender, signer, before, rec.stakeWei);
    emit Staked(msg.sender, amountWei, rec.stakeWei);
    i_token.safeTransferFrom(msg.sender, address(this), amountWei);
  }

  /// @notice Moves stake out of the bond. It stops counting at once and can be withdrawn after the delay;
  /// until then it can still be slashed. A new request restarts the delay for everything unbonding.
  function requestUnbond(uint256 amountWei) external {
    if (amountWei == 0) revert ZeroAmount();
    OperatorRecord storage op = s_operators[msg.sender];
    if (op.signer == address(0)) revert NotRegistered(msg.sender);
    SignerRecord storage rec = s_signers[op.signer];
    uint256 before = rec.stakeWei;
    if (amountWei > before) revert InsufficientStake(amountWei, before);
    rec.stakeWei = uint96(before - amountWei);
    op.unbondingWei += uint96(amountWei);
    op.unbondReadyAt = uint64(block.timestamp) + i_unbondingDelaySec;
    _afterStakeChange(msg.sender, op.signer, before, rec.stakeWei);
    emit UnbondRequested(msg.sender, amountWei, op.unbondingWei, op.unbondReadyAt);
  }

  /// @notice Withdraws everything whose unbonding delay has passed.
  function withdraw() external nonReentrant {
    OperatorRecord storage op = s_operators[msg.sender];
    uint256 amountWei = op.unbondingWei;
    if (amountWei == 0) revert NothingToWithdraw();
    if (block.timestamp < op.unbondReadyAt) revert UnbondingNotReady(op.unbondReadyAt);
    op.unbondingWei = 0;
    s_totalStakedWei -= amountWei;
    emit Withdrawn(msg.sender, amountWei);
    i_token.safeTransfer(msg.sender, amountWei);
  }

  // ================================================================
  // |                          Slashing                            |
  // ================================================================

  /// @notice Takes amountWei of an operator's stake, bonded first, then unbonding, and sends it to recipient.
  function slash(address operator, uint256 amountWei, address recipient) external nonReentrant {
    if (msg.sender != s_slasher) revert OnlySlasher(msg.sender);
    if (recipient == address(0)) revert ZeroAddress();
    OperatorRecord storage op = s_operators[operator];
    address signer = op.signer;
    SignerRecord storage rec = s_signers[signer];
    uint256 bonded = signer == address(0) ? 0 : rec.stakeWei;
    uint256 slashable = bonded + op.unbondingWei;
    if (amountWei > slashable) revert SlashExceedsStake(operator, amountWei, slashable);
    if (amountWei == 0) return;

    uint256 fromBond = amountWei < bonded ? amountWei : bonded;
    if (fromBond > 0) {
      rec.stakeWei = uint96(bonded - fromBond);
      _afterStakeChange(operator, signer, bonded, rec.stakeWei);
    }
    op.unbondingWei -= uint96(amountWei - fromBond);
    s_totalStakedWei -= amountWei;
    s_totalSlashedWei += amountWei;
    emit Slashed(operator, amountWei, recipient);
    i_token.safeTransfer(recipient, amountWei);
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @inheritdoc IStaking
  function operatorsOfSigners(
    address[] calldata signers
  ) external view returns (address[] memory operators, uint256 activeOperatorCount_) {
    uint256 minStakeWei = i_minStakeWei;
    operators = new address[](signers.length);
    for (uint256 i = 0; i < signers.length; ++i) {
      SignerRecord memory rec = s_signers[signers[i]];
      if (rec.stakeWei >= minStakeWei) operators[i] = rec.operator;
    }
    activeOperatorCount_ = s_activeOperatorCount;
  }

  function activeOperatorCount() external view returns (uint256) {
    return s_activeOperatorCount;
  }

  function isActive(address operator) external view returns (bool) {
    address signer = s_operators[operator].signer;
    return signer != address(0) && s_signers[signer].stakeWei >= i_minStakeWei;
  }

  /// @inheritdoc IStaking
  function slashableOf(address operator) external view returns (uint256) {
    OperatorRecord storage op = s_operators[operator];
    uint256 bonded = op.signer == address(0) ? 0 : s_signers[op.signer].stakeWei;
    return bonded + op.unbondingWei;
  }

  function getOperator(
    address operator
  ) external view returns (address signer, uint256 stakeWei, uint256 unbondingWei, uint64 unbondReadyAt) {
    OperatorRecord storage op = s_operators[operator];
    signer = op.signer;
    stakeWei = signer == address(0) ? 0 : s_signers[signer].stakeWei;
    unbondingWei = op.unbondingWei;
    unbondReadyAt = op.unbondReadyAt;
  }

  function operatorOfSigner(address signer) external view returns (address) {
    return s_signers[signer].operator;
  }

  function token() external view returns (IERC20) {
    return i_token;
  }

  function minStakeWei() external view returns (uint256) {
    return i_minStakeWei;
  }

  function unbondingDelaySec() external view returns (uint64) {
    return i_unbondingDelaySec;
  }

  function slasher() external view returns (address) {
    return s_slasher;
  }

  function totalStakedWei() external view returns (uint256) {
    return s_totalStakedWei;
  }

  function totalSlashedWei() external view returns (uint256) {
    return s_totalSlashedWei;
  }

  // ================================================================
  // |                          Internal                            |
  // ================================================================

  /// @dev Keeps s_activeOperatorCount in step when a bond crosses the minimum either way.
  function _afterStakeChange(address operator, address signer, uint256 beforeWei, uint256 afterWei) private {
    bool wasActive = beforeWei >= i_minStakeWei;
    bool isActive_ = afterWei >= i_minStakeWei;
    if (!wasActive && isActive_) {
      if (s_activeOperatorCount >= MAX_ACTIVE_OPERATORS) revert TooManyActiveOperators(MAX_ACTIVE_OPERATORS);
      ++s_activeOperatorCount;
      emit OperatorActivated(operator, signer);
    } else if (wasActive && !isActive_) {
      --s_activeOperatorCount;
      emit OperatorDeactivated(operator, signer);
    }
  }
}
