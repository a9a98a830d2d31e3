/**
 * The confidence the network gave a committed answer, as the demo's summary reports it: over the observations
 * of the committed round signed by the commit's signers (the nodes that agreed), the median signed confidence,
 * the medians of their interval bounds, and the median of the articles they read. One order statistic (the lower
 * median) for all three, so that the interval contains the confidence whenever each node's interval contains its
 * own: the k-th smallest low ≤ the k-th smallest confidence ≤ the k-th smallest high.
 */
import type { ObservationMessage } from '@sibyl/protocol/messages'

export type CommittedConfidence = {
  confidenceBps: number
  confidenceInterval: [number, number]
  articlesRead: number
  /** How many signers' observations it was computed from. */
  observations: number
}

function lowerMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0
}

export function summarizeConfidence(observations: readonly ObservationMessage[], commit: { round: number; signers: readonly string[] }): CommittedConfidence | undefined {
  const signers = new Set(commit.signers.map((s) => s.toLowerCase()))
  const seen = new Set<string>()
  const agreeing = observations.filter((m) => {
    const signer = m.signer.toLowerCase()
    if (m.observation.round !== commit.round || !signers.has(signer) || seen.has(signer)) return false
    seen.add(signer)
    return true
  })
  if (agreeing.length === 0) return undefined
  // An observation without an interval (a node that gives none) stands for the point itself.
  const intervals = agreeing.map((m): [number, number] => m.confidenceInterval ?? [m.observation.confidenceBps, m.observation.confidenceBps])
  return {
    confidenceBps: lowerMedian(agreeing.map((m) => m.observation.confidenceBps)),
    confidenceInterval: [lowerMedian(intervals.map((i) => i[0])), lowerMedian(intervals.map((i) => i[1]))],
    articlesRead: lowerMedian(agreeing.map((m) => m.articlesRead ?? 0)),
    observations: agreeing.length,
  }
}
