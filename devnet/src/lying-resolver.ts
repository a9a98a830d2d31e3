/**
 * FOR THE DEMO ONLY: wrappers that make one node lie, so the demo can show that f faulty nodes out of
 * n = 3f + 1 change nothing on-chain (their answers miss the quorum, their feed values are outliers).
 * Nothing in the node uses these; a real node never wraps its resolver.
 *
 * The liar judges like an honest node and then reports something else with the same shape: the same
 * confidence, evidence hash and model hash (it claims to have read what the others read), so only the
 * answer gives it away. Its evidence bundle is the honest one its judge produced (the wrapper changes the
 * answer after judging, not the bundle): the bundle records the judge's answer, so the node's signed answer
 * does not survive its own replay (`sibyl replay`, oracle-node/src/evidence/) — the proof a disputer brings.
 * - Questions: an outcome answer becomes the next outcome (index + 1, wrapping around), always a valid index
 *   that differs from the honest one. Reserved answers (unresolvable, too early) and "retry" / "skip" pass
 *   through unchanged: the liar lies exactly where the honest nodes commit to an outcome.
 * - Feeds: the value is multiplied by `factor` (default 10).
 * - `delayMs` (default 0) holds the answer back: a liar slower than the aggregator's round deadline dissents
 *   after the round was reported, the case the demo and the tests must still see reported (as a late outlier).
 *
 * Use: `startOracleNode({ ..., createResolver: async (context) => createLyingResolver(await createPipelineResolver(context)) })`.
 */
import type { FeedSpec } from '@sibyl/protocol/question-spec'
import type { FeedValue } from '@sibyl/oracle-node/feed-runner/feed-runner'
import type { Resolver } from '@sibyl/oracle-node/node/resolver'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'

export type LyingOptions = {
  /** How long the liar holds each answer back (default 0). */
  delayMs?: number
}

/** The outcome a liar claims instead of `index` among `outcomeCount` outcomes. */
export function wrongOutcome(index: number, outcomeCount: number): number {
  if (!Number.isInteger(outcomeCount) || outcomeCount < 2) throw new RangeError(`need at least 2 outcomes, got ${outcomeCount}`)
  if (!Number.isInteger(index) || index < 0 || index >= outcomeCount) throw new RangeError(`outcome ${index} is not one of ${outcomeCount}`)
  return (index + 1) % outcomeCount
}

/** DEMO ONLY: a resolver that reports a wrong outcome wherever `resolver` reports an outcome. */
export function createLyingResolver(resolver: Resolver, options: LyingOptions = {}): Resolver {
  return async (request, spec, context) => {
    const outcome = await resolver(request, spec, context)
    if (options.delayMs) await sleepUnlessAborted(options.delayMs)
    const outcomeCount = request.outcomes.length
    if (outcome.kind !== 'observed' || outcome.answer < 0n || outcome.answer >= BigInt(outcomeCount) || outcomeCount < 2) return outcome
    const lie = wrongOutcome(Number(outcome.answer), outcomeCount)
    return { ...outcome, answer: BigInt(lie), reason: `demo liar: reports outcome ${lie} instead of ${outcome.answer} (${outcome.reason})` }
  }
}

export type FeedValueReader = (spec: FeedSpec) => Promise<FeedValue>

/** DEMO ONLY: a feed value reader that reports `factor` times the value `read` finds. */
export function createLyingFeedValueReader(read: FeedValueReader, factor = 10n, options: LyingOptions = {}): FeedValueReader {
  if (factor === 1n || factor <= 0n) throw new RangeError(`a lying factor must be positive and not 1, got ${factor}`)
  return async (spec) => {
    const value = await read(spec)
    if (options.delayMs) await sleepUnlessAborted(options.delayMs)
    return value.ok ? { ...value, value: value.value * factor } : value
  }
}
