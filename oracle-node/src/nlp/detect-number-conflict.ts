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
 * A decade ("the 1970s") agrees with every year inside it.
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
  what: "another year, or another quantity with the same unit, with every content word of the claim within 8 words of it, where the claim's number is not a bound or the passage's a reference point or a day of a date, is a refutation (a decade agrees with its years); so is the claim's year, stated as a date, standing once in a clause that tells where something began ('founded in 1987,', 'who was born in 1950') with none of the claim's words, before a clause that states the claim's event (two or more of its words, the rest in clauses with no number, no repeat or tie back) with another dated year the claim does not state, the passage holding no other word than the claim's outside that clause. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
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
const DETERMINERS = new Set(['the', 'a', 'an', 'its', 'his', 'her', 'their', 'this', 'that', 'our', 'my', 'your'])
const DATE_WORDS = new Set(['in', 'on', 'during'])
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'as', 'than', 'about', 'over', 'under', 'after', 'before', 'since', 'until', 'more', 'less', 'some', 'only', 'year', 'years'])

type Mention = {
  value: number
  kind: string
  bound: boolean
  context: Set<string>
  at: number
  /** A year used as a name's label ("the 2015 Paris Agreement", "Radiohead's 1997 album"), not a date. */
  label: boolean
  /** A year stated as a date: after "in", "on", "during" or a month. */
  dated: boolean
  /** "the 1990s": the years from value to value + 9. */
  decade: boolean
}

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
    // "the 1990s", "the 1990's": a decade, which agrees with every year inside it.
    const decade = year && value % 10 === 0 && (after === 's' || (after === "'" && tokens[next + 1] === 's'))
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
    const label = year && !decade && (DETERMINERS.has(before) || (before === 's' && tokens[i - 2] === "'"))
    // "in 1987", "on 3 March 1987", "March 1987", "March 3, 1987".
    const dated = year && (DATE_WORDS.has(lead[0] ?? '') || MONTHS.has(before) || (before === ',' && MONTHS.has(tokens[i - 3] ?? '')))
    out.push({ value, kind, bound, context, at: i, label, dated, decade })
  }
  return out
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
/** The same number, or a year inside a decade ("1978" and "the 1970s"). */
const agree = (a: Mention, b: Mention) => (a.decade || b.decade ? within(a, b) || within(b, a) : same(a.value, b.value))
const within = (inner: Mention, outer: Mention) => outer.decade && inner.value >= outer.value && inner.value < outer.value + 10 && (!inner.decade || inner.value === outer.value)

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
    // A decade on the page states a year of the claim only for a claim that gives a decade too: "the defining album
    // of the 1990s ... released in 1991" does not state 1992.
    const stated = inPassage.filter((p) => agree(p, c) && (!p.decade || c.decade))
    if (stated.length > 0) {
      if (c.kind === 'year' && c.dated && !c.decade && yearBoundElsewhere(tokens, stated[0]!, stated.length, inPassage, inClaim, claimWords)) return true
      continue
    }
    // A year the claim uses as a label is compared as any other: "Brazil hosted the 2010 World Cup" is refuted by
    // "Brazil hosted the World Cup in 2014" (and "The 2015 Paris Agreement has entered into force" by "entered into
    // force in 2016", wrongly: a known limit).
    const rival = inPassage.some((p) => p.kind === c.kind && !p.bound && !agree(p, c) && [...claimWords].every((w) => p.context.has(w)))
    if (rival) return true
  }
  return false
}

/** Marks that end a clause, and relative words that start one ("The airline, which was founded in 1987, ..."). */
const CLAUSE_BREAKS = new Set([',', ';', ':', '(', ')', '[', ']', '—', '–'])
const RELATIVES = new Set(['which', 'who', 'whom', 'whose'])
/** What may stand before the verb of a describing clause: "which was first", "who had been", "originally". */
const OPENER_FILLERS = new Set([...RELATIVES, 'was', 'were', 'is', 'are', 'been', 'had', 'has', 'have', 'first', 'originally', 'initially', 'once', 'formerly'])
/**
 * The verbs of a clause that tells where something began ("founded in 1987", "who was born in 1950", "which opened
 * in 1998"): the only describing clauses the rule reads. A clause describing anything else may be the claim's own
 * event in other words ("Merkel, who took office in 2005, became chancellor for a fourth term in 2018").
 */
const ORIGIN_VERBS = new Set([
  'founded', 'established', 'born', 'formed', 'incorporated', 'built', 'constructed', 'created', 'launched', 'opened', 'started', 'began',
  'begun', 'introduced', 'inaugurated', 'released', 'published', 'debuted', 'premiered', 'unveiled', 'chartered', 'organized', 'organised',
])
/** Words that tie the event back to another time, or make it a repeat: "that same year", "again", "re-elected". */
const LINKS = new Set(['again', 're', 'same', 'that', 'later', 'earlier', 'second', 'third', 'fourth', 'fifth', 'another', 'previous', 'last', 'first', 'once', 'too', 'also', 'within', 'months', 'weeks', 'days', 'following', 'next'])

