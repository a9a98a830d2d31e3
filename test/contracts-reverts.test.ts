/**
 * Every revert path of the resolution contracts, against a real anvil: report verification (signatures,
 * order, quorum of the epoch's members), commit rules, request limits, finality and fees, disputes (competing
 * claims, answer votes, the dispute's own council), staking (proof of the signing key, admission, epochs,
 * locks) and slashing, and the example market. Each case asserts the exact custom error and its arguments and, where
 * it matters, that nothing moved. FeedAggregator has its own file.
 *
 * Two networks: `net` (n = 4) is shared by tests that each ask their own question; `opsNet` is the one
 * whose operator set the tests change (n = 4 -> 7 -> 6, unbonding, slashing).
 */
import test from 'ava'
import { JsonRpcSigner, ZeroAddress, ZeroHash, parseEther, toBeHex, type ContractRunner, type Wallet } from 'ethers'
import { ANSWER_TOO_EARLY, ANSWER_UNRESOLVABLE } from '@sibyl/protocol/answers'
import { HALF_CURVE_ORDER, signObservation, type Observation, type ObservationDomain } from '@sibyl/protocol/eip712'
import { buildCommitReport, type CommitReport, type ReportObservation } from '@sibyl/protocol/report'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import {
  addOperators,
  increaseTime,
  startNextEpoch,
  latestTimestamp,
  localWallet,
  setBalance,
  startLocalNetwork,
  type LocalNetwork,
  type LocalOperator,
} from '@sibyl/devnet/local-network'
import {
  commitReport,
  domainOf,
  findEvent,
  mined,
  requestResolution,
  signAndCommit,
  signByOperators,
  type QuestionParameters,
} from '@sibyl/contracts/requests'
import { signSignerRegistration } from '@sibyl/protocol/eip712'
import { PredictionMarket__factory, type PredictionMarket } from '@sibyl/contracts/typechain'
import { revertsWithArgs } from './helpers/reverts-with-args.ts'
import { malleableTwin, orderAsContract, packCompact, recoverAsContract, splitCompact, toReportObservation } from './helpers/signatures.ts'

const DISPUTE_WINDOW_SEC = 600
const VOTING_PERIOD_SEC = 3600
const UNBONDING_DELAY_SEC = 7 * 24 * 3600
const MIN_STAKE = parseEther('1000')
const MIN_FEE = parseEther('0.1')
const MIN_BOND = parseEther('100')
const FEE = parseEther('1')
const BOND = MIN_BOND
const SLASH_BPS = 5000n

/** DisputeGovernance.State and .Outcome */
const DisputeState = { None: 0n, Voting: 1n, Executed: 2n } as const
const Outcome = { Overturned: 0n, Upheld: 1n, Expired: 2n } as const

/** A council of three deciding by two votes, so one vote alone decides nothing. */
const councilKeys = [0, 1, 2].map((i) => localWallet('council', i))

const config = {
  minStakeWei: MIN_STAKE.toString(),
  minFeeWei: MIN_FEE.toString(),
  minBondWei: MIN_BOND.toString(),
  slashBps: Number(SLASH_BPS),
  disputeWindowSec: DISPUTE_WINDOW_SEC,
  votingPeriodSec: VOTING_PERIOD_SEC,
  unbondingDelaySec: UNBONDING_DELAY_SEC,
  council: councilKeys.map((w) => w.address),
  councilThreshold: 2,
}

let net: LocalNetwork
let opsNet: LocalNetwork
let council: Wallet[]

test.before(async () => {
  ;[net, opsNet] = await Promise.all([startLocalNetwork({ operators: 4, config }), startLocalNetwork({ operators: 4, config })])
  council = councilKeys.map((w) => w.connect(net.provider))
  for (const member of council) await setBalance(net.provider, member.address, parseEther('10'))
  // The deployer asks every question on `net`; it mints itself the fees once.
  await (await net.contracts.token.mint(net.deployer.address, parseEther('1000000'))).wait()
})

test.after.always(async () => {
  await Promise.all([net?.stop(), opsNet?.stop()])
})

// ================================================================
// |                          Builders                            |
// ================================================================

/** The same typed contract, sending from `runner`. */
const as = <C>(c: { connect(runner: ContractRunner): C }, runner: ContractRunner): C => c.connect(runner)

let walletCount = 0
/** A fresh account with ETH for gas and network tokens; every call returns a new one. */
async function fundedWallet(n: LocalNetwork, tokens = parseEther('1000')): Promise<Wallet> {
  const w = localWallet('reverts test account', walletCount++, n.provider)
  await setBalance(n.provider, w.address, parseEther('100'))
  if (tokens > 0n) await (await n.contracts.token.mint(w.address, tokens)).wait()
  return w
}

let questionCount = 0
/** A new question on `net` from the deployer, answerable now unless told otherwise. */
async function ask(overrides: Partial<QuestionParameters> = {}): Promise<string> {
  const { requestId } = await requestResolution(net.contracts.token, net.contracts.oracle, net.deployer, {
    spec: `revert test question ${questionCount++}`,
    outcomes: ['YES', 'NO'],
    resolveAfter: await latestTimestamp(net.provider),
    feeWei: FEE,
    ...overrides,
  })
  return requestId
}

type ReportFields = Pick<Observation, 'requestId' | 'round' | 'answer'>

/** A well-formed report (sorted, one signature per operator) that the test may then spoil. */
async function signedReport(operators: readonly LocalOperator[], fields: ReportFields, n = net): Promise<CommitReport> {
  const domain = await domainOf(n.contracts.oracle)
  return buildCommitReport(domain, await signByOperators(operators, domain, fields))
}

function withObservations(report: CommitReport, observations: ReportObservation[]): CommitReport {
  return { ...report, observations }
}

/** The observation the contract rebuilds from a report entry: the report's request, round and answer. */
const observationIn = (fields: ReportFields) => (o: ReportObservation): Observation =>
  buildObservation({ ...fields, confidenceBps: o.confidenceBps, evidenceHash: o.evidenceHash, modelHash: o.modelHash })

