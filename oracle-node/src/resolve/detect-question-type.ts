/**
 * Which of the node's question types a plain market question is, from its wording alone (as a requester
 * would submit it, before anyone writes a spec):
 *
 * - `sports.winner`: one game between two sides: "Will Qatar win on 2026-06-13?", "Will the Chiefs beat the
 *   Bills?", "Lakers vs. Celtics". A season, a league, a cup or an award is not one game: "Will Barcelona win
 *   La Liga?" is a text question (no box score settles it).
 * - `numeric.threshold`: a published number against a bound: "Will Bitcoin dip to $45,000 in February?",
 *   "EdgeX FDV above $4B?", "inflation more than 3.5%", "less than 16 named storms", "close at $210–215"
 *   (a bracket: two bounds), "Will 20 ships transit …" (a count). Years, dates, ranks ("#1", "top 4") and
 *   durations are not bounds.
 * - `unsupported`: the answer is someone's say-so or hangs on a second question: first person ("Will I …",
 *   "my"), "iff", or resolution by another market. Nothing a node reads settles these.
 * - `text`: any other yes/no question, judged from text sources.
 *
 * A suggestion for whoever writes the spec, with the reason and (when read) the bound or the teams; the spec
 * still names its sources and rules. Measured against labels derived from the markets' own resolution rules
 * by the evaluation (eval/datasets/forecastbench-resolved-markets.ts, EVALUATION.md).
 */

export type DetectedQuestionType = 'text' | 'sports.winner' | 'numeric.threshold' | 'unsupported'

export type DetectQuestionTypeReturnType = {
  type: DetectedQuestionType
  reason: string
  /** numeric.threshold: the first bound read, as a decimal string in the question's units, and its comparison. */
  threshold?: string
  comparison?: 'gt' | 'gte' | 'lt' | 'lte'
  /** sports.winner: the sides as written (`second` absent when the question names one side and a date). */
  teams?: { first: string; second?: string }
}

const MAX_QUESTION_CHARS = 1000

