/**
 * The explorer's in-memory model of one deployment: requests (with their timeline and each node's answer),
 * feeds and their rounds, operators, disputes. Indexers (chain and NATS) write it through the upsert/add
 * methods; the HTTP API reads it; `subscribe` streams what changed to /api/events.
 *
 * Every collection is bounded (a busy network must not grow the process without end): past `maxRequests` the
 * oldest request is forgotten first, past `maxRoundsPerFeed` a feed's oldest round.
 *
 * A node's row on a request (NodeAnswer.status) is decided here, from what was seen:
 * - an aggregator's outlier report names the signer (on time or late: a late dissent is still a signed dissent),
 *   or its observation differs from the committed answer (before a commit: the most common answer so far):
 *   `outlier`;
 * - its observation gives that answer: `agreed`, or `late` when it took no part in the commit (not among the
 *   report's signers, and received after the commit);
 * - else `no-answer`. Every member of the request's epoch (Staking memberships) gets a row, as does any
 *   signer seen answering.
 */
import type { ObservationMessage, OutlierMessage } from '@sibyl/protocol/messages'
import type { RequestStatusName } from '@sibyl/protocol/request-status'
import type {
  Dispute,
  DisputeStatus,
  ExplorerEvent,
  ExplorerRequestStatus,
  FeedRound,
  FeedSummary,
  NodeAnswer,
  OperatorStatus,
  OperatorsView,
  OperatorSummary,
  RequestDetail,
  RequestSummary,
  TimelineEvent,
} from './explorer-types.ts'
import { answerLabel, explorerRequestStatus } from './map-request-status.ts'
import { parseRequestSpec, type ParsedRequestSpec } from './parse-request-spec.ts'

export const DEFAULT_MAX_REQUESTS = 50_000
export const DEFAULT_MAX_ROUNDS_PER_FEED = 5_000
/** Observations kept per request (all rounds): far above the 64 members of an epoch times a few rounds. */
const MAX_OBSERVATIONS_PER_REQUEST = 1024
const MAX_TIMELINE_EVENTS = 512
/**
 * Observations a signer may have waiting for requests the chain reader has not shown yet. An honest node has a
 * handful in flight; past its share a signer's oldest waiting observation makes room for its newest, so one
 * operator signing observations for requests that do not exist holds at most this many, crowds out no one else,
 * and still gets its observations of real requests in.
 */
const MAX_EARLY_OBSERVATIONS_PER_SIGNER = 256
/** Aggregators' outlier reports waiting for their request, all together (each request keeps at most 16). */
const MAX_EARLY_REPORTS = 4096
/**
 * Feed observations are kept for rounds up to this far past the chain's latest round: a node signs the next round
 * before it lands. Further ahead is not a round a node can be observing; kept, one operator's values for rounds of
 * years from now would push the real rounds' observations out of the feed's bounded history.
 */
const FEED_ROUNDS_AHEAD = 16

export type RequestInput = {
  requestId: string
  requester?: string
  feeWei?: bigint | string
  /** The question spec as stored on-chain (JSON text). */
  specText?: string
  outcomes?: readonly string[]
  chainStatus?: RequestStatusName
  /** The stored answer; null clears it (a new round after "too early"). */
  answerValue?: bigint | null
  deferred?: boolean
  round?: number
  /** The Staking epoch whose members judge the request's round. */
  epoch?: number
  requestedAt?: number
  resolveAfter?: number
  committedAt?: number | null
  finalizedAt?: number | null
  disputeEndsAt?: number | null
  contested?: boolean
  commitTx?: string | null
  finalizeTx?: string | null
  /** The signers of the committed report (ReportCommitted). */
  reportSigners?: readonly string[]
}

export type FeedInput = {
  address: string
  feedId?: string
  description?: string
  decimals?: number
  deviationBps?: number | null
  heartbeatSec?: number | null
  minAnswer?: bigint | string | null
  maxAnswer?: bigint | string | null
}

export type FeedRoundInput = { roundId: number; answer: bigint | string; updatedAt: number; txHash?: string | null; signers?: readonly string[] }

export type OperatorInput = {
  operator: string
  signer?: string | null
  stakeWei?: bigint | string
  /** An expelled operator stays `expelled` until an update says `active`. */
  status?: OperatorStatus
  slashes?: number
  /** Slashes to add to the count (one Slashed event: 1). */
  addSlashes?: number
}