/** Commits `answer` with operators 0..2 and returns the signer list of ReportCommitted (their signing keys). */
async function commitAnswer(requestId: string, answer: bigint): Promise<string[]> {
  const { receipt } = await signAndCommit(net.contracts.oracle, net.operators.slice(0, 3), { requestId, round: 0, answer })
  return [...findEvent(net.contracts.oracle, receipt, 'ReportCommitted').args.signers]
}

async function requestState(requestId: string, n = net) {
  const { status, round, answer } = await n.contracts.oracle.getRequest(requestId)
  return { status, round, answer }
}

/** A disputer with its bond approved to the governance contract. */
async function disputer(): Promise<Wallet> {
  const w = await fundedWallet(net)
  await (await as(net.contracts.token, w).approve(net.contracts.governance.target, parseEther('1000'))).wait()
  return w
}

/** The operators behind signing keys (who are paid, locked and slashed). */
const operatorsOf = async (signers: readonly string[], n = net): Promise<string[]> => [...(await n.contracts.staking.operatorsOf([...signers]))]

/** The dispute's state and the votes for the committed answer (0: upheld) and for 1 (the claimed NO). */
async function disputeState(requestId: string) {
  const { governance } = net.contracts
  const { state, votingEndsAt } = await governance.getDispute(requestId)
  return { state, votesFor0: await governance.votesFor(requestId, 0n), votesFor1: await governance.votesFor(requestId, 1n), votingEndsAt }
}

const tokenBalance = (n: LocalNetwork, account: string): Promise<bigint> => n.contracts.token.balanceOf(account)

// ================================================================
// |                Report verification (the oracle)             |
// ================================================================

test.serial('one signer twice is refused as SignersNotAscending, also when it would pad a quorum', async (t) => {
  const requestId = await ask()
  const report = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer: 0n })
  const [a, b, c] = report.observations as [ReportObservation, ReportObservation, ReportObservation]
  const { oracle } = net.contracts

  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [a, a, b, c])), 'SignersNotAscending', [1n, report.signers[0]])
  // Two distinct signers and a copy: the copy is caught before the quorum is counted.
  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [a, b, b])), 'SignersNotAscending', [2n, report.signers[1]])
  t.deepEqual(await requestState(requestId), { status: REQUEST_STATUS.Open, round: 0n, answer: 0n })
})

test.serial('signers out of ascending order are refused', async (t) => {
  const requestId = await ask()
  const report = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer: 0n })
  const [a, b, c] = report.observations as [ReportObservation, ReportObservation, ReportObservation]
  const { oracle } = net.contracts

  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [c, b, a])), 'SignersNotAscending', [1n, report.signers[1]])
  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [a, c, b])), 'SignersNotAscending', [2n, report.signers[1]])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
  // The same three, sorted, commit.
  await (await commitReport(oracle, report)).wait()
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Committed)
})

test.serial('a signer that no operator registered does not count: two members and it are no quorum; three members and it commit without it', async (t) => {
  const requestId = await ask()
  const stranger = localWallet('unregistered signer', 0)
  const fields = { requestId, round: 0, answer: 0n }
  const domain = await domainOf(net.contracts.oracle)
  const strangers = [await signObservation({ signer: stranger, domain, observation: buildObservation({ ...fields, evidenceHash: ZeroHash, modelHash: ZeroHash }) })]
  // Three signatures, a quorum by count; the stranger's does not count.
  const short = buildCommitReport(domain, [...(await signByOperators(net.operators.slice(0, 2), domain, fields)), ...strangers])
  await revertsWithArgs(t, commitReport(net.contracts.oracle, short), 'QuorumNotReached', [2n, 3n])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
  const padded = buildCommitReport(domain, [...(await signByOperators(net.operators.slice(0, 3), domain, fields)), ...strangers])
  const receipt = await mined(commitReport(net.contracts.oracle, padded))
  const recorded = [...findEvent(net.contracts.oracle, receipt, 'ReportCommitted').args.signers]
  t.deepEqual(recorded, padded.signers.filter((s) => s !== stranger.address), 'only the members go on record')
})

test.serial('a quorum short by one is refused at n = 4 (3 needed)', async (t) => {
  const requestId = await ask()
  t.is(await net.contracts.staking.activeOperatorCount(), 4n)
  t.is(await net.contracts.oracle.quorumFor(4n), 3n)
  const report = await signedReport(net.operators.slice(0, 2), { requestId, round: 0, answer: 0n })
  await revertsWithArgs(t, commitReport(net.contracts.oracle, report), 'QuorumNotReached', [2n, 3n])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
})

/** Two good signatures and one made under `foreignDomain`, ordered as the contract will recover them. */
async function reportWithForeignSignature(foreignDomain: ObservationDomain) {
  const requestId = await ask()
  const fields = { requestId, round: 0, answer: 0n }
  const domain = await domainOf(net.contracts.oracle)
  const good = await signByOperators(net.operators.slice(0, 2), domain, fields)
  const foreign = await signByOperators(net.operators.slice(2, 3), foreignDomain, fields)
  const foreignEntry = toReportObservation(foreign[0]!)
  const { entries, signers } = await orderAsContract(net.provider, domain, [...good.map(toReportObservation), foreignEntry], observationIn(fields))
  const foreignSigner = net.operators[2]!.signer.address
  const recoveredAs = (await recoverAsContract(net.provider, domain, observationIn(fields)(foreignEntry), foreignEntry))!
  const report: CommitReport = { ...fields, observations: entries, signers }
  return { requestId, report, foreignSigner, recoveredAs, index: signers.indexOf(recoveredAs) }
}

test.serial('a signature made for another chain id recovers to another address, which does not count', async (t) => {
  const domain = await domainOf(net.contracts.oracle)
  t.not(domain.chainId, 1n)
  const { requestId, report, foreignSigner, recoveredAs } = await reportWithForeignSignature({ ...domain, chainId: 1n })
  t.not(recoveredAs, foreignSigner, 'the domain binds the chain: the real signer is not who the contract sees')
  await revertsWithArgs(t, commitReport(net.contracts.oracle, report), 'QuorumNotReached', [2n, 3n])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
})

