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
 * - a day of the month ("15 December") is part of a date, not a quantity.
 * A year the claim states can also be on the page and still not be the event's: "The airline, which was founded in
 * 1987, filed for bankruptcy in 2020." refutes "The airline filed for bankruptcy in 1987." (yearBoundElsewhere).
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
  what: "another year, or another quantity with the same unit, with every content word of the claim within 8 words of it, where the claim's number is not a bound or the passage's a reference point or a day of a date, is a refutation; so is the claim's year standing once, in a describing clause (which/who/whose, or a participle: 'founded in 1987,') with none of the claim's words, before a clause that states the claim's event (two or more of its words, the rest in clauses with no number) with another year. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['The museum opened in 2004.', 'The museum opened in 1998.', true],
    ['The bridge will cost 12 million dollars.', 'The bridge will cost $12,000,000.', false],
    ['the population of Tokyo exceed 14 million people', 'Tokyo had 14.1 million people in 2024, the census office said.', false],
    ['The airline filed for bankruptcy in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.', true],
    ['The governor signed the bill in 2019.', 'In 2019, after a campaign that began in 2012, the governor signed the bill.', false],
  ],
} as const

const WINDOW = 8
const SCALES = new Map<string, number>([['thousand', 1e3], ['million', 1e6], ['billion', 1e9], ['trillion', 1e12], ['bn', 1e9]])
const UNIT_ALIASES = new Map<string, string>([['percent', '%'], ['usd', '$'], ['dollars', '$'], ['dollar', '$'], ['euros', '€'], ['euro', '€'], ['eur', '€'], ['pounds', '£'], ['gbp', '£']])
const CURRENCY_SIGNS = new Set(['$', '€', '£'])
const MONTHS = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'])
/** Words that make the number after them a bound or a reference point (looked for up to two words before it). */
const BOUNDS = new Set(['above', 'below', 'over', 'under', 'exceed', 'exceeds', 'exceeded', 'exceeding', 'least', 'most', 'than', 'by', 'before', 'after', 'since', 'until', 'till', 'within', 'beyond', 'up', 'top', 'tops', 'surpass', 'surpasses', 'reach', 'reaches', 'hit', 'hits'])
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'as', 'than', 'about', 'over', 'under', 'after', 'before', 'since', 'until', 'more', 'less', 'some', 'only', 'year', 'years'])

type Mention = { value: number; kind: string; bound: boolean; context: Set<string>; at: number }


const isContent = (w: string) => w.length > 2 && /\p{L}/u.test(w) && !STOP.has(w) && !SCALES.has(w) && !MONTHS.has(w)

function mentions(text: string): Mention[] {
  return mentionsIn(tokenizeWords(text, 400))
}

function mentionsIn(tokens: readonly string[]): Mention[] {
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
    out.push({ value, kind, bound, context, at: i })
  }
  return out
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/** True when the passage gives another number of the same kind, about the same thing, than the claim does. */
export function detectNumberConflict(claim: string, passage: string): boolean {
  const inClaim = mentions(claim)
  if (inClaim.length === 0) return false
  // The claim's own words, less its units ("percent" may be "%" on the page).
  const claimWords = new Set(tokenizeWords(claim, 64).filter((w) => isContent(w) && !UNIT_ALIASES.has(w)).map(stem))
  if (claimWords.size === 0) return false
  const tokens = tokenizeWords(passage, 400)
  const inPassage = mentionsIn(tokens)
  for (const c of inClaim) {
    // A quantity with no unit ("3 of them") is too vague to contradict anything; a bound is a threshold.
    if (c.kind === 'quantity:' || c.bound) continue
    const stated = inPassage.filter((p) => same(p.value, c.value))
    if (stated.length > 0) {
      if (c.kind === 'year' && yearBoundElsewhere(tokens, stated, inPassage, claimWords)) return true
      continue
    }
    const rival = inPassage.some((p) => p.kind === c.kind && !p.bound && [...claimWords].every((w) => p.context.has(w)))
    if (rival) return true
  }
  return false
}

/** Marks that end a clause, and relative words that start one ("The airline, which was founded in 1987, ..."). */
const CLAUSE_BREAKS = new Set([',', ';', ':', '(', ')', '[', ']', '—', '–'])
const RELATIVES = new Set(['which', 'who', 'whom', 'whose'])
/**
 * Past participles that do not end in -ed (those that do are read as participles too): a clause opening with one
 * ("born in 1950,", "shut in 2015 for repairs,") describes something rather than stating the sentence's event.
 */
