/**
 * The sweep, run every sweepIntervalMs: it catches the registry up with Staking's events, and looks again at
 * every round this aggregator knows that is not finished and reported, so that deadlines pass, expired
 * claims are taken over and reports go out without a new message to trigger them. Every few sweeps it also
 * lists every round in the store, which finds rounds another aggregator started and left (it crashed).
 * Rounds closed without a quorum are handed to retire-rounds.ts, which retires them once the chain settles
 * their request.
 */
import { isFinished } from '../rounds/round-record.ts'
import { rememberRound, type AggregatorContext } from './context.ts'
import { retireSettledRounds, watchUnsettled } from './retire-rounds.ts'
import { reportNetworkHealth } from './report-network-health.ts'

const DEFAULT_FULL_SCAN_EVERY = 10

export async function sweep(ctx: AggregatorContext): Promise<void> {
  const { memory, store, metrics, logger } = ctx
  memory.sweeps++
  await ctx.registry.sync().catch((error: unknown) => {
    metrics.chainErrors.inc({ operation: 'registry-sync' })
    logger.warn({ err: (error as Error).message }, 'registry sync failed')
  })
  reportNetworkHealth(ctx)
  if (memory.sweeps === 1 || memory.sweeps % (ctx.options.fullScanEvery ?? DEFAULT_FULL_SCAN_EVERY) === 0) {
    const keys = await store.keys().catch((error: unknown) => {
      metrics.chainErrors.inc({ operation: 'round-store' })
      logger.warn({ err: (error as Error).message }, 'round keys not listed; the next full scan tries again')
      return []
    })
    for (const key of keys) if (!memory.finished.has(key)) memory.known.add(key)
  }
  let open = 0
  for (const key of [...memory.known]) {
    // One key that cannot be read (KV trouble; an unreadable record is quarantined by the store) must not
    // stop the sweep of every other round.
    let entry
    try {
      entry = await store.get(key)
    } catch (error) {
      metrics.chainErrors.inc({ operation: 'round-store' })
      logger.warn({ roundKey: key, err: (error as Error).message }, 'round record not read; the next sweep tries again')
      continue
    }
    if (!entry) {
      memory.known.delete(key)
      continue
    }
    if (isFinished(entry.record.state) && entry.record.reported) {
      memory.known.delete(key)
      // Remembered so the periodic full scan does not read it again (bounded; the bucket's TTL ends it).
      rememberRound(memory.finished, key)
      // Ended without a commit: asked about now and then, until the chain settles its request.
      if (entry.record.state === 'no-quorum') watchUnsettled(ctx, key)
      continue
    }
    if (!isFinished(entry.record.state)) open++
    try {
      ctx.advance(key, entry.record)
    } catch (error) {
      // A record that parses but cannot be judged (it names a feed no longer configured): skip it, go on.
      logger.error({ roundKey: key, err: (error as Error).message }, 'round not advanced')
    }
  }
  metrics.roundsOpen.set(open)
  await retireSettledRounds(ctx).catch((error: unknown) => {
    metrics.chainErrors.inc({ operation: 'read-round' })
    logger.warn({ err: (error as Error).message }, 'settle check of rounds without a quorum failed')
  })
}