export type MembershipInput = { operator: string; signer: string; fromEpoch: number; untilEpoch: number }

export type DisputeInput = {
  requestId: string
  disputer?: string
  bondWei?: bigint | string
  /** The answer the disputer claims (its Claimed event). */
  claimedAnswerValue?: bigint | null
  committedAnswerValue?: bigint | null
  deadline?: number
  status?: DisputeStatus
  /** One council member's vote (Voted); a member votes once. */
  vote?: { member: string; answerValue: bigint }
}

export type ListRequestsParameters = { status?: ExplorerRequestStatus | undefined; limit: number; cursor?: string | undefined }

export type ExplorerHealth = { chainHead: number | null; indexedBlock: number | null; natsConnected: boolean }

export type ExplorerStore = ReturnType<typeof createExplorerStore>

export type CreateExplorerStoreParameters = {
  maxRequests?: number
  maxRoundsPerFeed?: number
  /** Unix seconds now (injected for tests); default the wall clock. */
  nowSec?: () => number
}

type StoredObservation = {
  signer: string
  round: number
  answerValue: bigint
  confidenceBps: number
  /** The judge's [low, high] around confidenceBps, when the node sent one. */
  confidenceInterval: [number, number] | null
  evidenceHash: string
  modelHash: string
  signature: string
  receivedAt: number
}

type OutlierFlags = { onTime: Set<string>; late: Set<string>; nonResponders: Set<string>; entries: Map<string, { answer: string; evidenceHash: string }> }

type RequestState = {
  seq: number
  requestId: string
  requester: string
  feeWei: string
  spec: ParsedRequestSpec
  outcomes: string[]
  chainStatus: RequestStatusName
  answerValue: bigint | null
  deferred: boolean
  round: number
  epoch: number | null
  requestedAt: number
  resolveAfter: number
  committedAt: number | null
  finalizedAt: number | null
  disputeEndsAt: number | null
  contested: boolean
  commitTx: string | null
  finalizeTx: string | null
  reportSigners: string[]
  timeline: TimelineEvent[]
  observations: Map<string, StoredObservation>
  outliers: OutlierFlags
}

/** A round as the chain has it (its signers); the nodes' own values are joined in when it is read. */
type FeedState = Omit<FeedSummary, 'latestRound' | 'stale'> & { rounds: (Omit<FeedRound, 'nodes'> & { signers: string[] })[]; observations: Map<number, Map<string, bigint>> }

type OperatorState = { operator: string; signer: string | null; stake: string; status: OperatorStatus; slashes: number }

type DisputeState = {
  requestId: string
  disputer: string
  bond: string
  claimedAnswerValue: bigint | null
  committedAnswerValue: bigint | null
  deadline: number
  status: DisputeStatus
  votes: Map<string, bigint>
}

type SignerCounts = { answers: number; agreed: number; outliers: number; noAnswers: number; modelHashes: string[] }

const lower = (a: string): string => a.toLowerCase()

/** Opaque to clients: the base64url of a request's position in the store. */
function encodeCursor(seq: number): string {
  return Buffer.from(`r${seq}`).toString('base64url')
}

/** The position a cursor names; undefined for anything this store did not hand out. */
export function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(cursor)) return undefined
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const match = /^r(0|[1-9][0-9]{0,14})$/.exec(text)
  return match ? Number(match[1]) : undefined
}

const median = (sorted: readonly number[]): number => sorted[Math.floor(sorted.length / 2)]!

/**
 * The interval shown for a request's answer: the median low and median high of the agreeing nodes' own
 * intervals when they sent them (one node's odd interval moves neither end), else the spread of their
 * confidences.
 */
function requestInterval(confidences: readonly number[], intervals: readonly [number, number][]): [number, number] | null {
  if (intervals.length > 0) {
    return [median(intervals.map((i) => i[0]).sort((a, b) => a - b)), median(intervals.map((i) => i[1]).sort((a, b) => a - b))]
  }
  return confidences.length === 0 ? null : [confidences[0]!, confidences[confidences.length - 1]!]
}

function emptyFlags(): OutlierFlags {
  return { onTime: new Set(), late: new Set(), nonResponders: new Set(), entries: new Map() }
}

