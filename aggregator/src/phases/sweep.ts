/**
 * The sweep, run every sweepIntervalMs: it catches the registry up with Staking's events, and looks again at
 * every round this aggregator knows that is not finished and reported, so that deadlines pass, expired
 * claims are taken over and reports go out without a new message to trigger them. Every few sweeps it also
 * lists every round in the store, which finds rounds another aggregator started and left (it crashed).
 */
import { isFinished } from '../rounds/round-record.ts'
import { rememberRound, type AggregatorContext } from './context.ts'

const DEFAULT_FULL_SCAN_EVERY = 10

export async function sweep(ctx: AggregatorContext): Promise<void> {
  const { memory, store, metrics, logger } = ctx
  memory.sweeps++
  await ctx.registry.sync().catch((error: unknown) => {
    metrics.chainErrors.inc({ operation: 'registry-sync' })
    logger.warn({ err: (error as Error).message }, 'registry sync failed')
  })
  if (memory.sweeps === 1 || memory.sweeps % (ctx.options.fullScanEvery ?? DEFAULT_FULL_SCAN_EVERY) === 0) {
    for (const key of await store.keys()) if (!memory.finished.has(key)) memory.known.add(key)
  }
  let open = 0
  for (const key of [...memory.known]) {
    const entry = await store.get(key)
    if (!entry) {
      memory.known.delete(key)
      continue
    }
    if (isFinished(entry.record.state) && entry.record.reported) {
      memory.known.delete(key)
      // Remembered so the periodic full scan does not read it again (bounded; the bucket's TTL ends it).
      rememberRound(memory.finished, key)
      continue
    }
    if (!isFinished(entry.record.state)) open++
    ctx.advance(key, entry.record)
  }
  metrics.roundsOpen.set(open)
}
