/**
 * Reads many articles about a question the way an analyst does: copies of one story count once, outlets
 * are weighed by credibility rather than counted, and the answer comes with an interval.
 *
 * 1. Bound. At most `maxArticles` articles (in url order, exact url repeats and urls over 2,048 characters
 *    dropped), each read up to `maxCharsPerArticle` characters and `maxPassagesPerArticle` passages. `articlesRead` counts those with text.
 * 2. Group. Near-duplicate stories (group-near-duplicates.ts, MinHash over word shingles of the body) form one
 *    group. A group's weight is the highest credibility among the outlets that ran it (resolve-credibility.ts):
 *    the story is as credible as its most credible publisher, and twenty syndicated copies weigh as one.
 *    Its representative is the member from the most credible outlet (then the earliest published, the wire's
 *    original rather than a reprint; then the longest text; then the url).
 * 3. Rank. When there are more than `maxRankedGroups` groups, a cheap word-overlap score with the question
 *    keeps the best; those are ranked by encoder similarity to the question (the representative's title and
 *    first passages, one embedding call, cosine as nlp/rank-passages.ts), best first.
 * 4. Judge. The `maxJudgedGroups` best groups with a non-zero weight and a similarity of at least
 *    `minSimilarity` are judged on their `topKPerGroup` most similar passages by the node's text judge
 *    (judge-text.ts: the same hypotheses, pair judge, denial and winner cues). Each group's verdict is its passages' evidence combined as the judge combines one source's
 *    (combine-passage-log-odds.ts, outcome-probabilities.ts).
 * 5. Weigh. The group verdicts are pooled, each weighted by its credibility × its relevance²
 *    (weigh-independent-agreement.ts: a weighted consensus, not a sum): the outcome and its probability. Abstains ("unresolvable", or "too early" before the event time) when no judged
 *    passage is relevant or the probability is below `minConfidenceBps`.
 * 6. Interval. The pooled probability of the chosen outcome is recomputed on resamples of the judged groups
 *    and of the passages within each (bootstrap-interval.ts), seeded from the question and the articles'
 *    urls unless a seed is given, so nodes holding the same articles report the same interval.
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import { loopSlicer } from '@sibyl/service-kit/time/slice-work'
import type { Embedder } from '../../nlp/embedder.ts'
import { dot } from '../../nlp/dot.ts'
import { buildHypotheses, judgeText, MIN_RELEVANCE, splitPassages, type JudgedPair, type JudgeTextParameters, type UsedPassage } from '../judge-text.ts'
import { bootstrapIntervalSliced, type ConfidenceInterval } from './bootstrap-interval.ts'
import { combinePassageLogOdds, type ScoredPassagePair } from './combine-passage-log-odds.ts'
import { hashText32 } from './create-seeded-random.ts'
import { groupNearDuplicatesSliced } from './group-near-duplicates.ts'
import { outcomeProbabilities, type HypothesisShape } from './outcome-probabilities.ts'
import { resolveCredibility, type CredibilityTable } from './resolve-credibility.ts'
import { weighIndependentAgreement } from './weigh-independent-agreement.ts'

export type { CredibilityTable } from './resolve-credibility.ts'
export type { ConfidenceInterval } from './bootstrap-interval.ts'

export type JudgeArticlesDependencies = {
  embedder: Pick<Embedder, 'embed'>
  /** The node's text judge, as resolve-question.ts passes it (a pair judge when judge-model.json names one). */
  judge: JudgeTextParameters['judge']
}

export type ArticleInput = {
  url: string
  /** The outlet's host; taken from the url when absent. */
  source?: string
  /** Unix seconds or an ISO date; recorded, not judged (the caller applies the time window). */
  publishedAt?: number | string
  title?: string
  /** The main text; or `passages`, already split. */
  text?: string
  passages?: readonly string[]
}

