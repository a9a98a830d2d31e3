/** Accuracy, macro-F1 and the majority-class baseline of a labelled prediction set (scripts and tests). */

export type MeasureClassificationReturnType = {
  n: number
  accuracy: number
  macroF1: number
  /** Share of the most frequent gold label: what always answering it would score. */
  majorityAccuracy: number
  majorityLabel: string
}

export function measureClassification(gold: readonly string[], predicted: readonly string[]): MeasureClassificationReturnType {
  if (gold.length !== predicted.length) throw new RangeError('gold and predicted differ in length')
  const labels = [...new Set(gold)].sort()
  const n = gold.length
  let correct = 0
  for (let i = 0; i < n; i++) if (gold[i] === predicted[i]) correct++
  const f1s = labels.map((l) => {
    let tp = 0
    let fp = 0
    let fn = 0
    for (let i = 0; i < n; i++) {
      if (predicted[i] === l && gold[i] === l) tp++
      else if (predicted[i] === l) fp++
      else if (gold[i] === l) fn++
    }
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
  })
  const counts = labels.map((l) => gold.filter((g) => g === l).length)
  const best = counts.indexOf(Math.max(...counts))
  return {
    n,
    accuracy: n === 0 ? 0 : correct / n,
    macroF1: f1s.length === 0 ? 0 : f1s.reduce((a, b) => a + b, 0) / f1s.length,
    majorityAccuracy: n === 0 ? 0 : counts[best]! / n,
    majorityLabel: labels[best] ?? '',
  }
}