test.serial('a signature made for another contract address recovers to another address, which does not count', async (t) => {
  const domain = await domainOf(net.contracts.oracle)
  const otherContract = String(net.contracts.governance.target)
  const { requestId, report, foreignSigner, recoveredAs } = await reportWithForeignSignature({ ...domain, verifyingContract: otherContract })
  t.not(recoveredAs, foreignSigner, 'the domain binds the contract: the real signer is not who the contract sees')
  await revertsWithArgs(t, commitReport(net.contracts.oracle, report), 'QuorumNotReached', [2n, 3n])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
})

test.serial('a high-s signature is refused (HighS) at its index', async (t) => {
  const requestId = await ask()
  const fields = { requestId, round: 0, answer: 0n }
  const report = await signedReport(net.operators.slice(0, 3), fields)
  const [a, b, c] = report.observations as [ReportObservation, ReportObservation, ReportObservation]
  const { yParity } = splitCompact(b.yParityAndS)
  const { oracle } = net.contracts

  // The compact form holds s in 255 bits, so the high s values it can carry are (n/2, 2^255): the lowest
  // and the highest of them, on the second signature of an otherwise valid report.
  for (const s of [HALF_CURVE_ORDER + 1n, (1n << 255n) - 1n]) {
    const high = { ...b, yParityAndS: packCompact(s, yParity) }
    await revertsWithArgs(t, commitReport(oracle, withObservations(report, [a, high, c])), 'HighS', [1n])
  }
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
})

test.serial('the malleable twin of a signature (s -> n - s, parity flipped) does not recover its signer', async (t) => {
  // n - s of a low s is >= 2^255 and runs into the parity bit of the compact form, so the twin cannot be
  // sent as itself (and never reaches the HighS check): the contract reads another (s, v) and recovers
  // another address. Either way the twin cannot stand in for the signature it was made from.
  const requestId = await ask()
  const fields = { requestId, round: 0, answer: 0n }
  const domain = await domainOf(net.contracts.oracle)
  const report = await signedReport(net.operators.slice(0, 3), fields)
  const original = report.observations[2]!
  const twin = { ...original, ...malleableTwin(original) }
  const twinSigner = await recoverAsContract(net.provider, domain, observationIn(fields)(twin), twin)
  t.truthy(twinSigner)
  t.not(twinSigner, report.signers[2])

  const { entries } = await orderAsContract(net.provider, domain, [...report.observations.slice(0, 2), twin], observationIn(fields))
  await revertsWithArgs(t, commitReport(net.contracts.oracle, withObservations(report, entries)), 'QuorumNotReached', [2n, 3n])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
})

test.serial('a signature that recovers to nobody is refused (InvalidSignature) at its index', async (t) => {
  const requestId = await ask()
  const report = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer: 0n })
  const [a, b, c] = report.observations as [ReportObservation, ReportObservation, ReportObservation]
  const { oracle } = net.contracts

  const zeroR = { ...a, r: ZeroHash, yParityAndS: toBeHex(1n, 32) }
  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [zeroR, b, c])), 'InvalidSignature', [0n])
  // r above the field size is no point on the curve.
  const offCurve = { ...c, r: `0x${'ff'.repeat(32)}` }
  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [a, b, offCurve])), 'InvalidSignature', [2n])
  const zeroS = { ...b, yParityAndS: ZeroHash }
  await revertsWithArgs(t, commitReport(oracle, withObservations(report, [a, zeroS, c])), 'InvalidSignature', [1n])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
})

// ================================================================
// |                         Commit rules                         |
// ================================================================

test.serial('a replayed report and a second report with another answer are refused (RequestNotOpen)', async (t) => {
  const requestId = await ask()
  const { oracle } = net.contracts
  const report = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer: 0n })
  await (await commitReport(oracle, report)).wait()

  await revertsWithArgs(t, commitReport(oracle, report), 'RequestNotOpen', [requestId, REQUEST_STATUS.Committed])
  // Another quorum (operators 1..3) for NO cannot overwrite the committed YES.
  const other = await signedReport(net.operators.slice(1, 4), { requestId, round: 0, answer: 1n })
  await revertsWithArgs(t, commitReport(oracle, other), 'RequestNotOpen', [requestId, REQUEST_STATUS.Committed])
  t.deepEqual(await requestState(requestId), { status: REQUEST_STATUS.Committed, round: 0n, answer: 0n })
})

test.serial('a commit before resolveAfter is refused (TooEarly)', async (t) => {
  const resolveAfter = BigInt((await latestTimestamp(net.provider)) + 1000)
  const requestId = await ask({ resolveAfter })
  const report = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer: 0n })
  await revertsWithArgs(t, commitReport(net.contracts.oracle, report), 'TooEarly', [resolveAfter])
  t.deepEqual(await requestState(requestId), { status: REQUEST_STATUS.Open, round: 0n, answer: 0n })
})

test.serial('a report for another round is refused (RoundMismatch)', async (t) => {
  const requestId = await ask()
  for (const round of [1, 7]) {
    const report = await signedReport(net.operators.slice(0, 3), { requestId, round, answer: 0n })
    await revertsWithArgs(t, commitReport(net.contracts.oracle, report), 'RoundMismatch', [BigInt(round), 0n])
  }
  t.deepEqual(await requestState(requestId), { status: REQUEST_STATUS.Open, round: 0n, answer: 0n })
})

test.serial('an answer that is no outcome and no reserved answer is refused (InvalidAnswer)', async (t) => {
  const requestId = await ask({ outcomes: ['A', 'B', 'C'] })
  for (const answer of [3n, 255n, -3n]) {
    const report = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer })
    await revertsWithArgs(t, commitReport(net.contracts.oracle, report), 'InvalidAnswer', [answer])
  }
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Open)
  // The last outcome and "unresolvable" are valid answers.
  const ok = await signedReport(net.operators.slice(0, 3), { requestId, round: 0, answer: 2n })
  await (await commitReport(net.contracts.oracle, ok)).wait()
  t.is((await requestState(requestId)).answer, 2n)
})

