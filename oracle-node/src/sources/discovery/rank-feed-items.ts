/**
 * Orders a question's candidate feed items before any article is fetched: by how many of the question's
 * content words their title and summary hold (a cheap, deterministic score, so every node holding the same
 * feeds picks the same articles), then newest first, then by URL. The judge ranks what was read again, by
 * meaning; this only decides which articles are worth a fetch under the question's cap.
 */
import type { FeedItem } from './parse-feed.ts'

const STOP_WORDS = new Set(['the', 'and', 'for', 'did', 'does', 'was', 'were', 'has', 'have', 'had', 'with', 'that', 'this', 'from', 'into', 'before', 'after', 'what', 'which', 'who', 'whom', 'will', 'would', 'been', 'its', 'their', 'there', 'than', 'then', 'over', 'under', 'about', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'january', 'february'])

/** Lower-case words of at least three letters, stop words and numbers dropped, a plural "s" trimmed. */
export function contentWords(text: string): Set<string> {
  const out = new Set<string>()
  for (const word of text.toLowerCase().match(/[\p{L}][\p{L}'’-]{2,}/gu) ?? []) {
    const w = word.replace(/['’]s$/, '')
    if (STOP_WORDS.has(w)) continue
    out.add(w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w)
  }
  return out
}

export function rankFeedItems(question: string, items: readonly FeedItem[]): FeedItem[] {
  const wanted = contentWords(question)
  const scored = items.map((item) => {
    const words = contentWords(`${item.title} ${item.summary}`)
    let score = 0
    for (const w of wanted) if (words.has(w)) score++
    return { item, score }
  })
  scored.sort((a, b) => b.score - a.score || (b.item.publishedSec ?? 0) - (a.item.publishedSec ?? 0) || (a.item.url < b.item.url ? -1 : a.item.url > b.item.url ? 1 : 0))
  return scored.map((s) => s.item)
}
