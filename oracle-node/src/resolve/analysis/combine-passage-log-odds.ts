/**
 * One source's (or one group of articles') evidence for each hypothesis, from its scored passages, as the text
 * judge combines it: the relevance²-weighted mean of the pairs' polarity log-odds, scaled by the best
 * relevance among them (a source that barely touches the question says little). Shared by judge-text.ts
 * (per source, and again on every bootstrap resample) and judge-articles.ts (per group).
 */

export type ScoredPassagePair = {
  /** Which hypothesis the pair tested (yes/no: 0; a choice: the outcome index). */
  hypothesisIndex: number
  /** 1 − P(neither): support + refute. */
  relevance: number
  /** The pair's polarity log-odds (after the winner cue). */
  logOdds: number
}

export type CombinePassageLogOddsReturnType = {
  /** Per hypothesis: strength × mean, 0 where no pair tested it. */
  logOdds: number[]
  /** Per hypothesis: the relevance²-weighted mean and the best relevance (0 where no pair tested it). */
  means: number[]
  strengths: number[]
  /** The best relevance among the pairs (0 without pairs). */
  strength: number
}

export function combinePassageLogOdds(pairs: readonly ScoredPassagePair[], hypothesisCount: number): CombinePassageLogOddsReturnType {
  const logOdds = new Array<number>(hypothesisCount).fill(0)
  const means = new Array<number>(hypothesisCount).fill(0)
  const strengths = new Array<number>(hypothesisCount).fill(0)
  let strength = 0
  for (let hi = 0; hi < hypothesisCount; hi++) {
    const mine = pairs.filter((p) => p.hypothesisIndex === hi && Number.isFinite(p.relevance) && Number.isFinite(p.logOdds))
    if (mine.length === 0) continue
    const rel2 = mine.map((p) => p.relevance ** 2)
    const total = rel2.reduce((a, b) => a + b, 0)
    const best = Math.max(...mine.map((p) => p.relevance))
    strength = Math.max(strength, best)
    strengths[hi] = best
    if (total === 0) continue
    means[hi] = mine.reduce((a, p, k) => a + rel2[k]! * p.logOdds, 0) / total
    logOdds[hi] = best * means[hi]!
  }
  return { logOdds, means, strengths, strength }
}
