/**
 * The year a claim and its passage share, set aside before the built-in pair model reads them. That model (two
 * transformer layers over SentencePiece pieces) reads a year as a few odd pieces, and a year both sides state
 * makes it less sure of a plain restatement: "The museum reopened to the public in March 2025 after renovations."
 * read as neutral or a contradiction of "The museum reopened in 2025." with several of the judges trained here.
 * With the year on both sides taken out ("The museum reopened to the public after renovations." against "The
 * museum reopened."), the rest of the sentences decides.
 *
 * Narrowly, so that no year the pair turns on is lost:
 * - the claim states exactly one year, the passage states that year and no other (a passage with another year
 *   may tie the claim's year to another event: "The airline, founded in 1987, filed for bankruptcy in 2020."
 *   against "... filed for bankruptcy in 1987." must keep both years);
 * - a year in a range or a code ("2019-20", "2019/2020", "COVID-19 in 2020s") leaves the pair as it is;
 * - what would be left of either side without a word of its own leaves the pair as it is.
 * The explicit rules (detect-denial.ts, detect-number-conflict.ts, ...) still read the original texts.
 */

/**
 * Recorded in judge-model.json (`sharedYears`): a node with another rule signs another modelHash. The examples
 * ([claim, passage, claim read, passage read]) are checked against the code by the test.
 */
export const SHARED_YEAR_RULE = {
  rule: 'oracle-node/src/nlp/set-aside-shared-year.ts',
  since: '2026-12-06',
  what: 'when the claim states one year and the passage that year and no other, the year (with its preposition, month and day) is taken out of both before the built-in pair model reads them; the explicit rules read the original texts. Recorded so that this file\'s hash, and so every observation\'s modelHash, changes with the rule.',
  examples: [
    ['The museum reopened in 2025.', 'The museum reopened to the public in March 2025 after renovations.', 'The museum reopened.', 'The museum reopened to the public after renovations.'],
    ['The central bank raised interest rates in 2024.', 'In 2024, the central bank raised interest rates three times.', 'The central bank raised interest rates.', 'The central bank raised interest rates three times.'],
    ['The airline filed for bankruptcy in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.', 'The airline filed for bankruptcy in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.'],
  ],
} as const

const MONTH = '(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.?'
const DAY = '\\d{1,2}(?:st|nd|rd|th)?'
const PREPOSITION = '(?:in|on|for|during|of|at)'
/** "early 2020", "late 2019", "the autumn of 2016", "the end of 2024": the part of the year goes with it. */
const PART = '(?:(?:early|late|mid)\\s+|the\\s+(?:spring|summer|autumn|fall|winter|start|beginning|middle|end|first half|second half)\\s+of\\s+)?'
/** A whole year, 1000-2100, not part of a longer number, a decimal, a range or a code. */
const YEAR = /(?<![\p{L}\p{N}.,/\-–])(1\d{3}|20\d{2}|2100)(?![\p{L}\p{N}/\-–]|[.,]\d)/gu
/** A year written next to a dash or slash: a range or a code, which the rule leaves alone. */
const YEAR_IN_RANGE = /(?:[\p{N}][\-–/](?:1\d{3}|20\d{2}))|(?:(?:1\d{3}|20\d{2})[\-–/][\p{N}\p{L}])|(?:(?:1\d{3}|20\d{2})s\b)/u

function yearsOf(text: string): string[] {
  return [...text.matchAll(YEAR)].map((m) => m[1]!)
}

function removeYear(text: string, year: string): string {
  // "in March 2025", "on 1 January 2024", "on 3 May 2021", "in November 2022", "of 2016", "December 18, 2024", "2019"
  const date = `(?:(?:the\\s+)?${DAY}\\s+${MONTH}\\s+|${MONTH}\\s+(?:${DAY},?\\s+)?)?`
  const phrase = new RegExp(`(^|[\\s(,;])(?:${PREPOSITION}\\s+)?${PART}${date}${year}(?![\\p{N}])(\\s*,)?`, 'giu')
  const out = text.replace(phrase, (_m, before: string, comma: string | undefined, offset: number) => {
    const atStart = text.slice(0, offset + before.length).trim() === '' || /[.!?:]\s*$/.test(text.slice(0, offset + before.length))
    // "In 2024, the bank ..." loses its comma; "... in 2016, playing eleven concerts" keeps it.
    if (atStart) return before
    return comma ? `${before.trimEnd()},` : before
  })
  return out
    .replace(/\s+([.,;:!?)])/g, '$1')
    .replace(/,\s*([.;:!?])/g, '$1')
    .replace(/,\s*([-–—]\s)/g, ' $1')
    .replace(/\(\s*\)/g, '')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s,]+/, '')
    .replace(/(^|[.!?]\s+)(\p{Ll})/gu, (_m, lead: string, c: string) => lead + c.toUpperCase())
    .trim()
}

const words = (text: string) => text.match(/\p{L}+/gu)?.length ?? 0

/** The pair as the pair model reads it: both sides without their shared year, or unchanged. */
export function setAsideSharedYear(claim: string, passage: string): { claim: string; passage: string } {
  const inClaim = new Set(yearsOf(claim))
  if (inClaim.size !== 1) return { claim, passage }
  const year = [...inClaim][0]!
  const inPassage = new Set(yearsOf(passage))
  if (inPassage.size !== 1 || !inPassage.has(year)) return { claim, passage }
  if (YEAR_IN_RANGE.test(claim) || YEAR_IN_RANGE.test(passage)) return { claim, passage }
  const claimRead = removeYear(claim, year)
  const passageRead = removeYear(passage, year)
  // Every occurrence went (a year left behind would be read alone), and something of each side is left.
  if (yearsOf(claimRead).length > 0 || yearsOf(passageRead).length > 0) return { claim, passage }
  if (words(claimRead) < 2 || words(passageRead) < 2) return { claim, passage }
  return { claim: claimRead, passage: passageRead }
}
