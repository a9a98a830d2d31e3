/**
 * Training pairs in which the passage restates the statement with more detail (export-restated-pairs.ts): a finer
 * date ("in 2019" → "in May 2019", "on 12 May 2019", "in late 2019"), a clause that adds a number, a place, a reason
 * or an attribution, or a lead-in. Each is an entailment. Beside them, the statement with its year moved to another
 * year: a contradiction, so that a model learns "more detail is still support", not "the year does not matter".
 * Some passages also name another year tied to another event ("…, seven years after the 2012 vote"): in
 * entailments, so that a second year is not itself a sign of contradiction, and in a third of the contradictions
 * as the statement's own year, so that the statement's year somewhere in the passage is not itself support.
 *
 * Why: a judge trained three epochs on the NLI sets read "The bridge was completed in 2023 after four years of
 * work." as neutral or contradiction of "The bridge was completed in 2023." (EVALUATION.md, "Tried and not
 * shipped"): in SNLI a passage with numbers the statement lacks is often about another scene. Market questions
 * carry years. The templates were written for this file; none is a sentence of the node's tests.
 */

export type RestatedPair = { source: 'restated' | 'restated_year'; label: 'entailment' | 'contradiction'; premise: string; hypothesis: string }

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const PLACES = ['Lyon', 'Osaka', 'Denver', 'Nairobi', 'Porto', 'Winnipeg', 'Adelaide', 'Leeds', 'Cordoba', 'Tampere', 'Busan', 'Gdansk']

type Draw = { pick: <T>(xs: readonly T[]) => T; int: (lo: number, hi: number) => number; random: () => number }

/** Clauses that add detail without taking anything back: no negation, no hedge, no year. */
const TAILS: Array<(d: Draw) => string> = [
  (d) => `, ${d.int(2, 9)} ${d.pick(['weeks', 'months'])} later than planned`,
  (d) => ` in a ruling signed by ${d.int(3, 9)} judges`,
  (d) => `, with ${d.int(12, 95)} percent in favour`,
  (d) => `, officials said on ${d.pick(DAYS)}`,
  (d) => `, according to a report published in ${d.pick(MONTHS)}`,
  () => `, the agency confirmed in a statement`,
  (d) => ` at a cost of ${d.int(2, 900)} million dollars`,
  (d) => `, for the ${d.pick(['second', 'third', 'fourth', 'fifth'])} time`,
  (d) => ` in ${d.pick(PLACES)}`,
  (d) => `, as ${d.pick(['expected', 'announced earlier', 'reported at the time', 'planned'])}`,
  (d) => ` after ${d.int(2, 14)} ${d.pick(['days', 'weeks', 'months'])} of ${d.pick(['talks', 'negotiations', 'debate', 'delays'])}`,
  (d) => `, ${d.pick(['drawing', 'attracting'])} about ${d.int(2, 90) * 1000} people`,
  (d) => ` with the support of ${d.int(3, 40)} ${d.pick(['members', 'partners', 'countries', 'lawmakers'])}`,
  (d) => `, ${d.pick(['a spokesperson', 'the organisers', 'local media', 'two people familiar with the matter'])} said`,
  (d) => `, ${d.int(2, 30)} years after ${d.pick(['the idea was first proposed', 'the first attempt', 'its founding'])}`,
  (d) => ` following a ${d.int(2, 12)}-${d.pick(['hour', 'day', 'month'])} ${d.pick(['review', 'hearing', 'campaign'])}`,
]
const HEADS: Array<(d: Draw) => string> = [
  (d) => `According to ${d.pick(['the agency', 'official records', 'a statement', 'the organisers'])}, `,
  (d) => `On ${d.pick(DAYS)}, `,
  (d) => `As ${d.pick(['expected', 'planned', 'announced'])}, `,
  (d) => `After ${d.int(2, 14)} ${d.pick(['days', 'weeks', 'months'])} of ${d.pick(['talks', 'work', 'delays'])}, `,
  (d) => `With ${d.int(8, 60)} members present, `,
  () => `Records show that `,
]
const EVENTS = ['vote', 'election', 'merger', 'earthquake', 'referendum', 'strike', 'takeover', 'flood', 'census', 'reform']
const THINGS = ['agreement', 'design', 'law', 'plan', 'schedule', 'contract']
/** "a year" / "7 years". */
const span = (n: number) => (n === 1 ? 'a year' : `${n} years`)
/**
 * A clause that ties `other` to another event, so that a second year in the passage is not by itself a sign of a
 * contradiction; `year` is the year of the passage's own event, the count of "N years after" is right. The event is
 * never a noun of the statement ("The referendum was held in 2019, 3 years after the 2016 referendum" could be the
 * same kind of event again). `contradiction`: `other` is the statement's own year, so no clause that could be the
 * statement's event again ("a second phase is due in <year>") is used.
 */
function otherYearTail(statement: string, year: number, other: number, contradiction: boolean, d: Draw): string {
  const words = new Set(statement.toLowerCase().split(/\W+/))
  const event = () => d.pick(EVENTS.filter((e) => !words.has(e)))
  const thing = () => d.pick(THINGS.filter((e) => !words.has(e)))
  if (other < year)
    return d.pick([
      () => `, ${span(year - other)} after the ${other} ${event()}`,
      () => `, ending a dispute that began in ${other}`,
      () => `; an earlier attempt in ${other} had failed`,
      () => `, replacing a ${other} ${thing()}`,
    ])()
  const before = () => `, ${span(other - year)} before the ${other} ${event()}`
  // A later year of another event is stated as past only up to now; a plan for a later year is not a contradiction.
  if (contradiction) return before()
  const plans = [() => `, and a review is planned for ${other}`, () => `; a second phase is due in ${other}`]
  return d.pick(other <= 2025 ? [...plans, before] : plans)()
}
/** Another year 1 to 12 years from `year` (as far as a moved year goes), never `year` itself. */
function otherYear(year: number, d: Draw): number {
  return year + d.pick([-1, 1]) * d.int(1, 12)
}

