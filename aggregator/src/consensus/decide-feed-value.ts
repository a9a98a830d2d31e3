/**
 * The value of a feed round: values outside the feed's bounds go first, then MAD outliers; what is left is
 * committed if it is a quorum. The contract takes the upper median of what it is sent, so the value we
 * report is computed the same way on the same set.
 */
import { upperMedian } from './median.ts'
import { rejectOutliers, type RejectOutliersParameters } from './reject-outliers.ts'

export type FeedVote = { signer: string; answer: bigint }

export type DecideFeedValueParameters = RejectOutliersParameters & {
  quorum: number
  minAnswer: bigint
  maxAnswer: bigint
}

export type FeedOutlier<T> = { item: T; reason: 'out-of-bounds' | 'deviation'; distance?: bigint }

export type DecideFeedValueReturnType<T extends FeedVote> =
  | { reached: true; answer: bigint; inliers: T[]; outliers: FeedOutlier<T>[]; median: bigint; mad: bigint }
  | { reached: false; inliers: T[]; outliers: FeedOutlier<T>[]; needed: number }

export function decideFeedValue<T extends FeedVote>(votes: readonly T[], parameters: DecideFeedValueParameters): DecideFeedValueReturnType<T> {
  const outliers: FeedOutlier<T>[] = []
  const inBounds: T[] = []
  for (const vote of votes) {
    if (vote.answer < parameters.minAnswer || vote.answer > parameters.maxAnswer) outliers.push({ item: vote, reason: 'out-of-bounds' })
    else inBounds.push(vote)
  }
  const { inliers, outliers: deviating, median, mad } = rejectOutliers(inBounds, (v) => v.answer, parameters)
  for (const o of deviating) outliers.push({ item: o.item, reason: 'deviation', distance: o.distance })
  if (parameters.quorum <= 0 || inliers.length < parameters.quorum) return { reached: false, inliers, outliers, needed: parameters.quorum }
  return { reached: true, answer: upperMedian(inliers.map((v) => v.answer)), inliers, outliers, median, mad }
}
