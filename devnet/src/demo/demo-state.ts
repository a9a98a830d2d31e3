/**
 * The demo's state as it runs (one row per question and one for the feed, what the view draws) and the summary
 * it ends with (what `sibyl demo --once` prints as JSON).
 */
import type { DemoQuestionKey } from '../demo-questions.ts'
import type { CommittedConfidence } from './summarize-confidence.ts'
import type { QuestionBundles } from './check-bundles.ts'

export type QuestionPhase = 'opening' | 'open' | 'requested' | 'observing' | 'committed' | 'finalized' | 'paid' | 'failed'

export type QuestionRow = {
  key: DemoQuestionKey
  title: string
  outcomes: readonly string[]
  expectedIndex: number
  phase: QuestionPhase
  market?: string
  requestId?: string
  requestedAtMs?: number
  /** Signed observations seen on NATS: node name -> answer. */
  observations: Map<string, bigint>
  /**
   * From every outlier report the aggregator published for the request (a late observation that dissents is
   * reported in a later one): who any of them names as an outlier, who only late, and who the latest lists as
   * not having answered.
   */
  report?: { outliers: string[]; nonResponders: string[]; late?: string[]; count?: number }
  /** Nodes whose observation the demo had not seen when its bound ran out. */
  silent?: string[]
  /** Liars that no outlier report accounted for (named as outlier, or listed as silent) within the bound. */
  unaccounted?: string[]
  commit?: { answer: bigint; txHash: string; signers: string[]; afterMs: number }
  /** ReportCommitted events seen for the request (exactly 1 is the rule). */
  commitCount?: number
  finalized?: { answer: bigint; txHash: string; afterMs: number }
  payout?: { expectedWei: bigint; receivedWei: bigint }
  /** Every node's evidence bundle of the committed round: fetched, verified, replayed. */
  bundles?: QuestionBundles
  /** The committed answer's signers: median confidence, interval and articles read (summarize-confidence.ts). */
  confidence?: CommittedConfidence
  /** Read from the chain once final (ResolutionOracle.getScrutiny): contested, and the request's own window. */
  scrutiny?: { contested: boolean; disputeWindowSec: number }
  error?: string
}

export type FeedRound = { round: number; answer: bigint; expected: bigint; updatedAt: number }

export type FeedRow = {
  description: string
  decimals: number
  address: string
  feedId: string
  phase: 'waiting' | 'round' | 'moved' | 'done' | 'failed'
  rounds: FeedRound[]
  /** Node names reported as outliers in the feed's rounds (any report of any round). */
  outliers: Set<string>
  error?: string
}

export type DemoState = { startedAtMs: number; nodes: string[]; questions: QuestionRow[]; feed: FeedRow | undefined; liars: string[] }

export type DemoEvent = { atMs: number; subject: string; text: string }

export type QuestionSummary = {
  key: DemoQuestionKey
  requestId: string | undefined
  expected: string
  committed: string | undefined
  final: string | undefined
  ok: boolean
  commits: number
  commitTx: string | undefined
  commitMs: number | undefined
  finalizeTx: string | undefined
  finalMs: number | undefined
  outliers: string[]
  /** Among `outliers`, those named only in a late report. */
  lateOutliers: string[]
  /** Nodes whose observation did not arrive within the bound (a node that reaches a request only after its commit does not answer it). */
  silent: string[]
  /** Nodes the latest outlier report lists as not having answered. */
  nonResponders: string[]
  payoutWei: string | undefined
  expectedPayoutWei: string | undefined
  /**
   * The nodes' evidence bundles of the committed round: found, verified against the signed evidence hash,
   * replayed, replays that reproduce the signed answer and confidence, and the nodes whose replay does not.
   */
  evidence?: { bundles: number; verified: number; replayed: number; replayMatches: number; replayMismatches: string[] }
  /** Every bundle verified and replayed; the mismatches are exactly the liars that answered with an outcome. */
  evidenceOk?: boolean
  /** Median signed confidence of the committed answer's signers (0 when nothing was committed). */
  confidenceBps: number
  /** [low, high] bps: medians of the agreeing nodes' interval bounds; contains confidenceBps. */
  confidenceInterval: [number, number]
  /** Median of the pages (sources or discovered articles) the agreeing nodes read. */
  articlesRead: number
  /** The request was contested on-chain (dissent of several operators, or a low median confidence). */
  contested: boolean
  /** The request's dispute window on-chain, in seconds (longer when contested); absent before a commit. */
  disputeWindowSec?: number
  error?: string
}

export type DemoSummary = {
  ok: boolean
  questions: QuestionSummary[]
  feed: { description: string; ok: boolean; rounds: { round: number; answer: string; expected: string }[]; outliers: string[]; error?: string } | undefined
  liars: string[]
  /**
   * Every liar accounted for by the outlier reports of every question (named as an outlier where it answered,
   * listed as silent where it did not) and of the feed, and named as an outlier at least once.
   */
  liarReported: boolean
  /** Where a liar was not accounted for, and why ("nwc-above-100: node-4 (answered; no report named it)"). */
  unreported: string[]
  elapsedMs: number
}
