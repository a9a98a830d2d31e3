/**
 * Explicit numbers and years, where the trained pair model is weak: it reads "The museum opened in 1998" as
 * support for "The museum opened in 2004" (the sentences are identical but for one piece, and its training pairs
 * seldom turn on a number). A passage conflicts with a claim when the claim states a number the passage does
 * not, and the passage states another number of the same kind about the same thing:
 * - the same kind: both years (1000-2100, whole), or both quantities with the same unit ("12 million dollars" vs
 *   "40 million dollars", "3.5 %" vs "5 %"); scale words are applied, so "12 million" equals "12,000,000";
 * - the same thing: a content word of the claim near its number (within WINDOW words) is also near the
 *   passage's number. "The director, born in 1962, ..." does not conflict with "The film came out in 2004".
 * judge-text.ts then reads the pair's entailment as contradiction, as for a denial (detect-denial.ts).
 */
import { tokenizeWords } from './tokenize-words.ts'

const WINDOW = 6
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, k: 1e3, m: 1e6, bn: 1e9 }
const UNIT_ALIASES: Record<string, string> = { percent: '%', 'per cent': '%', usd: '$', dollars: '$', dollar: '$', euros: '€', euro: '€', eur: '€', pounds: '£', gbp: '£' }
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'as', 'than', 'about', 'over', 'under', 'after', 'before', 'since', 'until', 'more', 'less', 'some', 'only'])

type Mention = { value: number; kind: string; context: Set<string> }

function stem(word: string): string {
  return word.replace(/(?:ing|ed|es|s|e)$/, '')
}

function mentions(text: string): Mention[] {
  const tokens = tokenizeWords(text, 400)
  const out: Mention[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (!/^\d[\d,]*(?:\.\d+)?$/.test(t)) continue
    let value = Number(t.replace(/,/g, ''))
    if (!Number.isFinite(value)) continue
    let next = i + 1
    const scale = SCALES[tokens[next] ?? '']
    if (scale !== undefined) {
      value *= scale
      next++
    }
    const year = scale === undefined && /^\d{4}$/.test(t) && value >= 1000 && value <= 2100
    const before = tokens[i - 1] ?? ''
    const after = tokens[next] ?? ''
    const unit = ['$', '€', '£'].includes(before) ? before : (UNIT_ALIASES[after] ?? (/^[\p{L}%]+$/u.test(after) && !STOP.has(after) ? stem(after) : ''))
    const kind = year ? 'year' : `quantity:${unit}`
    const context = new Set<string>()
    for (let k = Math.max(0, i - WINDOW); k <= Math.min(tokens.length - 1, i + WINDOW); k++) {
      const w = tokens[k]!
      if (k !== i && w.length > 2 && /\p{L}/u.test(w) && !STOP.has(w) && SCALES[w] === undefined) context.add(stem(w))
    }
    out.push({ value, kind, context })
  }
  return out
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/** True when the passage gives another number of the same kind, about the same thing, than the claim does. */
export function detectNumberConflict(claim: string, passage: string): boolean {
  const inClaim = mentions(claim)
  if (inClaim.length === 0) return false
  const inPassage = mentions(passage)
  for (const c of inClaim) {
    // A quantity with no unit ("3 of them") is too vague to contradict anything.
    if (c.kind === 'quantity:') continue
    if (inPassage.some((p) => same(p.value, c.value))) continue
    const rival = inPassage.some((p) => p.kind === c.kind && [...p.context].some((w) => c.context.has(w)))
    if (rival) return true
  }
  return false
}