// ================================================================
// |                   Requests, finality, fees                   |
// ================================================================

test.serial('requestResolution refuses bad outcome counts, long specs, low fees and too much callback gas', async (t) => {
  const { token, oracle } = net.contracts
  const now = await latestTimestamp(net.provider)
  const base: QuestionParameters = { spec: 'limits', outcomes: ['YES', 'NO'], resolveAfter: now, feeWei: FEE }
  const feesBefore = await oracle.totalFeesReceivedWei()
  const balanceBefore = await tokenBalance(net, net.deployer.address)
  const request = (q: QuestionParameters) => requestResolution(token, oracle, net.deployer, q)
  const outcomes = (count: number) => Array.from({ length: count }, (_, i) => `outcome ${i}`)

  await revertsWithArgs(t, request({ ...base, outcomes: ['ONLY'] }), 'BadOutcomeCount', [1n])
  await revertsWithArgs(t, request({ ...base, outcomes: [] }), 'BadOutcomeCount', [0n])
  await revertsWithArgs(t, request({ ...base, outcomes: outcomes(33) }), 'BadOutcomeCount', [33n])
  await revertsWithArgs(t, request({ ...base, spec: 'x'.repeat(8193) }), 'SpecTooLong', [8193n])
  await revertsWithArgs(t, request({ ...base, feeWei: MIN_FEE - 1n }), 'FeeTooLow', [MIN_FEE - 1n, MIN_FEE])
  await revertsWithArgs(t, request({ ...base, callbackGasLimit: 1_000_001 }), 'CallbackGasTooHigh', [1_000_001n])
  t.is(await oracle.totalFeesReceivedWei(), feesBefore)
  t.is(await tokenBalance(net, net.deployer.address), balanceBefore)

  // Every limit itself is allowed.
  await request({ spec: 'x'.repeat(8192), outcomes: outcomes(32), resolveAfter: now, feeWei: MIN_FEE, callbackGasLimit: 1_000_000 })
  t.is(await oracle.totalFeesReceivedWei(), feesBefore + MIN_FEE)
})

test.serial('finalize refuses a signer list other than the committed one (SignersMismatch) and an open request', async (t) => {
  const { oracle } = net.contracts
  const open = await ask()
  await revertsWithArgs(t, oracle.finalize(open, []), 'WrongStatus', [open, REQUEST_STATUS.Open])

  const requestId = await ask()
  const signers = await commitAnswer(requestId, 1n)
  await increaseTime(net.provider, DISPUTE_WINDOW_SEC)
  const operatorKeys = await operatorsOf(signers)
  for (const wrong of [signers.slice(0, 2), [...signers].reverse(), [...signers, signers[0]!], operatorKeys, []]) {
    await revertsWithArgs(t, oracle.finalize(requestId, wrong), 'SignersMismatch', [requestId])
  }
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Committed)
  const feesBefore = await Promise.all(operatorKeys.map((s) => oracle.claimableWei(s)))

  await (await oracle.finalize(requestId, signers)).wait()
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 1n])
  const feesAfter = await Promise.all(operatorKeys.map((s) => oracle.claimableWei(s)))
  t.is(feesAfter.reduce((sum, x, i) => sum + x - feesBefore[i]!, 0n), FEE, 'the correct list gets the fee')
  await revertsWithArgs(t, oracle.finalize(requestId, signers), 'WrongStatus', [requestId, REQUEST_STATUS.Finalized])
})

test.serial('withdrawFees with nothing credited is refused (NothingToWithdraw)', async (t) => {
  const nobody = await fundedWallet(net, 0n)
  await revertsWithArgs(t, as(net.contracts.oracle, nobody).withdrawFees(), 'NothingToWithdraw', [])
})

test.serial('the oracle takes dispute calls from the governance contract only, and its governance is set once', async (t) => {
  const { oracle, governance } = net.contracts
  const requestId = await ask()
  await commitAnswer(requestId, 0n)
  await revertsWithArgs(t, oracle.markDisputed(requestId, []), 'OnlyGovernance', [net.deployer.address])
  await revertsWithArgs(t, oracle.settleDispute(requestId, 1n, []), 'OnlyGovernance', [net.deployer.address])
  await revertsWithArgs(t, oracle.setGovernance(net.deployer.address), 'GovernanceAlreadySet', [governance.target])
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Committed)
})

// ================================================================
// |                    Disputes and the council                  |
// ================================================================

test.serial('a dispute after the window is refused by the oracle (DisputeWindowClosed) and leaves nothing behind', async (t) => {
  const { governance } = net.contracts
  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  const committedAt = BigInt(await latestTimestamp(net.provider))
  await increaseTime(net.provider, DISPUTE_WINDOW_SEC)
  const d = await disputer()
  const before = await tokenBalance(net, d.address)

  await revertsWithArgs(t, as(governance, d).dispute(requestId, 1n, BOND, signers), 'DisputeWindowClosed', [committedAt + BigInt(DISPUTE_WINDOW_SEC)])
  // The dispute record, written before the oracle call, is rolled back with it; no bond was taken.
  t.is((await disputeState(requestId)).state, DisputeState.None)
  t.is(await tokenBalance(net, d.address), before)
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Committed)
})

test.serial('a dispute needs a bond of at least the minimum (BondTooSmall) and a committed answer (WrongStatus)', async (t) => {
  const { governance } = net.contracts
  const d = await disputer()
  const open = await ask()
  await revertsWithArgs(t, as(governance, d).dispute(open, 1n, BOND, []), 'WrongStatus', [open, REQUEST_STATUS.Open])

  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  const before = await tokenBalance(net, d.address)
  await revertsWithArgs(t, as(governance, d).dispute(requestId, 1n, MIN_BOND - 1n, signers), 'BondTooSmall', [MIN_BOND - 1n, MIN_BOND])
  await revertsWithArgs(t, as(governance, d).dispute(requestId, 1n, 0n, signers), 'BondTooSmall', [0n, MIN_BOND])
  // The first claim must name the committed report's signers: their stake is locked while the dispute runs.
  await revertsWithArgs(t, as(governance, d).dispute(requestId, 1n, BOND, signers.slice(1)), 'SignersMismatch', [requestId])
  t.is((await disputeState(requestId)).state, DisputeState.None)
  t.is(await tokenBalance(net, d.address), before)
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Committed)
})

