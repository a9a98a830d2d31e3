/**
 * One entry for judging a question from its fetched sources: dispatches on the spec's type, combines the
 * sources, and abstains below `minConfidenceBps` (or answers "too early" before the spec's event time).
 *
 * - text: the text judge (judge-text.ts) over every source's passages.
 * - sports.winner: the box-score / scoreboard reader (resolve-sports-winner.ts) on every source with HTML.
 * - numeric.threshold: the price extractor (extract-price.ts) on every source with HTML (or a bare number as
 *   text, for JSON sources), the stake-like weighted median of the values, then resolve-threshold.ts.
 * Structured sources vote with their weights; the confidence is the weight share of the sources that agree
 * with the answer among those that gave one. A source that lacks the game or the number does not vote.
 *
 * Every answer carries `confidenceInterval`, [lowBps, highBps] around confidenceBps
 * (analysis/bootstrap-interval.ts, seeded by what was read, so nodes reading the same evidence agree): for
 * text, the judge's probability over resamples of the sources and of their judged passages; for structured
 * types, the agreeing weight share over resamples of the sources. With one source (one passage), nothing can
 * be resampled and the interval is the point itself: it measures how much the answer hangs on which evidence
 * was read, not whether a lone source is right.
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import type { Embedder } from '../nlp/embedder.ts'
import type { Lexicon } from './extract-pair-features.ts'
import { judgeText, type JudgedPair, type UsedPassage } from './judge-text.ts'
import { formatFixedPoint, resolveThreshold } from './resolve-threshold.ts'
import { thresholdDecimals, voteSource, type SourceVote } from './vote-source.ts'
import type { JudgeModel } from './score-evidence.ts'
import { resolveByDiscovery, type DiscoveryInput } from './resolve-by-discovery.ts'
import { bootstrapInterval, type ConfidenceInterval } from './analysis/bootstrap-interval.ts'

/** What the source layer hands over per fetched source; adapt to it, keep it this small. */
export type SourceDocument = {
  /** Index into spec.sources. */
  sourceIndex: number
  /** Main text of the page (or the JSON value as text). */
  text: string
  /** The text split into passages (may be empty: the judge splits `text` then). */
  passages: readonly string[]
  /** The raw HTML, for structured extractors. */
  html?: string
  /** json sources: the parsed value (the whole document when the source names an adapter, else the value at its jsonPath). */
  json?: unknown
  /** The source's weight from the spec (1..100). */
  weight: number
  /**
   * Structured types: what this source says, already read (by a page worker, off the main thread); when
   * absent it is read here from html/json/text.
   */
  vote?: SourceVote
}

export type ResolveQuestionDependencies = {
  embedder: Pick<Embedder, 'embed'>
  judge: { model: JudgeModel; lexicon: Lexicon }
}

export type ResolveQuestionOptions = {
  minConfidenceBps: number
  nowSec: number
  /** Passages the text judge scores per source (its default when omitted); recorded in evidence for replay. */
  topKPerSource?: number
  /** Discovery questions (spec.discover): the articles found and the spec's own pages, judged as stories (resolve-by-discovery.ts). */
  discovery?: DiscoveryInput
}

export type ResolveQuestionReturnType = {
  answer: ResolutionAnswer
  confidenceBps: number
  /** [lowBps, highBps] around confidenceBps (contains it); see the top of this file. */
  confidenceInterval: ConfidenceInterval
  /** Pages (sources, or discovered articles) read to answer. */
  articlesRead: number
  reason: string
  /** Passages the text judge weighed (empty for structured types). */
  usedPassages: UsedPassage[]
  /** text: every (hypothesis, passage) pair the judge scored, as the evidence bundle records it. */
  judgedPairs?: JudgedPair[]
  /** text: the judge's probability per outcome in basis points (also when it abstains). */
  outcomeProbabilitiesBps?: number[]
  /** numeric.threshold: the value compared, as a decimal string. */
  value?: string
  /** Which sources gave which answer (structured types), with the value each read (numeric types). */
  votes: { sourceIndex: number; answer: ResolutionAnswer; detail: string; value?: string }[]
}

