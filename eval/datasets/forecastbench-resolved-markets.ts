/**
 * ForecastBench resolved markets: question-type detection. The node's detector (detect-question-type.ts)
 * sees only the question, as a requester would submit it. The label comes from a different field: the
 * market's own resolution rules (`resolution_criteria_text` + `background`, written by the market operator),
 * read by the fixed rules below, which were written before the detector and are never changed to suit it:
 *
 * 1. unsupported: the rules leave the outcome to a person's judgement or to another market ("I will
 *    resolve", "my best judgement", "resolves according to polymarket", "underlying markets"), or make it
 *    conditional on a second event ("iff") — nothing a node can read settles it.
 * 2. sports.winner: the rules resolve on the result of one scheduled game or match ("In the upcoming game,
 *    scheduled for …", "if the game is postponed").
 * 3. numeric.threshold: the rules read a published number (price, close, candle, index, rate, value, net
 *    worth, valuation, FDV, market cap, gross, temperature, count) and compare it with a bound or bracket
 *    ("or higher", "above", "less than", "at least", "between", "bracket", "≥").
 * 4. text: everything else (a yes/no fact judged from text).
 * Rows without resolution rules (under 40 characters of them) have no derivable label and are left out.
 */
import { detectQuestionType, type DetectedQuestionType } from '@sibyl/oracle-node/resolve/detect-question-type'
import type { AdapterResult, DatasetAdapter } from '../dataset-adapter.ts'
import { summarizeJudged, type JudgedRow } from '../metrics.ts'
import { text, type Row } from '../read-dataset.ts'
import { confusion } from './text-judge-adapter.ts'

const DISCRETION = /\b(I will resolve|I'll resolve|I will count|I will use|my (?:best )?judge?ment|at my discretion|resolves? (?:exactly )?according to (?:these )?underlying markets|underlying markets?|resolves? according to (?:polymarket|manifold|metaculus|kalshi)|iff)\b/i
const ONE_GAME = /\b(?:upcoming game|upcoming match|the game is (?:postponed|canceled|cancelled)|the match is (?:postponed|canceled|cancelled)|scheduled game|scheduled match)\b/i
// In a sentence about how the market resolves: a bound followed by a number that is not a year or a
// duration ("fewer than 16", "above $4B", "greater than or equal to 95.0%") or by the title's number ("greater
// than the value specified in the title", "equal to or above __"), or a number followed by a bound ("16 or
// more"). Anywhere: price / value brackets.
const UNIT = String.raw`\s*(?:%|percent|[kmbt]\b|thousand|million|billion|trillion|ºc|°c|degrees?|mph)?`
const NUMBER = String.raw`[$€£]?\s?\d[\d,]*(?:\.\d+)?(?![\d.,]*\d)`
const BOUND_WORDS = String.raw`or higher|or lower|or more|or less|or above|or below|or greater|(?:equal to or )?(?:higher|lower|greater|less|more|fewer) than(?: or equal to)?|equal to or (?:above|below)|above|below|at least|at most|exceeds?|exceeding|over|under|between|[≥≤><]=?`
const NOT_A_QUANTITY = String.raw`(?!${UNIT}\s*(?:hours?|days?|weeks?|months?|years?|minutes?|seconds?|people|times)\b)`
const BOUND_THEN_NUMBER = new RegExp(String.raw`(?:${BOUND_WORDS})\s+(?:the\s+|a\s+|an\s+)?(${NUMBER})${NOT_A_QUANTITY}`, 'i')
const BOUND_THEN_TITLE = new RegExp(String.raw`(?:${BOUND_WORDS})\s+(?:the\s+)?(?:(?:value|price|number|amount|figure|threshold)\s+(?:specified|listed|given|stated|in the title)|listed\s+(?:price|value|number|amount|percent(?:age)?|rate|level|threshold)|_{2,})`, 'i')
const NUMBER_THEN_BOUND = new RegExp(String.raw`(${NUMBER})${UNIT}\s+(?:or more|or less|or higher|or lower|or above|or below|or greater)\b`, 'i')
const RESOLUTION_SENTENCE = /\bresol|\byes\b/i
const BRACKETS = /\b(?:price|closing|close|value|figure|index)\b.*\bbrackets?\b|\bbrackets?\b.*\b(?:price|closing|close|value|figure|index)\b/i

function isYear(n: string): boolean {
  return /^(?:19|20)\d\d$/.test(n.trim())
}

function boundedQuantity(rules: string): boolean {
  return rules.split(/(?<=[.!?])\s+/).some((sentence) => {
    if (BRACKETS.test(sentence)) return true
    if (!RESOLUTION_SENTENCE.test(sentence)) return false
    if (BOUND_THEN_TITLE.test(sentence)) return true
    for (const re of [BOUND_THEN_NUMBER, NUMBER_THEN_BOUND]) {
      const m = re.exec(sentence)
      if (m && !isYear(m[1]!)) return true
    }
    return false
  })
}

export function deriveQuestionType(row: Row): DetectedQuestionType | undefined {
  const rules = `${text(row.resolution_criteria_text)} ${text(row.background)}`
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  if (rules.length < 40) return undefined
  if (DISCRETION.test(rules)) return 'unsupported'
  if (ONE_GAME.test(rules)) return 'sports.winner'
  if (boundedQuantity(rules)) return 'numeric.threshold'
  return 'text'
}

export const forecastbenchResolvedMarkets: DatasetAdapter = {
  name: 'forecastbench_resolved_markets',
  folder: 'forecastbench_resolved_markets',
  task: 'question type',
  protocol: 'detectQuestionType(question) vs the type derived from the market\'s own resolution rules (text / sports.winner / numeric.threshold / unsupported)',
  rowId: (row) => String(row.id),
  async evaluate(_context, rows): Promise<AdapterResult> {
    const judged: JudgedRow[] = []
    let unlabelled = 0
    const misses: string[] = []
    for (const row of rows) {
      const gold = deriveQuestionType(row)
      if (gold === undefined) {
        unlabelled++
        continue
      }
      const detected = detectQuestionType(text(row.question))
      if (detected.type !== gold) misses.push(`${gold} detected as ${detected.type}: ${text(row.question).slice(0, 100)}`)
      // "unsupported" is the node declining the question: its abstention.
      judged.push({ id: String(row.id), gold, forced: detected.type, answered: detected.type === 'unsupported' ? 'unresolvable' : detected.type, confidence: undefined })
    }
    const figures = summarizeJudged(judged)
    return {
      figures,
      baselines: figures.majority ? [{ name: `majority (${figures.majority.label})`, accuracy: figures.majority.accuracy, macroF1: figures.majority.macroF1 }] : [],
      extra: {
        unlabelled,
        labels: Object.fromEntries([...new Set(judged.map((j) => j.gold))].sort().map((l) => [l, judged.filter((j) => j.gold === l).length])),
        confusion: confusion(judged.map((j) => j.gold), judged.map((j) => j.forced)),
        misses,
      },
    }
  },
}