test.serial('a claim must name a final answer other than the committed one (InvalidClaim)', async (t) => {
  const { governance } = net.contracts
  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  const d = await disputer()
  for (const proposed of [0n, 2n, ANSWER_TOO_EARLY, -3n, 1n << 20n]) {
    await revertsWithArgs(t, as(governance, d).dispute(requestId, proposed, BOND, signers), 'InvalidClaim', [requestId, proposed])
  }
  t.is((await disputeState(requestId)).state, DisputeState.None)
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Committed)
})

test.serial('council votes: only members (NotCouncil), once each (AlreadyVoted), before the deadline (VotingClosed); no early execute (NotDecided)', async (t) => {
  const { governance } = net.contracts
  const [m0, m1, m2] = council as [Wallet, Wallet, Wallet]
  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  await revertsWithArgs(t, as(governance, m0).vote(requestId, 1n), 'NoDispute', [requestId])
  await revertsWithArgs(t, governance.execute(requestId, signers), 'NoDispute', [requestId])

  const d = await disputer()
  await (await as(governance, d).dispute(requestId, 1n, BOND, signers)).wait()
  const { votingEndsAt } = await disputeState(requestId)

  const outsider = await fundedWallet(net, 0n)
  await revertsWithArgs(t, as(governance, outsider).vote(requestId, 1n), 'NotCouncil', [outsider.address])
  // The owner is not a member of this council either.
  await revertsWithArgs(t, governance.vote(requestId, 1n), 'NotCouncil', [net.deployer.address])
  // A vote must name an answer the request can take.
  await revertsWithArgs(t, as(governance, m0).vote(requestId, 2n), 'InvalidVote', [requestId, 2n])

  await (await as(governance, m0).vote(requestId, 1n)).wait()
  await revertsWithArgs(t, as(governance, m0).vote(requestId, 1n), 'AlreadyVoted', [requestId, m0.address])
  await revertsWithArgs(t, as(governance, m0).vote(requestId, 0n), 'AlreadyVoted', [requestId, m0.address])
  await revertsWithArgs(t, governance.execute(requestId, signers), 'NotDecided', [requestId])
  // One vote for each answer: still short of the threshold of two.
  await (await as(governance, m1).vote(requestId, 0n)).wait()
  await revertsWithArgs(t, governance.execute(requestId, signers), 'NotDecided', [requestId])
  t.deepEqual(await disputeState(requestId), { state: DisputeState.Voting, votesFor0: 1n, votesFor1: 1n, votingEndsAt })

  await increaseTime(net.provider, VOTING_PERIOD_SEC)
  await revertsWithArgs(t, as(governance, m2).vote(requestId, 1n), 'VotingClosed', [requestId, votingEndsAt])
  t.deepEqual(await disputeState(requestId), { state: DisputeState.Voting, votesFor0: 1n, votesFor1: 1n, votingEndsAt })
})

test.serial('an expired dispute returns the bond to the disputer and leaves the answer; it executes once', async (t) => {
  const { governance, oracle, staking } = net.contracts
  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  const operators = await operatorsOf(signers)
  const d = await disputer()
  const before = await tokenBalance(net, d.address)
  await (await as(governance, d).dispute(requestId, 1n, BOND, signers)).wait()
  t.is(await tokenBalance(net, d.address), before - BOND)
  // A single vote to overturn is not a decision.
  await (await as(governance, council[0]!).vote(requestId, 1n)).wait()
  const stakesBefore = await Promise.all(operators.map((s) => staking.slashableOf(s)))
  const feeBefore = await oracle.claimableWei(operators[1]!)

  await increaseTime(net.provider, VOTING_PERIOD_SEC)
  const receipt = await mined(governance.execute(requestId, signers))
  const executed = findEvent(governance, receipt, 'DisputeExecuted')
  t.is(executed.args.outcome, Outcome.Expired)
  t.is(executed.args.slashedWei, 0n)

  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 0n], 'the committed answer stands, final')
  t.deepEqual(await Promise.all(operators.map((s) => staking.slashableOf(s))), stakesBefore, 'nobody slashed')
  t.is(await governance.pendingClaimWei(requestId, d.address), BOND)
  await (await governance.settleClaim(requestId, d.address)).wait()
  t.is(await governance.claimableWei(d.address), BOND)
  for (const s of operators) t.is(await governance.claimableWei(s), 0n)
  // The signers' answer stood, so they earn the fee as if undisputed.
  t.is((await oracle.claimableWei(operators[1]!)) - feeBefore, FEE / 3n)
  await (await as(governance, d).withdraw()).wait()
  t.is(await tokenBalance(net, d.address), before)
  await revertsWithArgs(t, as(governance, d).withdraw(), 'NothingToWithdraw', [])
  await revertsWithArgs(t, governance.settleClaim(requestId, d.address), 'NothingToClaim', [requestId, d.address])

  await revertsWithArgs(t, governance.execute(requestId, signers), 'DisputeAlreadyExecuted', [requestId])
  await revertsWithArgs(t, as(governance, d).dispute(requestId, 1n, BOND, signers), 'DisputeAlreadyExecuted', [requestId])
})

