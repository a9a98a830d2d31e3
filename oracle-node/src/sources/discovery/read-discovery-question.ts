/**
 * The node's side of a discovery question, between the fetch and the judge: discover and read its articles
 * (discover-articles.ts), and shape what came back for the judge (resolve-by-discovery.ts: the articles and
 * the spec's own pages) and for the evidence bundle (one read per article after the spec's sources, and the
 * list of every feed and sitemap looked at, the operator's own included).
 */
import type { DiscoverySpec, QuestionSpec } from '@sibyl/protocol/question-spec'
import type { EvidenceDiscoverySource } from '@sibyl/protocol/evidence-bundle'
import type { ReadSourceReturnType } from '../read-source.ts'
import { discoveryHost, type DiscoveryArticle, type DiscoveryInput } from '../../resolve/resolve-by-discovery.ts'
import { discoverArticles, type DiscoverArticlesDependencies, type DiscoveryBudget, type OperatorNewsSource } from './discover-articles.ts'

export type OperatorDiscoveryConfig = {
  sources: readonly OperatorNewsSource[]
  credibility: Readonly<Record<string, number>>
}

export type ReadDiscoveryQuestionParameters = {
  spec: Extract<QuestionSpec, { type: 'text' }> & { discover: DiscoverySpec }
  nowSec: number
  /** The spec's own sources as read (readQuestionSources), in spec order: judged with the articles. */
  specDocuments: readonly { sourceIndex: number; text: string; passages: readonly string[] }[]
  operator?: OperatorDiscoveryConfig
  budget?: Partial<DiscoveryBudget>
}

export type ReadDiscoveryQuestionReturnType = {
  /** One per article chosen, in rank order: evidence records spec.sources.length + k. */
  reads: ReadSourceReturnType[]
  /** For resolveQuestion's `discovery` option. */
  input: DiscoveryInput
  /** Every feed and sitemap looked at (the evidence header's `discovery`). */
  report: EvidenceDiscoverySource[]
  /** Articles (or spec pages) with text to judge. */
  readable: number
  /** Articles not read for want of a page worker: the question should wait, not be decided without them. */
  starved: number
  candidates: number
  group: symbol
}

export async function readDiscoveryQuestion(deps: DiscoverArticlesDependencies, parameters: ReadDiscoveryQuestionParameters): Promise<ReadDiscoveryQuestionReturnType> {
  const { spec, nowSec, specDocuments, operator, budget } = parameters
  const found = await discoverArticles(deps, { spec, nowSec, operatorSources: operator?.sources ?? [], ...(budget ? { budget } : {}) })
  const offset = spec.sources.length
  const articles: DiscoveryArticle[] = [
    ...specDocuments.map((d) => {
      const url = spec.sources[d.sourceIndex]?.url ?? ''
      return { evidenceIndex: d.sourceIndex, url, source: discoveryHost(url), title: '', text: d.text, passages: d.passages }
    }),
    ...found.articles.flatMap((a, k) =>
      // No title, no date: the judge gets what the evidence bundle keeps, so a replay judges the same input.
      a.text === undefined ? [] : [{ evidenceIndex: offset + k, url: a.url, source: discoveryHost(a.url), title: '', text: a.text, passages: a.passages ?? [] }],
    ),
  ]
  return {
    reads: found.articles.map((a) => a.read),
    input: { articles, ...(operator && Object.keys(operator.credibility).length > 0 ? { operatorCredibility: operator.credibility } : {}) },
    report: found.sources.map((s) => ({ url: s.url, origin: s.origin, kind: s.kind, failure: s.failure, items: s.items, inWindow: s.inWindow, note: s.note.slice(0, 300) })),
    readable: articles.length,
    starved: found.starved,
    candidates: found.candidates,
    group: found.group,
  }
}