export function createExplorerStore({ maxRequests = DEFAULT_MAX_REQUESTS, maxRoundsPerFeed = DEFAULT_MAX_ROUNDS_PER_FEED, nowSec = () => Math.floor(Date.now() / 1000) }: CreateExplorerStoreParameters = {}) {
  const requests = new Map<string, RequestState>()
  /** Requests in insertion order (oldest first): newest-first pages walk it backwards. */
  const order: RequestState[] = []
  const feeds = new Map<string, FeedState>()
  const operators = new Map<string, OperatorState>()
  const memberships: MembershipInput[] = []
  const disputes = new Map<string, DisputeState>()
  /** Observations that arrived before their request was indexed (NATS can be ahead of the chain reader). */
  const earlyObservations = new Map<string, ObservationMessage[]>()
  /** Per signer, the request ids of its waiting observations, oldest first (one entry per observation). */
  const earlyBySigner = new Map<string, string[]>()
  const earlyReports = new Map<string, OutlierMessage[]>()
  let earlyReportCount = 0

  function holdEarlyObservation(id: string, message: ObservationMessage): void {
    const signer = lower(message.signer)
    const held = earlyBySigner.get(signer) ?? []
    if (held.length >= MAX_EARLY_OBSERVATIONS_PER_SIGNER) dropEarlyObservation(held.shift()!, signer)
    const waiting = earlyObservations.get(id) ?? []
    waiting.push(message)
    earlyObservations.set(id, waiting)
    held.push(id)
    earlyBySigner.set(signer, held)
  }

  /** Forgets one waiting observation of `signer` for request `id` (the oldest it has there). */
  function dropEarlyObservation(id: string, signer: string): void {
    const waiting = earlyObservations.get(id)
    if (!waiting) return
    const at = waiting.findIndex((m) => lower(m.signer) === signer)
    if (at >= 0) waiting.splice(at, 1)
    if (waiting.length === 0) earlyObservations.delete(id)
  }

  /** Takes the observations waiting for request `id` out of the buffer (and out of their signers' shares). */
  function takeEarlyObservations(id: string): ObservationMessage[] {
    const waiting = earlyObservations.get(id) ?? []
    earlyObservations.delete(id)
    for (const m of waiting) {
      const held = earlyBySigner.get(lower(m.signer))
      const at = held?.indexOf(id) ?? -1
      if (held && at >= 0) held.splice(at, 1)
      if (held?.length === 0) earlyBySigner.delete(lower(m.signer))
    }
    return waiting
  }
  const listeners = new Set<(event: ExplorerEvent) => void>()
  const health: ExplorerHealth = { chainHead: null, indexedBlock: null, natsConnected: false }
  let nextSeq = 0
  /** How far the chain's clock runs ahead of the wall clock (a devnet jumps it): added to the nodes' wall-clock times. */
  let chainClockLeadSec = 0

  function emit(event: ExplorerEvent): void {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch {
        // A listener's failure (a client gone mid-write) must not stop the indexer or the other listeners.
      }
    }
  }

  function operatorOf(signer: string): string | null {
    for (let i = memberships.length - 1; i >= 0; i--) if (memberships[i]!.signer === signer) return memberships[i]!.operator
    for (const op of operators.values()) if (op.signer === signer) return op.operator
    return null
  }

  function membersAt(epoch: number): string[] {
    const out = new Set<string>()
    for (const m of memberships) if (m.fromEpoch <= epoch && epoch < m.untilEpoch) out.add(m.signer)
    return [...out]
  }

  /** The answer a request's nodes are compared with: the committed one, else the most common so far. */
  function referenceAnswer(r: RequestState): bigint | null {
    if (r.answerValue !== null && r.chainStatus !== 'Open') return r.answerValue
    const counts = new Map<bigint, number>()
    for (const o of r.observations.values()) if (o.round === r.round) counts.set(o.answerValue, (counts.get(o.answerValue) ?? 0) + 1)
    let best: bigint | null = null
    let bestCount = 0
    for (const [answer, count] of counts) if (count > bestCount) [best, bestCount] = [answer, count]
    return best
  }

  /** An agreeing answer that took no part in the commit: not among the report's signers, and received after it. */
  function isLate(r: RequestState, o: StoredObservation): boolean {
    return r.committedAt !== null && r.reportSigners.length > 0 && !r.reportSigners.includes(o.signer) && o.receivedAt > r.committedAt
  }

  function nodeRow(r: RequestState, signer: string, reference: bigint | null): NodeAnswer {
    const o = r.observations.get(`${r.round}:${signer}`) ?? [...r.observations.values()].reverse().find((x) => x.signer === signer)
    const flaggedOnTime = r.outliers.onTime.has(signer)
    const flaggedLate = r.outliers.late.has(signer)
    let status: NodeAnswer['status']
    if (flaggedOnTime || flaggedLate) status = 'outlier'
    else if (!o) status = 'no-answer'
    else if (reference !== null && o.answerValue !== reference) status = 'outlier'
    else status = isLate(r, o) ? 'late' : 'agreed'
    const entry = r.outliers.entries.get(signer)
    const answerValue = o ? o.answerValue : entry ? BigInt(entry.answer) : null
    return {
      signer,
      operator: operatorOf(signer),
      answer: answerLabel(answerValue, r.outcomes),
      answerValue: answerValue === null ? null : answerValue.toString(),
      confidenceBps: o?.confidenceBps ?? null,
      confidenceInterval: o?.confidenceInterval ?? null,
      evidenceHash: o?.evidenceHash ?? entry?.evidenceHash ?? null,
      modelHash: o?.modelHash ?? null,
      signature: o?.signature ?? null,
      status,
      receivedAt: o?.receivedAt ?? null,
    }
  }

  function nodeRows(r: RequestState): NodeAnswer[] {
    const signers = new Set<string>(r.epoch === null ? [] : membersAt(r.epoch))
    for (const s of r.reportSigners) signers.add(s)
    for (const o of r.observations.values()) signers.add(o.signer)
    for (const s of r.outliers.onTime) signers.add(s)
    for (const s of r.outliers.late) signers.add(s)
    for (const s of r.outliers.nonResponders) signers.add(s)
    const reference = referenceAnswer(r)
    return [...signers].sort().map((s) => nodeRow(r, s, reference))
  }

  function summarize(r: RequestState): RequestSummary {
    const status = explorerRequestStatus({ chainStatus: r.chainStatus, answerValue: r.answerValue, deferred: r.deferred })
    const shownAnswer = r.chainStatus === 'Open' && !r.deferred ? null : r.answerValue
    const agreeingObservations = shownAnswer === null ? [] : [...r.observations.values()].filter((o) => o.round === r.round && o.answerValue === shownAnswer)
    const agreeing = agreeingObservations.map((o) => o.confidenceBps).sort((a, b) => a - b)
    const intervals = agreeingObservations.flatMap((o) => (o.confidenceInterval ? [o.confidenceInterval] : []))
    const answerIndex = shownAnswer !== null && shownAnswer >= 0n && shownAnswer < BigInt(r.outcomes.length) ? Number(shownAnswer) : null
    return {
      requestId: r.requestId,
      question: r.spec.question,
      outcomes: [...r.outcomes],
      requester: r.requester,
      feeWei: r.feeWei,
      status,
      answer: answerLabel(shownAnswer, r.outcomes),
      answerIndex,
      round: r.round,
      requestedAt: r.requestedAt,
      resolveAfter: r.resolveAfter,
      committedAt: r.committedAt,
      finalizedAt: r.finalizedAt,
      timeToCommitSec: r.committedAt === null ? null : Math.max(0, r.committedAt - Math.max(r.requestedAt, r.resolveAfter)),
      disputeEndsAt: r.disputeEndsAt,
      contested: r.contested,
      confidenceBps: agreeing.length === 0 ? null : median(agreeing),
      confidenceInterval: requestInterval(agreeing, intervals),
    }
  }

  function disputeView(d: DisputeState): Dispute {
    const r = requests.get(d.requestId)
    const outcomes = r?.outcomes ?? []
    let votesFor = 0
    let votesAgainst = 0
    for (const answer of d.votes.values()) {
      if (d.claimedAnswerValue !== null && answer === d.claimedAnswerValue) votesFor++
      else votesAgainst++
    }
    return {
      requestId: d.requestId,
      question: r?.spec.question ?? '',
      disputer: d.disputer,
      bond: d.bond,
      claimedAnswer: answerLabel(d.claimedAnswerValue, outcomes),
      committedAnswer: answerLabel(d.committedAnswerValue, outcomes),
      votesFor,
      votesAgainst,
      deadline: d.deadline,
      status: d.status,
      outlierEvidence: r ? [...r.outliers.entries].map(([signer, e]) => ({ signer, answer: answerLabel(BigInt(e.answer), outcomes), evidenceHash: e.evidenceHash })) : [],
    }
  }

  function applyObservation(r: RequestState, message: ObservationMessage, receivedAt: number): StoredObservation | undefined {
    const signer = lower(message.signer)
    const key = `${message.observation.round}:${signer}`
    if (r.observations.has(key) || r.observations.size >= MAX_OBSERVATIONS_PER_REQUEST) return undefined
    const stored: StoredObservation = {
      signer,
      round: message.observation.round,
      answerValue: BigInt(message.observation.answer),
      confidenceBps: message.observation.confidenceBps,
      confidenceInterval: message.confidenceInterval ?? null,
      evidenceHash: message.observation.evidenceHash,
      modelHash: message.observation.modelHash,
      signature: message.signature,
      receivedAt,
    }
    r.observations.set(key, stored)
    addTimeline(r, { kind: 'observation', at: receivedAt, detail: `${signer} answered ${answerLabel(stored.answerValue, r.outcomes)}` })
    return stored
  }

  function applyReport(r: RequestState, report: OutlierMessage): void {
    for (const entry of report.outliers) {
      const signer = lower(entry.signer)
      ;(entry.late ? r.outliers.late : r.outliers.onTime).add(signer)
      r.outliers.entries.set(signer, { answer: entry.answer, evidenceHash: entry.evidenceHash })
    }
    // The latest report's non-responders replace the earlier list: a late answer takes a signer off it.
    r.outliers.nonResponders = new Set(report.nonResponders.map(lower))
  }

  function addTimeline(r: RequestState, event: TimelineEvent): void {
    if (r.timeline.length >= MAX_TIMELINE_EVENTS) return
    const duplicate = r.timeline.some((e) => e.kind === event.kind && e.at === event.at && e.txHash === event.txHash && e.detail === event.detail)
    if (duplicate) return
    r.timeline.push(event)
    r.timeline.sort((a, b) => a.at - b.at)
  }

  function forget(r: RequestState): void {
    requests.delete(r.requestId)
    disputes.delete(r.requestId)
  }

  function feedState(address: string): FeedState {
    const key = lower(address)
    let f = feeds.get(key)
    if (!f) {
      f = { feedId: '', address: key, description: '', decimals: 0, deviationBps: null, heartbeatSec: null, minAnswer: null, maxAnswer: null, rounds: [], observations: new Map() }
      feeds.set(key, f)
    }
    return f
  }

  /**
   * Each node of a round with its own signed value: the report's signers, and every node whose observation of the
   * round was read (an outlier the aggregator left out shows its value too). Without an observation, the round's answer.
   */
  function feedRoundView(f: FeedState, round: FeedState['rounds'][number]): FeedRound {
    const observed = f.observations.get(round.roundId) ?? new Map<string, bigint>()
    const signers = [...new Set([...round.signers, ...observed.keys()])].sort()
    const { signers: _signers, ...rest } = round
    return { ...rest, nodes: signers.map((signer) => ({ signer, operator: operatorOf(signer), answer: (observed.get(signer) ?? round.answer).toString() })) }
  }

  function feedSummary(f: FeedState): FeedSummary {
    const last = f.rounds.at(-1)
    const latestRound = last ? { roundId: last.roundId, answer: last.answer, updatedAt: last.updatedAt } : null
    // Stale: no round for longer than the heartbeat (Chainlink's definition); unknown heartbeat → never stale.
    const stale = f.heartbeatSec !== null && (latestRound === null || nowSec() - latestRound.updatedAt > f.heartbeatSec)
    const { rounds: _rounds, observations: _observations, ...rest } = f
    return { ...rest, latestRound, stale }
  }

  function operatorSummary(op: OperatorState, counts: Map<string, SignerCounts>): OperatorSummary {
    const signers = memberships.filter((m) => m.operator === op.operator).map((m) => m.signer)
    if (op.signer) signers.push(op.signer)
    const total = { answers: 0, agreed: 0, outliers: 0, noAnswers: 0, modelHashes: new Set<string>() }
    for (const s of new Set(signers)) {
      const c = counts.get(s)
      if (!c) continue
      total.answers += c.answers
      total.agreed += c.agreed
      total.outliers += c.outliers
      total.noAnswers += c.noAnswers
      for (const h of c.modelHashes) total.modelHashes.add(h)
    }
    return { operator: op.operator, signer: op.signer, stake: op.stake, status: op.status, slashes: op.slashes, ...total, modelHashes: [...total.modelHashes] }
  }

  function countBySigner(): Map<string, SignerCounts> {
    const counts = new Map<string, SignerCounts>()
    for (const r of order) {
      for (const row of nodeRows(r)) {
        const c = counts.get(row.signer) ?? { answers: 0, agreed: 0, outliers: 0, noAnswers: 0, modelHashes: [] }
        if (row.answerValue !== null) c.answers++
        if (row.status === 'agreed') c.agreed++
        else if (row.status === 'outlier' || row.status === 'late') c.outliers++
        else c.noAnswers++
        if (row.modelHash && !c.modelHashes.includes(row.modelHash)) c.modelHashes.push(row.modelHash)
        counts.set(row.signer, c)
      }
    }
    return counts
  }

  function emitOperator(op: OperatorState): void {
    if (listeners.size === 0) return
    emit({ type: 'operator', data: operatorSummary(op, countBySigner()) })
  }

  return {
    /** Creates or updates a request; fields left out keep their value. */
    upsertRequest(input: RequestInput): RequestSummary {
      const id = lower(input.requestId)
      let r = requests.get(id)
      if (!r) {
        r = {
          seq: nextSeq++,
          requestId: id,
          requester: '0x0000000000000000000000000000000000000000',
          feeWei: '0',
          spec: parseRequestSpec(''),
          outcomes: [],
          chainStatus: 'Open',
          answerValue: null,
          deferred: false,
          round: 0,
          epoch: null,
          requestedAt: 0,
          resolveAfter: 0,
          committedAt: null,
          finalizedAt: null,
          disputeEndsAt: null,
          contested: false,
          commitTx: null,
          finalizeTx: null,
          reportSigners: [],
          timeline: [],
          observations: new Map(),
          outliers: emptyFlags(),
        }
        requests.set(id, r)
        order.push(r)
        while (order.length > maxRequests) forget(order.shift()!)
      }
      if (input.requester !== undefined) r.requester = lower(input.requester)
      if (input.feeWei !== undefined) r.feeWei = input.feeWei.toString()
      if (input.specText !== undefined) r.spec = parseRequestSpec(input.specText)
      if (input.outcomes !== undefined) r.outcomes = [...input.outcomes]
      if (input.chainStatus !== undefined) r.chainStatus = input.chainStatus
      if (input.answerValue !== undefined) r.answerValue = input.answerValue
      if (input.deferred !== undefined) r.deferred = input.deferred
      if (input.round !== undefined) r.round = input.round
      if (input.epoch !== undefined) r.epoch = input.epoch
      if (input.requestedAt !== undefined) r.requestedAt = input.requestedAt
      if (input.resolveAfter !== undefined) r.resolveAfter = input.resolveAfter
      if (input.committedAt !== undefined) r.committedAt = input.committedAt
      if (input.finalizedAt !== undefined) r.finalizedAt = input.finalizedAt
      if (input.disputeEndsAt !== undefined) r.disputeEndsAt = input.disputeEndsAt
      if (input.contested !== undefined) r.contested = input.contested
      if (input.commitTx !== undefined) r.commitTx = input.commitTx
      if (input.finalizeTx !== undefined) r.finalizeTx = input.finalizeTx
      if (input.reportSigners !== undefined) r.reportSigners = input.reportSigners.map(lower)
      for (const message of takeEarlyObservations(id)) applyObservation(r, message, Math.floor(message.observedAtMs / 1000) + chainClockLeadSec)
      for (const report of earlyReports.get(id) ?? []) applyReport(r, report)
      earlyReportCount -= earlyReports.get(id)?.length ?? 0
      earlyReports.delete(id)
      const summary = summarize(r)
      emit({ type: 'request', data: summary })
      return summary
    },

    /** Observations waiting for requests not indexed yet (bounded per signer). */
    earlyObservationCount(): number {
      let n = 0
      for (const waiting of earlyObservations.values()) n += waiting.length
      return n
    },

    addTimelineEvent(requestId: string, event: TimelineEvent): void {
      const r = requests.get(lower(requestId))
      if (r) addTimeline(r, event)
    },

    /** A signed observation from the stream (already parsed by the protocol's schema). */
    addObservation(message: ObservationMessage, receivedAtSec: number = Math.floor(message.observedAtMs / 1000) + chainClockLeadSec): void {
      if (message.kind === 'feed') {
        const f = feedState(message.domain.verifyingContract)
        const latestRoundId = f.rounds.at(-1)?.roundId
        if (latestRoundId !== undefined && message.observation.round > latestRoundId + FEED_ROUNDS_AHEAD) return
        let byRound = f.observations.get(message.observation.round)
        if (!byRound) {
          if (f.observations.size >= maxRoundsPerFeed) f.observations.delete(Math.min(...f.observations.keys()))
          f.observations.set(message.observation.round, (byRound = new Map()))
        }
        if (byRound.size < MAX_OBSERVATIONS_PER_REQUEST) byRound.set(lower(message.signer), BigInt(message.observation.answer))
        return
      }
      const id = lower(message.observation.requestId)
      const r = requests.get(id)
      if (!r) {
        if ((earlyObservations.get(id)?.length ?? 0) < MAX_OBSERVATIONS_PER_REQUEST) holdEarlyObservation(id, message)
        return
      }
      const stored = applyObservation(r, message, receivedAtSec)
      if (stored) emit({ type: 'observation', data: { requestId: id, node: nodeRow(r, stored.signer, referenceAnswer(r)) } })
    },

    /** An aggregator's outlier report: who disagreed, late or on time, and who did not answer. */
    markOutlier(report: OutlierMessage): void {
      if (report.kind === 'feed') return
      const id = lower(report.requestId)
      const r = requests.get(id)
      if (!r) {
        const early = earlyReports.get(id) ?? []
        if (early.length < 16 && earlyReportCount < MAX_EARLY_REPORTS) {
          earlyReports.set(id, [...early, report])
          earlyReportCount++
        }
        return
      }
      applyReport(r, report)
      emit({ type: 'request', data: summarize(r) })
      const d = disputes.get(id)
      if (d) emit({ type: 'dispute', data: disputeView(d) })
    },

    upsertFeed(input: FeedInput): FeedSummary {
      const f = feedState(input.address)
      if (input.feedId !== undefined) f.feedId = lower(input.feedId)
      if (input.description !== undefined) f.description = input.description
      if (input.decimals !== undefined) f.decimals = input.decimals
      if (input.deviationBps !== undefined) f.deviationBps = input.deviationBps
      if (input.heartbeatSec !== undefined) f.heartbeatSec = input.heartbeatSec
      if (input.minAnswer !== undefined) f.minAnswer = input.minAnswer === null ? null : input.minAnswer.toString()
      if (input.maxAnswer !== undefined) f.maxAnswer = input.maxAnswer === null ? null : input.maxAnswer.toString()
      return feedSummary(f)
    },

    upsertFeedRound(address: string, input: FeedRoundInput): FeedRound {
      const f = feedState(address)
      const round = { roundId: input.roundId, answer: input.answer.toString(), updatedAt: input.updatedAt, txHash: input.txHash ?? null, signers: (input.signers ?? []).map(lower) }
      const at = f.rounds.findIndex((x) => x.roundId === input.roundId)
      if (at >= 0) f.rounds[at] = round
      else {
        f.rounds.push(round)
        f.rounds.sort((a, b) => a.roundId - b.roundId)
        while (f.rounds.length > maxRoundsPerFeed) f.rounds.shift()
      }
      // Observations taken before the chain's rounds were known, for rounds no node can be observing yet, go.
      const horizon = f.rounds.at(-1)!.roundId + FEED_ROUNDS_AHEAD
      for (const r of f.observations.keys()) if (r > horizon) f.observations.delete(r)
      const view = feedRoundView(f, round)
      emit({ type: 'feed-round', data: { address: f.address, round: view } })
      return view
    },

    upsertOperator(input: OperatorInput): void {
      const key = lower(input.operator)
      const op = operators.get(key) ?? { operator: key, signer: null, stake: '0', status: 'inactive' as OperatorStatus, slashes: 0 }
      if (input.signer !== undefined) op.signer = input.signer === null ? null : lower(input.signer)
      if (input.stakeWei !== undefined) op.stake = input.stakeWei.toString()
      if (input.status !== undefined && (op.status !== 'expelled' || input.status !== 'inactive')) op.status = input.status
      if (input.slashes !== undefined) op.slashes = input.slashes
      if (input.addSlashes !== undefined) op.slashes += input.addSlashes
      operators.set(key, op)
      emitOperator(op)
    },

    /** A Staking membership: `signer` (of `operator`) is a member for epochs fromEpoch ≤ e < untilEpoch. */
    addMembership(input: MembershipInput): void {
      const m = { ...input, operator: lower(input.operator), signer: lower(input.signer) }
      const same = memberships.findIndex((x) => x.operator === m.operator && x.signer === m.signer && x.fromEpoch === m.fromEpoch)
      if (same >= 0) memberships[same] = m
      else if (memberships.length < 100_000) memberships.push(m)
    },

    upsertDispute(input: DisputeInput): Dispute {
      const id = lower(input.requestId)
      const d = disputes.get(id) ?? { requestId: id, disputer: '', bond: '0', claimedAnswerValue: null, committedAnswerValue: null, deadline: 0, status: 'open' as DisputeStatus, votes: new Map() }
      if (input.disputer !== undefined) d.disputer = lower(input.disputer)
      if (input.bondWei !== undefined) d.bond = input.bondWei.toString()
      if (input.claimedAnswerValue !== undefined) d.claimedAnswerValue = input.claimedAnswerValue
      if (input.committedAnswerValue !== undefined) d.committedAnswerValue = input.committedAnswerValue
      if (input.deadline !== undefined) d.deadline = input.deadline
      if (input.status !== undefined) d.status = input.status
      if (input.vote !== undefined && d.votes.size < 256) d.votes.set(lower(input.vote.member), input.vote.answerValue)
      disputes.set(id, d)
      const view = disputeView(d)
      emit({ type: 'dispute', data: view })
      return view
    },

    /**
     * Times in the API are chain time; a node stamps its observation with its wall clock. The indexer reports how
     * far the chain runs ahead (the largest lead seen, never negative), so both kinds of time line up.
     */
    setChainClockLead(leadSec: number): void {
      if (Number.isFinite(leadSec) && leadSec > chainClockLeadSec) chainClockLeadSec = Math.floor(leadSec)
    },

    setHealth(update: Partial<ExplorerHealth>): void {
      Object.assign(health, update)
    },

    // ---- reads (the API) ----

    /** Newest first; `cursor` continues after the last request of the previous page. */
    listRequests({ status, limit, cursor }: ListRequestsParameters): { requests: RequestSummary[]; nextCursor: string | null } | { error: string } {
      let before = Number.POSITIVE_INFINITY
      if (cursor !== undefined) {
        const seq = decodeCursor(cursor)
        if (seq === undefined) return { error: 'cursor is not one this server returned' }
        before = seq
      }
      const page: RequestSummary[] = []
      let lastSeq: number | null = null
      let more = false
      for (let i = order.length - 1; i >= 0; i--) {
        const r = order[i]!
        if (r.seq >= before) continue
        const summary = summarize(r)
        if (status !== undefined && summary.status !== status) continue
        if (page.length === limit) {
          more = true
          break
        }
        page.push(summary)
        lastSeq = r.seq
      }
      return { requests: page, nextCursor: more && lastSeq !== null ? encodeCursor(lastSeq) : null }
    },

    getRequest(requestId: string): RequestDetail | undefined {
      const r = requests.get(lower(requestId))
      if (!r) return undefined
      const d = disputes.get(r.requestId)
      return {
        ...summarize(r),
        spec: r.spec.spec,
        sources: r.spec.sources,
        timeline: [...r.timeline],
        nodes: nodeRows(r),
        commitTx: r.commitTx,
        finalizeTx: r.finalizeTx,
        dispute: d ? disputeView(d) : null,
      }
    },

    listFeeds(): FeedSummary[] {
      return [...feeds.values()].map(feedSummary)
    },

    /** The latest `limit` rounds of a feed, oldest first; undefined for an unknown feed. */
    listFeedRounds(address: string, limit: number): FeedRound[] | undefined {
      const f = feeds.get(lower(address))
      return f ? f.rounds.slice(-limit).map((round) => feedRoundView(f, round)) : undefined
    },

    listOperators(): OperatorsView {
      const counts = countBySigner()
      const list = [...operators.values()].map((op) => operatorSummary(op, counts))
      const byModelHash: Record<string, number> = {}
      for (const r of order) for (const o of r.observations.values()) byModelHash[o.modelHash] = (byModelHash[o.modelHash] ?? 0) + 1
      return { operators: list, modelDiversity: { distinctModelHashes: Object.keys(byModelHash).length, byModelHash } }
    },

    listDisputes(): Dispute[] {
      return [...disputes.values()].map(disputeView).sort((a, b) => b.deadline - a.deadline)
    },

    health(): ExplorerHealth {
      return { ...health }
    },

    /** Calls `listener` with every change from now on; returns the function that stops it. */
    subscribe(listener: (event: ExplorerEvent) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    listenerCount(): number {
      return listeners.size
    },
  }
}
