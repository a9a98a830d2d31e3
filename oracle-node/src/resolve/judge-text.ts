/**
 * The judge for `text` questions.
 *
 * 1. Hypotheses. A yes/no question (outcomes YES/NO) becomes one statement ("Did the Chiefs win Super Bowl
 *    LVIII?" -> "the Chiefs win Super Bowl LVIII"): YES is its support, NO its refutation. Any other question
 *    gets one statement per outcome: the wh-phrase replaced by the outcome ("Who won X?" -> "<outcome> won X"),
 *    else "<question>: <outcome>".
 * 2. Rank. Every source's passages are ranked by cosine similarity (USE-lite) to the question (rankPassages,
 *    over one embedding call for all sources); the top `topKPerSource` of each source are judged.
 * 3. Score. Each (hypothesis, passage) pair gets support / refute / neither from the cross-attention pair judge
 *    when judge-model.json names one (nlp/create-pair-judge.ts, all pairs in batches), else from the logistic
 *    judge (score-evidence.ts over extract-pair-features.ts). For "who won"-type questions, a hand-written cue reads
 *    "<outcome> beat/won" vs "<outcome> lost / beat <outcome>" in the passage (it has no training data here and
 *    is covered by unit tests only).
 * 4. Combine. Per source, the log-odds of each pair's polarity are averaged with weights relevance²; the
 *    source's strength is its best relevance. Across sources the log-odds add, each scaled by source weight
 *    (relative to the heaviest source) × strength, so agreeing sources reinforce and disagreeing ones cancel.
 *    Yes/no: P(YES) = σ(s·L). Choice: softmax over the outcomes' s·L, where the scale s is fitted with the judge
 *    on the training rows' end-to-end log-odds (judge-model.json `combination`), so that the confidence is
 *    calibrated. Confidence = the chosen outcome's probability.
 * 5. Abstain. Below `minConfidenceBps`, or when no passage of any source is relevant, the answer is
 *    "unresolvable" (or "too early" before the event time): the judge says so rather than guess.
 * 6. Interval. The chosen outcome's probability is recomputed by step 4 on bootstrap resamples of the sources
 *    and of each source's judged passages (analysis/bootstrap-interval.ts, seeded by the question and the
 *    passages judged): `confidenceInterval`, which holds `confidenceBps`. It says how much the answer hangs
 *    on which passages were read, not how often such an answer is wrong (EVALUATION.md measures both).
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import { loopSlicer, type Slicer } from '@sibyl/service-kit/time/slice-work'
import type { Embedder } from '../nlp/embedder.ts'
import { rankPassages } from '../nlp/rank-passages.ts'
import type { Lexicon } from './extract-pair-features.ts'
import { featurizePairs } from './featurize-pairs.ts'
import { scoreEvidence, type EvidenceScore, type JudgeModel } from './score-evidence.ts'
import type { PairJudge } from '../nlp/create-pair-judge.ts'
import { detectDenial } from '../nlp/detect-denial.ts'
import { detectNumberConflict } from '../nlp/detect-number-conflict.ts'
import { detectNameConflict } from '../nlp/detect-name-conflict.ts'
import { detectAntonym } from '../nlp/detect-antonym.ts'
import { bootstrapIntervalSliced, type ConfidenceInterval } from './analysis/bootstrap-interval.ts'
import { combinePassageLogOdds, type ScoredPassagePair } from './analysis/combine-passage-log-odds.ts'
import { outcomeProbabilities, type HypothesisShape } from './analysis/outcome-probabilities.ts'
import { AUXILIARY, questionToStatement } from './question-statement.ts'

/** The judge's view of one fetched source. */
export type JudgeDocument = {
  sourceIndex: number
  /** Passages of the page's main text; when empty, `text` is split into passages here. */
  passages: readonly string[]
  text?: string
  /** Relative trust in the source (the spec's 1..100). */
  weight: number
}

export type JudgeTextParameters = {
  embedder: Pick<Embedder, 'embed'>
  /** With a pair judge, it scores the pairs; else the logistic judge over extracted features. */
  judge: { model: JudgeModel; lexicon: Lexicon; pairJudge?: Pick<PairJudge, 'judgePairs'> }
  question: string
  outcomes: readonly string[]
  documents: readonly JudgeDocument[]
  minConfidenceBps: number
  /** Passages judged per source (default DEFAULT_TOP_K_PER_SOURCE). */
  topKPerSource?: number
  /** True before the event time: an abstention is then "too early" rather than "unresolvable". */
  beforeEventTime?: boolean
  /** Bootstrap resamples for the confidence interval (default DEFAULT_RESAMPLES; 0: the point itself). */
  intervalResamples?: number
}

