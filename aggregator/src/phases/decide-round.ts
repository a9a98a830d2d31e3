/**
 * Consensus for one round, from its record: the rule the contract will enforce, applied to the observations
 * that arrived on time from signers that count. Which signers count, and n of the quorum rule, come from the
 * round's rules read from the chain before a commit (the epoch's operator set; for feeds, fresh values only:
 * chain-reads.ts readRoundRules), and until then from the registry's estimate. Resolution rounds need one
 * answer signed by a quorum (decideOutcome); feed rounds take the upper median of the values that survive the
 * bounds and the MAD rule (decideFeedValue). Every agreeing observation that counts goes into the report,
 * not only a quorum of them: the contract records (and pays, and can slash) exactly the signers it is given.
 * Observations that arrived after the commit never change a decision; they are judged against it
 * (`judgeLateObservations`) for the outlier report.
 */
import { getAddress } from 'ethers'
import { BaseError } from '@sibyl/protocol/errors'
import { quorumFor } from '@sibyl/protocol/quorum'
import { decideOutcome } from '../consensus/decide-outcome.ts'
import { decideFeedValue } from '../consensus/decide-feed-value.ts'
import { absBigint } from '../consensus/median.ts'
import { isDeviation } from '../consensus/reject-outliers.ts'
import { roundKey, type RoundRecord, type StoredObservation } from '../rounds/round-record.ts'
import type { AggregatorContext, AggregatorMemory, FeedInfo } from './context.ts'

export type RoundOutlier = { obs: StoredObservation; reason: string }

export type RoundDecision =
  | {
      reached: true
      answer: bigint
      signers: StoredObservation[]
      outliers: RoundOutlier[]
      /** Feed rounds: the median and MAD the outliers were judged by. */
      spread?: { median: bigint; mad: bigint }
    }
  | { reached: false; outliers: RoundOutlier[] }

export class UnknownFeedError extends BaseError {
  override name = 'UnknownFeedError' as const
}

export type DecideRoundContext = Pick<AggregatorContext, 'registry' | 'feedsByAddress' | 'options'> & {
  memory?: Pick<AggregatorMemory, 'roundRules'>
}

function feedOf(ctx: DecideRoundContext, record: RoundRecord): FeedInfo {
  const feed = ctx.feedsByAddress.get(getAddress(record.contract))
  // Intake admits feed observations only for configured feeds, so a record of another is a bug.
  if (!feed) throw new UnknownFeedError(`Round ${record.requestId}/${record.round} names a feed that is not configured.`, { details: record.contract })
  return feed
}

const outOfBounds = (value: bigint, feed: FeedInfo) => `value ${value} outside [${feed.minAnswer}, ${feed.maxAnswer}]`

/** Whether a signer counts in the round, and n: from the chain's rules when read, else the registry's estimate. */
function countingRule(ctx: DecideRoundContext, record: RoundRecord): { counts: (signer: string) => boolean; operatorCount: number } {
  const rules = ctx.memory?.roundRules.get(roundKey(record))
  if (!rules) return { counts: (s) => ctx.registry.isActive(s), operatorCount: ctx.registry.activeCount() }
  return {
    counts: (s) => (rules.signers.has(getAddress(s)) ? rules.counted.has(getAddress(s)) : ctx.registry.isActive(s)),
    operatorCount: rules.operatorCount,
  }
}

export function decideRound(ctx: DecideRoundContext, record: RoundRecord): RoundDecision {
  const { counts, operatorCount } = countingRule(ctx, record)
  const votes = record.observations
    .filter((o) => !o.late && counts(o.signer))
    .map((obs) => ({ signer: obs.signer, answer: BigInt(obs.answer), obs }))
  const quorum = quorumFor(operatorCount)
  if (record.kind === 'resolution') {
    const d = decideOutcome(votes, quorum)
    if (!d.reached) return { reached: false, outliers: [] }
    return {
      reached: true,
      answer: d.answer,
      signers: d.agreeing.map((v) => v.obs),
      outliers: d.dissenting.map((v) => ({ obs: v.obs, reason: `answered ${v.answer}, quorum answered ${d.answer}` })),
    }
  }
  const feed = feedOf(ctx, record)
  const d = decideFeedValue(votes, {
    quorum,
    minAnswer: feed.minAnswer,
    maxAnswer: feed.maxAnswer,
    madMultiplierMilli: BigInt(ctx.options.madMultiplierMilli),
    minDeviationBps: BigInt(ctx.options.minDeviationBps),
  })
  const outliers = d.outliers.map((o) => ({
    obs: o.item.obs,
    reason: o.reason === 'out-of-bounds' ? outOfBounds(o.item.answer, feed) : `value ${o.item.answer} is ${o.distance} from the median`,
  }))
  if (!d.reached) return { reached: false, outliers }
  return { reached: true, answer: d.answer, signers: d.inliers.map((v) => v.obs), outliers, spread: { median: d.median, mad: d.mad } }
}

/** A late observation that disagrees with what was committed. */
export type LateOutlier = { obs: StoredObservation; reason: string }

/**
 * Judges the observations that arrived after the commit against the committed answer: for a resolution, any
 * other answer; for a feed, a value out of bounds or as far from the committed median as the MAD rule
 * rejects on time (isDeviation, with the round's own MAD). Agreeing ones are not outliers; they still count
 * as responses. Without a committed answer (none known) nothing late can be judged.
 */
export function judgeLateObservations(
  ctx: DecideRoundContext,
  record: RoundRecord,
  committed: { answer: bigint; spread?: { mad: bigint } } | undefined,
): LateOutlier[] {
  const late = record.observations.filter((o) => o.late)
  if (!committed || late.length === 0) return []
  const out: LateOutlier[] = []
  if (record.kind === 'resolution') {
    for (const o of late) {
      if (BigInt(o.answer) !== committed.answer) out.push({ obs: o, reason: `answered ${o.answer} after the commit of ${committed.answer}` })
    }
    return out
  }
  const feed = feedOf(ctx, record)
  const parameters = { madMultiplierMilli: BigInt(ctx.options.madMultiplierMilli), minDeviationBps: BigInt(ctx.options.minDeviationBps) }
  for (const o of late) {
    const value = BigInt(o.answer)
    if (value < feed.minAnswer || value > feed.maxAnswer) {
      out.push({ obs: o, reason: `${outOfBounds(value, feed)}, after the commit` })
      continue
    }
    // Without the round's MAD (committed elsewhere, too few on-time values here) only the floor applies.
    const distance = absBigint(value - committed.answer)
    if (isDeviation(distance, { median: committed.answer, mad: committed.spread?.mad ?? 0n }, parameters)) {
      out.push({ obs: o, reason: `value ${value} is ${distance} from the committed median ${committed.answer}, after the commit` })
    }
  }
  return out
}
