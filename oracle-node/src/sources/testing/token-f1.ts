/**
 * Bag-of-tokens F1 between an extraction and its annotation, as the article-extraction benchmarks score
 * extractors: lowercase letter/digit runs, multiset overlap, F1 per page (then averaged by the caller).
 */
export type TokenF1 = { precision: number; recall: number; f1: number }

function tokenCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1)
  return counts
}

export function tokenF1(predicted: string, expected: string): TokenF1 {
  const p = tokenCounts(predicted)
  const e = tokenCounts(expected)
  let overlap = 0
  let pTotal = 0
  let eTotal = 0
  for (const n of p.values()) pTotal += n
  for (const [tok, n] of e) {
    eTotal += n
    overlap += Math.min(n, p.get(tok) ?? 0)
  }
  if (pTotal === 0 && eTotal === 0) return { precision: 1, recall: 1, f1: 1 }
  if (pTotal === 0 || eTotal === 0 || overlap === 0) return { precision: 0, recall: 0, f1: 0 }
  const precision = overlap / pTotal
  const recall = overlap / eTotal
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) }
}
