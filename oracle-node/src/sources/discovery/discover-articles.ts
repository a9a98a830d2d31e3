/**
 * Finds and reads the articles of a discovery question (question-spec.ts `discover`): fetch its feeds and
 * sitemaps (and, when the spec asks, the operator's configured news sources), read their items (parse-feed.ts),
 * keep those published inside the spec's window, rank them for the question by the words their titles and
 * summaries share with it, and read the best `maxArticles` the way every source is read: the node's bounded
 * fetcher (address classification, size and time caps, per-host limit), then a page worker for the parse.
 *
 * Bounded per question, whatever the spec or the feeds say: feeds read (`maxFeeds`), bytes per feed, items per
 * feed, articles (the spec's maxArticles, never above `maxArticles`), bytes per article and in all, and one
 * deadline for everything (the feeds get the first `feedTimeMs` of it). A feed that fails (private address,
 * too large, too slow, not a feed) is reported with its reason and the question goes on with the others; only
 * when nothing at all could be read does the caller get no articles (and retries later, the round intact).
 */
import type { DiscoverySpec, QuestionSpec } from '@sibyl/protocol/question-spec'
import type { SourceFetcher } from '../create-source-fetcher.ts'
import { htmlContentTypes } from '../fetch-source.ts'
import type { FetchedBody, ReadSourceReturnType } from '../read-source.ts'
import { decodeText } from '../decode-text.ts'
import { isPoolShortage, type WorkerPool } from '../../isolate/create-worker-pool.ts'
import type { PageTask, PageTaskResult } from '../../isolate/run-page-task.ts'
import { parseFeed, type FeedItem } from './parse-feed.ts'
import { rankFeedItems } from './rank-feed-items.ts'

/** Media types a feed or sitemap is served with. */
export const feedContentTypes = ['application/rss+xml', 'application/atom+xml', 'application/xml', 'text/xml', '+xml'] as const

export type DiscoveryBudget = {
  /** Feed and sitemap URLs read per question (the spec's and the operator's together). */
  maxFeeds: number
  maxFeedBytes: number
  maxItemsPerFeed: number
  /** Articles read per question: the hard cap over the spec's maxArticles. */
  maxArticles: number
  maxArticleBytes: number
  /** Body bytes of all the question's articles together. */
  maxTotalBytes: number
  /** One deadline for the whole discovery: feeds, articles, page work. */
  timeMs: number
  /** The part of timeMs the feeds may take. */
  feedTimeMs: number
  /** CPU budget of one article's page task. */
  pageTaskMs: number
}

export const defaultDiscoveryBudget: Readonly<DiscoveryBudget> = Object.freeze({
  maxFeeds: 24,
  maxFeedBytes: 2 * 1024 * 1024,
  maxItemsPerFeed: 1000,
  maxArticles: 200,
  maxArticleBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  timeMs: 30_000,
  feedTimeMs: 10_000,
  pageTaskMs: 5_000,
})

export type OperatorNewsSource = { url: string; kind: 'feed' | 'sitemap' }

/** What the node reports about each feed or sitemap it looked at (in the evidence bundle and its log). */
export type DiscoverySourceReport = {
  url: string
  /** spec: named by the question; operator: this node's own configured source. */
  origin: 'spec' | 'operator'
  kind: 'feed' | 'sitemap'
  /** Empty when read; else why not ("private_address: ..."). */
  failure: string
  items: number
  inWindow: number
  /** A bound that cut the feed, or items left out (undated, no link). */
  note: string
}

export type DiscoveredArticle = {
  url: string
  title: string
  publishedSec: number
  /** The outlet's host (credibility is looked up by it). */
  source: string
  read: ReadSourceReturnType
  /** Set when the article gave text: what the judge reads. */
  text?: string
  passages?: readonly string[]
}

export type DiscoverArticlesDependencies = {
  fetcher: Pick<SourceFetcher, 'fetch' | 'policy'>
  pool: Pick<WorkerPool, 'run'>
  nowMs?: () => number
}