test.serial('execute checks the signer list with the oracle (SignersMismatch); an upheld dispute shares the bond among the signers', async (t) => {
  const { governance, oracle, staking } = net.contracts
  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  const operators = await operatorsOf(signers)
  const d = await disputer()
  await (await as(governance, d).dispute(requestId, 1n, BOND, signers)).wait()
  await (await as(governance, council[0]!).vote(requestId, 0n)).wait()
  await (await as(governance, council[2]!).vote(requestId, 0n)).wait()
  const stakesBefore = await Promise.all(operators.map((s) => staking.slashableOf(s)))
  const bondCreditBefore = await Promise.all(operators.map((s) => governance.claimableWei(s)))

  for (const wrong of [signers.slice(1), [...signers].reverse(), operators, [net.operators[3]!.signer.address, ...signers.slice(1)]]) {
    await revertsWithArgs(t, governance.execute(requestId, wrong), 'SignersMismatch', [requestId])
  }
  t.is((await disputeState(requestId)).state, DisputeState.Voting)
  t.is((await requestState(requestId)).status, REQUEST_STATUS.Disputed)

  const receipt = await mined(governance.execute(requestId, signers))
  t.is(findEvent(governance, receipt, 'DisputeExecuted').args.outcome, Outcome.Upheld)
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 0n])

  // 100 tokens over three signers: equal shares, the wei of remainder to the first.
  const share = BOND / 3n
  const claimable: bigint[] = await Promise.all(
    operators.map(async (s, i) => (await governance.claimableWei(s)) - bondCreditBefore[i]!),
  )
  t.deepEqual(claimable, [share + (BOND - share * 3n), share, share])
  t.is(claimable.reduce((x, y) => x + y, 0n), BOND)
  t.is(await governance.pendingClaimWei(requestId, d.address), 0n, 'the disputer loses the bond')
  t.deepEqual(await Promise.all(operators.map((s) => staking.slashableOf(s))), stakesBefore, 'nobody slashed')

  const op = net.operators.find((o) => o.operator.address === operators[1])!
  const credited = await governance.claimableWei(op.operator.address)
  const before = await tokenBalance(net, op.operator.address)
  await (await as(governance, op.operator).withdraw()).wait()
  t.is(await tokenBalance(net, op.operator.address), before + credited)
  t.is(await governance.claimableWei(op.operator.address), 0n)
})

test.serial('a council replaced mid-vote neither voids nor joins the open dispute: its own council decides it', async (t) => {
  const { governance, oracle } = net.contracts
  const requestId = await ask()
  const signers = await commitAnswer(requestId, 0n)
  const d = await disputer()
  await (await as(governance, d).dispute(requestId, 1n, BOND, signers)).wait()
  await (await as(governance, council[0]!).vote(requestId, 1n)).wait()

  // The owner swaps in a council without council[2]: the dispute keeps the council it opened with.
  await (await governance.setCouncil([council[0]!.address, council[1]!.address, net.deployer.address], 2)).wait()
  await revertsWithArgs(t, governance.vote(requestId, 0n), 'NotCouncil', [net.deployer.address])
  await (await as(governance, council[2]!).vote(requestId, 1n)).wait()
  const receipt = await mined(governance.execute(requestId, signers))
  t.is(findEvent(governance, receipt, 'DisputeExecuted').args.outcome, Outcome.Overturned)
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 1n])
  await (await governance.setCouncil(council.map((m) => m.address), 2)).wait()
})

// ================================================================
// |                      The example market                      |
// ================================================================

async function deployMarket(closeInSec: number, resolveInSec: number): Promise<{ market: PredictionMarket; closeTime: bigint }> {
  const { token, oracle } = net.contracts
  const now = await latestTimestamp(net.provider)
  const closeTime = BigInt(now + closeInSec)
  const market = await (
    await new PredictionMarket__factory(net.deployer).deploy(
      oracle.target,
      token.target,
      JSON.stringify({ question: `market ${questionCount++}` }),
      ['YES', 'NO'],
      closeTime,
      BigInt(now + resolveInSec),
      FEE,
    )
  ).waitForDeployment()
  await (await token.mint(market.target, FEE)).wait()
  return { market, closeTime }
}

test.serial('market: buys only while open, only on an outcome, with value; one request after close; callbacks only from the oracle', async (t) => {
  const { market, closeTime } = await deployMarket(100, 200)
  const alice = await fundedWallet(net, 0n)
  const m = as(market, alice)

  await revertsWithArgs(t, m.buy(2, { value: parseEther('1') }), 'InvalidOutcome', [2n])
  await revertsWithArgs(t, m.buy(0, { value: 0n }), 'ZeroAmount', [])
  await revertsWithArgs(t, market.requestResolution(), 'MarketOpen', [closeTime])
  await revertsWithArgs(t, market.sync(), 'UnknownRequest', [ZeroHash])
  await revertsWithArgs(t, market.onResolution(ZeroHash, 0n), 'OnlyOracle', [net.deployer.address])
  await revertsWithArgs(t, m.redeem(), 'NotResolved', [])
  await (await m.buy(0, { value: parseEther('1') })).wait()
  t.is(await market.totalPoolWei(), parseEther('1'))

  await increaseTime(net.provider, 100)
  await revertsWithArgs(t, m.buy(0, { value: parseEther('1') }), 'MarketClosed', [closeTime])
  t.is(await market.totalPoolWei(), parseEther('1'))
  const receipt = await mined(market.requestResolution())
  const requestId = findEvent(net.contracts.oracle, receipt, 'ResolutionRequested').args.requestId
  await revertsWithArgs(t, market.requestResolution(), 'AlreadyRequested', [requestId])
  await revertsWithArgs(t, market.sync(), 'NotResolved', [])
  await revertsWithArgs(t, as(market, alice).onResolution(requestId, 0n), 'OnlyOracle', [alice.address])
  t.deepEqual([...(await market.resolution())], [false, 0n])
})