export type UsedPassage = {
  sourceIndex: number
  passageIndex: number
  text: string
  /** The outcome whose hypothesis was judged (yes/no: the YES outcome). */
  outcomeIndex: number
  /** Cosine similarity to the question. */
  similarity: number
  support: number
  refute: number
  neither: number
}

/** One scored (hypothesis, passage) pair, exactly as the combination used it: what an evidence bundle records. */
export type JudgedPair = {
  sourceIndex: number
  passageIndex: number
  text: string
  /** Cosine similarity to the question (unrounded). */
  similarity: number
  outcomeIndex: number
  support: number
  refute: number
  neither: number
  /** The polarity log-odds combined (after the winner cue). */
  logOdds: number
}

export type JudgeTextReturnType = {
  answer: ResolutionAnswer
  /** The chosen outcome's probability in basis points (also when abstaining: the best outcome's). */
  confidenceBps: number
  reason: string
  /** Probability per outcome, in basis points. */
  outcomeProbabilitiesBps: number[]
  /** The combined evidence log-odds per hypothesis, before the model's scale (for fitting that scale). */
  evidenceLogOdds: number[]
  usedPassages: UsedPassage[]
  /** Every pair scored, hypothesis by hypothesis, passages in selection order (source order, best first). */
  judgedPairs: JudgedPair[]
  /**
   * An interval for confidenceBps: the chosen outcome's probability recomputed on resamples of the sources and
   * of the judged passages within each (analysis/bootstrap-interval.ts), seeded by the question and the
   * passages judged, so every node judging the same passages reports the same interval. It contains
   * confidenceBps; one source with one passage gives the point itself.
   */
  confidenceInterval: ConfidenceInterval
}

export const DEFAULT_TOP_K_PER_SOURCE = 4

const MAX_PASSAGES_PER_SOURCE = 400
const MAX_PASSAGE_CHARS = 1000
/** Below this best relevance in every source, the sources say nothing about the question. */
export const MIN_RELEVANCE = 0.35

