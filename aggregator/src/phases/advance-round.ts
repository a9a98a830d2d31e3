/**
 * What a round needs next, decided from its record alone (so intake, the commit and the sweep of any
 * aggregator reach the same verdict): a commit when its observations make a quorum and nobody holds the
 * claim; closing as "no quorum" at its deadline; the outlier report once it is finished and either every
 * active operator answered or the deadline passed.
 */
import { quorumFor } from '@sibyl/protocol/quorum'
import { isFinished, type RoundRecord } from '../rounds/round-record.ts'
import { runInBackground, type AggregatorContext } from './context.ts'
import { decideRound } from './decide-round.ts'
import { scheduleCommit } from './commit.ts'
import { publishReport } from './reports.ts'

export type RoundStep = 'commit' | 'close' | 'report' | 'wait'

/** The next step for a round at `nowMs` (pure). */
export function nextStep(ctx: Pick<AggregatorContext, 'registry' | 'feedsByAddress' | 'options'>, record: RoundRecord, nowMs: number): RoundStep {
  const claimFree = !record.claim || record.claim.untilMs <= nowMs
  const committable = record.state === 'open' || record.state === 'no-quorum' || record.state === 'committing' || record.state === 'failed'
  if (committable && claimFree && decideRound(ctx, record).reached) return 'commit'
  // A failed round whose quorum is gone (the round's rules changed) is closed at its deadline like an open one.
  if ((record.state === 'open' || record.state === 'failed') && nowMs >= record.deadlineAtMs) return 'close'
  if (!record.reported && isFinished(record.state)) {
    const everyone = ctx.registry.activeSigners().every((s) => record.observations.some((o) => o.signer === s))
    if (everyone || nowMs >= record.deadlineAtMs) return 'report'
  }
  return 'wait'
}

export function advanceRound(ctx: AggregatorContext, roundKey: string, record: RoundRecord): void {
  const step = nextStep(ctx, record, ctx.nowMs())
  if (step === 'commit') scheduleCommit(ctx, roundKey)
  else if (step === 'close') runInBackground(ctx, roundKey, 'closing a round', () => closeWithoutQuorum(ctx, roundKey))
  else if (step === 'report') runInBackground(ctx, roundKey, 'outlier report', () => publishReport(ctx, roundKey))
}

/** At its deadline, a round without a quorum is closed and reported, never forced. */
export async function closeWithoutQuorum(ctx: AggregatorContext, roundKey: string): Promise<void> {
  const { record, changed } = await ctx.store.mutate(roundKey, (current) =>
    current && (current.state === 'open' || current.state === 'failed') && ctx.nowMs() >= current.deadlineAtMs && !decideRound(ctx, current).reached
      ? { ...current, state: 'no-quorum' }
      : undefined,
  )
  if (!changed || !record) return
  ctx.metrics.roundsClosed.inc({ outcome: 'no-quorum' })
  const activeOperators = ctx.registry.activeCount()
  ctx.logger.warn(
    { roundKey, requestId: record.requestId, round: record.round, observations: record.observations.length, activeOperators, quorum: quorumFor(activeOperators) },
    'round closed at its deadline without a quorum; not committed',
  )
  await publishReport(ctx, roundKey)
}
