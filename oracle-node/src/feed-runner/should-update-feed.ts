/**
 * Chainlink's trigger for a new feed round: the value moved by at least the deviation threshold since the
 * last round, or the heartbeat has passed. Integer arithmetic only.
 */
export type FeedLatest = { roundId: number; answer: bigint; updatedAtSec: number } | undefined

export type ShouldUpdateResult = { update: true; reason: 'first_round' | 'deviation' | 'heartbeat'; deviationBps: bigint } | { update: false; deviationBps: bigint }

export function shouldUpdateFeed(latest: FeedLatest, value: bigint, nowSec: number, spec: { deviationBps: number; heartbeatSec: number }): ShouldUpdateResult {
  if (!latest) return { update: true, reason: 'first_round', deviationBps: 0n }
  const diff = value > latest.answer ? value - latest.answer : latest.answer - value
  const base = latest.answer < 0n ? -latest.answer : latest.answer
  // A zero last answer makes any change an infinite deviation.
  const deviationBps = base === 0n ? (diff === 0n ? 0n : 10_000n) : (diff * 10_000n) / base
  if (deviationBps >= BigInt(spec.deviationBps)) return { update: true, reason: 'deviation', deviationBps }
  if (nowSec - latest.updatedAtSec >= spec.heartbeatSec) return { update: true, reason: 'heartbeat', deviationBps }
  return { update: false, deviationBps }
}
