/**
 * Headline and publication date of a page, from one bounded walk over the tree (no CSS selectors: they
 * cost O(depth) per node, see parse-html.ts). Headline: og:title / twitter:title, else the first <h1>
 * inside <article>/<main>, else the first <h1>, else <title>. Date: article:published_time and the usual
 * meta names, else JSON-LD datePublished (objects, arrays, @graph), else itemprop="datePublished", else
 * <time datetime> (inside the article first). A date is kept as written if it parses and is plausible.
 */
import { isTag, isText, type AnyNode, type Element } from 'domhandler'
import { collapseWhitespace } from './text-blocks.ts'
import { parseJsonBounded } from './parse-json-bounded.ts'

export type PageMetadata = { title: string; publishedAt?: string }

export type ReadPageMetadataReturnType = PageMetadata

const dateMetaKeys = [
  'article:published_time',
  'og:article:published_time',
  'datepublished',
  'parsely-pub-date',
  'sailthru.date',
  'pubdate',
  'publishdate',
  'publish-date',
  'dc.date.issued',
  'dcterms.created',
  'date',
]

function plainText(el: Element, maxChars: number): string {
  let out = ''
  const stack: AnyNode[] = [el]
  while (stack.length > 0 && out.length < maxChars) {
    const node = stack.pop()!
    if (isText(node)) out += node.data
    else if (isTag(node)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!)
  }
  return out.slice(0, maxChars)
}

function plausibleDate(value: string | undefined): string | undefined {
  if (!value) return undefined
  const v = value.trim().slice(0, 64)
  const ms = Date.parse(v)
  if (!Number.isFinite(ms)) return undefined
  const year = new Date(ms).getUTCFullYear()
  return year >= 1990 && year <= 2100 ? v : undefined
}

/** datePublished anywhere in a JSON-LD block, breadth-first, bounded in size and depth. */
function jsonLdDate(raw: string): string | undefined {
  if (raw.length > 500_000) return undefined
  const parsed = parseJsonBounded(raw)
  if (!parsed.ok) return undefined
  const data = parsed.value
  const queue: Array<{ value: unknown; depth: number }> = [{ value: data, depth: 0 }]
  for (let seen = 0; queue.length > 0 && seen < 2000; seen++) {
    const { value, depth } = queue.shift()!
    if (depth > 6 || value === null || typeof value !== 'object') continue
    if (Array.isArray(value)) {
      for (const v of value.slice(0, 100)) queue.push({ value: v, depth: depth + 1 })
      continue
    }
    const obj = value as Record<string, unknown>
    const date = Object.hasOwn(obj, 'datePublished') ? obj['datePublished'] : undefined
    if (typeof date === 'string' && plausibleDate(date)) return plausibleDate(date)
    for (const key of Object.keys(obj).slice(0, 100)) queue.push({ value: obj[key], depth: depth + 1 })
  }
  return undefined
}

export function readPageMetadata(root: AnyNode, maxNodes = 200_000): ReadPageMetadataReturnType {
  const metas = new Map<string, string>()
  let titleTag: string | undefined
  let h1InArticle: string | undefined
  let h1: string | undefined
  const ldJson: string[] = []
  let itempropDate: string | undefined
  let timeInArticle: string | undefined
  let time: string | undefined

  const stack: Array<{ node: AnyNode; inArticle: boolean }> = [{ node: root, inArticle: false }]
  for (let visited = 0; stack.length > 0 && visited < maxNodes; visited++) {
    const { node, inArticle } = stack.pop()!
    if (!isTag(node)) {
      if ('children' in node) for (let i = (node.children as AnyNode[]).length - 1; i >= 0; i--) stack.push({ node: (node.children as AnyNode[])[i]!, inArticle })
      continue
    }
    const a = node.attribs
    switch (node.name) {
      case 'meta': {
        const key = (a['property'] ?? a['name'] ?? a['itemprop'] ?? '').toLowerCase()
        if (key && a['content'] !== undefined && !metas.has(key)) metas.set(key, a['content'])
        continue
      }
      case 'title':
        titleTag ??= plainText(node, 1000)
        continue
      case 'h1': {
        const text = collapseWhitespace(plainText(node, 1000)).trim()
        if (text) {
          h1 ??= text
          if (inArticle) h1InArticle ??= text
        }
        continue
      }
      case 'script':
        if ((a['type'] ?? '').toLowerCase() === 'application/ld+json' && ldJson.length < 20) ldJson.push(plainText(node, 500_001))
        continue
      case 'style':
        continue
      case 'time':
        if (a['datetime']) {
          if (inArticle) timeInArticle ??= a['datetime']
          time ??= a['datetime']
        }
        break
    }
    if (a['itemprop'] === 'datePublished') itempropDate ??= a['datetime'] ?? a['content']
    const childInArticle = inArticle || node.name === 'article' || node.name === 'main'
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, inArticle: childInArticle })
  }

  const clean = (s: string | undefined) => collapseWhitespace(s ?? '').trim().slice(0, 300)
  const title = clean(metas.get('og:title')) || clean(metas.get('twitter:title')) || clean(h1InArticle) || clean(h1) || clean(titleTag)
  let publishedAt: string | undefined
  for (const key of dateMetaKeys) {
    publishedAt = plausibleDate(metas.get(key))
    if (publishedAt) break
  }
  for (const raw of ldJson) publishedAt ??= jsonLdDate(raw)
  publishedAt ??= plausibleDate(itempropDate) ?? plausibleDate(timeInArticle) ?? plausibleDate(time)
  return publishedAt ? { title, publishedAt } : { title }
}