type Clause = { words: Set<string>; raw: Set<string>; years: number; origin: boolean; relative: boolean }

/** The passage's clauses: token ranges between clause breaks, with their words and how they open. */
function clausesOf(tokens: readonly string[]): { clauseAt: number[]; clauses: Clause[] } {
  const clauseAt: number[] = []
  const clauses: Clause[] = []
  let opener: string[] = []
  const open = () => {
    clauses.push({ words: new Set(), raw: new Set(), years: 0, origin: false, relative: false })
    opener = []
  }
  // The comma of "March 3, 1987" is part of a date.
  const isBreak = (i: number) => CLAUSE_BREAKS.has(tokens[i]!) && !(tokens[i] === ',' && /^\d{1,2}$/.test(tokens[i - 1] ?? '') && /^\d{4}$/.test(tokens[i + 1] ?? ''))
  for (const [i, t] of tokens.entries()) {
    const breaks = isBreak(i)
    if (clauses.length === 0) open()
    // A new clause at the first word after a break, or at a relative word.
    else if (!breaks && opener.length > 0 && (isBreak(i - 1) || RELATIVES.has(t))) open()
    clauseAt.push(clauses.length - 1)
    if (breaks) continue
    const clause = clauses.at(-1)!
    if (opener.length === 0) clause.relative = RELATIVES.has(t)
    // The opener: fillers, then the verb ("which was first founded").
    if (opener.every((w) => OPENER_FILLERS.has(w)) && !OPENER_FILLERS.has(t) && opener.length < 4) clause.origin = ORIGIN_VERBS.has(t)
    opener.push(t)
    clause.raw.add(t)
    if (isContent(t)) clause.words.add(stem(t))
  }
  return { clauseAt, clauses }
}

/**
 * The claim's year is on the page, but in a clause that tells where something began, while the claim's event is
 * stated with another year: "The airline, which was founded in 1987, filed for bankruptcy in 2020." against "The
 * airline filed for bankruptcy in 1987." Narrowly, since a refutation here is not softened by the other judges:
 * - the claim states its year as a date ("in 1987"), and the passage states it once, in a clause that opens with a
 *   verb of origin ("founded in 1987,", "who was born in 1950,") and holds none of the claim's words;
 * - another year, stated as a date and not one the claim states too ("The 2010 law took effect in 2014"), stands in a
 *   later clause, not a relative one, that holds at least two of the claim's words and nothing that ties it back or
 *   makes it a repeat ("that same year", "again", "re-elected");
 * - no other clause holds two of those words (the event stated twice), every claim word is in that clause or in a
 *   clause with no number (the sentence's subject), and no clause but the origin clause holds a word the claim
 *   does not: the page states the claim's event, with another year, and nothing more.
 * A year in front ("In 2019, after a campaign that began in 2012, the governor signed the bill") binds the main
 * clause, and a describing clause after the event's may describe its last words ("a film based on Wells' novel,
 * published in 1897"): the rule is silent on both.
 */
function yearBoundElsewhere(tokens: readonly string[], stated: Mention, times: number, inPassage: readonly Mention[], inClaim: readonly Mention[], claimWords: ReadonlySet<string>): boolean {
  if (times !== 1) return false
  const { clauseAt, clauses } = clausesOf(tokens)
  for (const m of inPassage) clauses[clauseAt[m.at]!]!.years++
  const ownAt = clauseAt[stated.at]!
  const own = clauses[ownAt]!
  if (!own.origin || [...claimWords].some((w) => own.words.has(w))) return false
  // Besides the origin clause, the page says nothing but the claim's words: any other word may make the event a
  // later, narrower one ("Released in 2017, the game came out on the Switch in 2018") or the origin clause the
  // claim's own event in other words ("Founded in 1976, Apple went into the phone business in 2007").
  if (clauses.some((k, at) => at !== ownAt && [...k.words].some((w) => !claimWords.has(w)))) return false
  return inPassage.some((p) => {
    if (p.kind !== 'year' || p.bound || p.label || p.decade || !p.dated || inClaim.some((c) => agree(c, p))) return false
    const eventAt = clauseAt[p.at]!
    const event = clauses[eventAt]!
    if (eventAt <= ownAt || event.relative || [...event.raw].some((w) => LINKS.has(w))) return false
    const inEvent = [...claimWords].filter((w) => event.words.has(w))
    if (inEvent.length < 2) return false
    if (clauses.some((k, at) => at !== eventAt && inEvent.filter((w) => k.words.has(w)).length >= 2)) return false
    return [...claimWords].every((w) => event.words.has(w) || clauses.some((k) => k.years === 0 && k.words.has(w)))
  })
}