export async function resolveQuestion(
  deps: ResolveQuestionDependencies,
  spec: QuestionSpec,
  documents: readonly SourceDocument[],
  options: ResolveQuestionOptions,
): Promise<ResolveQuestionReturnType> {
  const { minConfidenceBps, nowSec } = options
  const beforeEvent = spec.eventTime !== undefined && nowSec < spec.eventTime
  const abstain: ResolutionAnswer = beforeEvent ? { kind: 'tooEarly' } : { kind: 'unresolvable' }

  if (spec.type === 'text' && spec.discover !== undefined && options.discovery !== undefined) {
    return resolveByDiscovery(deps, spec, options.discovery, { minConfidenceBps, nowSec, ...(options.topKPerSource === undefined ? {} : { topKPerSource: options.topKPerSource }) })
  }
  if (spec.type === 'text') {
    const judged = await judgeText({
      embedder: deps.embedder,
      judge: deps.judge,
      question: spec.question,
      outcomes: spec.outcomes,
      documents,
      minConfidenceBps,
      beforeEventTime: beforeEvent,
      ...(options.topKPerSource === undefined ? {} : { topKPerSource: options.topKPerSource }),
    })
    return {
      answer: judged.answer,
      confidenceBps: judged.confidenceBps,
      confidenceInterval: judged.confidenceInterval,
      articlesRead: documents.length,
      reason: judged.reason,
      usedPassages: judged.usedPassages,
      outcomeProbabilitiesBps: judged.outcomeProbabilitiesBps,
      judgedPairs: judged.judgedPairs,
      votes: [],
    }
  }

  if (spec.type === 'sports.winner') {
    const votes = documents.map((d) => {
      const vote = d.vote?.kind === 'sports' ? d.vote : voteSource(spec, d, { nowSec })
      const { answer, detail } = vote.kind === 'sports' ? vote : { answer: { kind: 'unresolvable' } as ResolutionAnswer, detail: 'not a sports vote' }
      return { sourceIndex: d.sourceIndex, weight: d.weight, answer, detail }
    })
    return tally(votes, minConfidenceBps, abstain, spec.question)
  }

  // numeric.threshold
  const decimals = thresholdDecimals(spec.threshold)
  const values: { sourceIndex: number; weight: number; value: bigint; detail: string }[] = []
  const votes: ResolveQuestionReturnType['votes'] = []
  for (const d of documents) {
    // A vote read at other decimals (it cannot be, from the same spec) is read again rather than rescaled.
    const vote = d.vote?.kind === 'numeric' && d.vote.decimals === decimals ? d.vote : voteSource(spec, d, { nowSec })
    const { value, decimal, detail } = vote.kind === 'numeric' ? vote : { value: undefined, decimal: undefined, detail: 'not a numeric vote' }
    if (value !== undefined) {
      values.push({ sourceIndex: d.sourceIndex, weight: d.weight, value, detail })
      const own = resolveThreshold({ value, decimals, threshold: spec.threshold, comparison: spec.comparison })
      votes.push({ sourceIndex: d.sourceIndex, answer: own.answer, detail, ...(decimal === undefined ? {} : { value: decimal }) })
    } else votes.push({ sourceIndex: d.sourceIndex, answer: abstain, detail })
  }
  if (values.length === 0) {
    return { answer: abstain, confidenceBps: 0, confidenceInterval: [0, 0], articlesRead: documents.length, reason: 'no source gave a value', usedPassages: [], votes }
  }
  const median = weightedMedian(values)
  const result = resolveThreshold({ value: median, decimals, threshold: spec.threshold, comparison: spec.comparison })
  const total = values.reduce((a, v) => a + v.weight, 0)
  const agreeing = values
    .filter((v) => resolveThreshold({ value: v.value, decimals, threshold: spec.threshold, comparison: spec.comparison }).answer.index === result.answer.index)
    .reduce((a, v) => a + v.weight, 0)
  const confidenceBps = Math.round((10_000 * agreeing) / total)
  // The agreeing weight share over resamples of the sources that gave a value.
  const agrees = values.map((v) => ({ weight: v.weight, agrees: resolveThreshold({ value: v.value, decimals, threshold: spec.threshold, comparison: spec.comparison }).answer.index === result.answer.index }))
  const confidenceInterval = weightShareInterval(agrees, confidenceBps, `threshold:${spec.question}\u0000${values.map((v) => `${v.sourceIndex}=${v.value}`).join(',')}`)
  const reason = `weighted median of ${values.length} source(s): ${result.reason}; ${confidenceBps} bps of source weight agree`
  const value = formatFixedPoint(median, decimals)
  const read = { confidenceInterval, articlesRead: documents.length }
  if (confidenceBps < minConfidenceBps) return { answer: abstain, confidenceBps, ...read, reason: `abstained: ${reason}`, usedPassages: [], value, votes }
  return { answer: result.answer, confidenceBps, ...read, reason, usedPassages: [], value, votes }
}