test.serial('market: an "unresolvable" answer refunds every backer exactly once', async (t) => {
  const { market } = await deployMarket(100, 200)
  const [alice, bob, carol] = [await fundedWallet(net, 0n), await fundedWallet(net, 0n), await fundedWallet(net, 0n)]
  const stakes = new Map<Wallet, bigint>([
    [alice, parseEther('3')],
    [bob, parseEther('1')],
    [carol, parseEther('0.75')],
  ])
  await (await as(market, alice).buy(0, { value: parseEther('3') })).wait()
  await (await as(market, bob).buy(1, { value: parseEther('1') })).wait()
  await (await as(market, carol).buy(0, { value: parseEther('0.5') })).wait()
  await (await as(market, carol).buy(1, { value: parseEther('0.25') })).wait()

  await increaseTime(net.provider, 100)
  const receipt = await mined(market.requestResolution())
  const requestId = findEvent(net.contracts.oracle, receipt, 'ResolutionRequested').args.requestId
  await increaseTime(net.provider, 100)
  const signers = await commitAnswer(requestId, ANSWER_UNRESOLVABLE)
  await increaseTime(net.provider, DISPUTE_WINDOW_SEC)
  await (await net.contracts.oracle.finalize(requestId, signers)).wait()
  t.deepEqual([...(await market.resolution())], [true, ANSWER_UNRESOLVABLE], 'resolved by the callback')

  for (const [backer, stake] of stakes) {
    t.is(await market.payoutOf(backer.address), stake)
    const balanceBefore = await net.provider.getBalance(backer.address)
    const r = await mined(as(market, backer).redeem())
    t.is(findEvent(market, r, 'Redeemed').args.amountWei, stake)
    t.is((await net.provider.getBalance(backer.address)) - balanceBefore + r.gasUsed * r.gasPrice, stake)
    t.is(await market.payoutOf(backer.address), 0n)
    await revertsWithArgs(t, as(market, backer).redeem(), 'AlreadyRedeemed', [backer.address])
  }
  t.is(await net.provider.getBalance(market.target), 0n, 'the whole pool went back')
})

// ================================================================
// |              Operator set, staking and slashing              |
// ================================================================

test.serial('at n = 7 a report needs 5 signatures: 4 are refused (QuorumNotReached), 5 commit', async (t) => {
  const { staking, oracle, token } = opsNet.contracts
  const added = await addOperators({ provider: opsNet.provider, deployer: opsNet.deployer, deployment: opsNet.deployment, count: 3, firstIndex: 4 })
  opsNet.operators.push(...added)
  t.is(await staking.activeOperatorCount(), 7n)
  t.is(await oracle.quorumFor(7n), 5n)

  await (await token.mint(opsNet.deployer.address, FEE)).wait()
  const { requestId } = await requestResolution(token, oracle, opsNet.deployer, {
    spec: 'n = 7',
    outcomes: ['YES', 'NO'],
    resolveAfter: await latestTimestamp(opsNet.provider),
    feeWei: FEE,
  })
  const short = await signedReport(opsNet.operators.slice(0, 4), { requestId, round: 0, answer: 0n }, opsNet)
  await revertsWithArgs(t, commitReport(oracle, short), 'QuorumNotReached', [4n, 5n])
  t.is((await requestState(requestId, opsNet)).status, REQUEST_STATUS.Open)
  const enough = await signedReport(opsNet.operators.slice(2, 7), { requestId, round: 0, answer: 0n }, opsNet)
  await (await commitReport(oracle, enough)).wait()
  t.is((await requestState(requestId, opsNet)).status, REQUEST_STATUS.Committed)
})

test.serial('an operator that asked to unbond its stake leaves at the next epoch; after that its signature does not count', async (t) => {
  const { staking, oracle, token } = opsNet.contracts
  const leaving = opsNet.operators[6]!
  await (await as(staking, leaving.operator).requestUnbond(MIN_STAKE)).wait()
  t.true(await staking.isActive(leaving.operator.address), 'a member until the epoch ends')
  t.is(await staking.activeOperatorCount(), 7n)
  await startNextEpoch(opsNet.provider, opsNet.deployment)
  t.false(await staking.isActive(leaving.operator.address))
  t.is(await staking.activeOperatorCount(), 6n)

  await (await token.mint(opsNet.deployer.address, FEE)).wait()
  const { requestId } = await requestResolution(token, oracle, opsNet.deployer, {
    spec: 'unbonded signer',
    outcomes: ['YES', 'NO'],
    resolveAfter: await latestTimestamp(opsNet.provider),
    feeWei: FEE,
  })
  // Four members and the one that left are no quorum at n = 6 (5 needed).
  const short = await signedReport([...opsNet.operators.slice(0, 4), leaving], { requestId, round: 0, answer: 0n }, opsNet)
  await revertsWithArgs(t, commitReport(oracle, short), 'QuorumNotReached', [4n, 5n])
  t.is((await requestState(requestId, opsNet)).status, REQUEST_STATUS.Open)
  // Five members (the quorum) plus the one that left: committed, without it on record.
  const report = await signedReport([...opsNet.operators.slice(0, 5), leaving], { requestId, round: 0, answer: 0n }, opsNet)
  const receipt = await mined(commitReport(oracle, report))
  t.false([...findEvent(oracle, receipt, 'ReportCommitted').args.signers].includes(leaving.signer.address))
  t.is((await requestState(requestId, opsNet)).status, REQUEST_STATUS.Committed)
})

