// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/security/ReentrancyGuard.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IStaking} from "./interfaces/IStaking.sol";

/// @title Staking
/// @notice Operators lock the network token to run oracle nodes. Each operator registers one signing address
/// (the hot key its node signs with; the operator key that holds the stake can stay cold), proving with a
/// signature of that key that it consents.
///
/// The operator set, by epoch. Time is cut into epochs of epochLengthSec from the deployment. An operator is a
/// member of an epoch when it was admitted by governance (the owner: a timelock in production) and had at least
/// the minimum stake bonded before the epoch began. Every change (stake, unbond, slash, admission, expulsion,
/// signer rotation) takes effect at the next epoch; the set of the current epoch, and its size, cannot change
/// any more. The oracle contracts judge a report by the set of its round's epoch (never older than the previous
/// epoch), so an operator toggling its stake, a newcomer, or one leaving cannot fail a report in flight: they
/// only change the next epoch's set.
///   Why admission by governance: the quorum rule holds only while at most f of n members are faulty. A
///   permissionless set lets anyone add idle members at minimum stake (two idle Sybils stop a 4-node network:
///   n = 6 needs 5) and fill the member cap to lock honest operators out. Admission makes both a governance
///   decision; stake stays the slashable deposit, never voting weight.
///   Operators that stay silent round after round are expelled by governance (or by the dispute council, on
///   evidence, with a slash) and leave at the next epoch.
///
/// Leaving takes two steps: requestUnbond moves stake out of the bond at once (membership ends at the next
/// epoch) and it can be withdrawn once the unbonding delay has passed, counted from the end of the epoch after
/// the request: until then the operator could still have signed reports (a report may be judged by the previous
/// epoch's set), and each such report's dispute must be able to reach the stake. While a dispute about
/// something an operator signed is open, its stake is locked: nothing is withdrawn until the dispute is
/// executed, whenever that is. The dispute contract checks at deployment that the delay outlasts the dispute
/// window and the voting period.
/// @dev The hot path (ObservationVerifier) reads one slot per signature: s_signers[signer] packs the operator
/// and the epochs of its membership. The member count per epoch lives in one slot too (the last three
/// changes, enough for the two epochs a report can be judged by).
contract Staking is IStaking, ReentrancyGuard, Ownable2Step, EIP712 {
  using SafeERC20 for IERC20;

  // ================================================================
  // |                         Storage                              |
  // ================================================================

  /// Keyed by signing address: the hot record read on every commit. One slot. The signer is a member of
  /// epoch e iff activeFromEpoch <= e < activeUntilEpoch. A rotated-away signer keeps its operator (what it
  /// signed stays attributable) and can never be registered again.
  struct SignerRecord {
    address operator;
    uint32 activeFromEpoch;
    uint32 activeUntilEpoch;
  }

  /// Keyed by operator.
  struct OperatorRecord {
    // slot 0
    address signer;
    uint96 stakeWei;
    // slot 1
    uint96 unbondingWei;
    uint64 unbondReadyAt;
    /// Open disputes that name this operator: no withdrawal while any is open. uint64 (slot 1 still packs in
    /// 29 bytes): a uint16 overflowed at 65,535 open accusations and made lock(), so every dispute, revert.
    uint64 locks;
    bool admitted;
  }

  /// The member count from an epoch on: the newest three changes (epoch2 newest). A report is judged by the
  /// current or the previous epoch, and a change only ever writes the next one, so three always answer.
  struct MemberCounts {
    uint32 epoch0;
    uint16 count0;
    uint32 epoch1;
    uint16 count1;
    uint32 epoch2;
    uint16 count2;
  }

  /// Bounds every loop over operators, on-chain and off: members of one epoch.
  uint256 public constant MAX_ACTIVE_OPERATORS = 64;
  /// activeUntilEpoch of a membership with no end.
  uint32 public constant NO_EPOCH = type(uint32).max;
  bytes32 public constant SIGNER_REGISTRATION_TYPEHASH = keccak256("SignerRegistration(address operator,address signer)");

  IERC20 internal immutable i_token;
  uint256 internal immutable i_minStakeWei;
  uint64 internal immutable i_unbondingDelaySec;
  uint64 internal immutable i_epochLengthSec;
  uint64 internal immutable i_genesisTimestamp;

  mapping(address signer => SignerRecord) internal s_signers;
  mapping(address operator => OperatorRecord) internal s_operators;
  MemberCounts internal s_memberCounts;
  /// The dispute contract; the only address that may slash, lock and unlock. Set once.
  address internal s_slasher;
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
  /// A signer's membership is now [fromEpoch, untilEpoch) (untilEpoch = NO_EPOCH: open-ended; equal: none).
  /// Emitted for every change, so an off-chain registry mirrors the set by applying these in order.
  event MembershipScheduled(address indexed operator, address indexed signer, uint32 fromEpoch, uint32 untilEpoch);
  event MemberCountScheduled(uint32 indexed epoch, uint256 count);
  event OperatorAdmitted(address indexed operator);
  event OperatorExpelled(address indexed operator, address by);
  event StakeLocked(address indexed operator, uint256 locks);
  event StakeUnlocked(address indexed operator, uint256 locks);
  event SlasherSet(address slasher);
  event ExcessSwept(address indexed to, uint256 amountWei);

  error ZeroAddress();
  error ZeroAmount();
  error SignerTaken(address signer, address operator);
  error InvalidSignerProof(address signer);
  error NotRegistered(address operator);
  error InsufficientStake(uint256 requestedWei, uint256 stakeWei);
  error NothingToWithdraw();
  error UnbondingNotReady(uint64 readyAt);
  error StakeIsLocked(address operator, uint256 locks);
  error OnlySlasher(address caller);
  error OnlyOwnerOrSlasher(address caller);
  error SlasherAlreadySet(address slasher);
  error SlashExceedsStake(address operator, uint256 amountWei, uint256 slashableWei);
  error TooManyActiveOperators(uint256 max);
  error EpochOutOfRange(uint32 epoch, uint32 currentEpoch);
  error NotLocked(address operator);
  error TooManySigners(uint256 count);

  constructor(
    IERC20 token_,
    uint256 minStakeWei_,
    uint64 unbondingDelaySec_,
    uint64 epochLengthSec_
  ) EIP712("Sibyl", "1") {
    if (address(token_) == address(0)) revert ZeroAddress();
    if (minStakeWei_ == 0 || epochLengthSec_ == 0) revert ZeroAmount();
    i_token = token_;
    i_minStakeWei = minStakeWei_;
    i_unbondingDelaySec = unbondingDelaySec_;
    i_epochLengthSec = epochLengthSec_;
    i_genesisTimestamp = uint64(block.timestamp);
  }

  // ================================================================
  // |                         Governance                           |
  // ================================================================

  /// @notice Names the dispute contract, once. Deployment wires it right after the dispute contract exists.
  function setSlasher(address slasher_) external onlyOwner {
    if (slasher_ == address(0)) revert ZeroAddress();
    if (s_slasher != address(0)) revert SlasherAlreadySet(s_slasher);
    s_slasher = slasher_;
    emit SlasherSet(slasher_);
  }

  /// @notice Admits an operator to the set: it becomes a member at the next epoch once its bond reaches the
  /// minimum (in either order).
  function admit(address operator) external onlyOwner {
    if (operator == address(0)) revert ZeroAddress();
    s_operators[operator].admitted = true;
    emit OperatorAdmitted(operator);
    _syncMembership(operator);
  }

  /// @notice Withdraws an operator's admission (governance, or the dispute council on evidence of silence):
  /// it leaves the set at the next epoch. Its stake stays where it is (bonded, withdrawable after unbonding).
  function expel(address operator) external {
    if (msg.sender != owner() && msg.sender != s_slasher) revert OnlyOwnerOrSlasher(msg.sender);
    s_operators[operator].admitted = false;
    emit OperatorExpelled(operator, msg.sender);
    _syncMembership(operator);
  }

  /// @notice Sends tokens that arrived without being staked (a plain transfer) to `to`; never what is owed.
  function sweepExcess(address to) external onlyOwner {
    if (to == address(0)) revert ZeroAddress();
    uint256 excess = i_token.balanceOf(address(this)) - s_totalStakedWei;
    if (excess == 0) revert ZeroAmount();
    emit ExcessSwept(to, excess);
    i_token.safeTransfer(to, excess);
  }

  // ================================================================
  // |                         Operators                            |
  // ================================================================

  /// @notice Registers (or rotates) the signing address of msg.sender. `proof` is the signer's EIP-712
  /// signature of SignerRegistration(operator = msg.sender, signer) under this contract's domain, so nobody
  /// can claim a signing key they do not hold (or squat on another operator's announced one).
  /// A rotation carries stake and membership over to the new key at once.
  function registerSigner(address signer, bytes calldata proof) external {
    if (signer == address(0)) revert ZeroAddress();
    address taken = s_signers[signer].operator;
    if (taken != address(0)) revert SignerTaken(signer, taken);
    bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(SIGNER_REGISTRATION_TYPEHASH, msg.sender, signer)));
    (address recovered, ECDSA.RecoverError err) = ECDSA.tryRecover(digest, proof);
    if (err != ECDSA.RecoverError.NoError || recovered != signer) revert InvalidSignerProof(signer);

    OperatorRecord storage op = s_operators[msg.sender];
    address previous = op.signer;
    uint32 fromEpoch;
    uint32 untilEpoch;
    if (previous != address(0)) {
      // The new key takes the membership over at once; the old one stops counting (its operator's own
      // signatures in flight are the only ones that can be lost) but stays attributed to its operator.
      SignerRecord storage old = s_signers[previous];
      (fromEpoch, untilEpoch) = (old.activeFromEpoch, old.activeUntilEpoch);
      if (fromEpoch != untilEpoch) {
        (old.activeFromEpoch, old.activeUntilEpoch) = (0, 0);
        emit MembershipScheduled(msg.sender, previous, 0, 0);
      }
    }
    op.signer = signer;
    s_signers[signer] = SignerRecord({operator: msg.sender, activeFromEpoch: fromEpoch, activeUntilEpoch: untilEpoch});
    emit SignerRegistered(msg.sender, signer, previous);
    if (fromEpoch != untilEpoch) emit MembershipScheduled(msg.sender, signer, fromEpoch, untilEpoch);
  }

  /// @notice Adds to msg.sender's bonded stake. The operator must have registered a signer first.
  function stake(uint256 amountWei) external nonReentrant {
    if (amountWei == 0) revert ZeroAmount();
    OperatorRecord storage op = s_operators[msg.sender];
    if (op.signer == address(0)) revert NotRegistered(msg.sender);
    op.stakeWei = SafeCast.toUint96(uint256(op.stakeWei) + amountWei);
    s_totalStakedWei += amountWei;
    emit Staked(msg.sender, amountWei, op.stakeWei);
    _syncMembership(msg.sender);
    i_token.safeTransferFrom(msg.sender, address(this), amountWei);
  }

  /// @notice Moves stake out of the bond. Below the minimum, membership ends at the next epoch. The stake can
  /// be withdrawn once the unbonding delay has passed after the end of the next epoch (the last epoch whose
  /// reports it could still have signed); until then, and while any dispute naming the operator is open, it
  /// can still be slashed. A new request restarts the delay for everything unbonding.
  function requestUnbond(uint256 amountWei) external {
    if (amountWei == 0) revert ZeroAmount();
    OperatorRecord storage op = s_operators[msg.sender];
    if (op.signer == address(0)) revert NotRegistered(msg.sender);
    uint256 bonded = op.stakeWei;
    if (amountWei > bonded) revert InsufficientStake(amountWei, bonded);
    op.stakeWei = uint96(bonded - amountWei);
    op.unbondingWei += uint96(amountWei);
    op.unbondReadyAt = _epochStartsAt(_currentEpoch() + 2) + i_unbondingDelaySec;
    emit UnbondRequested(msg.sender, amountWei, op.unbondingWei, op.unbondReadyAt);
    _syncMembership(msg.sender);
  }

  /// @notice Withdraws everything whose unbonding delay has passed, unless a dispute naming msg.sender is open.
  function withdraw() external nonReentrant {
    OperatorRecord storage op = s_operators[msg.sender];
    uint256 amountWei = op.unbondingWei;
    if (amountWei == 0) revert NothingToWithdraw();
    if (block.timestamp < op.unbondReadyAt) revert UnbondingNotReady(op.unbondReadyAt);
    if (op.locks != 0) revert StakeIsLocked(msg.sender, op.locks);
    op.unbondingWei = 0;
    s_totalStakedWei -= amountWei;
    emit Withdrawn(msg.sender, amountWei);
    i_token.safeTransfer(msg.sender, amountWei);
  }

  // ================================================================
  // |                    Slashing and locks                        |
  // ================================================================

  modifier onlySlasher() {
    if (msg.sender != s_slasher) revert OnlySlasher(msg.sender);
    _;
  }

  /// @notice Takes amountWei of an operator's stake, bonded first, then unbonding, and sends it to recipient.
  function slash(address operator, uint256 amountWei, address recipient) external nonReentrant onlySlasher {
    if (recipient == address(0)) revert ZeroAddress();
    OperatorRecord storage op = s_operators[operator];
    uint256 bonded = op.stakeWei;
    uint256 slashable = bonded + op.unbondingWei;
    if (amountWei > slashable) revert SlashExceedsStake(operator, amountWei, slashable);
    if (amountWei == 0) return;

    uint256 fromBond = amountWei < bonded ? amountWei : bonded;
    op.stakeWei = uint96(bonded - fromBond);
    op.unbondingWei -= uint96(amountWei - fromBond);
    s_totalStakedWei -= amountWei;
    s_totalSlashedWei += amountWei;
    emit Slashed(operator, amountWei, recipient);
    if (fromBond > 0) _syncMembership(operator);
    i_token.safeTransfer(recipient, amountWei);
  }

  /// @inheritdoc IStaking
  function lock(address[] calldata operators) external onlySlasher {
    for (uint256 i = 0; i < operators.length; ++i) {
      OperatorRecord storage op = s_operators[operators[i]];
      uint64 locks = op.locks + 1;
      op.locks = locks;
      emit StakeLocked(operators[i], locks);
    }
  }

  /// @inheritdoc IStaking
  function unlock(address[] calldata operators) external onlySlasher {
    for (uint256 i = 0; i < operators.length; ++i) {
      OperatorRecord storage op = s_operators[operators[i]];
      if (op.locks == 0) revert NotLocked(operators[i]);
      uint64 locks = op.locks - 1;
      op.locks = locks;
      emit StakeUnlocked(operators[i], locks);
    }
  }

  // ================================================================
  // |                            Views                             |
  // ================================================================

  /// @inheritdoc IStaking
  function membersOf(
    address[] calldata signers,
    uint32 epoch
  ) external view returns (uint256 memberMask, uint256 memberCount, uint256 operatorCount) {
    uint32 current = _currentEpoch();
    // Counts are kept for the current and the previous epoch only (see MemberCounts).
    if (epoch > current || epoch + 1 < current) revert EpochOutOfRange(epoch, current);
    uint256 n = signers.length;
    if (n > 256) revert TooManySigners(n);
    for (uint256 i = 0; i < n; ++i) {
      // One SLOAD of s_signers[signer]: operator (bits 0-159), activeFromEpoch (160-191), activeUntilEpoch
      // (192-223), unpacked by hand (this runs once per signature of every report).
      address signer = signers[i];
      uint256 word;
      assembly ("memory-safe") {
        mstore(0x00, signer)
        mstore(0x20, s_signers.slot)
        word := sload(keccak256(0x00, 0x40))
      }
      uint256 from = (word >> 160) & 0xffffffff;
      uint256 until = (word >> 192) & 0xffffffff;
      if (from <= epoch && epoch < until) {
        memberMask |= 1 << i;
        ++memberCount;
      }
    }
    operatorCount = _memberCountAt(epoch);
  }

  /// @inheritdoc IStaking
  function operatorsOf(address[] calldata signers) external view returns (address[] memory operators) {
    operators = new address[](signers.length);
    for (uint256 i = 0; i < signers.length; ++i) operators[i] = s_signers[signers[i]].operator;
  }

  /// @notice Members of `epoch` (the current or the previous one; a later one is a forecast that changes
  /// until it starts).
  function memberCountAt(uint32 epoch) external view returns (uint256) {
    uint32 current = _currentEpoch();
    if (epoch + 1 < current) revert EpochOutOfRange(epoch, current);
    return _memberCountAt(epoch);
  }

  /// @notice Members of the current epoch: the n of the quorum rule for reports judged now.
  function activeOperatorCount() external view returns (uint256) {
    return _memberCountAt(_currentEpoch());
  }

  /// @notice Whether the operator is a member of the current epoch.
  function isActive(address operator) external view returns (bool) {
    return _isMember(s_operators[operator].signer, _currentEpoch());
  }

  /// @notice Whether the signing address is a member of `epoch`.
  function isMemberAt(address signer, uint32 epoch) external view returns (bool) {
    return _isMember(signer, epoch);
  }

  function getSigner(address signer) external view returns (SignerRecord memory) {
    return s_signers[signer];
  }

  function currentEpoch() external view returns (uint32) {
    return _currentEpoch();
  }

  function epochStartsAt(uint32 epoch) external view returns (uint64) {
    return _epochStartsAt(epoch);
  }

  /// @inheritdoc IStaking
  function slashableOf(address operator) external view returns (uint256) {
    OperatorRecord storage op = s_operators[operator];
    return uint256(op.stakeWei) + op.unbondingWei;
  }

  function getOperator(
    address operator
  ) external view returns (address signer, uint256 stakeWei, uint256 unbondingWei, uint64 unbondReadyAt) {
    OperatorRecord storage op = s_operators[operator];
    return (op.signer, op.stakeWei, op.unbondingWei, op.unbondReadyAt);
  }

  function isAdmitted(address operator) external view returns (bool) {
    return s_operators[operator].admitted;
  }

  function locksOf(address operator) external view returns (uint256) {
    return s_operators[operator].locks;
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

  function epochLengthSec() external view returns (uint64) {
    return i_epochLengthSec;
  }

  function genesisTimestamp() external view returns (uint64) {
    return i_genesisTimestamp;
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

  function _currentEpoch() internal view returns (uint32) {
    return uint32((block.timestamp - i_genesisTimestamp) / i_epochLengthSec);
  }

  function _epochStartsAt(uint32 epoch) internal view returns (uint64) {
    return i_genesisTimestamp + uint64(epoch) * i_epochLengthSec;
  }

  function _isMember(address signer, uint32 epoch) internal view returns (bool) {
    if (signer == address(0)) return false;
    SignerRecord storage rec = s_signers[signer];
    return rec.activeFromEpoch <= epoch && epoch < rec.activeUntilEpoch;
  }

  /// @dev The newest recorded change at or before `epoch`. Right for epoch >= the previous epoch.
  function _memberCountAt(uint32 epoch) internal view returns (uint256) {
    MemberCounts memory c = s_memberCounts;
    if (c.epoch2 <= epoch) return c.count2;
    if (c.epoch1 <= epoch) return c.count1;
    if (c.epoch0 <= epoch) return c.count0;
    return 0;
  }

  /// @dev Brings the operator's membership of the next epoch in line with what it should be: admitted, with a
  /// signer, and at least the minimum bonded. Only the next epoch is ever written.
  /// A rejoin right after a leave overwrites the ended interval: for requests of the previous epoch still in
  /// flight during this one, the operator's own signatures then stop counting (the member count is unchanged,
  /// so this only ever under-counts, and only that operator).
  function _syncMembership(address operator) private {
    OperatorRecord storage op = s_operators[operator];
    address signer = op.signer;
    if (signer == address(0)) return;
    SignerRecord storage rec = s_signers[signer];
    uint32 next = _currentEpoch() + 1;
    bool want = op.admitted && op.stakeWei >= i_minStakeWei;
    bool have = rec.activeFromEpoch <= next && next < rec.activeUntilEpoch;
    if (want == have) return;
    if (want) {
      // Resume a membership that was to end at the next epoch, or start a new one there.
      if (rec.activeUntilEpoch != next) rec.activeFromEpoch = next;
      rec.activeUntilEpoch = NO_EPOCH;
      _changeNextCount(next, true);
    } else {
      // A membership starting only at the next epoch becomes [next, next): none.
      rec.activeUntilEpoch = next;
      _changeNextCount(next, false);
    }
    emit MembershipScheduled(operator, signer, rec.activeFromEpoch, rec.activeUntilEpoch);
  }

  function _changeNextCount(uint32 next, bool up) private {
    MemberCounts memory c = s_memberCounts;
    if (c.epoch2 != next) {
      // The first change for `next`: it starts from the current count (the newest entry).
      (c.epoch0, c.count0, c.epoch1, c.count1) = (c.epoch1, c.count1, c.epoch2, c.count2);
      c.epoch2 = next;
    }
    if (up) {
      if (c.count2 >= MAX_ACTIVE_OPERATORS) revert TooManyActiveOperators(MAX_ACTIVE_OPERATORS);
      ++c.count2;
    } else {
      --c.count2;
    }
    s_memberCounts = c;
    emit MemberCountScheduled(next, c.count2);
  }
}
