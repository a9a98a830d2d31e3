/**
 * The run's figures and its verdict, from the chain's commits and the run's own record of what it injected.
 * A request is committed once when the chain holds exactly one ReportCommitted for it; a commit is wrong when
 * its answer is not the question's true answer; a request with no commit when the run ends is lost.
 */
import type { SeenCommit } from './watch-commits.ts'
import type { OutsiderCounts } from './probe-outsiders.ts'

export type AskedRequest = { label: string; requestId: string; truth: bigint; submittedAtMs: number; hostile: boolean }

export type FaultCounts = {
  nodeKills: number
  aggregatorKills: number
  natsServerKills: number
  rpcOutages: number
  diskFull: number
  hostilePages: number
  outsiderFloods: number
}

export type RunSummary = {
  requests: number
  committedOnce: number
  wrongCommits: number
  duplicateCommits: number
  lostRequests: number
  p95CommitAfterFaultsMs: number | null
  faults: FaultCounts
  security: OutsiderCounts
  maxEventLoopBlockMs: number | null
  perRequest: {
    label: string
    requestId: string
    truth: string
    hostile: boolean
    /** Ms after the run started. */
    askedAtMs: number
    commits: { answer: string; round: number; blockNumber: number; txHash: string }[]
    commitAfterMs: number | null
  }[]
}

export function summarizeRun(input: {
  asked: readonly AskedRequest[]
  commits: Map<string, SeenCommit[]>
  faults: FaultCounts
  security: OutsiderCounts
  maxEventLoopBlockMs: number | null
  /** The run's start (per-request times are given from it). */
  originMs: number
}): RunSummary {
  let committedOnce = 0
  let wrongCommits = 0
  let duplicateCommits = 0
  let lostRequests = 0
  const latencies: number[] = []
  const perRequest = input.asked.map((r) => {
    const commits = input.commits.get(r.requestId.toLowerCase()) ?? []
    if (commits.length === 0) lostRequests++
    if (commits.length === 1) committedOnce++
    if (commits.length > 1) duplicateCommits += commits.length - 1
    wrongCommits += commits.filter((c) => c.answer !== r.truth).length
    const first = commits[0]
    const commitAfterMs = first ? Math.max(0, first.seenAtMs - r.submittedAtMs) : null
    if (commitAfterMs !== null) latencies.push(commitAfterMs)
    return {
      label: r.label,
      requestId: r.requestId,
      truth: r.truth.toString(),
      hostile: r.hostile,
      askedAtMs: r.submittedAtMs - input.originMs,
      commits: commits.map((c) => ({ answer: c.answer.toString(), round: c.round, blockNumber: c.blockNumber, txHash: c.txHash })),
      commitAfterMs,
    }
  })
  latencies.sort((a, b) => a - b)
  const p95 = latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)]!
  return {
    requests: input.asked.length,
    committedOnce,
    wrongCommits,
    duplicateCommits,
    lostRequests,
    p95CommitAfterFaultsMs: p95,
    faults: input.faults,
    security: input.security,
    maxEventLoopBlockMs: input.maxEventLoopBlockMs,
    perRequest,
  }
}

/** Why the run fails, one reason a broken invariant; empty when every invariant holds. */
/**
 * What the run broke. With `loopBound: 'advisory'` the event-loop bound (a timing figure, which on a shared
 * machine with more runnable processes than cores also measures the neighbours) is reported, not failed on:
 * correctness and security never are advisory.
 */
export function brokenInvariants(s: RunSummary, minimumRequests: number, { loopBound = 'enforced' }: { loopBound?: 'enforced' | 'advisory' } = {}): string[] {
  const out: string[] = []
  if (s.requests < minimumRequests) out.push(`requests=${s.requests} (want >= ${minimumRequests})`)
  if (s.wrongCommits !== 0) out.push(`wrongCommits=${s.wrongCommits}`)
  if (s.duplicateCommits !== 0) out.push(`duplicateCommits=${s.duplicateCommits}`)
  if (s.lostRequests !== 0) out.push(`lostRequests=${s.lostRequests}`)
  if (s.committedOnce !== s.requests) out.push(`committedOnce=${s.committedOnce} of ${s.requests}`)
  for (const [k, v] of Object.entries(s.faults)) if (v < 1) out.push(`faults.${k}=${v} (the fault was not injected)`)
  for (const [k, v] of Object.entries(s.security)) if (v !== 0) out.push(`security.${k}=${v}`)
  if (s.maxEventLoopBlockMs === null) out.push('maxEventLoopBlockMs unknown (no sibyl_event_loop_max_block_ms gauge on the services)')
  else if (s.maxEventLoopBlockMs > 100 && loopBound === 'enforced') out.push(`maxEventLoopBlockMs=${s.maxEventLoopBlockMs} (> 100)`)
  return out
}