test.serial('staking refuses unregistered operators, taken signers, zero amounts, over-unbonding and a second slasher', async (t) => {
  const { staking, governance } = opsNet.contracts
  const op0 = opsNet.operators[0]!
  const stranger = await fundedWallet(opsNet)
  const s = as(staking, stranger)
  await (await as(opsNet.contracts.token, stranger).approve(staking.target, MIN_STAKE)).wait()

  await revertsWithArgs(t, s.stake(MIN_STAKE), 'NotRegistered', [stranger.address])
  await revertsWithArgs(t, s.requestUnbond(1n), 'NotRegistered', [stranger.address])
  await revertsWithArgs(t, s.stake(0n), 'ZeroAmount', [])
  await revertsWithArgs(t, s.registerSigner(op0.signer.address, '0x'), 'SignerTaken', [op0.signer.address, op0.operator.address])
  await revertsWithArgs(t, s.registerSigner(ZeroAddress, '0x'), 'ZeroAddress', [])
  // A signing key must consent to its operator: a proof made for another operator, or none, is refused.
  const key = localWallet('stranger signing key', 0)
  const { chainId } = await opsNet.provider.getNetwork()
  const proofForOp0 = await signSignerRegistration({ signer: key, operator: op0.operator.address, chainId, stakingAddress: String(staking.target) })
  await revertsWithArgs(t, s.registerSigner(key.address, proofForOp0), 'InvalidSignerProof', [key.address])
  await revertsWithArgs(t, s.registerSigner(key.address, '0x'), 'InvalidSignerProof', [key.address])
  // Only the owner (governance) admits operators.
  await t.throwsAsync(s.admit(stranger.address), { message: /caller is not the owner/ })
  t.false(await staking.isAdmitted(stranger.address))
  t.is(await staking.operatorOfSigner(op0.signer.address), op0.operator.address)
  await revertsWithArgs(t, s.withdraw(), 'NothingToWithdraw', [])

  const before = [...(await staking.getOperator(op0.operator.address))]
  await revertsWithArgs(t, as(staking, op0.operator).requestUnbond(MIN_STAKE + 1n), 'InsufficientStake', [MIN_STAKE + 1n, MIN_STAKE])
  await revertsWithArgs(t, as(staking, op0.operator).requestUnbond(0n), 'ZeroAmount', [])
  t.deepEqual([...(await staking.getOperator(op0.operator.address))], before)

  await revertsWithArgs(t, staking.setSlasher(opsNet.deployer.address), 'SlasherAlreadySet', [governance.target])
  t.is(await staking.slasher(), await governance.getAddress())
  await revertsWithArgs(t, staking.slash(op0.operator.address, 1n, opsNet.deployer.address), 'OnlySlasher', [opsNet.deployer.address])
  await revertsWithArgs(t, as(staking, op0.operator).slash(op0.operator.address, 1n, op0.operator.address), 'OnlySlasher', [op0.operator.address])
  t.is(await staking.slashableOf(op0.operator.address), MIN_STAKE)
})

test.serial('unbonded stake is withdrawable only after the delay (UnbondingNotReady), then once (NothingToWithdraw)', async (t) => {
  const { staking } = opsNet.contracts
  const leaving = opsNet.operators[6]! // unbonded its whole stake two tests ago
  const [, stakeWei, unbondingWei, readyAt] = await staking.getOperator(leaving.operator.address)
  t.is(stakeWei, 0n)
  t.is(unbondingWei, MIN_STAKE)
  t.true(readyAt > BigInt(await latestTimestamp(opsNet.provider)))
  t.true(readyAt >= BigInt(UNBONDING_DELAY_SEC) + (await staking.epochStartsAt((await staking.currentEpoch()) + 1n)), 'the delay runs from after the last epoch it could sign in')
  const totalBefore = await staking.totalStakedWei()
  const balanceBefore = await tokenBalance(opsNet, leaving.operator.address)

  await revertsWithArgs(t, as(staking, leaving.operator).withdraw(), 'UnbondingNotReady', [readyAt])
  await increaseTime(opsNet.provider, Number(readyAt) - (await latestTimestamp(opsNet.provider)) - 3600)
  await revertsWithArgs(t, as(staking, leaving.operator).withdraw(), 'UnbondingNotReady', [readyAt])
  t.is(await tokenBalance(opsNet, leaving.operator.address), balanceBefore)

  await increaseTime(opsNet.provider, 3600)
  await (await as(staking, leaving.operator).withdraw()).wait()
  t.is(await tokenBalance(opsNet, leaving.operator.address), balanceBefore + MIN_STAKE)
  t.is(await staking.totalStakedWei(), totalBefore - MIN_STAKE)
  t.is((await staking.getOperator(leaving.operator.address))[2], 0n)
  await revertsWithArgs(t, as(staking, leaving.operator).withdraw(), 'NothingToWithdraw', [])
})

test.serial('a slash beyond bonded plus unbonding stake is refused (SlashExceedsStake); exactly that much is taken', async (t) => {
  const { staking, governance } = opsNet.contracts
  const op = opsNet.operators[1]!
  // Half of the stake is unbonding: still slashable until withdrawn.
  await (await as(staking, op.operator).requestUnbond(MIN_STAKE / 2n)).wait()
  const slashable = await staking.slashableOf(op.operator.address)
  t.is(slashable, MIN_STAKE)
  const recipient = localWallet('slash recipient', 0).address
  const totalBefore = await staking.totalStakedWei()

  const governanceAddress = String(governance.target)
  await opsNet.provider.send('anvil_impersonateAccount', [governanceAddress])
  try {
    await setBalance(opsNet.provider, governanceAddress, parseEther('10'))
    const asGovernance = as(staking, new JsonRpcSigner(opsNet.provider, governanceAddress))
    await revertsWithArgs(t, asGovernance.slash(op.operator.address, slashable + 1n, recipient), 'SlashExceedsStake', [
      op.operator.address,
      slashable + 1n,
      slashable,
    ])
    await revertsWithArgs(t, asGovernance.slash(op.operator.address, 1n, ZeroAddress), 'ZeroAddress', [])
    t.is(await staking.slashableOf(op.operator.address), slashable)
    t.is(await staking.totalStakedWei(), totalBefore)

    await (await asGovernance.slash(op.operator.address, slashable, recipient)).wait()
    const [, stakeWei, unbondingWei] = await staking.getOperator(op.operator.address)
    t.deepEqual([stakeWei, unbondingWei], [0n, 0n], 'bonded first, then unbonding')
    t.is(await tokenBalance(opsNet, recipient), slashable)
    t.is(await staking.totalSlashedWei(), slashable)
    t.is(await staking.totalStakedWei(), totalBefore - slashable)
    await revertsWithArgs(t, asGovernance.slash(op.operator.address, 1n, recipient), 'SlashExceedsStake', [op.operator.address, 1n, 0n])
  } finally {
    await opsNet.provider.send('anvil_stopImpersonatingAccount', [governanceAddress])
  }
})