export type JudgeArticlesLimits = {
  /** Articles read (default 2,000). */
  maxArticles?: number
  /** Characters read per article (default 100,000). */
  maxCharsPerArticle?: number
  /** Passages read per article (default 200). */
  maxPassagesPerArticle?: number
  /** Groups ranked by the encoder (default 64); more are first cut by word overlap. */
  maxRankedGroups?: number
  /** Passages per group embedded for ranking (default 8, plus the title). */
  maxPassagesEmbeddedPerGroup?: number
  /** Groups judged (default 12). */
  maxJudgedGroups?: number
  /**
   * Encoder similarity to the question below which a group is not judged (default 0.3): the pair judge reads
   * a little relevance into any text, and a recipe is not evidence about a council vote.
   */
  minSimilarity?: number
  /** Passages judged per group (default 4). */
  topKPerGroup?: number
  /** Bootstrap resamples (default 200) and the interval's central coverage (default 0.9). */
  resamples?: number
  level?: number
}

export type JudgeArticlesParameters = {
  question: string
  outcomes: readonly string[]
  articles: readonly ArticleInput[]
  credibility?: CredibilityTable
  limits?: JudgeArticlesLimits
  /** Below this probability the answer abstains (default 0: always the best outcome when anything is relevant). */
  minConfidenceBps?: number
  /** True before the event time: an abstention is then "too early". */
  beforeEventTime?: boolean
  /** Seeds the duplicate hashing and the bootstrap; default: derived from the question and the article urls. */
  seed?: string
}

export type ArticleGroup = {
  /** The url of the member judged for the group. */
  representative: string
  /** Member urls (at most MAX_MEMBERS_LISTED; `memberCount` has them all). */
  members: string[]
  memberCount: number
  /** Distinct outlets that ran the story. */
  sources: string[]
  /** Credibility weight (the highest among its outlets). */
  weight: number
  /** Encoder similarity of its best embedded passage to the question (−1..1). */
  similarity: number
  /** Present for the judged groups: probability per outcome in bps, the best relevance, passages judged. */
  verdict?: { outcomeProbabilitiesBps: number[]; relevance: number; passages: number }
}

export type JudgeArticlesReturnType = {
  answer: ResolutionAnswer
  /** The chosen (or, abstaining, the best) outcome's pooled probability in bps. */
  confidenceBps: number
  /** Bootstrap interval around confidenceBps (contains it). */
  confidenceInterval: ConfidenceInterval
  outcomeProbabilitiesBps: number[]
  /** Articles read (after the bounds, with some text). */
  articlesRead: number
  /** Near-duplicate groups among them. */
  groupCount: number
  /** The ranked groups, best first (at most maxRankedGroups). */
  groups: ArticleGroup[]
  reason: string
  /**
   * What the text judge weighed: sourceIndex is the judged group's position in `groups`, passageIndex the
   * passage's index among its representative's passages (the given `passages`, else its text split by
   * judge-text.ts splitPassages).
   */
  usedPassages: UsedPassage[]
  judgedPairs: JudgedPair[]
}

const DEFAULTS = {
  maxArticles: 2000,
  maxCharsPerArticle: 100_000,
  maxPassagesPerArticle: 200,
  maxRankedGroups: 64,
  maxPassagesEmbeddedPerGroup: 8,
  maxJudgedGroups: 12,
  minSimilarity: 0.3,
  topKPerGroup: 4,
  resamples: 200,
  level: 0.9,
} satisfies Required<JudgeArticlesLimits>

const MAX_MEMBERS_LISTED = 50
/** Longer urls are not read: they would only bloat the seed and the report (browsers stop near 2,000 too). */
const MAX_URL_CHARS = 2048
const MAX_PASSAGE_CHARS = 1000
const MAX_TITLE_CHARS = 500

type ReadArticle = { url: string; source: string; title: string; body: string; passages: string[]; weight: number; publishedSec: number }