export type DiscoverArticlesParameters = {
  spec: Extract<QuestionSpec, { type: 'text' }> & { discover: DiscoverySpec }
  nowSec: number
  /** The operator's news sources (node config), read when the spec sets useOperatorSources. */
  operatorSources?: readonly OperatorNewsSource[]
  budget?: Partial<DiscoveryBudget>
}

export type DiscoverArticlesReturnType = {
  sources: DiscoverySourceReport[]
  /** Distinct items inside the window, before the cap. */
  candidates: number
  /** The articles chosen, in rank order, read or failed. */
  articles: DiscoveredArticle[]
  /** Articles that failed for want of a page worker (not their fault): the caller should not decide without them. */
  starved: number
  /** The pool group of the question's tasks (pass it to its later tasks). */
  group: symbol
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return ''
  }
}

export async function discoverArticles(
  { fetcher, pool, nowMs = Date.now }: DiscoverArticlesDependencies,
  { spec, nowSec, operatorSources = [], budget: budgetOverrides = {} }: DiscoverArticlesParameters,
): Promise<DiscoverArticlesReturnType> {
  const budget: DiscoveryBudget = { ...defaultDiscoveryBudget, ...budgetOverrides }
  const startedMs = nowMs()
  const deadlineAtMs = startedMs + budget.timeMs
  const feedDeadlineAtMs = startedMs + Math.min(budget.feedTimeMs, budget.timeMs)
  const group = Symbol('discovery')
  const { discover } = spec

  const wanted: { url: string; origin: 'spec' | 'operator'; kind: 'feed' | 'sitemap' }[] = [
    ...discover.feeds.map((url) => ({ url, origin: 'spec' as const, kind: 'feed' as const })),
    ...discover.sitemaps.map((url) => ({ url, origin: 'spec' as const, kind: 'sitemap' as const })),
    ...(discover.useOperatorSources ? operatorSources.map((s) => ({ url: s.url, origin: 'operator' as const, kind: s.kind })) : []),
  ]
  const seenFeeds = new Set<string>()
  const feeds = wanted.filter((f) => !seenFeeds.has(f.url) && seenFeeds.add(f.url))

  // 1. Feeds and sitemaps, all at once (the fetcher's per-host limit paces them), under the feeds' deadline.
  const feedResults = await Promise.all(
    feeds.map(async (feed, i): Promise<{ report: DiscoverySourceReport; items: FeedItem[] }> => {
      const report: DiscoverySourceReport = { url: feed.url, origin: feed.origin, kind: feed.kind, failure: '', items: 0, inWindow: 0, note: '' }
      if (i >= budget.maxFeeds) return { report: { ...report, failure: `budget_exceeded: only ${budget.maxFeeds} feeds are read per question` }, items: [] }
      const fetched = await fetcher.fetch(feed.url, {
        allowedContentTypes: feedContentTypes,
        maxBytes: Math.min(fetcher.policy.maxBytes, budget.maxFeedBytes),
        deadlineAtMs: feedDeadlineAtMs,
      })
      if (!fetched.ok) return { report: { ...report, failure: `${fetched.reason}: ${fetched.message}`.slice(0, 300) }, items: [] }
      const decoded = decodeText(fetched.body, fetched.contentType)
      const parsed = parseFeed(decoded.text, fetched.finalUrl, { maxItems: budget.maxItemsPerFeed })
      if (!parsed.ok) return { report: { ...report, failure: `${parsed.reason}: ${parsed.message}` }, items: [] }
      const notes = [parsed.truncated, parsed.skipped > 0 ? `${parsed.skipped} item(s) without a usable link` : undefined].filter(Boolean)
      return { report: { ...report, items: parsed.items.length, note: notes.join('; ') }, items: parsed.items }
    }),
  )

  // 2. Inside the window, each URL once (the first feed that lists it), ranked for the question, capped.
  const { from, to } = discover.window
  const byUrl = new Map<string, FeedItem>()
  for (const { report, items } of feedResults) {
    let undated = 0
    for (const item of items) {
      if (item.publishedSec === undefined) {
        undated++
        continue
      }
      if (item.publishedSec < from || item.publishedSec > to) continue
      report.inWindow++
      if (!byUrl.has(item.url)) byUrl.set(item.url, item)
    }
    if (undated > 0) report.note = [report.note, `${undated} undated item(s) left out`].filter(Boolean).join('; ')
  }
  const cap = Math.min(discover.maxArticles, budget.maxArticles)
  const chosen = rankFeedItems(spec.question, [...byUrl.values()]).slice(0, cap)

  // 3. The articles, each under its share of the bytes and the one deadline, parsed in a page worker.
  const maxBytes = Math.max(1, Math.min(fetcher.policy.maxBytes, budget.maxArticleBytes, Math.floor(budget.maxTotalBytes / Math.max(1, chosen.length))))
  const readOne = async (item: FeedItem & { publishedSec: number }): Promise<{ article: DiscoveredArticle; starved?: true }> => {
    const base = { url: item.url, title: item.title, publishedSec: item.publishedSec, source: hostOf(item.url) }
    const fetched = await fetcher.fetch(item.url, { allowedContentTypes: htmlContentTypes, maxBytes, deadlineAtMs })
    if (!fetched.ok) return { article: { ...base, read: fetched } }
    const raw: FetchedBody = { finalUrl: fetched.finalUrl, status: fetched.status, contentType: fetched.contentType, fetchedAtMs: fetched.fetchedAtMs, body: fetched.body }
    const leftMs = deadlineAtMs - nowMs()
    if (leftMs < 1) return { article: { ...base, read: { ok: false, url: item.url, reason: 'budget_exceeded', message: 'budget exceeded: no time left to read the article', raw } } }
    // The page worker reads the article as the one html source of a copy of the spec.
    const source = { url: item.url, format: 'html' as const, weight: 10 }
    const copy = new Uint8Array(raw.body)
    const task: PageTask & { kind: 'read' } = {
      kind: 'read',
      spec: { ...spec, sources: [source], discover: undefined },
      sourceIndex: 0,
      nowSec,
      raw: { finalUrl: raw.finalUrl, status: raw.status, contentType: raw.contentType, fetchedAtMs: raw.fetchedAtMs, body: copy },
    }
    const ran = await pool.run<PageTaskResult>(task, { timeoutMs: budget.pageTaskMs, maxTotalMs: leftMs, group, transfer: [copy.buffer as ArrayBuffer] })
    if (!ran.ok) {
      const reason = ran.reason === 'budget_exceeded' || ran.reason === 'queue_timeout' ? 'budget_exceeded' : 'worker_failed'
      return { article: { ...base, read: { ok: false, url: item.url, reason, message: ran.message, raw } }, ...(isPoolShortage(ran.reason) ? { starved: true as const } : {}) }
    }
    const page = ran.value
    if (!page.ok) return { article: { ...base, read: { ok: false, url: item.url, reason: page.reason, message: page.message, raw } } }
    const read: ReadSourceReturnType = {
      ok: true,
      source,
      finalUrl: raw.finalUrl,
      fetchedAtMs: raw.fetchedAtMs,
      raw,
      contentType: raw.contentType,
      charset: page.charset,
      document: page.document,
      evidenceBytes: Buffer.from(page.document.text, 'utf8'),
    }
    return { article: { ...base, read, text: page.document.text, passages: page.document.passages } }
  }
  const settled = await Promise.all(
    chosen.map((item) =>
      readOne(item as FeedItem & { publishedSec: number }).catch((e: unknown) => ({
        article: {
          url: item.url,
          title: item.title,
          publishedSec: item.publishedSec ?? 0,
          source: hostOf(item.url),
          read: { ok: false, url: item.url, reason: 'worker_failed', message: `unexpected: ${String((e as Error)?.message ?? e).slice(0, 300)}` } as ReadSourceReturnType,
        },
      })),
    ),
  )
  return {
    sources: feedResults.map((r) => r.report),
    candidates: byUrl.size,
    articles: settled.map((s) => s.article),
    starved: settled.filter((s) => 'starved' in s && s.starved).length,
    group,
  }
}
