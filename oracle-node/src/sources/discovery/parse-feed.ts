/**
 * Reads the items of a news feed (RSS 2.0, Atom) or a sitemap from untrusted XML, bounded.
 *
 * A feed is a requester's or a stranger's file, so the parse is a stream, never a tree: htmlparser2's Parser in
 * XML mode with our own callbacks, keeping only the few fields of each item we use, each cut at a length. It
 * stops at `maxItems` items (the rest are counted as not read), at `maxDepth` open elements (htmlparser2's open
 * element stack is quadratic in depth) and at `maxChars` of input. Entities: only the five XML entities and
 * numeric references are decoded; a DTD's own entities are never expanded (htmlparser2 does not read DTDs), so
 * an entity-expansion bomb ("billion laughs") stays the few bytes it is. Expected failures are values.
 */
import { Parser } from 'htmlparser2'

export type FeedKind = 'rss' | 'atom' | 'sitemap'

export type FeedItem = {
  /** Absolute http(s) URL of the article (resolved against the feed's URL). */
  url: string
  title: string
  summary: string
  /** Publication time in unix seconds; undefined when the item gives none that parses. */
  publishedSec: number | undefined
}

export type ParseFeedLimits = {
  /** Items read; the feed is cut after them (`truncated`). */
  maxItems: number
  /** Open elements at once. */
  maxDepth: number
  /** Characters of XML read. */
  maxChars: number
  /** Characters kept per field (title, summary, link). */
  maxFieldChars: number
}

export const defaultParseFeedLimits: Readonly<ParseFeedLimits> = Object.freeze({
  maxItems: 1000,
  maxDepth: 32,
  maxChars: 4_000_000,
  maxFieldChars: 2000,
})

export type ParseFeedReturnType =
  | {
      ok: true
      kind: FeedKind
      items: FeedItem[]
      /** Set when a bound cut the feed: why, for the node's report. The items before the cut stand. */
      truncated?: string
      /** Items seen but left out: no usable link. */
      skipped: number
    }
  | { ok: false; reason: 'not_a_feed' | 'too_deep'; message: string }

class FeedLimitReached extends Error {
  override name = 'FeedLimitReached'
  constructor(readonly why: 'items' | 'depth') {
    super(why)
  }
}

const ITEM_TAGS: Record<string, FeedKind> = { item: 'rss', entry: 'atom', url: 'sitemap' }
const ROOT_TAGS: Record<string, FeedKind> = { rss: 'rss', 'rdf:rdf': 'rss', feed: 'atom', urlset: 'sitemap' }

/** The local name of a tag, lower-cased ("atom:link" -> "link"), except known prefixes we read as such. */
function localName(tag: string): string {
  const lower = tag.toLowerCase()
  if (lower === 'dc:date' || lower === 'news:publication_date' || lower === 'news:title' || lower === 'rdf:rdf' || lower === 'content:encoded') return lower
  const colon = lower.indexOf(':')
  return colon < 0 ? lower : lower.slice(colon + 1)
}

function toUnixSec(text: string): number | undefined {
  const ms = Date.parse(text.trim())
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined
}

function absoluteUrl(link: string, baseUrl: string): string | undefined {
  try {
    const url = new URL(link.trim(), baseUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
    url.hash = ''
    return url.toString()
  } catch {
    return undefined
  }
}

/** `baseUrl`: the feed's final URL, against which relative links resolve. */
export function parseFeed(xml: string, baseUrl: string, limits: Partial<ParseFeedLimits> = {}): ParseFeedReturnType {
  const { maxItems, maxDepth, maxChars, maxFieldChars } = { ...defaultParseFeedLimits, ...limits }
  const input = xml.length > maxChars ? xml.slice(0, maxChars) : xml
  let kind: FeedKind | undefined
  const items: FeedItem[] = []
  let skipped = 0
  let depth = 0
  /** Depth of the open item element (0: outside any item). */
  let itemDepth = 0
  let field: string | undefined
  let fieldDepth = 0
  let current: { link?: string; altLink?: string; title: string; summary: string; dates: Partial<Record<string, string>> } | undefined
  let buffer = ''

  const finishItem = () => {
    const c = current!
    current = undefined
    const link = c.link ?? c.altLink
    const url = link === undefined ? undefined : absoluteUrl(link, baseUrl)
    if (url === undefined) {
      skipped++
      return
    }
    const d = c.dates
    const date = d.pubdate ?? d['dc:date'] ?? d.published ?? d['news:publication_date'] ?? d.updated ?? d.lastmod ?? d.issued
    items.push({ url, title: c.title.trim().slice(0, maxFieldChars), summary: c.summary.trim().slice(0, maxFieldChars), publishedSec: date === undefined ? undefined : toUnixSec(date) })
    if (items.length >= maxItems) throw new FeedLimitReached('items')
  }

  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        depth++
        if (depth > maxDepth) throw new FeedLimitReached('depth')
        const name = localName(tag)
        if (kind === undefined) {
          kind = ROOT_TAGS[name]
          if (kind === undefined && depth === 1 && name === 'sitemapindex') kind = 'sitemap'
          return
        }
        if (itemDepth === 0) {
          if (ITEM_TAGS[name] === kind) {
            itemDepth = depth
            current = { title: '', summary: '', dates: {} }
          }
          return
        }
        if (field !== undefined) return
        if (name === 'link' && kind === 'atom') {
          // Atom: <link rel="alternate" href="..."/>; a link without rel is the alternate one.
          const rel = (attribs.rel ?? 'alternate').toLowerCase()
          if (attribs.href !== undefined && current) {
            if (rel === 'alternate') current.link ??= attribs.href.slice(0, maxFieldChars)
            else current.altLink ??= attribs.href.slice(0, maxFieldChars)
          }
          return
        }
        if (['title', 'news:title', 'link', 'loc', 'description', 'summary', 'pubdate', 'dc:date', 'published', 'updated', 'lastmod', 'issued', 'news:publication_date'].includes(name)) {
          field = name
          fieldDepth = depth
          buffer = ''
        }
      },
      ontext(text) {
        if (field !== undefined && buffer.length < maxFieldChars) buffer += text.slice(0, maxFieldChars - buffer.length)
      },
      onclosetag() {
        if (field !== undefined && depth === fieldDepth) {
          const c = current!
          if (field === 'title' || field === 'news:title') c.title ||= buffer
          else if (field === 'link' || field === 'loc') c.link ??= buffer
          else if (field === 'description' || field === 'summary') c.summary ||= buffer
          else c.dates[field] ??= buffer
          field = undefined
        }
        if (itemDepth !== 0 && depth === itemDepth) {
          itemDepth = 0
          depth--
          finishItem()
          return
        }
        depth--
      },
    },
    { xmlMode: true, decodeEntities: true },
  )
  let truncated: string | undefined = input.length < xml.length ? `cut at ${maxChars} characters` : undefined
  try {
    parser.end(input)
  } catch (error) {
    if (!(error instanceof FeedLimitReached)) throw error
    if (error.why === 'depth') return { ok: false, reason: 'too_deep', message: `more than ${maxDepth} nested elements` }
    truncated = `more than ${maxItems} items: the rest were not read`
  }
  if (kind === undefined) return { ok: false, reason: 'not_a_feed', message: 'neither RSS, Atom nor a sitemap' }
  return { ok: true, kind, items, skipped, ...(truncated === undefined ? {} : { truncated }) }
}
