/**
 * The text judge's last step, shared by everything that turns combined evidence log-odds into outcome
 * probabilities (judge-text.ts for its point estimate and its interval, the group verdicts of judge-articles):
 * yes/no, P(YES) = σ(clamp(scale · L)); a choice, softmax over clamp(scale · L_i). The scale is the one fitted
 * with the judge (judge-model.json `combination`), so the probabilities stay calibrated.
 */

export type HypothesisShape = { kind: 'yes-no'; yesIndex: number } | { kind: 'choice' }

export const MAX_LOG_ODDS = 6

/** Probability per outcome from the evidence log-odds per hypothesis (yes/no: one hypothesis). */
export function outcomeProbabilities(shape: HypothesisShape, evidenceLogOdds: readonly number[], outcomeCount: number, scale: number): number[] {
  const safe = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : 0)
  if (shape.kind === 'yes-no') {
    const pYes = 1 / (1 + Math.exp(-clamp(scale * safe(evidenceLogOdds[0]))))
    return Array.from({ length: outcomeCount }, (_, i) => (i === shape.yesIndex ? pYes : 1 - pYes))
  }
  const l = Array.from({ length: outcomeCount }, (_, i) => clamp(scale * safe(evidenceLogOdds[i])))
  const max = Math.max(...l)
  const exps = l.map((v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

function clamp(v: number): number {
  return Number.isFinite(v) ? Math.max(-MAX_LOG_ODDS, Math.min(MAX_LOG_ODDS, v)) : 0
}
