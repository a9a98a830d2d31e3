/**
 * The figures of the evaluation: accuracy, macro-F1, the majority-class baseline, abstention and accuracy
 * on answered rows, expected calibration error, and bag-of-tokens F1 statistics. Pure functions.
 */

/** What the node said about one labelled row, mapped onto the dataset's classes. */
export type JudgedRow = {
  id: string
  gold: string
  /** The node's best outcome, with no threshold (what it believes most). */
  forced: string
  /** What it answers at its operating threshold: a class, or ABSTAIN. */
  answered: string
  /** The node's confidence in `forced`, 0..1 (its confidenceBps / 10 000). */
  confidence: number | undefined
}

/** The answer of a node that declined to resolve (unresolvable / too early). */
export const ABSTAIN = 'unresolvable'

export type ClassificationFigures = {
  n: number
  accuracy: number
  macroF1: number
}

/**
 * Accuracy and macro-F1. F1 is averaged over the classes that occur in `gold` (the dataset's classes); a
 * prediction outside them (an abstention where the dataset has no such class) is simply wrong.
 */
export function classify(gold: readonly string[], predicted: readonly string[]): ClassificationFigures {
  if (gold.length !== predicted.length) throw new RangeError('gold and predicted differ in length')
  const n = gold.length
  if (n === 0) return { n, accuracy: Number.NaN, macroF1: Number.NaN }
  let correct = 0
  for (let i = 0; i < n; i++) if (gold[i] === predicted[i]) correct++
  const labels = [...new Set(gold)].sort()
  const f1s = labels.map((label) => {
    let tp = 0
    let fp = 0
    let fn = 0
    for (let i = 0; i < n; i++) {
      if (predicted[i] === label && gold[i] === label) tp++
      else if (predicted[i] === label) fp++
      else if (gold[i] === label) fn++
    }
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
  })
  return { n, accuracy: correct / n, macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length }
}

export type MajorityBaseline = { label: string; accuracy: number; macroF1: number }

/** Always answering the most frequent gold class (ties: the alphabetically first). */
export function majorityBaseline(gold: readonly string[]): MajorityBaseline | undefined {
  if (gold.length === 0) return undefined
  const counts = new Map<string, number>()
  for (const g of gold) counts.set(g, (counts.get(g) ?? 0) + 1)
  const [label] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!
  const figures = classify(gold, gold.map(() => label))
  return { label, accuracy: figures.accuracy, macroF1: figures.macroF1 }
}

/**
 * Expected calibration error: rows binned by confidence into `bins` equal-width bins over [0, 1]; the mean
 * |accuracy − mean confidence| of the bins, weighted by their share of rows. 0 is perfectly calibrated.
 */
export function expectedCalibrationError(confidences: readonly number[], correct: readonly boolean[], bins = 10): number {
  if (confidences.length !== correct.length) throw new RangeError('confidences and correct differ in length')
  const n = confidences.length
  if (n === 0) return Number.NaN
  const sumConfidence = new Array<number>(bins).fill(0)
  const sumCorrect = new Array<number>(bins).fill(0)
  const count = new Array<number>(bins).fill(0)
  for (let i = 0; i < n; i++) {
    const c = Math.min(1, Math.max(0, confidences[i]!))
    const b = Math.min(bins - 1, Math.floor(c * bins))
    sumConfidence[b]! += c
    sumCorrect[b]! += correct[i] ? 1 : 0
    count[b]!++
  }
  let ece = 0
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue
    ece += (count[b]! / n) * Math.abs(sumCorrect[b]! / count[b]! - sumConfidence[b]! / count[b]!)
  }
  return ece
}

export type JudgedFigures = ClassificationFigures & {
  /** Share of rows the node declined to answer at its operating threshold. */
  abstainRate: number
  /** Accuracy on the rows it answered (NaN when it answered none). */
  answeredAccuracy: number
  answered: number
  /** Calibration of the confidence in the best outcome (NaN without confidences). */
  ece: number
  majority: MajorityBaseline | undefined
  /** Which predictions accuracy and macro-F1 are computed on (see `summarizeJudged`). */
  scoredOn: 'forced' | 'answered'
}

/**
 * The figures of a classification dataset.
 *
 * Where the dataset has a class that means "the evidence does not settle it" (`abstainClass`: NLI neutral,
 * CLIMATE-FEVER not-enough-info), the node says it by abstaining, so accuracy and macro-F1 are computed on
 * what it answers at its threshold. Where every row has a true answer (FEVER, FM2, a game's winner), they
 * are computed on its best outcome with no threshold (an abstention could only be wrong), and the
 * threshold shows up in the abstain rate and the accuracy on answered rows.
 */
export function summarizeJudged(rows: readonly JudgedRow[], options: { abstainClass?: string } = {}): JudgedFigures {
  const gold = rows.map((r) => r.gold)
  const scoredOn = options.abstainClass === undefined ? 'forced' : 'answered'
  const predicted = rows.map((r) => (scoredOn === 'forced' ? r.forced : r.answered === ABSTAIN ? options.abstainClass! : r.answered))
  const figures = classify(gold, predicted)
  const answeredRows = rows.filter((r) => r.answered !== ABSTAIN)
  const answeredCorrect = answeredRows.filter((r) => r.answered === r.gold).length
  const withConfidence = rows.filter((r) => r.confidence !== undefined)
  return {
    ...figures,
    abstainRate: rows.length === 0 ? Number.NaN : 1 - answeredRows.length / rows.length,
    answeredAccuracy: answeredRows.length === 0 ? Number.NaN : answeredCorrect / answeredRows.length,
    answered: answeredRows.length,
    ece: expectedCalibrationError(
      withConfidence.map((r) => r.confidence!),
      withConfidence.map((r) => r.forced === r.gold),
    ),
    majority: majorityBaseline(gold),
    scoredOn,
  }
}

/** Accuracy on answered rows and abstain rate at each threshold (a risk–coverage table). */
export function coverageAt(rows: readonly JudgedRow[], thresholds: readonly number[]): { threshold: number; abstainRate: number; answeredAccuracy: number; answered: number }[] {
  return thresholds.map((threshold) => {
    const answered = rows.filter((r) => r.confidence !== undefined && r.confidence >= threshold)
    const correct = answered.filter((r) => r.forced === r.gold).length
    return {
      threshold,
      abstainRate: rows.length === 0 ? Number.NaN : 1 - answered.length / rows.length,
      answeredAccuracy: answered.length === 0 ? Number.NaN : correct / answered.length,
      answered: answered.length,
    }
  })
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}
