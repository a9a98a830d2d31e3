/**
 * One decoded contract event → the store. Events say what happened and when (the timeline, the transactions)
 * and move the status at once; the state they leave behind (status, round, epoch, stake) is then read back from
 * the contracts at the block the indexer reached (index-chain.ts `refresh`), so that an event this file does not
 * know still ends up reflected in what the explorer shows.
 */
import { readRequestTexts } from '@sibyl/contracts/read-request-texts'
import type { LogDescription } from 'ethers'
import type { ExplorerStore } from '../store/explorer-store.ts'

export type ChainEventContext = {
  store: ExplorerStore
  /** The contract that emitted it: which event set to read it against. */
  source: 'oracle' | 'governance' | 'staking' | 'feed'
  address: string
  at: number
  txHash: string
  blockNumber: number
  /** The log's raw data: the request texts are read from it leniently (they may not be UTF-8). */
  data: string
  disputeWindowSec: number
  /** What the refresh step must read again. */
  touched: { requests: Set<string>; operators: Set<string> }
}

const ORACLE_REQUEST_EVENTS: ReadonlySet<string> = new Set([
  'ResolutionRequested',
  'ReportCommitted',
  'ResolutionDeferred',
  'ResolutionContested',
  'ResolutionDisputed',
  'DisputeSettled',
  'ResolutionFinalized',
  'RequestExpired',
])

/** DisputeGovernance.Outcome, in its Solidity order; an expired vote leaves the committed answer standing. */
const DISPUTE_OUTCOMES = ['overturned', 'upheld', 'upheld'] as const

export function applyChainEvent(event: LogDescription, ctx: ChainEventContext): void {
  const { store, at, txHash, blockNumber } = ctx
  const where = { at, txHash, blockNumber }
  const a = event.args
  if (ctx.source === 'oracle') {
    // Not every oracle event is about a request (GovernanceSet, FeesWithdrawn, ExcessSwept name an address).
    if (!ORACLE_REQUEST_EVENTS.has(event.name)) return
    const requestId = String(a.requestId).toLowerCase()
    ctx.touched.requests.add(requestId)
    switch (event.name) {
      case 'ResolutionRequested':
        {
          // Not a.spec / a.outcomes: ethers throws on strings that are not UTF-8, which a requester may emit.
          const { spec, outcomes } = readRequestTexts(ctx.data)
          store.upsertRequest({ requestId, requester: String(a.requester), feeWei: BigInt(a.feeWei), specText: spec, outcomes, requestedAt: at, resolveAfter: Number(a.resolveAfter) })
        }
        store.addTimelineEvent(requestId, { kind: 'requested', ...where })
        return
      case 'ReportCommitted': {
        const signers = [...(a.signers as string[])]
        store.upsertRequest({ requestId, chainStatus: 'Committed', answerValue: BigInt(a.answer), committedAt: at, commitTx: txHash, reportSigners: signers, deferred: false, disputeEndsAt: at + ctx.disputeWindowSec })
        store.addTimelineEvent(requestId, { kind: 'quorum', ...where, detail: `${signers.length} signers agreed (round ${a.round})` })
        store.addTimelineEvent(requestId, { kind: 'committed', ...where, detail: `round ${a.round}` })
        return
      }
      case 'ResolutionDeferred':
        store.upsertRequest({ requestId, chainStatus: 'Open', answerValue: -2n, deferred: true, resolveAfter: Number(a.resolveAfter) })
        store.addTimelineEvent(requestId, { kind: 'deferred', ...where, detail: `too early: round ${a.round} after ${a.resolveAfter}` })
        return
      case 'ResolutionContested':
        // Enough signed dissent was posted: the dispute window is longer (ResolutionOracle.contest).
        store.upsertRequest({ requestId, contested: true, disputeEndsAt: Number(a.disputeEndsAt) })
        return
      case 'ResolutionDisputed':
        store.upsertRequest({ requestId, chainStatus: 'Disputed' })
        store.addTimelineEvent(requestId, { kind: 'disputed', ...where })
        return
      case 'DisputeSettled':
        store.upsertRequest({ requestId, answerValue: BigInt(a.answer) })
        store.addTimelineEvent(requestId, { kind: 'settled', ...where, detail: a.overturned ? 'overturned' : 'upheld' })
        return
      case 'ResolutionFinalized':
        store.upsertRequest({ requestId, chainStatus: 'Finalized', answerValue: BigInt(a.answer), finalizedAt: at, finalizeTx: txHash })
        store.addTimelineEvent(requestId, { kind: 'final', ...where })
        return
      case 'RequestExpired':
        store.addTimelineEvent(requestId, { kind: 'expired', ...where, detail: 'no answer before the request timeout; fee refunded' })
        return
      default:
        return
    }
  }
  if (ctx.source === 'governance') {
    switch (event.name) {
      case 'Disputed':
        ctx.touched.requests.add(String(a.requestId).toLowerCase())
        store.upsertDispute({ requestId: String(a.requestId), disputer: String(a.disputer), committedAnswerValue: BigInt(a.committedAnswer), deadline: Number(a.votingEndsAt), status: 'open' })
        return
      case 'Claimed': {
        const current = store.listDisputes().find((d) => d.requestId === String(a.requestId).toLowerCase())
        // The disputer's claim is the one the dispute is about; later claims only add to the bond.
        const isDisputer = current === undefined || current.disputer === String(a.claimant).toLowerCase()
        store.upsertDispute({ requestId: String(a.requestId), ...(isDisputer ? { claimedAnswerValue: BigInt(a.answer) } : {}), bondWei: BigInt(current?.bond ?? '0') + BigInt(a.bondWei) })
        return
      }
      case 'Voted':
        store.upsertDispute({ requestId: String(a.requestId), vote: { member: String(a.member), answerValue: BigInt(a.answer) } })
        return
      case 'DisputeExecuted':
        ctx.touched.requests.add(String(a.requestId).toLowerCase())
        store.upsertDispute({ requestId: String(a.requestId), status: DISPUTE_OUTCOMES[Number(a.outcome)] ?? 'upheld' })
        return
      default:
        return
    }
  }
  if (ctx.source === 'staking') {
    switch (event.name) {
      case 'SignerRegistered':
      case 'Staked':
      case 'UnbondRequested':
      case 'Withdrawn':
      case 'OperatorAdmitted':
        ctx.touched.operators.add(String(a.operator).toLowerCase())
        return
      case 'Slashed': {
        const operator = String(a.operator).toLowerCase()
        ctx.touched.operators.add(operator)
        store.upsertOperator({ operator, addSlashes: 1 })
        return
      }
      case 'OperatorExpelled':
        store.upsertOperator({ operator: String(a.operator), status: 'expelled' })
        return
      case 'MembershipScheduled':
        ctx.touched.operators.add(String(a.operator).toLowerCase())
        store.addMembership({ operator: String(a.operator), signer: String(a.signer), fromEpoch: Number(a.fromEpoch), untilEpoch: Number(a.untilEpoch) })
        return
      default:
        return
    }
  }
  if (event.name === 'NewTransmission') {
    store.upsertFeedRound(ctx.address, { roundId: Number(a.roundId), answer: BigInt(a.answer), updatedAt: at, txHash, signers: [...(a.signers as string[])] })
  }
}