/** Judges a text question from ranked passages of its sources. */
export async function judgeText(parameters: JudgeTextParameters): Promise<JudgeTextReturnType> {
  const { embedder, judge, question, outcomes, documents, minConfidenceBps } = parameters
  const topK = parameters.topKPerSource ?? DEFAULT_TOP_K_PER_SOURCE
  const hypotheses = buildHypotheses(question, outcomes)
  const abstain = parameters.beforeEventTime ? ({ kind: 'tooEarly' } as const) : ({ kind: 'unresolvable' } as const)
  // The models run in worker threads; what runs here (features, fusion, the bootstrap) runs in slices.
  const slicer = loopSlicer

  // Rank each source's passages against the question (and the outcomes, so passages naming them rise).
  const sources = documents.map((d) => ({
    doc: d,
    passages: (d.passages.length > 0 ? [...d.passages] : splitPassages(d.text ?? ''))
      .map((p) => p.replace(/\s+/g, ' ').trim().slice(0, MAX_PASSAGE_CHARS))
      .filter((p) => p.length > 0)
      .slice(0, MAX_PASSAGES_PER_SOURCE),
  }))
  const query = `${question} ${outcomes.filter((o) => !/^(yes|no)$/i.test(o)).join(' ')}`.trim()
  const allPassages = sources.flatMap((s) => s.passages)
  const [queryVector, ...passageVectors] = await embedder.embed([query, ...allPassages])
  let offset = 0
  const selected: { sourceIndex: number; weight: number; passageIndex: number; text: string; similarity: number }[] = []
  for (const s of sources) {
    const ranked = rankPassages(queryVector!, passageVectors.slice(offset, offset + s.passages.length), topK)
    offset += s.passages.length
    for (const r of ranked) selected.push({ sourceIndex: s.doc.sourceIndex, weight: s.doc.weight, text: s.passages[r.index]!, passageIndex: r.index, similarity: r.score })
  }
  if (selected.length === 0) {
    return { answer: abstain, confidenceBps: 0, reason: 'no passages to judge', outcomeProbabilitiesBps: outcomes.map(() => 0), evidenceLogOdds: hypotheses.statements.map(() => 0), usedPassages: [], judgedPairs: [], confidenceInterval: [0, 0] }
  }

  // Score every (hypothesis, passage) pair.
  const pairs = hypotheses.statements.flatMap((h, hi) => selected.map((p) => ({ claim: h.statement, evidence: p.text, hi, p })))
  const scores = await scorePairs(embedder, judge, pairs, slicer)
  const winCue = /\b(win|wins|won|winner|beat|beats|defeat|defeated|champion|champions|victory|victorious)\b/i.test(question)
  const scored: (typeof pairs[number] & { score: EvidenceScore; logOdds: number; outcomeIndex: number })[] = []
  for (const [i, pair] of pairs.entries()) {
    const s = scores[i]!
    const outcomeIndex = hypotheses.statements[pair.hi]!.outcomeIndex
    let logOdds = logit(s.polarity)
    if (winCue && hypotheses.kind === 'choice') logOdds += 2 * winnerCue(pair.p.text, outcomes[outcomeIndex]!, outcomes)
    scored.push({ ...pair, score: s, logOdds, outcomeIndex })
    await slicer.pause()
  }

  // Per source and hypothesis: relevance²-weighted mean log-odds, scaled by the source's best relevance
  // (combine-passage-log-odds.ts); across sources the log-odds add, scaled by weight / heaviest weight.
  const maxWeight = Math.max(...documents.map((d) => d.weight), 1)
  const shape: HypothesisShape = hypotheses.kind === 'yes-no' ? { kind: 'yes-no', yesIndex: hypotheses.yesIndex } : { kind: 'choice' }
  const scale = (judge.pairJudge ? judge.model.pairJudge?.combination?.scale : judge.model.combination?.scale) ?? 1
  // One unit per source, one item per judged passage (its pairs, one per hypothesis): what the bootstrap draws.
  type PassageItem = { weight: number; pairs: ScoredPassagePair[] }
  const units: PassageItem[][] = documents.map((d) => {
    const byPassage = new Map<number, ScoredPassagePair[]>()
    for (const s of scored) {
      if (s.p.sourceIndex !== d.sourceIndex) continue
      const list = byPassage.get(s.p.passageIndex) ?? []
      list.push({ hypothesisIndex: s.hi, relevance: s.score.relevance, logOdds: s.logOdds })
      byPassage.set(s.p.passageIndex, list)
    }
    return [...byPassage.values()].map((pairs) => ({ weight: d.weight, pairs }))
  })
  const combine = (sample: readonly (readonly PassageItem[])[]) => {
    const total = hypotheses.statements.map(() => 0)
    let strongest = 0
    for (const unit of sample) {
      if (unit.length === 0) continue
      const { means, strengths, strength } = combinePassageLogOdds(unit.flatMap((i) => i.pairs), total.length)
      strongest = Math.max(strongest, strength)
      // In this order, (weight share × strength) × mean, so the figures are those the judge always gave.
      for (let hi = 0; hi < total.length; hi++) total[hi]! += (unit[0]!.weight / maxWeight) * strengths[hi]! * means[hi]!
    }
    return { evidenceLogOdds: total, bestRelevance: strongest }
  }
  const { evidenceLogOdds, bestRelevance } = combine(units)
  const probabilities = outcomeProbabilities(shape, evidenceLogOdds, outcomes.length, scale)
  const best = probabilities.indexOf(Math.max(...probabilities))
  const confidenceBps = Math.round(probabilities[best]! * 10_000)
  const confidenceInterval = await bootstrapIntervalSliced({
    units,
    statistic: (sample) => outcomeProbabilities(shape, combine(sample).evidenceLogOdds, outcomes.length, scale)[best]!,
    pointBps: confidenceBps,
    seed: `judge-text:${question}\u0000${outcomes.join('\u0001')}\u0000${selected.map((p) => `${p.sourceIndex}:${p.passageIndex}`).join(',')}`,
    ...(parameters.intervalResamples === undefined ? {} : { resamples: parameters.intervalResamples }),
  }, slicer)
  const usedPassages: UsedPassage[] = scored
    .filter((s) => s.score.relevance >= MIN_RELEVANCE || hypotheses.statements.length === 1)
    .sort((a, b) => b.score.relevance - a.score.relevance)
    .slice(0, 3 * topK)
    .map((s) => ({
      sourceIndex: s.p.sourceIndex,
      passageIndex: s.p.passageIndex,
      text: s.p.text,
      outcomeIndex: s.outcomeIndex,
      similarity: round4(s.p.similarity),
      support: round4(s.score.support),
      refute: round4(s.score.refute),
      neither: round4(s.score.neither),
    }))
  const judgedPairs: JudgedPair[] = scored.map((s) => ({
    sourceIndex: s.p.sourceIndex,
    passageIndex: s.p.passageIndex,
    text: s.p.text,
    similarity: s.p.similarity,
    outcomeIndex: s.outcomeIndex,
    support: s.score.support,
    refute: s.score.refute,
    neither: s.score.neither,
    logOdds: s.logOdds,
  }))
  const outcomeProbabilitiesBps = probabilities.map((p) => Math.round(p * 10_000))
  const summary = `P(${outcomes[best]}) = ${confidenceBps} bps from ${documents.length} source(s), best relevance ${bestRelevance.toFixed(2)}`
  if (bestRelevance < MIN_RELEVANCE) {
    return { answer: abstain, confidenceBps, reason: `no relevant passage (best relevance ${bestRelevance.toFixed(2)} < ${MIN_RELEVANCE})`, outcomeProbabilitiesBps, evidenceLogOdds, usedPassages, judgedPairs, confidenceInterval }
  }
  if (confidenceBps < minConfidenceBps) {
    return { answer: abstain, confidenceBps, reason: `abstained: ${summary} < ${minConfidenceBps} bps`, outcomeProbabilitiesBps, evidenceLogOdds, usedPassages, judgedPairs, confidenceInterval }
  }
  return { answer: { kind: 'outcome', index: best }, confidenceBps, reason: summary, outcomeProbabilitiesBps, evidenceLogOdds, usedPassages, judgedPairs, confidenceInterval }
}