export async function judgeArticles(deps: JudgeArticlesDependencies, parameters: JudgeArticlesParameters): Promise<JudgeArticlesReturnType> {
  const { question, outcomes } = parameters
  const limits = readLimits(parameters.limits)
  const abstain: ResolutionAnswer = parameters.beforeEventTime ? { kind: 'tooEarly' } : { kind: 'unresolvable' }
  const minConfidenceBps = finiteOr(parameters.minConfidenceBps, 0)
  // Up to 2,000 articles of 200 KB: read, grouped and weighed in slices, so the node's loop keeps its turns.
  const slicer = loopSlicer

  // 1. Bound and read.
  const seenUrls = new Set<string>()
  const articles: ReadArticle[] = []
  const ordered = [...parameters.articles].filter((a) => typeof a?.url === 'string' && a.url.length <= MAX_URL_CHARS).sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))
  for (const a of ordered) {
    if (articles.length >= limits.maxArticles) break
    if (seenUrls.has(a.url)) continue
    seenUrls.add(a.url)
    const read = readArticle(a, limits, parameters.credibility)
    if (read !== undefined) articles.push(read)
    await slicer.pause()
  }
  const seed = parameters.seed ?? `articles:${hashText32(`${question}\u0000${outcomes.join('\u0001')}\u0000${articles.map((a) => a.url).join('\u0001')}`)}`

  // 2. Group near-duplicates; weight and representative per group.
  const { groups: memberIndices } = await groupNearDuplicatesSliced({ texts: articles.map((a) => a.body || a.title), seed }, slicer)
  const groups = memberIndices.map((members) => {
    const byPreference = [...members].sort((x, y) => {
      const a = articles[x]!
      const b = articles[y]!
      return b.weight - a.weight || a.publishedSec - b.publishedSec || b.body.length - a.body.length || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)
    })
    const representative = articles[byPreference[0]!]!
    return { members, representative, weight: representative.weight }
  })

  // 3. Rank: a word-overlap cut when there are many groups, then the encoder.
  const queryText = `${question} ${outcomes.filter((o) => !/^(yes|no)$/i.test(o)).join(' ')}`.trim()
  let candidates = groups.map((g, index) => ({ ...g, index }))
  if (candidates.length > limits.maxRankedGroups) {
    const words = contentWords(queryText)
    const overlap: number[] = []
    for (const c of candidates) {
      overlap.push(wordOverlap(words, `${c.representative.title} ${c.representative.body.slice(0, 5000)}`))
      await slicer.pause()
    }
    candidates = candidates
      .map((c, k) => ({ c, score: overlap[k]! }))
      .sort((a, b) => b.score - a.score || a.c.index - b.c.index)
      .slice(0, limits.maxRankedGroups)
      .map((x) => x.c)
  }
  const embedded = candidates.map((c) => {
    const passages = c.representative.passages.slice(0, limits.maxPassagesEmbeddedPerGroup)
    return c.representative.title !== '' ? [c.representative.title, ...passages] : passages
  })
  const texts = embedded.flat()
  const vectors = texts.length > 0 ? await deps.embedder.embed([queryText, ...texts]) : []
  const queryVector = vectors[0]
  let offset = 1
  const ranked = candidates
    .map((c, k) => {
      const n = embedded[k]!.length
      const sims = vectors.slice(offset, offset + n).map((v) => (queryVector ? finiteOr(dot(queryVector, v), -1) : -1))
      offset += n
      const similarity = sims.length > 0 ? Math.max(...sims) : -1
      // Passage similarities of the representative's own passages (the title, when present, is first).
      const passageSims = c.representative.title !== '' ? sims.slice(1) : sims
      return { ...c, similarity, passageSims }
    })
    .sort((a, b) => b.similarity - a.similarity || a.index - b.index)

  // 4. Judge the best groups' best passages.
  const judged = ranked.filter((g) => g.weight > 0 && g.similarity >= limits.minSimilarity && g.representative.passages.length > 0).slice(0, limits.maxJudgedGroups)
  const hypotheses = buildHypotheses(question, outcomes)
  const shape: HypothesisShape = hypotheses.kind === 'yes-no' ? { kind: 'yes-no', yesIndex: hypotheses.yesIndex } : { kind: 'choice' }
  const hypothesisCount = hypotheses.statements.length
  const scale = (deps.judge.pairJudge ? deps.judge.model.pairJudge?.combination?.scale : deps.judge.model.combination?.scale) ?? 1
  // Each judged group's most similar passages, by their index in the representative's passages.
  const chosen = judged.map((g) =>
    g.passageSims
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, limits.topKPerGroup)
      .map((x) => x.i),
  )
  const documents = judged.map((g, j) => ({ sourceIndex: j, weight: 1, passages: chosen[j]!.map((i) => g.representative.passages[i]!) }))
  const judgedText =
    documents.length > 0
      ? await judgeText({ embedder: deps.embedder, judge: deps.judge, question, outcomes, documents, minConfidenceBps: 0, topKPerSource: limits.topKPerGroup, intervalResamples: 0 })
      : undefined
  // The judge numbers passages within what it was given; the record numbers them within the article.
  const articlePassage = <T extends { sourceIndex: number; passageIndex: number }>(p: T): T => ({ ...p, passageIndex: chosen[p.sourceIndex]?.[p.passageIndex] ?? p.passageIndex })
  const pairs = (judgedText?.judgedPairs ?? []).map(articlePassage)

  // Per judged group: its passages, each with its pairs (one per hypothesis), for the verdict and the bootstrap.
  type PassageItem = { weight: number; pairs: ScoredPassagePair[] }
  const units: PassageItem[][] = judged.map((g, j) => {
    const byPassage = new Map<number, ScoredPassagePair[]>()
    for (const p of pairs) {
      if (p.sourceIndex !== j) continue
      const list = byPassage.get(p.passageIndex) ?? []
      list.push({ hypothesisIndex: shape.kind === 'yes-no' ? 0 : p.outcomeIndex, relevance: p.support + p.refute, logOdds: p.logOdds })
      byPassage.set(p.passageIndex, list)
    }
    return [...byPassage.keys()].sort((a, b) => a - b).map((k) => ({ weight: g.weight, pairs: byPassage.get(k)! }))
  })
  const verdictOf = (items: readonly PassageItem[]) => {
    const combined = combinePassageLogOdds(items.flatMap((i) => i.pairs), hypothesisCount)
    return { probabilities: outcomeProbabilities(shape, combined.logOdds, outcomes.length, scale), strength: combined.strength }
  }
  const verdicts = units.map((u) => verdictOf(u))

  // 5. Weigh.
  // Credibility × relevance²: as the judge weighs passages within a page by relevance², a group that barely
  // touches the question moves the consensus little, however credible its outlet.
  const poolWeight = (credibility: number, strength: number) => credibility * strength * strength
  const pooled = weighIndependentAgreement({ verdicts: verdicts.map((v, j) => ({ probabilities: v.probabilities, weight: poolWeight(judged[j]!.weight, v.strength) })), outcomeCount: outcomes.length })
  const confidenceBps = judged.length > 0 ? Math.round(pooled.probability * 10_000) : 0
  const outcomeProbabilitiesBps = judged.length > 0 ? pooled.probabilities.map((p) => Math.round(p * 10_000)) : outcomes.map(() => 0)
  const bestRelevance = verdicts.reduce((m, v) => Math.max(m, v.strength), 0)

  // 6. Interval for the chosen outcome's probability.
  const confidenceInterval = await bootstrapIntervalSliced({
    units: units.filter((u) => u.length > 0),
    statistic: (sample) => {
      const w = weighIndependentAgreement({
        verdicts: sample.filter((u) => u.length > 0).map((u) => {
          const v = verdictOf(u)
          return { probabilities: v.probabilities, weight: poolWeight(u[0]!.weight, v.strength) }
        }),
        outcomeCount: outcomes.length,
      })
      return w.probabilities[pooled.outcomeIndex]!
    },
    pointBps: confidenceBps,
    seed,
    resamples: limits.resamples,
    level: limits.level,
  }, slicer)

  const listed: ArticleGroup[] = ranked.map((g) => {
    const j = judged.indexOf(g)
    const members = g.members.map((i) => articles[i]!)
    return {
      representative: g.representative.url,
      members: members.slice(0, MAX_MEMBERS_LISTED).map((m) => m.url),
      memberCount: members.length,
      sources: [...new Set(members.map((m) => m.source))].sort(),
      weight: g.weight,
      similarity: round4(g.similarity),
      ...(j >= 0
        ? { verdict: { outcomeProbabilitiesBps: verdicts[j]!.probabilities.map((p) => Math.round(p * 10_000)), relevance: round4(verdicts[j]!.strength), passages: units[j]!.length } }
        : {}),
    }
  })
  // The judged groups first, in judged order, so that usedPassages' sourceIndex points into `groups`.
  const groupsOut = [...judged.map((g) => listed[ranked.indexOf(g)]!), ...listed.filter((_, k) => !judged.includes(ranked[k]!))]

  const base = {
    confidenceBps,
    confidenceInterval,
    outcomeProbabilitiesBps,
    articlesRead: articles.filter((a) => a.body !== '' || a.title !== '').length,
    groupCount: groups.length,
    groups: groupsOut,
    usedPassages: (judgedText?.usedPassages ?? []).map(articlePassage),
    judgedPairs: pairs,
  }
  const agreeing = judged.filter((_, j) => verdicts[j]!.probabilities.indexOf(Math.max(...verdicts[j]!.probabilities)) === pooled.outcomeIndex).length
  const summary = `P(${outcomes[pooled.outcomeIndex]}) = ${confidenceBps} bps [${confidenceInterval[0]}, ${confidenceInterval[1]}] from ${judged.length} independent group(s) of ${articles.length} article(s) (${agreeing} agree), best relevance ${bestRelevance.toFixed(2)}`
  if (judged.length === 0) return { ...base, answer: abstain, reason: `no article to judge (${articles.length} read, ${groups.length} group(s), none weighted and similar to the question)` }
  if (bestRelevance < MIN_RELEVANCE) return { ...base, answer: abstain, reason: `no relevant passage: ${summary} (< ${MIN_RELEVANCE})` }
  if (confidenceBps < minConfidenceBps) return { ...base, answer: abstain, reason: `abstained: ${summary} < ${minConfidenceBps} bps` }
  return { ...base, answer: { kind: 'outcome', index: pooled.outcomeIndex }, reason: summary }
}