const PARTICIPLES = new Set([
  'born', 'borne', 'built', 'rebuilt', 'begun', 'made', 'remade', 'written', 'rewritten', 'known', 'sold', 'held', 'set', 'grown', 'drawn',
  'withdrawn', 'laid', 'run', 'shut', 'cut', 'put', 'hit', 'struck', 'found', 'bought', 'brought', 'taught', 'caught', 'sent', 'spent',
  'lost', 'won', 'done', 'seen', 'overseen', 'taken', 'undertaken', 'given', 'chosen', 'driven', 'broken', 'spoken', 'stolen', 'frozen',
  'shown', 'thrown', 'worn', 'torn', 'led', 'left', 'kept', 'paid', 'hidden', 'beaten', 'forgotten', 'sunk', 'sung', 'split', 'told',
])
/** Words that may stand before the participle of a describing clause ("first drafted in 1999,", "having lost in 2016,"). */
const LEAD_ADVERBS = new Set(['first', 'originally', 'initially', 'once', 'formerly', 'later', 'having'])

type Clause = { words: Set<string>; years: number; describing: boolean; relative: boolean }

/** The passage's clauses: token ranges between clause breaks, with their content stems and how they open. */
function clausesOf(tokens: readonly string[]): { clauseAt: number[]; clauses: Clause[] } {
  const clauseAt: number[] = []
  const clauses: Clause[] = []
  let opener: string[] = []
  for (const [i, t] of tokens.entries()) {
    const breaks = CLAUSE_BREAKS.has(t)
    // A new clause at the first word after a break, or at a relative word.
    if (!breaks && (i === 0 || CLAUSE_BREAKS.has(tokens[i - 1]!) || RELATIVES.has(t)) && (clauses.length === 0 || opener.length > 0)) {
      clauses.push({ words: new Set(), years: 0, describing: false, relative: false })
      opener = []
    }
    if (clauses.length === 0) clauses.push({ words: new Set(), years: 0, describing: false, relative: false })
    clauseAt.push(clauses.length - 1)
    if (breaks) continue
    const clause = clauses.at(-1)!
    if (opener.length < 2) {
      opener.push(t)
      const [first, second] = opener
      clause.relative ||= RELATIVES.has(first!)
      clause.describing ||= RELATIVES.has(first!) || isParticiple(first!) || (LEAD_ADVERBS.has(first!) && second !== undefined && isParticiple(second))
    }
    if (isContent(t)) clause.words.add(stem(t))
  }
  return { clauseAt, clauses }
}

const isParticiple = (w: string) => PARTICIPLES.has(w) || (w.length > 4 && w.endsWith('ed'))

/**
 * The claim's year is on the page, but in a clause that describes something else, while the claim's event is stated
 * with another year: "The airline, which was founded in 1987, filed for bankruptcy in 2020." against "The airline
 * filed for bankruptcy in 1987." Narrowly:
 * - the claim's year stands once, in a relative or participial clause ("which ...", "who ...", "founded in ...",
 *   "born in ...") holding none of the claim's words;
 * - another year (not a bound or reference point) stands in another clause holding at least two of the claim's words;
 * - every claim word is in that clause, or in a clause with no number in it (the sentence's subject).
 * A year in front ("In 2019, after a campaign that began in 2012, the governor signed the bill") binds the main
 * clause, so it does not open a describing clause and the rule stays silent.
 */
function yearBoundElsewhere(tokens: readonly string[], stated: readonly Mention[], inPassage: readonly Mention[], claimWords: ReadonlySet<string>): boolean {
  if (stated.length !== 1) return false
  const { clauseAt, clauses } = clausesOf(tokens)
  for (const m of inPassage) clauses[clauseAt[m.at]!]!.years++
  const ownAt = clauseAt[stated[0]!.at]!
  const own = clauses[ownAt]!
  if (!own.describing || [...claimWords].some((w) => own.words.has(w))) return false
  return inPassage.some((p) => {
    if (p.kind !== 'year' || p.bound || same(p.value, stated[0]!.value)) return false
    // The describing clause comes before the event's: one after it may describe the event's last words ("a film
    // based on Wells' novel, published in 1897").
    if (clauseAt[p.at]! <= ownAt) return false
    const event = clauses[clauseAt[p.at]!]!
    if (event.relative) return false
    const inEvent = [...claimWords].filter((w) => event.words.has(w))
    if (inEvent.length < 2) return false
    return [...claimWords].every((w) => event.words.has(w) || clauses.some((k) => k.years === 0 && k.words.has(w)))
  })
}
