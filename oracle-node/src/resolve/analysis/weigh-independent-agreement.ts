/**
 * Combines the verdicts of independent groups of articles into one outcome and its probability: the
 * consensus of the credible sources.
 *
 * Each group (one story, however many sites ran it) gives a probability per outcome; the pool is the
 * weighted geometric mean: logit_i = Σ_g (w_g / Σ w) · log p_g,i, then a softmax. A contradicting group is
 * outweighed when more weight agrees against it, and the weights come from the credibility table (times the
 * group's relevance, see judge-articles.ts), never from how many articles a group holds: twenty copies are
 * one vote.
 *
 * Why a mean and not a sum of log-odds (the text judge sums them across the pages a spec names): reports of
 * the same event are rarely independent evidence — rewritten wire copy, shared press releases and one
 * another's reporting all agree for one reason — so ten agreeing groups are not ten times the evidence of
 * one. The pooled probability is what the typical credible, relevant group says; how much it depends on
 * which groups were read is the interval's job (bootstrap-interval.ts).
 *
 * Robust to what a hostile or broken input can hold: non-finite or negative weights count as 0, a verdict
 * with a non-finite probability or the wrong length is ignored, probabilities are clipped away from 0 and 1,
 * and each outcome's pooled log-odds lie within ±MAX_POOLED_LOG_ODDS of the best (as the text judge clamps
 * its log-odds), so the output is never NaN.
 */

export type GroupVerdictInput = {
  /** Probability per outcome (need not be normalised; it is). */
  probabilities: readonly number[]
  /** Credibility weight of the group (≥ 0; 0 = ignored). */
  weight: number
}

export type WeighIndependentAgreementParameters = {
  verdicts: readonly GroupVerdictInput[]
  outcomeCount: number
}

export type WeighIndependentAgreementReturnType = {
  /** The most probable outcome (the lowest index on a tie). */
  outcomeIndex: number
  /** Its pooled probability, 0..1. */
  probability: number
  /** Pooled probability per outcome, summing to 1. */
  probabilities: number[]
  /** Sum of the weights that took part. */
  totalWeight: number
}

export const MAX_POOLED_LOG_ODDS = 6
const MIN_PROBABILITY = 1e-6

export function weighIndependentAgreement(parameters: WeighIndependentAgreementParameters): WeighIndependentAgreementReturnType {
  const n = Math.max(1, Math.floor(parameters.outcomeCount))
  const usable = parameters.verdicts.filter(
    (v) => Number.isFinite(v.weight) && v.weight > 0 && v.probabilities.length === n && v.probabilities.every((p) => Number.isFinite(p) && p >= 0),
  )
  const totalWeight = usable.reduce((a, v) => a + v.weight, 0)
  const logits = new Array<number>(n).fill(0)
  for (const v of usable) {
    const sum = v.probabilities.reduce((a, b) => a + b, 0)
    for (let i = 0; i < n; i++) {
      const p = sum > 0 ? v.probabilities[i]! / sum : 1 / n
      logits[i]! += (v.weight / totalWeight) * Math.log(Math.min(1 - MIN_PROBABILITY, Math.max(MIN_PROBABILITY, p)))
    }
  }
  // Each outcome at most MAX_POOLED_LOG_ODDS below the best, as the judge's clamp of its log-odds.
  const top = Math.max(...logits)
  const exps = logits.map((l) => Math.exp(Math.max(-MAX_POOLED_LOG_ODDS, l - top)))
  const total = exps.reduce((a, b) => a + b, 0)
  const probabilities = exps.map((e) => e / total)
  let outcomeIndex = 0
  for (let i = 1; i < n; i++) if (probabilities[i]! > probabilities[outcomeIndex]!) outcomeIndex = i
  return { outcomeIndex, probability: probabilities[outcomeIndex]!, probabilities, totalWeight }
}
