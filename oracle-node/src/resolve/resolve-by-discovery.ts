/**
 * Resolves a discovery question (a text question with a `discover` block): the articles found in its feeds
 * (sources/discovery/discover-articles.ts) and the pages the spec names itself are judged together by
 * judgeArticles (analysis/judge-articles.ts): near-duplicate copies grouped into one story, stories weighed by
 * the credibility of their outlets (the spec's table over the operator's), the answer with a bootstrap interval.
 *
 * What comes back has the shape of every resolver's result (resolve-question.ts), with the judged passages
 * re-indexed to the evidence records they came from: the spec's sources keep their indexes, article k is record
 * `spec.sources.length + k` (build-evidence-bundle.ts writes them in that order).
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import type { JudgedPair, UsedPassage } from './judge-text.ts'
import { judgeArticles, type ArticleGroup, type ArticleInput, type JudgeArticlesDependencies } from './analysis/judge-articles.ts'

/** One page to judge: an article found by discovery, or one of the spec's own sources. */
export type DiscoveryArticle = {
  /** Its record in the evidence bundle. */
  evidenceIndex: number
  url: string
  /** The outlet (host) whose credibility counts. */
  source: string
  /** Empty from the node: the evidence bundle does not keep feed titles, and its replay must judge the same input. */
  title: string
  publishedSec?: number
  text: string
  passages: readonly string[]
}

/** The outlet of a page as discovery and its replay name it: the URL's host, lower-case. */
export function discoveryHost(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return ''
  }
}

export type DiscoveryInput = {
  articles: readonly DiscoveryArticle[]
  /** The operator's credibility table by host (node config `discovery.credibility`). */
  operatorCredibility?: Readonly<Record<string, number>>
}

export type ResolveByDiscoveryOptions = {
  minConfidenceBps: number
  nowSec: number
  /** Passages judged per story (the judge's own default when omitted). */
  topKPerSource?: number
}

export type ResolveByDiscoveryReturnType = {
  answer: ResolutionAnswer
  confidenceBps: number
  confidenceInterval: [number, number]
  articlesRead: number
  reason: string
  usedPassages: UsedPassage[]
  judgedPairs: JudgedPair[]
  outcomeProbabilitiesBps: number[]
  votes: { sourceIndex: number; answer: ResolutionAnswer; detail: string; value?: string }[]
  /** The independent stories, best first: which articles each holds and from how many outlets. */
  groups: ArticleGroup[]
}

export async function resolveByDiscovery(
  deps: JudgeArticlesDependencies,
  spec: Extract<QuestionSpec, { type: 'text' }>,
  input: DiscoveryInput,
  { minConfidenceBps, nowSec, topKPerSource }: ResolveByDiscoveryOptions,
): Promise<ResolveByDiscoveryReturnType> {
  const byUrl = new Map<string, number>()
  const articles: ArticleInput[] = []
  for (const a of input.articles) {
    if (byUrl.has(a.url)) continue
    byUrl.set(a.url, a.evidenceIndex)
    articles.push({ url: a.url, source: a.source, title: a.title, text: a.text, passages: a.passages, ...(a.publishedSec === undefined ? {} : { publishedAt: a.publishedSec }) })
  }
  const judged = await judgeArticles(deps, {
    question: spec.question,
    outcomes: spec.outcomes,
    articles,
    credibility: { ...(input.operatorCredibility ? { operator: input.operatorCredibility } : {}), ...(spec.discover?.credibility ? { spec: spec.discover.credibility } : {}) },
    minConfidenceBps,
    beforeEventTime: spec.eventTime !== undefined && nowSec < spec.eventTime,
    limits: { maxArticles: articles.length, ...(topKPerSource === undefined ? {} : { topKPerGroup: topKPerSource }) },
  })
  // judgeArticles numbers the judged stories by their place in `groups`; the bundle numbers pages by record.
  const recordOf = (groupIndex: number) => byUrl.get(judged.groups[groupIndex]?.representative ?? '') ?? groupIndex
  return {
    answer: judged.answer,
    confidenceBps: judged.confidenceBps,
    confidenceInterval: [judged.confidenceInterval[0], judged.confidenceInterval[1]],
    articlesRead: judged.articlesRead,
    reason: `${judged.reason}; ${judged.groupCount} independent stor${judged.groupCount === 1 ? 'y' : 'ies'}`,
    usedPassages: judged.usedPassages.map((p) => ({ ...p, sourceIndex: recordOf(p.sourceIndex) })),
    judgedPairs: judged.judgedPairs.map((p) => ({ ...p, sourceIndex: recordOf(p.sourceIndex) })),
    outcomeProbabilitiesBps: judged.outcomeProbabilitiesBps,
    votes: [],
    groups: judged.groups,
  }
}