/**
 * support / refute / neither for each (hypothesis, passage) pair. The pair judge's three probabilities map
 * directly: relevance = 1 − P(neutral), polarity = P(entailment | not neutral).
 */
async function scorePairs(
  embedder: Pick<Embedder, 'embed'>,
  judge: JudgeTextParameters['judge'],
  pairs: readonly { claim: string; evidence: string }[],
  slicer: Slicer,
): Promise<EvidenceScore[]> {
  if (judge.pairJudge) {
    const judged = await judge.pairJudge.judgePairs(pairs.map((p) => ({ premise: p.evidence, hypothesis: p.claim })))
    const fusion = judge.model.pairJudge?.fusion
    const logistic = fusion ? (await featurizePairs({ embedder, lexicon: judge.lexicon, pairs, slicer })).map((f) => scoreEvidence(judge.model, f)) : undefined
    const out: EvidenceScore[] = []
    for (const [i, raw] of judged.entries()) {
      // A plain denial in the passage (detect-denial.ts), or another year or amount about the same thing
      // (detect-number-conflict.ts), is read as a refutation, however much of the claim's wording the passage
      // repeats: both judges are weak exactly there.
      // So is the opposite event (detect-antonym.ts: "Alcaraz lost the final" against "Alcaraz won the final"), and
      // another winner with the asked one named as the loser (detect-name-conflict.ts: "The Eagles won Super Bowl
      // LIX, beating the Chiefs" against "the Chiefs won Super Bowl LIX"). Another name in the asked one's place, the
      // asked one never named ("John Carter won" against "Maria Lopez won"), only takes the passage's support away.
      const { claim, evidence } = pairs[i]!
      const named = detectNameConflict(claim, evidence)
      const denied = detectDenial(claim, evidence) || detectNumberConflict(claim, evidence) || detectAntonym(claim, evidence) || named === 'refute'
      const j = denied && raw.entailment > raw.contradiction
        ? { ...raw, entailment: raw.contradiction, contradiction: raw.entailment }
        : named === 'unsupported' && raw.entailment > raw.contradiction
          ? { ...raw, entailment: raw.contradiction, neutral: raw.neutral + raw.entailment - raw.contradiction }
          : raw
      const decided = j.entailment + j.contradiction
      const pairPolarity = decided > 0 ? j.entailment / decided : 0.5
      let polarity = pairPolarity
      if (fusion && logistic) polarity = fusePolarity(fusion, logistic[i]!.polarity, polarity, j.entailment)
      // On a denied pair neither the logistic judge, which reads a denial as support, nor a pair model unsure of a
      // long passage gets to soften the refutation: the rule's reading is a plain one.
      if (denied) polarity = Math.min(polarity, 1 - polarity, pairPolarity, DENIAL_POLARITY)
      const relevance = 1 - j.neutral
      out.push({ support: relevance * polarity, refute: relevance * (1 - polarity), neither: j.neutral, relevance, polarity })
      await slicer.pause()
    }
    return out
  }
  const features = await featurizePairs({ embedder, lexicon: judge.lexicon, pairs, slicer })
  return features.map((f) => scoreEvidence(judge.model, f))
}

