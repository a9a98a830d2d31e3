/**
 * The quorum rule, mirrored from ObservationVerifier.quorumFor: with n members of the operator set that
 * judges a report (Staking's epoch of its round: ResolutionOracle.reportEpochOf, FeedAggregator.reportEpochAt)
 * at most f = floor((n - 1) / 3) are faulty, and a report needs n - f signatures of members (2f + 1 when
 * n = 3f + 1).
 * Any two quorums overlap in n - 2f >= f + 1 operators, at least one honest, so two answers cannot both
 * reach a quorum; the n - f honest operators are a quorum alone, so f silent ones cannot block.
 */
export function maxFaulty(activeOperators: number): number {
  if (!Number.isInteger(activeOperators) || activeOperators < 0) throw new RangeError(`bad operator count ${activeOperators}`)
  return activeOperators === 0 ? 0 : Math.floor((activeOperators - 1) / 3)
}

export function quorumFor(activeOperators: number): number {
  return activeOperators - maxFaulty(activeOperators)
}