function readLimits(limits: JudgeArticlesLimits | undefined): Required<JudgeArticlesLimits> {
  const out = { ...DEFAULTS }
  for (const key of Object.keys(DEFAULTS) as (keyof JudgeArticlesLimits)[]) {
    const v = limits?.[key]
    if (v !== undefined && Number.isFinite(v) && v >= 0) out[key] = key === 'level' || key === 'minSimilarity' ? Math.min(1, v) : Math.floor(v)
  }
  return out
}

function readArticle(a: ArticleInput, limits: Required<JudgeArticlesLimits>, credibility: CredibilityTable | undefined): ReadArticle | undefined {
  const source = (typeof a.source === 'string' && a.source !== '' ? a.source : hostOf(a.url)).toLowerCase()
  const title = typeof a.title === 'string' ? a.title.replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE_CHARS) : ''
  const given = Array.isArray(a.passages) ? a.passages.slice(0, limits.maxPassagesPerArticle).filter((p): p is string => typeof p === 'string') : []
  const raw = typeof a.text === 'string' && a.text !== '' ? a.text.slice(0, limits.maxCharsPerArticle) : given.join('\n').slice(0, limits.maxCharsPerArticle)
  const body = raw.replace(/\s+/g, ' ').trim()
  const split = given.length > 0 ? given : splitPassages(body).slice(0, limits.maxPassagesPerArticle)
  const passages = split.map((p) => p.replace(/\s+/g, ' ').trim().slice(0, MAX_PASSAGE_CHARS)).filter((p) => p !== '')
  return { url: a.url, source, title, body, passages, weight: resolveCredibility(source, credibility), publishedSec: readPublishedSec(a.publishedAt) }
}

/** Unix seconds of publication; undated articles sort last (Infinity), after every dated one. */
function readPublishedSec(value: number | string | undefined): number {
  const sec = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) / 1000 : Number.NaN
  return Number.isFinite(sec) ? sec : Number.POSITIVE_INFINITY
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return ''
  }
}

/** Lower-cased words of four letters or more: the question's content, roughly. */
function contentWords(text: string): Set<string> {
  return new Set([...text.toLowerCase().matchAll(/[\p{L}\p{N}]{4,}/gu)].map((m) => m[0]))
}

function wordOverlap(query: Set<string>, text: string): number {
  if (query.size === 0) return 0
  const words = contentWords(text)
  let n = 0
  for (const w of query) if (words.has(w)) n++
  return n / query.size
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000
}
