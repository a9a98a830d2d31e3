/**
 * The explorer's JSON shapes: what GET /api/* returns and what /api/events streams (explorer/README.md). Ids and
 * addresses are 0x hex, big numbers decimal strings, times unix seconds.
 */

export const REQUEST_STATUSES = ['open', 'committed', 'disputed', 'final', 'too-early', 'unresolvable'] as const
export type ExplorerRequestStatus = (typeof REQUEST_STATUSES)[number]

export const TIMELINE_KINDS = ['requested', 'observation', 'quorum', 'committed', 'deferred', 'disputed', 'settled', 'final', 'expired'] as const
export type TimelineKind = (typeof TIMELINE_KINDS)[number]

export type TimelineEvent = {
  kind: TimelineKind
  at: number
  txHash?: string
  blockNumber?: number
  detail?: string
}

export type RequestSummary = {
  requestId: string
  question: string
  outcomes: string[]
  requester: string
  feeWei: string
  status: ExplorerRequestStatus
  /** The outcome's label; "too early" / "unresolvable" for the reserved answers; null before a commit. */
  answer: string | null
  answerIndex: number | null
  round: number
  requestedAt: number
  resolveAfter: number
  committedAt: number | null
  finalizedAt: number | null
  timeToCommitSec: number | null
  disputeEndsAt: number | null
  contested: boolean
  confidenceBps: number | null
  confidenceInterval: [number, number] | null
}

export type NodeAnswerStatus = 'agreed' | 'outlier' | 'no-answer' | 'late'

export type NodeAnswer = {
  signer: string
  operator: string | null
  answer: string | null
  answerValue: string | null
  confidenceBps: number | null
  confidenceInterval: [number, number] | null
  evidenceHash: string | null
  modelHash: string | null
  signature: string | null
  status: NodeAnswerStatus
  receivedAt: number | null
}

export type DisputeStatus = 'open' | 'overturned' | 'upheld'

export type Dispute = {
  requestId: string
  question: string
  disputer: string
  bond: string
  claimedAnswer: string | null
  committedAnswer: string | null
  votesFor: number
  votesAgainst: number
  deadline: number
  status: DisputeStatus
  outlierEvidence: { signer: string; answer: string | null; evidenceHash: string }[]
}

export type RequestDetail = RequestSummary & {
  spec: object | null
  sources: string[]
  timeline: TimelineEvent[]
  nodes: NodeAnswer[]
  commitTx: string | null
  finalizeTx: string | null
  dispute: Dispute | null
}

export type FeedRoundNode = { signer: string; operator: string | null; answer: string }

export type FeedRound = { roundId: number; answer: string; updatedAt: number; txHash: string | null; nodes: FeedRoundNode[] }

export type FeedSummary = {
  feedId: string
  address: string
  description: string
  decimals: number
  /** From the feed's spec (feeds/*.json) when the explorer knows it; null otherwise: the chain does not store it. */
  deviationBps: number | null
  heartbeatSec: number | null
  minAnswer: string | null
  maxAnswer: string | null
  latestRound: { roundId: number; answer: string; updatedAt: number } | null
  stale: boolean
}

export type OperatorStatus = 'active' | 'inactive' | 'expelled'

export type OperatorSummary = {
  operator: string
  signer: string | null
  stake: string
  status: OperatorStatus
  answers: number
  agreed: number
  outliers: number
  noAnswers: number
  slashes: number
  modelHashes: string[]
}

export type OperatorsView = {
  operators: OperatorSummary[]
  modelDiversity: { distinctModelHashes: number; byModelHash: Record<string, number> }
}

export type ExplorerEvent =
  | { type: 'request'; data: RequestSummary }
  | { type: 'observation'; data: { requestId: string; node: NodeAnswer } }
  | { type: 'dispute'; data: Dispute }
  | { type: 'feed-round'; data: { address: string; round: FeedRound } }
  | { type: 'operator'; data: OperatorSummary }