const FIRST_PERSON = /(?:^|[^\w'])(?:I|I'll|I'm|I've|me|my|mine|myself)(?=$|[^\w'])/
const CONDITIONAL = /\biff\b|\bconditional on\b/i
const OTHER_MARKET = /\b(?:on|per|according to)\s+(?:polymarket|manifold|kalshi|metaculus)\b/i

// Competitions that are not a single game: winning one of these is a text question.
const COMPETITION = /\b(?:league|liga|ligue|serie a|bundesliga|premier|championship|champions|cup|tournament|open|finals?|series|conference|division|group|playoffs?|title|season|mvp|award|trophy|medal|olympics|grand prix|world cup|super bowl|stanley cup|eurovision|election|primary|nomination|oscars?|academy|prize|race|standings|top \d+)\b/i
const ONE_GAME_DATE = /^(?:will\s+)?(?:the\s+)?(.{2,60}?)\s+(?:win|beat\s+.+?)\s+on\s+(?:\d{4}-\d{2}-\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:,?\s+\d{4})?|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?:\s+\d{4})?)\s*\??$/i
const BEATS = /^(?:will\s+)?(?:the\s+)?(.{2,60}?)\s+(?:beat|defeat|win against|win vs\.?|win over|cover against)\s+(?:the\s+)?(.{2,60}?)(?:\s+(?:on|in|at)\s+.+)?\s*\??$/i
const VERSUS = /^(?:will\s+)?(?:the\s+)?(.{2,60}?)\s+(?:vs\.?|v\.?|versus|@)\s+(?:the\s+)?(.{2,60}?)(?:\s*[:,(-].*)?\s*\??$/i

const UNIT = String.raw`(?:\s?(?:%|percent\b|(?:k|m|b|bn|t|thousand|million|billion|trillion|degrees|mph|bps|basis points)\b|ºc|°c))?`
const NUMBER = String.raw`[$€£¥]?\s?\d[\d,]*(?:\.\d+)?(?![\d.,]*\d)`
const QUANTITY = `${NUMBER}${UNIT}`
// A bound word before the number, or "or more" after it; an explicit range; a bare count at the start.
const BOUND_BEFORE = new RegExp(
  String.raw`\b(above|below|over|under|more than|less than|fewer than|greater than|higher than|lower than|at least|at most|no more than|no less than|exceed|exceeds|reach|reaches|hit|hits|dip to|dips to|drop to|drops to|fall to|falls to|fall below|falls below|rise above|rises above|close above|close below|close at|top|tops|surpass|surpasses|break|breaks|by|between)\s+(?:the\s+)?(${QUANTITY})|([><]=?|[≥≤])\s*(${QUANTITY})`,
  'i',
)
const BOUND_AFTER = new RegExp(String.raw`(${QUANTITY})\s+(or more|or higher|or above|or greater|or less|or lower|or below|or fewer)\b`, 'i')
const RANGE = new RegExp(String.raw`(${NUMBER}${UNIT})\s?(?:–|-|to)\s?(${NUMBER}${UNIT})`, 'i')
const COUNT_SUBJECT = new RegExp(String.raw`^(?:will\s+)?(?:there\s+be\s+)?(${NUMBER})(?:\s?[-–]\s?${NUMBER})?\s+(?:or more\s+)?[a-z]`, 'i')
const AMBIGUOUS_BOUND = /^(?:by|top|tops|break|breaks|over|under|hit|hits|reach|reaches)$/
const CURRENCY_OR_UNIT = /[$€£¥%]|ºc|°c|\b(?:k|m|b|bn|t|thousand|million|billion|trillion|percent|degrees|mph|bps)\b/i
const NOT_A_BOUND_AFTER = /^\s*(?:hours?|days?|weeks?|months?|years?|minutes?|seconds?|straight|times|st|nd|rd|th)\b/i

export function detectQuestionType(question: string): DetectQuestionTypeReturnType {
  const q = question.replace(/\s+/g, ' ').trim().slice(0, MAX_QUESTION_CHARS)
  if (FIRST_PERSON.test(q)) return { type: 'unsupported', reason: 'asked in the first person: the answer is the asker’s say-so' }
  if (CONDITIONAL.test(q)) return { type: 'unsupported', reason: 'conditional on a second question' }
  if (OTHER_MARKET.test(q)) return { type: 'unsupported', reason: 'resolved by another market' }

  const sports = detectOneGame(q)
  if (sports) return sports
  const numeric = detectBound(q)
  if (numeric) return numeric
  return { type: 'text', reason: 'a yes/no question with no single game and no numeric bound' }
}

function detectOneGame(q: string): DetectQuestionTypeReturnType | undefined {
  const dated = ONE_GAME_DATE.exec(q)
  if (dated && !COMPETITION.test(q)) return { type: 'sports.winner', reason: 'one side winning a game on a date', teams: { first: dated[1]!.trim() } }
  for (const re of [BEATS, VERSUS]) {
    const m = re.exec(q)
    // Sides are names: a number there is an amount ("beat 100 points"), bar names like "49ers" / "76ers".
    const named = (side: string) => !COMPETITION.test(side) && !/\d/.test(side.replace(/\b\d+ers\b/gi, ''))
    if (m && named(m[1]!) && named(m[2]!)) {
      return { type: 'sports.winner', reason: 'one side against another', teams: { first: m[1]!.trim(), second: m[2]!.trim() } }
    }
  }
  return undefined
}

function detectBound(q: string): DetectQuestionTypeReturnType | undefined {
  const numbers = (text: string) => text.replace(/[$€£¥,\s]/g, '').replace(/(?:%|percent|k|m|b|bn|t|thousand|million|billion|trillion|ºc|°c|degrees|mph|bps|basis points)$/i, '')
  const plausible = (match: RegExpExecArray, value: string) => {
    const after = q.slice(match.index + match[0].length)
    if (NOT_A_BOUND_AFTER.test(after)) return false
    const bare = numbers(value)
    // A year is a date, not a bound ("by 2026"), unless a currency or unit says otherwise.
    return !(/^(?:19|20)\d\d$/.test(bare) && !CURRENCY_OR_UNIT.test(value))
  }
  const before = BOUND_BEFORE.exec(q)
  if (before) {
    const word = (before[1] ?? before[3] ?? '').toLowerCase()
    const value = before[2] ?? before[4] ?? ''
    // Words that also mean other things ("by June 30", "top 4", "over 2 games") count only with a currency or
    // a unit ("drop by 50%", "top $100k").
    if (plausible(before, value) && (!AMBIGUOUS_BOUND.test(word) || CURRENCY_OR_UNIT.test(value))) {
      return { type: 'numeric.threshold', reason: `a bound: "${before[0].trim()}"`, threshold: numbers(value), comparison: comparisonOf(word) }
    }
  }
  const after = BOUND_AFTER.exec(q)
  if (after && plausible(after, after[1]!)) {
    const word = after[2]!.toLowerCase()
    return { type: 'numeric.threshold', reason: `a bound: "${after[0].trim()}"`, threshold: numbers(after[1]!), comparison: /less|lower|below|fewer/.test(word) ? 'lte' : 'gte' }
  }
  const range = RANGE.exec(q)
  if (range && (CURRENCY_OR_UNIT.test(range[0]) || /\d\.\d/.test(range[0])) && !/^(?:19|20)\d\d$/.test(numbers(range[1]!))) {
    return { type: 'numeric.threshold', reason: `a bracket: "${range[0].trim()}" (two bounds)`, threshold: numbers(range[1]!), comparison: 'gte' }
  }
  const count = COUNT_SUBJECT.exec(q)
  if (count && plausible(count, count[1]!)) {
    return { type: 'numeric.threshold', reason: `a count: "${count[0].trim()}"`, threshold: numbers(count[1]!), comparison: 'gte' }
  }
  return undefined
}

function comparisonOf(word: string): 'gt' | 'gte' | 'lt' | 'lte' {
  if (/^(?:below|under|less than|fewer than|lower than|fall below|falls below|close below|<)$/.test(word)) return 'lt'
  if (/^(?:at most|no more than|dip to|dips to|drop to|drops to|fall to|falls to|<=|≤)$/.test(word)) return 'lte'
  if (/^(?:above|over|more than|greater than|higher than|exceed|exceeds|rise above|rises above|close above|surpass|surpasses|>)$/.test(word)) return 'gt'
  return 'gte'
}