/** Words whose capital comes only from starting the sentence (lower-cased after a lead-in). */
const PLAIN_START = new Set(['The', 'A', 'An', 'In', 'On', 'At', 'His', 'Her', 'Its', 'Their', 'It', 'He', 'She', 'They', 'There', 'This', 'That', 'Some', 'Many', 'Most', 'Two', 'Three'])

/** A year, not a decade ("the 1950s", "1950's"). */
const YEAR = /\b(1[5-9]\d\d|20\d\d)\b(?!'?s\b)/g
/** A year a few words after one of these is a bound, not a date: moving it need not contradict ("before 2010"). */
const BOUND_BEFORE = /\b(before|after|since|until|till|by|than|around|circa|between|from|to|through|about|over|under|c\.|prior)\b[^.;]{0,16}$/i
const NEGATION = /\b(not|no|never|nobody|nothing|none)\b|n't/i

/** The years of a statement (decades excluded). */
export function yearsOf(statement: string): string[] {
  return [...statement.matchAll(YEAR)].map((m) => m[1]!)
}

/**
 * A statement usable as a restated pair's hypothesis: declarative, 4 to 30 words, no question, quotation or
 * negation (a negated statement under an added clause is another problem), without its final stop. Else undefined.
 */
export function usableStatement(text: string): string | undefined {
  const s = text.trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '')
  const words = s.split(' ').length
  if (words < 4 || words > 30 || /[?"]/.test(s) || NEGATION.test(s)) return undefined
  return s
}

function withHead(s: string, d: Draw): string {
  const head = d.pick(HEADS)(d)
  const [first, ...rest] = s.split(' ')
  return head + [PLAIN_START.has(first!) ? first!.toLowerCase() : first, ...rest].join(' ')
}
function withTail(s: string, d: Draw): string {
  return `${s}${d.pick(TAILS)(d)}`
}
/** "in 2019" → "in May 2019" / "on 12 May 2019" / "in late 2019"; undefined without "in <year>". */
function finerDate(s: string, d: Draw): string | undefined {
  const m = /\bin (1[5-9]\d\d|20\d\d)\b(?!'?s\b)/.exec(s)
  if (!m) return undefined
  const year = m[1]!
  const finer = d.pick([() => `in ${d.pick(MONTHS)} ${year}`, () => `on ${d.int(1, 28)} ${d.pick(MONTHS)} ${year}`, () => `in ${d.pick(['early ', 'late ', 'mid-'])}${year}`])()
  return s.slice(0, m.index) + finer + s.slice(m.index + m[0].length)
}
/** The statement with its one year moved 1 to 12 years, and that year, or undefined where the year is a bound. */
function movedYear(s: string, d: Draw): { text: string; year: number } | undefined {
  const years = [...s.matchAll(YEAR)]
  if (years.length !== 1) return undefined
  const m = years[0]!
  if (BOUND_BEFORE.test(s.slice(0, m.index))) return undefined
  const other = Number(m[1]) + d.pick([-1, 1]) * d.int(1, 12)
  return { text: s.slice(0, m.index) + String(other) + s.slice(m.index! + 4), year: other }
}

/**
 * `count` restated entailments, half from statements with one year (each with a moved-year contradiction where
 * the year is a date) and the rest from statements without a year, in a seeded order. Statements are used once.
 */
export function restatedPairs(withYear: readonly string[], plain: readonly string[], count: number, random: () => number): RestatedPair[] {
  const d: Draw = { random, pick: (xs) => xs[Math.floor(random() * xs.length)]!, int: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)) }
  const shuffled = <T>(xs: readonly T[]): T[] => {
    const a = [...xs]
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[a[i], a[j]] = [a[j]!, a[i]!]
    }
    return a
  }
  const years = shuffled(withYear)
  const others = shuffled(plain)
  const out: RestatedPair[] = []
  let fromYear = 0
  for (const s of years.slice(0, Math.floor(count / 2))) {
    const year = Number(yearsOf(s)[0])
    const finer = finerDate(s, d)
    let detailed = finer !== undefined && random() < 0.6 ? (random() < 0.5 ? finer : withTail(finer, d)) : random() < 0.6 ? withTail(s, d) : withHead(s, d)
    // Two in five also name another year of another event: support that has a second year. Not where the year is a
    // bound ("closed before 2010, 21 years before the 2031 strike" would date it 2010).
    const bound = BOUND_BEFORE.test(s.slice(0, s.indexOf(String(year))))
    if (!bound && random() < 0.4) detailed += otherYearTail(s, year, otherYear(year, d), false, d)
    out.push({ source: 'restated', label: 'entailment', premise: `${detailed}.`, hypothesis: `${s}.` })
    const moved = movedYear(s, d)
    if (moved !== undefined) {
      // A third plain, a third with a clause, a third with the statement's own year tied to another event: the
      // statement's year in the passage does not make it support when the event has another one.
      const r = random()
      const premise = r < 1 / 3 ? moved.text : r < 2 / 3 ? withTail(moved.text, d) : moved.text + otherYearTail(s, moved.year, year, true, d)
      out.push({ source: 'restated_year', label: 'contradiction', premise: `${premise}.`, hypothesis: `${s}.` })
    }
    fromYear++
  }
  for (const s of others.slice(0, count - fromYear)) out.push({ source: 'restated', label: 'entailment', premise: `${random() < 0.7 ? withTail(s, d) : withHead(s, d)}.`, hypothesis: `${s}.` })
  return out
}