/** A pair the explicit rules call a refutation has at most this polarity (P(support | decided)). */
const DENIAL_POLARITY = 0.1

/** The fused polarity of one pair (see PairJudgeFiles.fusion); inputs are probabilities. */
export function fusePolarity(fusion: { bias: number; logistic: number; pair: number; entail: number }, logistic: number, pair: number, entailment: number): number {
  const z = fusion.bias + fusion.logistic * logit(logistic) + fusion.pair * logit(pair) + fusion.entail * logit(entailment)
  return 1 / (1 + Math.exp(-z))
}

export type Hypotheses =
  | { kind: 'yes-no'; yesIndex: number; statements: { statement: string; outcomeIndex: number }[] }
  | { kind: 'choice'; statements: { statement: string; outcomeIndex: number }[] }

const WH = /^(who|whom|whose|which(?:\s+\w+)?|what(?:\s+\w+)?)\s+/i

/** Statements to test, one per outcome (or one for YES/NO). */
export function buildHypotheses(question: string, outcomes: readonly string[]): Hypotheses {
  const q = question.trim().replace(/\?+\s*$/, '').trim()
  const lower = outcomes.map((o) => o.trim().toLowerCase())
  const yesIndex = lower.indexOf('yes')
  if (outcomes.length === 2 && yesIndex >= 0 && lower.includes('no')) {
    return { kind: 'yes-no', yesIndex, statements: [{ statement: questionToStatement(q), outcomeIndex: yesIndex }] }
  }
  const statements = outcomes.map((o, outcomeIndex) => ({
    statement: WH.test(q) ? q.replace(WH, `${o} `) : `${q.replace(AUXILIARY, '')}: ${o}`,
    outcomeIndex,
  }))
  return { kind: 'choice', statements }
}

/**
 * +1 when the passage says the outcome won ("<o> beat", "<o> won"), −1 when it says it lost ("<o> lost",
 * "beat <o>"), 0 otherwise or when both are said.
 */
export function winnerCue(passage: string, outcome: string, outcomes: readonly string[]): number {
  const names = nameVariants(outcome)
  if (names.length === 0) return 0
  const alt = names.map(escapeRegExp).join('|')
  const gap = String.raw`(?:\s+\S+){0,3}?\s+`
  const won = new RegExp(String.raw`\b(?:${alt})\b${gap}(?:beat|beats|defeated|defeats|edged|edges|topped|tops|routed|downed|outlasted|won|wins|clinched|captured|claimed|secured)\b`, 'i')
  const lost = new RegExp(String.raw`\b(?:${alt})\b${gap}(?:lost|loses|fell|falls|were\s+beaten|was\s+beaten|were\s+defeated|was\s+defeated)\b`, 'i')
  const beaten = new RegExp(String.raw`\b(?:beat|beats|defeated|defeats|edged|topped|routed|downed|over|against)\s+(?:the\s+)?(?:${alt})\b`, 'i')
  // "the Chiefs beat the 49ers": "beat <49ers>" counts against the 49ers only if no other outcome wins there.
  const says = (re: RegExp) => re.test(passage)
  const plus = says(won) && !says(beaten)
  const minus = says(lost) || (says(beaten) && outcomes.some((o) => o !== outcome && nameVariants(o).some((n) => new RegExp(String.raw`\b${escapeRegExp(n)}\b`, 'i').test(passage))))
  return plus && !minus ? 1 : minus && !plus ? -1 : 0
}

/** "Kansas City Chiefs" -> ["Kansas City Chiefs", "Chiefs"]: the full name and its last word if distinctive. */
function nameVariants(outcome: string): string[] {
  const full = outcome.trim()
  if (full === '' || /^(yes|no|draw|tie|other)$/i.test(full)) return []
  const words = full.split(/\s+/)
  const last = words[words.length - 1]!
  return words.length > 1 && last.length > 3 ? [full, last] : [full]
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Sentences grouped into passages of at most ~60 words. */
export function splitPassages(text: string): string[] {
  const sentences = text.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z0-9"“])/)
  const passages: string[] = []
  let current = ''
  for (const s of sentences) {
    if (current && (current + ' ' + s).split(' ').length > 60) {
      passages.push(current)
      current = s
    } else current = current ? `${current} ${s}` : s
  }
  if (current.trim()) passages.push(current.trim())
  return passages
}

function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p))
  return Math.log(q / (1 - q))
}


function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000
}