function tally(
  votes: { sourceIndex: number; weight: number; answer: ResolutionAnswer; detail: string }[],
  minConfidenceBps: number,
  abstain: ResolutionAnswer,
  question: string,
): ResolveQuestionReturnType {
  const articlesRead = votes.length
  const outVotes = votes.map(({ sourceIndex, answer, detail }) => ({ sourceIndex, answer, detail }))
  const deciding = votes.filter((v) => v.answer.kind === 'outcome')
  if (deciding.length === 0) {
    // Every source silent: too early if any says the game is not final yet (or it is before the event).
    const early = abstain.kind === 'tooEarly' || votes.some((v) => v.answer.kind === 'tooEarly')
    return {
      answer: early ? { kind: 'tooEarly' } : { kind: 'unresolvable' },
      confidenceBps: 0,
      confidenceInterval: [0, 0],
      articlesRead,
      reason: votes.map((v) => `source ${v.sourceIndex}: ${v.detail}`).join('; ') || 'no sources',
      usedPassages: [],
      votes: outVotes,
    }
  }
  const byOutcome = new Map<number, number>()
  for (const v of deciding) if (v.answer.kind === 'outcome') byOutcome.set(v.answer.index, (byOutcome.get(v.answer.index) ?? 0) + v.weight)
  const total = deciding.reduce((a, v) => a + v.weight, 0)
  const [index, weight] = [...byOutcome.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!
  const confidenceBps = Math.round((10_000 * weight) / total)
  const agrees = deciding.map((v) => ({ weight: v.weight, agrees: v.answer.kind === 'outcome' && v.answer.index === index }))
  const confidenceInterval = weightShareInterval(agrees, confidenceBps, `sports:${question}\u0000${deciding.map((v) => `${v.sourceIndex}=${v.answer.kind === 'outcome' ? v.answer.index : v.answer.kind}`).join(',')}`)
  const detail = deciding.find((v) => v.answer.kind === 'outcome' && v.answer.index === index)!.detail
  const reason = `${detail}; ${deciding.length} source(s) decided, ${confidenceBps} bps of their weight agree`
  const read = { confidenceInterval, articlesRead }
  if (confidenceBps < minConfidenceBps) return { answer: { kind: 'unresolvable' }, confidenceBps, ...read, reason: `abstained: ${reason}`, usedPassages: [], votes: outVotes }
  return { answer: { kind: 'outcome', index }, confidenceBps, ...read, reason, usedPassages: [], votes: outVotes }
}

/**
 * The agreeing weight share over bootstrap resamples of the deciding sources (one unit each). A lone source,
 * or sources that all agree, give the point itself.
 */
function weightShareInterval(sources: readonly { weight: number; agrees: boolean }[], confidenceBps: number, seed: string): ConfidenceInterval {
  return bootstrapInterval({
    units: sources.map((s) => [s]),
    statistic: (sample) => {
      const drawn = sample.flat()
      const total = drawn.reduce((a, s) => a + s.weight, 0)
      return total > 0 ? drawn.filter((s) => s.agrees).reduce((a, s) => a + s.weight, 0) / total : Number.NaN
    },
    pointBps: confidenceBps,
    seed,
  })
}

/** The smallest value at which the cumulative weight reaches half the total. */
function weightedMedian(values: { value: bigint; weight: number }[]): bigint {
  const sorted = [...values].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
  const total = sorted.reduce((a, v) => a + v.weight, 0)
  let cumulative = 0
  for (const v of sorted) {
    cumulative += v.weight
    if (2 * cumulative >= total) return v.value
  }
  return sorted[sorted.length - 1]!.value
}
