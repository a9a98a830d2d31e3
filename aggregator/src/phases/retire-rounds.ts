/**
 * Rounds that ended without a commit (closed at their deadline as "no quorum") are not forgotten while
 * their request may still be settled: a late observation can still complete them (intake), and the chain
 * can settle the request without them (another aggregator, another round). This looks at each such round
 * again, rarely (10 s, doubling to an hour, a few rounds a sweep), and once every configured RPC shows, on
 * confirmed state, that the contract no longer takes the round, retires it: its record says committed
 * elsewhere, and nothing looks at it again. A round whose request is still open stays as it is.
 *
 * The schedule is in memory only: after a restart the full scan finds these rounds again and starts over,
 * which costs a few reads and loses nothing (the record in KV is the truth).
 */
import { MAX_REMEMBERED_ROUNDS, type AggregatorContext } from './context.ts'
import { confirmRoundCheck } from './confirm-round.ts'

const FIRST_CHECK_MS = 10_000
const MAX_CHECK_MS = 3_600_000
/** Chain reads per sweep for retiring rounds, so thousands of such rounds cannot crowd out the rest. */
const CHECKS_PER_SWEEP = 8

/** Schedules a round that ended without a commit for the settle check. */
export function watchUnsettled(ctx: Pick<AggregatorContext, 'memory' | 'nowMs'>, roundKey: string): void {
  const { unsettled } = ctx.memory
  if (unsettled.has(roundKey)) return
  if (unsettled.size >= MAX_REMEMBERED_ROUNDS) unsettled.clear()
  unsettled.set(roundKey, { dueAtMs: ctx.nowMs() + FIRST_CHECK_MS, waitMs: FIRST_CHECK_MS })
}

/** Runs the settle checks that are due (at most CHECKS_PER_SWEEP). */
export async function retireSettledRounds(ctx: AggregatorContext): Promise<void> {
  const { memory, nowMs } = ctx
  const due = [...memory.unsettled].filter(([, s]) => s.dueAtMs <= nowMs()).slice(0, CHECKS_PER_SWEEP)
  for (const [key, schedule] of due) {
    const entry = await ctx.store.get(key).catch(() => undefined)
    if (!entry || entry.record.state !== 'no-quorum') {
      // Gone (TTL), or moved on (a late quorum reopened it): not ours to retire.
      memory.unsettled.delete(key)
      continue
    }
    const confirmed = await confirmRoundCheck({ views: ctx.confirmViews, target: entry.record, confirmations: ctx.options.confirmations ?? 0 })
    if (confirmed.verdict !== 'closed') {
      const waitMs = Math.min(MAX_CHECK_MS, schedule.waitMs * 2)
      memory.unsettled.set(key, { dueAtMs: nowMs() + waitMs, waitMs })
      continue
    }
    memory.unsettled.delete(key)
    const { changed, record } = await ctx.store.mutate(key, (current) =>
      current && current.state === 'no-quorum'
        ? { ...current, state: 'committed', commit: { answer: '0', signers: [], by: ctx.options.id, atMs: nowMs(), byOther: true } }
        : undefined,
    )
    if (changed && record) {
      ctx.metrics.roundsClosed.inc({ outcome: 'committed-elsewhere' })
      ctx.logger.info({ roundKey: key, requestId: record.requestId, round: record.round, why: confirmed.failure.details }, 'round without a quorum retired: the chain settled its request')
    }
  }
}
