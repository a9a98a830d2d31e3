/**
 * Explicit numbers and years, where the trained pair model is weak: it reads "The museum opened in 1998" as
 * support for "The museum opened in 2004" (the sentences are identical but for one piece, and its training pairs
 * seldom turn on a number). A passage conflicts with a claim when the claim states a number the passage does
 * not, and the passage states another number of the same kind about the same thing:
 * - the same kind: both years (1000-2100, whole), or both quantities with the same unit ("12 million dollars" vs
 *   "40 million dollars", "3.5 %" vs "5 %"); scale words are applied, so "12 million" equals "12,000,000";
 * - about the same thing: every content word of the claim (stemmed) is within WINDOW words of the passage's
 *   number. "The Federal Reserve, which cut rates in 2024, cut them again" is not about "the Fed cut rates in 2025".
 * judge-text.ts reads a conflict as a refutation it does not let other judges soften, so the rule stays narrow
 * where a page is ambiguous:
 * - a number the claim states as a bound ("above 14 million", "by 2025", "more than 3") is a threshold, which
 *   another number does not contradict; nor does a passage's number stated as a reference point ("closed since
 *   2019", "before 2020");
 * - a day of the month ("15 December") is part of a date, not a quantity;
 * - a decade ("the 1970s") agrees with every year inside it, either way round: "born in the 1970s" is not
 *   contradicted by "born April 23, 1978", nor "reunified in 1990" by "reunified in the 1990s".
 */
import { crudeStem as stem } from './crude-stem.ts'
import { tokenizeWords } from './tokenize-words.ts'

/**
 * Recorded in judge-model.json (`numberConflicts`): a node with another rule signs another modelHash. The examples
 * are checked against the code by the test.
 */
export const NUMBER_CONFLICT_RULE = {
  rule: 'oracle-node/src/nlp/detect-number-conflict.ts',
  since: '2026-12-06',
  what: "another year, or another quantity with the same unit, with every content word of the claim within 8 words of it, where the claim's number is not a bound or the passage's a reference point or a day of a date, is a refutation; a decade agrees with the years inside it. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['The museum opened in 2004.', 'The museum opened in 1998.', true],
    ['The bridge will cost 12 million dollars.', 'The bridge will cost $12,000,000.', false],
    ['the population of Tokyo exceed 14 million people', 'Tokyo had 14.1 million people in 2024, the census office said.', false],
  ],
} as const

const WINDOW = 8
const SCALES = new Map<string, number>([['thousand', 1e3], ['million', 1e6], ['billion', 1e9], ['trillion', 1e12], ['bn', 1e9]])
const UNIT_ALIASES = new Map<string, string>([['percent', '%'], ['usd', '$'], ['dollars', '$'], ['dollar', '$'], ['euros', '€'], ['euro', '€'], ['eur', '€'], ['pounds', '£'], ['gbp', '£']])
const CURRENCY_SIGNS = new Set(['$', '€', '£'])
const MONTHS = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'])
/** Words that make the number after them a bound or a reference point (looked for up to two words before it). */
const BOUNDS = new Set(['above', 'below', 'over', 'under', 'exceed', 'exceeds', 'exceeded', 'exceeding', 'least', 'most', 'than', 'by', 'before', 'after', 'since', 'until', 'till', 'within', 'beyond', 'up', 'top', 'tops', 'surpass', 'surpasses', 'reach', 'reaches', 'hit', 'hits'])
const DECADE_LEADS = new Set(['the', 'early', 'mid', 'late'])
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'as', 'than', 'about', 'over', 'under', 'after', 'before', 'since', 'until', 'more', 'less', 'some', 'only', 'year', 'years'])

/** `decade`: "the 1970s", the years from value to value + 9. */
type Mention = { value: number; kind: string; bound: boolean; context: Set<string>; decade: boolean }

const isContent = (w: string) => w.length > 2 && /\p{L}/u.test(w) && !STOP.has(w) && !SCALES.has(w) && !MONTHS.has(w)

function mentions(text: string): Mention[] {
  const tokens = tokenizeWords(text, 400)
  const out: Mention[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (!/^\d[\d,]*(?:\.\d+)?$/.test(t)) continue
    let value = Number(t.replace(/,/g, ''))
    if (!Number.isFinite(value)) continue
    let next = i + 1
    const scale = SCALES.get(tokens[next] ?? '')
    if (scale !== undefined) {
      value *= scale
      next++
    }
    const after = tokens[next] ?? ''
    // "15 December", "December 15": a day of a date.
    if (MONTHS.has(after) || (MONTHS.has(tokens[i - 1] ?? '') && value <= 31)) continue
    const year = scale === undefined && /^\d{4}$/.test(t) && value >= 1000 && value <= 2100
    const before = tokens[i - 1] ?? ''
    // "the 1970s", "the mid-1990s": a decade ("2020's election" is a year). "The 1900s" may be a century: nothing.
    const plural = after === 's' || ((after === "'" || after === '’') && tokens[next + 1] === 's')
    const decade = year && value % 10 === 0 && plural && (DECADE_LEADS.has(before) || (before === '-' && DECADE_LEADS.has(tokens[i - 2] ?? '')))
    if (decade && value % 100 === 0) continue
    const unit = CURRENCY_SIGNS.has(before) ? before : (UNIT_ALIASES.get(after) ?? (/^[\p{L}%]+$/u.test(after) && !STOP.has(after) ? stem(after) : ''))
    const kind = year ? 'year' : `quantity:${unit}`
    // The two words before the number, skipping the rest of a date or amount ("by 31 December 2025", "over $ 5").
    const lead: string[] = []
    for (let k = i - 1; k >= Math.max(0, i - 6) && lead.length < 2; k--) {
      const w = tokens[k]!
      if (!/^[\d,.$€£]+$/.test(w) && !MONTHS.has(w)) lead.push(w)
    }
    const bound = lead.some((w) => BOUNDS.has(w))
    const context = new Set<string>()
    for (let k = Math.max(0, i - WINDOW); k <= Math.min(tokens.length - 1, i + WINDOW); k++) {
      if (k !== i && isContent(tokens[k]!)) context.add(stem(tokens[k]!))
    }
    out.push({ value, kind, bound, context, decade })
  }
  return out
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
/** The same number, or a year inside a decade ("1978" and "the 1970s"), either way round. */
const agree = (a: Mention, b: Mention) => (a.decade || b.decade ? within(a, b) || within(b, a) : same(a.value, b.value))
const within = (inner: Mention, outer: Mention) => outer.decade && inner.value >= outer.value && inner.value < outer.value + 10 && (!inner.decade || inner.value === outer.value)

/** True when the passage gives another number of the same kind, about the same thing, than the claim does. */
export function detectNumberConflict(claim: string, passage: string): boolean {
  const inClaim = mentions(claim)
  if (inClaim.length === 0) return false
  // The claim's own words, less its units ("percent" may be "%" on the page).
  const claimWords = new Set(tokenizeWords(claim, 64).filter((w) => isContent(w) && !UNIT_ALIASES.has(w)).map(stem))
  if (claimWords.size === 0) return false
  const inPassage = mentions(passage)
  for (const c of inClaim) {
    // A quantity with no unit ("3 of them") is too vague to contradict anything; a bound is a threshold.
    if (c.kind === 'quantity:' || c.bound) continue
    if (inPassage.some((p) => agree(p, c))) continue
    const rival = inPassage.some((p) => p.kind === c.kind && !p.bound && [...claimWords].every((w) => p.context.has(w)))
    if (rival) return true
  }
  return false
}
